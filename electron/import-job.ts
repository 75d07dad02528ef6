/**
 * File imports as jobs: progress with bytes, rate and ETA, and cancel through the job's
 * AbortSignal (the import removes its partial snapshot when cancelled).
 */
import { basename } from 'node:path';
import type { AppServices } from './app-services.js';
import type { JobInfo, ParsedInput } from './contract.js';
import { importFiles } from './ingest/import.js';

export function startImportJob(services: AppServices, input: ParsedInput<'importFiles'>): JobInfo {
  const title = `Import ${input.paths.map((path) => basename(path)).join(', ')}`;
  return services.jobs.start('import', title, async ({ signal, report }) => {
    // NOTE: the import runs on the main process's event loop, in chunks that yield
    // between reads; it moves to a worker thread once the worker protocol has an import job.
    const result = await importFiles(services.store, input.paths, {
      label: input.label,
      note: input.note,
      lenient: input.lenient,
      signal,
      onProgress: (progress) => {
        const remainingBytes = progress.totalBytes - progress.bytes;
        const elapsedBytesRate = progress.recordsPerSecond > 0 && progress.records > 0 ? (progress.bytes / progress.records) * progress.recordsPerSecond : 0;
        report({
          phase: progress.phase,
          records: progress.records,
          bytes: progress.bytes,
          totalBytes: progress.totalBytes,
          recordsPerSecond: progress.recordsPerSecond,
          etaSeconds: elapsedBytesRate > 0 ? remainingBytes / elapsedBytesRate : null,
        });
      },
    });
    const rejected = result.rejected > 0 ? `, ${result.rejected} rejected (see ${result.rejectsFile})` : '';
    const duplicates = result.duplicates > 0 ? `, ${result.duplicates} duplicates dropped` : '';
    return { snapshotId: result.snapshotId, summary: `Imported ${result.records} postures into snapshot ${result.snapshotId}${duplicates}${rejected}.` };
  });
}
