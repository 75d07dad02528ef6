/** Worker thread entry: renders one report PDF so the caller's thread stays responsive. */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../../db/errors.js';
import { runRenderJob, type RenderJob } from './render-job.js';

const job = workerData as RenderJob;
try {
  const result = await runRenderJob({
    ...job,
    certificate: job.certificate ? { ...job.certificate, p12: Buffer.from(job.certificate.p12) } : null,
  });
  const pdf = new Uint8Array(result.pdf.buffer, result.pdf.byteOffset, result.pdf.byteLength).slice();
  parentPort!.postMessage({ ok: true, value: { ...result, pdf } }, [pdf.buffer]);
} catch (error) {
  parentPort!.postMessage({ ok: false, error: toErrorInfo(error) });
}
