/**
 * Report methods. Saving a changed definition creates a new revision, and a sign-off locks
 * the revision's snapshots. Exports (PDF, CSV or audit package) run as jobs, and verify
 * checks an exported file against its embedded hashes and the store.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../db/errors.js';
import { getReport, listReports, saveReportRevision, signOffReport } from '../db/reports.js';
import type { AppServices } from './app-services.js';
import type { JobInfo, ParsedInput, VerifyInfo } from './contract.js';
import { exportCsv, exportPackage, exportPdf } from './report/export.js';
import type { Certificate } from './report/signing.js';
import { verifyFile } from './report/verify.js';

const EXTENSIONS = { pdf: 'pdf', csv: 'csv', package: 'zip' } as const;

const EXPORT_STEPS = {
  pdf: { phase: 'render', detail: 'Rendering the PDF' },
  csv: { phase: 'write', detail: 'Writing the CSV file' },
  package: { phase: 'package', detail: 'Rendering the PDF and writing the audit package' },
} as const;

async function readCertificate(input: ParsedInput<'exportReport'>): Promise<Certificate | null> {
  if (!input.p12Path) return null;
  try {
    return { p12: await readFile(input.p12Path), password: input.p12Password ?? '' };
  } catch (error) {
    throw new AppError('NOT_FOUND', `Cannot read the certificate ${input.p12Path}: ${(error as Error).message}. Choose the .p12 file again.`, { cause: error });
  }
}

/** Asks where to save, then exports in a job; returns null when the user cancels the dialog. */
async function exportReport(services: AppServices, input: ParsedInput<'exportReport'>): Promise<JobInfo | null> {
  const report = getReport(services.store, input.reportId, input.revision);
  const suffix = input.format === 'csv' ? `-${input.csvKind ?? 'postures'}` : '';
  const path = await services.options.dialogs.saveFile({
    title: `Export ${input.format.toUpperCase()}`,
    defaultName: `${report.title.replace(/[^\w.-]+/g, '-')}-r${report.revision}${suffix}.${EXTENSIONS[input.format]}`,
    filters: [{ name: input.format === 'package' ? 'Audit package (zip)' : input.format.toUpperCase(), extensions: [EXTENSIONS[input.format]] }],
  });
  if (!path) return null;
  const certificate = await readCertificate(input);

  // Postures the export reads: the whole snapshot, or the matches of the report's query,
  // which are counted only while the export runs.
  const snapshotRecords = report.query
    ? null
    : (services.store.sqlite.prepare('SELECT record_count AS records FROM snapshots WHERE id = ?').get(report.snapshotId) as { records: number } | undefined)?.records ?? null;
  return services.jobs.start('report', `Export ${report.title} (revision ${report.revision}) as ${input.format.toUpperCase()}`, async ({ report: progress, signal }) => {
    // NOTE: the PDF and package exports report their step only, and their fraction is set
    // at the end. The CSV export reports its rows as it writes them. All three stop on cancel.
    progress({ phase: EXPORT_STEPS[input.format].phase, totalRecords: snapshotRecords, detail: EXPORT_STEPS[input.format].detail });
    if (input.format === 'pdf') {
      const result = await exportPdf(services.store, report, path, certificate, { signal });
      return { outputPath: path, summary: `Exported a ${result.pages}-page PDF${result.signed ? ', signed,' : ''} to ${path} (SHA-256 ${result.sha256}).`, progress: { bytes: result.bytes } };
    }
    if (input.format === 'package') {
      const result = await exportPackage(services.store, report, path, certificate, { signal });
      return { outputPath: path, summary: `Exported the audit package to ${path} (${result.manifest.files.length} files).`, progress: { bytes: result.bytes } };
    }
    const kind = input.csvKind ?? 'postures';
    // Only the postures CSV has one row per posture in scope, so only it has a fraction.
    const total = kind === 'postures' ? snapshotRecords : null;
    const started = Date.now();
    const onRows = (rows: number) => {
      const rate = rows / Math.max((Date.now() - started) / 1000, 0.001);
      progress({
        records: rows,
        recordsPerSecond: Math.round(rate),
        fraction: total ? Math.min(rows / total, 0.99) : null,
        etaSeconds: total ? Math.max(Math.round((total - rows) / rate), 0) : null,
      });
    };
    const result = await exportCsv(services.store, { kind, snapshotId: report.snapshotId, baselineId: report.baselineId, query: report.query, path, onRows, signal });
    return { outputPath: path, summary: `Exported ${result.rows.toLocaleString('en-US')} rows to ${path} (SHA-256 ${result.sha256}).`, progress: { records: result.rows, bytes: result.bytes } };
  });
}

async function verify(services: AppServices, input: ParsedInput<'verifyFile'>): Promise<VerifyInfo | null> {
  const path =
    input.path ??
    (await services.options.dialogs.openFile({ title: 'Verify a report or audit package', filters: [{ name: 'Reports and packages', extensions: ['pdf', 'zip'] }] }));
  if (!path) return null;
  const result = await verifyFile(path, services.store);
  services.logger.info({ path, ok: result.ok, reportId: result.reportId }, 'file verified');
  return result;
}

export const reportImplementations = (services: AppServices) => ({
  listReports: () => listReports(services.store),
  saveReport: ({ reportId, ...definition }: ParsedInput<'saveReport'>) => saveReportRevision(services.store, definition, reportId),
  signOff: ({ reportId, revision, ...signer }: ParsedInput<'signOff'>) => {
    const signoff = signOffReport(services.store, reportId, revision, signer);
    services.options.emit({ type: 'snapshots-changed' });
    return signoff;
  },
  exportReport: (input: ParsedInput<'exportReport'>) => exportReport(services, input),
  verifyFile: (input: ParsedInput<'verifyFile'>) => verify(services, input),
});
