/**
 * Starts a worker thread from a module URL, whether the caller runs from the build
 * (.js) or from TypeScript sources (.ts, through tsx).
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function spawnWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const fromSource = entry.pathname.endsWith('.ts');
  if (!fromSource) return new Worker(entry, options);
  const boot = new URL('./ts-boot.mjs', import.meta.url);
  return new Worker(boot, {
    ...options,
    workerData: { ...(options.workerData as Record<string, unknown> | undefined), __workerEntry: entry.href },
  });
}

/** Resolves a sibling worker module next to `base`, with the extension the caller runs from. */
export function siblingModule(base: string, name: string): URL {
  const extension = base.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, base);
}
