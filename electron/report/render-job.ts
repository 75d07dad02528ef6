/**
 * One PDF render from the store: reads the revision and its data, lays out the report,
 * and signs it when a certificate is given. Runs inside the report worker, or in the
 * caller's thread for tests and benchmarks.
 */
import { AppError } from '../../db/errors.js';
import { getReport } from '../../db/reports.js';
import { openStore } from '../../db/store.js';
import { buildReportModel, type SignatureDescription, type TrendPoint } from './model.js';
import type { ReportManifest } from './manifest.js';
import { renderReportPdf } from './pdf/render.js';
import { reportSnapshotIds, resolveQueryScope } from './query-scope.js';
import { describeCertificate, signPdf, type Certificate } from './signing.js';

export interface RenderJob {
  dbPath: string;
  reportId: string;
  revision: number;
  certificate: Certificate | null;
  generatedAt?: string;
  /**
   * The pass-rate trend, computed by the caller on its writable store so each snapshot's
   * status counts are kept; the read-only worker would recount every snapshot.
   */
  trend?: TrendPoint[];
}

export interface RenderJobResult {
  pdf: Buffer;
  pages: number;
  findings: number;
  manifest: ReportManifest;
  signature: SignatureDescription | null;
}

export async function runRenderJob(job: RenderJob): Promise<RenderJobResult> {
  const signature = job.certificate ? describeCertificate(job.certificate) : null;
  // Read-only: the worker must never write while the caller's connection records the export.
  const store = openStore(job.dbPath, { readonly: true });
  try {
    const report = getReport(store, job.reportId, job.revision);
    if (report.revision !== job.revision) throw new AppError('INTERNAL', `Revision ${job.revision} of ${job.reportId} was not found.`);
    const scope = resolveQueryScope(store, reportSnapshotIds(report), report.query);
    try {
      const model = buildReportModel(store, report, { scope, signature, generatedAt: job.generatedAt, trend: job.trend });
      const rendered = await renderReportPdf(model);
      const pdf = job.certificate
        ? await signPdf(rendered.pdf, job.certificate, {
            name: signature!.subject,
            reason: `Audit report ${report.reportId} revision ${report.revision}`,
            location: [report.client, report.site].filter(Boolean).join(', ') || 'not given',
          })
        : rendered.pdf;
      return { pdf, pages: rendered.pages, findings: model.findingCount, manifest: rendered.manifest, signature };
    } finally {
      scope?.drop();
    }
  } finally {
    store.close();
  }
}
