/**
 * Caller side of the job workers: starts a worker thread, forwards typed progress, turns the
 * worker's error message back into an AppError, and cancels through an AbortSignal.
 */
import { AppError } from '../../db/errors.js';
import type { ImportResult } from '../ingest/import.js';
import type { PullProgress, PullResult } from '../pcrs/pull.js';
import {
  isWorkerMessage,
  PROTOCOL_VERSION,
  Sequence,
  type CallerMessage,
  type ImportJobOptions,
  type JobKind,
  type JobRequest,
  type JobTypes,
  type LogMessage,
  type PullJobOptions,
  type Unsequenced,
} from './protocol.js';
import { siblingModule, spawnWorker } from './spawn.js';

export interface WorkerJobHooks {
  /** Receives the worker's log lines (already free of secrets). */
  onLog?(message: LogMessage): void;
}

// After a cancel the worker saves its state and reports; past this it is stopped by force.
const CANCEL_GRACE_MS = 30_000;

/** Runs one job in a new worker thread and resolves with its result. */
export function runJobInWorker<K extends JobKind>(
  kind: K,
  options: JobTypes[K]['options'],
  onProgress?: (progress: JobTypes[K]['progress']) => void,
  signal?: AbortSignal,
  hooks: WorkerJobHooks = {},
): Promise<JobTypes[K]['result']> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AppError('CANCELLED', 'Cancelled by the user before the job started.'));
      return;
    }
    const worker = spawnWorker(siblingModule(import.meta.url, 'pull-worker'));
    const sequence = new Sequence();
    let lastSeq = 0;
    let settled = false;
    let forceTimer: NodeJS.Timeout | null = null;

    const post = (message: Unsequenced<CallerMessage>) => worker.postMessage({ ...message, seq: sequence.next() });
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (forceTimer) clearTimeout(forceTimer);
      outcome();
    };
    const onAbort = () => {
      post({ type: 'cancel' });
      forceTimer = setTimeout(() => {
        void worker.terminate();
        finish(() => reject(new AppError('CANCELLED', 'Cancelled by the user; the worker did not stop in time and was terminated.')));
      }, CANCEL_GRACE_MS);
      forceTimer.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.seq !== lastSeq + 1) {
        hooks.onLog?.({ type: 'log', seq: message.seq, level: 'warn', message: `worker message out of order: expected ${lastSeq + 1}, got ${message.seq}` });
      }
      lastSeq = message.seq;
      switch (message.type) {
        case 'progress':
          if (message.kind === kind) onProgress?.(message.progress as JobTypes[K]['progress']);
          break;
        case 'log':
          hooks.onLog?.(message);
          break;
        case 'done':
          finish(() => resolve(message.result as JobTypes[K]['result']));
          break;
        case 'error':
          finish(() => reject(new AppError(message.error.code, message.error.message)));
          break;
      }
    });
    worker.on('error', (error) => {
      finish(() => reject(new AppError('INTERNAL', `The ${kind} worker failed: ${error.message}`, { cause: error })));
    });
    worker.on('exit', (code) => {
      finish(() => reject(new AppError('INTERNAL', `The ${kind} worker stopped without a result (exit code ${code}).`)));
    });

    const job = { kind, options } as JobRequest;
    post({ type: 'start', protocol: PROTOCOL_VERSION, job });
  });
}

/** Runs a pull in a worker thread; the password travels in the start message, never in argv or logs. */
export function runPullInWorker(
  options: PullJobOptions,
  onProgress?: (progress: PullProgress) => void,
  signal?: AbortSignal,
  hooks?: WorkerJobHooks,
): Promise<PullResult> {
  return runJobInWorker('pull', options, onProgress, signal, hooks);
}

/** Imports files in a worker thread, so the app's main process stays responsive. */
export function runImportInWorker(
  options: ImportJobOptions,
  onProgress?: (progress: JobTypes['import']['progress']) => void,
  signal?: AbortSignal,
  hooks?: WorkerJobHooks,
): Promise<ImportResult> {
  return runJobInWorker('import', options, onProgress, signal, hooks);
}
