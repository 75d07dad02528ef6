/**
 * Export entry points shared by the CLI, the app and the demo: the PDF (rendered in a
 * worker thread), the CSVs, and the audit package. Each records the PDF it wrote
 * against the report revision.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { AppError, type ErrorInfo } from '../../db/errors.js';
import { getReport, recordPdfExport, type ReportRevision } from '../../db/reports.js';
import { getSnapshot } from '../../db/snapshots.js';
import type { Store } from '../../db/store.js';
import { siblingModule, spawnWorker } from '../workers/spawn.js';
import { writeDiffCsv, writePosturesCsv, writeRollupsCsv, type CsvOptions } from './csv.js';
import { reportTrend, type TrendPoint } from './model.js';
import { throwIfCancelled, writeOutputBuffer, writeOutputFile, type OutputOptions } from './output.js';
import { writeAuditPackage, type PackageManifest } from './package.js';
import { reportSnapshotIds, resolveQueryScope } from './query-scope.js';
import { runRenderJob, type RenderJob, type RenderJobResult } from './render-job.js';
import type { Certificate } from './signing.js';

export interface PdfExportResult {
  path: string;
  sha256: string;
  bytes: number;
  pages: number;
  findings: number;
  signed: boolean;
  demoCertificate: boolean;
}

export interface ExportOptions extends OutputOptions {
  /** Renders in this thread instead of a worker thread. */
  inThread?: boolean;
  /** Stops the export with CANCELLED: at once while the worker renders, else before the next step. */
  signal?: AbortSignal;
}

/** Renders a report revision in a worker thread (or in this thread when `inThread`). */
export async function renderReport(job: RenderJob, options: ExportOptions = {}): Promise<RenderJobResult> {
  throwIfCancelled(options.signal, 'report export');
  if (options.inThread) return runRenderJob(job);
  const worker: Worker = spawnWorker(siblingModule(import.meta.url, 'report-worker'), { workerData: job });
  return new Promise<RenderJobResult>((resolve, reject) => {
    let settled = false;
    // A cancel ends the worker, so a long render stops at once.
    options.signal?.addEventListener(
      'abort',
      () => {
        if (settled) return;
        settled = true;
        reject(new AppError('CANCELLED', 'The report export was cancelled while the PDF was rendered; no file was written.'));
        void worker.terminate();
      },
      { once: true },
    );
    worker.once('message', (message: { ok: true; value: RenderJobResult & { pdf: Uint8Array } } | { ok: false; error: ErrorInfo }) => {
      if (settled) return;
      settled = true;
      if (message.ok) resolve({ ...message.value, pdf: Buffer.from(message.value.pdf.buffer, message.value.pdf.byteOffset, message.value.pdf.byteLength) });
      else reject(new AppError(message.error.code, message.error.message));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (settled) return;
      settled = true;
      reject(new AppError('INTERNAL', `The report worker failed: ${error.message}`, { cause: error }));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new AppError('INTERNAL', `The report worker exited with code ${code} before it finished.`));
    });
  });
}

function trendOf(store: Store, report: ReportRevision): TrendPoint[] {
  return reportTrend(store, getSnapshot(store, report.snapshotId));
}

function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Renders, signs (with a certificate) and writes the PDF of a revision to `path`. */
export async function exportPdf(
  store: Store,
  report: ReportRevision,
  path: string,
  certificate: Certificate | null,
  options: ExportOptions = {},
): Promise<PdfExportResult & { pdf: Buffer }> {
  const rendered = await renderReport(
    { dbPath: store.path, reportId: report.reportId, revision: report.revision, certificate, trend: trendOf(store, report) },
    options,
  );
  throwIfCancelled(options.signal, 'PDF export');
  await writeOutputBuffer(path, rendered.pdf, options);
  const sha256 = sha256Of(rendered.pdf);
  recordPdfExport(store, report.rowId, sha256);
  return {
    path,
    sha256,
    bytes: rendered.pdf.length,
    pages: rendered.pages,
    findings: rendered.findings,
    signed: certificate !== null,
    demoCertificate: rendered.signature?.demoCertificate ?? false,
    pdf: rendered.pdf,
  };
}

export type CsvKind = 'postures' | 'diff' | 'rollups';

export interface CsvExportResult {
  path: string;
  kind: CsvKind;
  rows: number;
  bytes: number;
  sha256: string;
}

/** Writes one CSV of a snapshot (a diff needs `baselineId`), narrowed by `query`. */
export async function exportCsv(
  store: Store,
  options: CsvOptions & OutputOptions & { kind: CsvKind; snapshotId: number; baselineId: number | null; query: string | null; path: string },
): Promise<CsvExportResult> {
  if (options.kind === 'diff' && options.baselineId === null) {
    throw new AppError('USAGE', 'A diff CSV needs --baseline ID (the earlier snapshot to compare with).');
  }
  const snapshotIds = options.kind === 'diff' ? [options.snapshotId, options.baselineId!] : [options.snapshotId];
  const scope = resolveQueryScope(store, snapshotIds, options.query);
  try {
    const rows = await writeOutputFile(options.path, async (stream) => {
      const csv = { bom: options.bom, onRows: options.onRows, signal: options.signal, scope };
      if (options.kind === 'postures') return writePosturesCsv(store.sqlite, options.snapshotId, stream, csv);
      if (options.kind === 'rollups') return writeRollupsCsv(store.sqlite, options.snapshotId, stream, csv);
      return writeDiffCsv(store, options.baselineId!, options.snapshotId, stream, csv);
    }, options);
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(options.path)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { path: options.path, kind: options.kind, rows, bytes, sha256: hash.digest('hex') };
  } finally {
    scope?.drop();
  }
}

export interface PackageExportResult {
  path: string;
  bytes: number;
  pdf: PdfExportResult;
  manifest: PackageManifest;
}

/** Renders the PDF and writes the audit package around it; the PDF is not written on its own. */
export async function exportPackage(
  store: Store,
  report: ReportRevision,
  path: string,
  certificate: Certificate | null,
  options: ExportOptions & { bom?: boolean } = {},
): Promise<PackageExportResult> {
  const rendered = await renderReport(
    { dbPath: store.path, reportId: report.reportId, revision: report.revision, certificate, trend: trendOf(store, report) },
    options,
  );
  const sha256 = sha256Of(rendered.pdf);
  const scope = resolveQueryScope(store, reportSnapshotIds(report), report.query);
  try {
    const written = await writeAuditPackage(path, {
      store,
      reportId: report.reportId,
      revision: report.revision,
      reportSha256: report.contentSha256,
      snapshotId: report.snapshotId,
      baselineId: report.baselineId,
      scope,
      pdf: rendered.pdf,
      certificate,
      bom: options.bom,
      signal: options.signal,
      overwrite: options.overwrite,
    });
    recordPdfExport(store, report.rowId, sha256);
    return {
      path,
      bytes: written.bytes,
      manifest: written.manifest,
      pdf: {
        path: `${path}#report.pdf`,
        sha256,
        bytes: rendered.pdf.length,
        pages: rendered.pages,
        findings: rendered.findings,
        signed: certificate !== null,
        demoCertificate: rendered.signature?.demoCertificate ?? false,
      },
    };
  } finally {
    scope?.drop();
  }
}

/** Re-reads a revision so the caller sees the PDF hash just recorded. */
export function reloadReport(store: Store, report: ReportRevision): ReportRevision {
  return getReport(store, report.reportId, report.revision);
}
