/**
 * The page's access to main: `window.workbench`, set by the preload (or by the test
 * shim in end-to-end tests). Only the contract's types are imported from outside renderer/.
 */
import type { Result, WorkbenchApi } from '../../../electron/contract';
import { describeError } from './errors';

export { describeError };

declare global {
  interface Window {
    workbench: WorkbenchApi;
  }
}

export function workbench(): WorkbenchApi {
  if (!window.workbench) throw new Error('window.workbench is missing: the preload did not run.');
  return window.workbench;
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

/** Returns the CSS class that colours a status: Passed and Passed* green, Failed red, the rest amber. */
export function statusClass(status: string | null): string {
  const value = (status ?? '').toLowerCase();
  if (value.startsWith('passed')) return 'status-passed';
  if (value === 'failed') return 'status-failed';
  return 'status-error';
}
