/**
 * Worker thread that runs one job (a pull or a file import) against its own database
 * connection, so the caller's event loop stays free for the UI or a progress bar. The
 * messages are defined in protocol.ts.
 */
import { parentPort } from 'node:worker_threads';
import { AppError, toErrorInfo } from '../../db/errors.js';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../ingest/import.js';
import { redactText } from '../log.js';
import { runPull } from '../pcrs/pull.js';
import { isCallerMessage, PROTOCOL_VERSION, Sequence, type JobRequest, type Unsequenced, type WorkerMessage } from './protocol.js';

// Progress is sent at most this often, plus on every phase change and at the end.
const PROGRESS_INTERVAL_MS = 200;

const port = parentPort;
if (!port) throw new Error('pull-worker.ts must run in a worker thread; start it with runPullInWorker or runImportInWorker.');

const sequence = new Sequence();
const controller = new AbortController();
let started = false;

function send(message: Unsequenced<WorkerMessage>): void {
  port!.postMessage({ ...message, seq: sequence.next() });
}

/** Wraps a progress callback so it posts at most one message per interval and always on a phase change. */
function throttled<P extends { phase: string }>(kind: JobRequest['kind']): { report(progress: P): void; flush(): void } {
  let last = 0;
  let lastPhase = '';
  let pending: P | null = null;
  const post = (progress: P) => {
    last = performance.now();
    lastPhase = progress.phase;
    pending = null;
    send({ type: 'progress', kind, progress } as unknown as Unsequenced<WorkerMessage>);
  };
  return {
    report(progress) {
      if (progress.phase !== lastPhase) {
        // The last event of a phase carries its final counts; send it before the next phase.
        if (pending) post(pending);
        post(progress);
      } else if (performance.now() - last >= PROGRESS_INTERVAL_MS) {
        post(progress);
      } else {
        pending = progress;
      }
    },
    flush() {
      if (pending) post(pending);
    },
  };
}

async function runJob(job: JobRequest): Promise<void> {
  let store: Store | null = null;
  try {
    store = openStore(job.options.dbPath);
    if (job.kind === 'pull') {
      const { dbPath: _dbPath, ...options } = job.options;
      const progress = throttled<Parameters<NonNullable<Parameters<typeof runPull>[1]['onProgress']>>[0]>('pull');
      send({ type: 'log', level: 'info', message: 'pull started', fields: { resume: options.resume ?? null } });
      const result = await runPull(store, { ...options, signal: controller.signal, onProgress: progress.report });
      progress.flush();
      store.close();
      store = null;
      send({ type: 'log', level: 'info', message: 'pull finished', fields: { snapshotId: result.snapshotId, records: result.records, retries: result.retries } });
      send({ type: 'done', kind: 'pull', result });
      return;
    }
    const { dbPath: _dbPath, files, ...options } = job.options;
    const progress = throttled<Parameters<NonNullable<NonNullable<Parameters<typeof importFiles>[2]>['onProgress']>>[0]>('import');
    const result = await importFiles(store, files, { ...options, signal: controller.signal, onProgress: progress.report });
    progress.flush();
    store.close();
    store = null;
    send({ type: 'done', kind: 'import', result });
  } catch (error) {
    const info = toErrorInfo(error);
    const message = redactText(info.message);
    send({ type: 'log', level: info.code === 'CANCELLED' ? 'info' : 'error', message: `${job.kind} failed`, fields: { code: info.code, error: message } });
    send({ type: 'error', error: { code: info.code, message } });
  } finally {
    store?.close();
    port!.close();
  }
}

port.on('message', (message: unknown) => {
  if (!isCallerMessage(message)) {
    send({ type: 'log', level: 'warn', message: 'ignored a malformed message from the caller' });
    return;
  }
  if (message.type === 'cancel') {
    controller.abort();
    return;
  }
  if (started) {
    send({ type: 'log', level: 'warn', message: 'ignored a second start message; one worker runs one job' });
    return;
  }
  started = true;
  if (message.protocol !== PROTOCOL_VERSION) {
    const error = new AppError('INTERNAL', `Worker protocol mismatch: the caller speaks version ${message.protocol}, the worker ${PROTOCOL_VERSION}. Rebuild the app.`);
    send({ type: 'error', error: error.toJSON() });
    port.close();
    return;
  }
  void runJob(message.job);
});
