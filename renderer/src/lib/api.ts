/**
 * The page's access to main: `window.workbench`, set by the preload (or by the test
 * shim in end-to-end tests). Only the contract's types are imported from outside renderer/.
 */
import type { ErrorInfo, Result, WorkbenchApi } from '../../../electron/contract';

declare global {
  interface Window {
    workbench: WorkbenchApi;
  }
}

export function workbench(): WorkbenchApi {
  if (!window.workbench) throw new Error('window.workbench is missing: the preload did not run.');
  return window.workbench;
}

const HEADINGS: Record<ErrorInfo['code'], string> = {
  USAGE: 'This action is not possible',
  INVALID_INPUT: 'Check the input',
  NOT_FOUND: 'Not found',
  DATA: 'The data is malformed',
  SCHEMA_NEWER: 'The database is from a newer version',
  AUTH: 'Sign-in failed',
  NETWORK: 'The network request failed',
  RATE_LIMIT: 'The API rate limit was reached',
  API: 'The API returned an error',
  CANCELLED: 'Cancelled',
  LOCKED: 'Protected by a sign-off',
  CONFLICT: 'Already exists or already running',
  IO: 'A file could not be read or written',
  VERIFY_FAILED: 'Verification failed',
  INTERNAL: 'Something went wrong',
};

/** Turns an error code and message into the sentence the page shows. */
export function describeError(error: ErrorInfo): string {
  const heading = HEADINGS[error.code] ?? HEADINGS.INTERNAL;
  const suffix = error.code === 'INTERNAL' ? ' Open the log folder (File menu) for details.' : '';
  return `${heading}: ${error.message}${suffix}`;
}

/** Unwraps a result or throws an Error whose message is the described error. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw Object.assign(new Error(describeError(result.error)), { info: result.error });
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatDate(iso: string | null): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)} %` : '–';
}
