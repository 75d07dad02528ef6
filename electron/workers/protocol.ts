/**
 * Messages between a caller (the app's main process, the CLI) and a job worker thread.
 *
 * One worker runs one job. The caller sends `start` once and may send `cancel`; the worker
 * sends `progress` and `log` messages, then exactly one `done` or `error`. Every message
 * carries a sequence number that grows by one per sender, so a receiver can tell a lost or
 * reordered message from a quiet worker. New job kinds (an export, say) add an entry to
 * `JobTypes` and a case in the worker; the message shapes stay the same.
 */
import type { ErrorInfo } from '../../db/errors.js';
import type { ImportOptions, ImportProgress, ImportResult } from '../ingest/import.js';
import type { PullOptions, PullProgress, PullResult } from '../pcrs/pull.js';

/** Bumped when a message shape changes, so a stale worker build is rejected instead of misread. */
export const PROTOCOL_VERSION = 1;

/** Pull options as they cross the thread boundary: no callbacks, plus the database to open. */
export type PullJobOptions = Omit<PullOptions, 'signal' | 'onProgress'> & { dbPath: string };

/** Import options as they cross the thread boundary. */
export type ImportJobOptions = Omit<ImportOptions, 'signal' | 'onProgress'> & { dbPath: string; files: string[] };

/** Options, progress and result of each job kind. */
export interface JobTypes {
  pull: { options: PullJobOptions; progress: PullProgress; result: PullResult };
  import: { options: ImportJobOptions; progress: ImportProgress; result: ImportResult };
}

export type JobKind = keyof JobTypes;

export const JOB_KINDS: readonly JobKind[] = ['pull', 'import'];

export type JobRequest = { [K in JobKind]: { kind: K; options: JobTypes[K]['options'] } }[JobKind];

export type CallerMessage = { type: 'start'; seq: number; protocol: number; job: JobRequest } | { type: 'cancel'; seq: number };

export type ProgressMessage = { [K in JobKind]: { type: 'progress'; seq: number; kind: K; progress: JobTypes[K]['progress'] } }[JobKind];

export type DoneMessage = { [K in JobKind]: { type: 'done'; seq: number; kind: K; result: JobTypes[K]['result'] } }[JobKind];

export interface ErrorMessage {
  type: 'error';
  seq: number;
  /** Code and message, secrets already removed. */
  error: ErrorInfo;
}

export interface LogMessage {
  type: 'log';
  seq: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, string | number | boolean | null>;
}

export type WorkerMessage = ProgressMessage | DoneMessage | ErrorMessage | LogMessage;

const WORKER_TYPES = new Set(['progress', 'done', 'error', 'log']);
const CALLER_TYPES = new Set(['start', 'cancel']);

function hasTypeAndSeq(value: unknown, types: Set<string>): value is { type: string; seq: number } {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { type?: unknown; seq?: unknown };
  return typeof candidate.type === 'string' && types.has(candidate.type) && typeof candidate.seq === 'number' && Number.isInteger(candidate.seq);
}

/** Checks the envelope of a message from a worker (its type and sequence number). */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return hasTypeAndSeq(value, WORKER_TYPES);
}

/** Checks the envelope of a message from the caller. */
export function isCallerMessage(value: unknown): value is CallerMessage {
  if (!hasTypeAndSeq(value, CALLER_TYPES)) return false;
  if (value.type !== 'start') return true;
  const job = (value as { job?: { kind?: unknown } }).job;
  return typeof job === 'object' && job !== null && (JOB_KINDS as readonly unknown[]).includes(job.kind);
}

/** A message before its sender numbers it (Omit applied to each member of a union). */
export type Unsequenced<T> = T extends unknown ? Omit<T, 'seq'> : never;

/** Numbers outgoing messages of one sender. */
export class Sequence {
  private last = 0;
  next(): number {
    return ++this.last;
  }
}
