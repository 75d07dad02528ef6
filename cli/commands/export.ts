/** `export csv|pdf|package`: the auditor's deliverables. */
import { AppError } from '../../db/errors.js';
import { parseInteger, type CommandSpec } from '../args.js';
import { withStore } from '../context.js';
import { exportCsv, exportPackage, exportPdf, type CsvKind } from '../../electron/report/export.js';
import { checkOutputPath } from '../../electron/report/output.js';
import { CERTIFICATE_OPTIONS, DEFINITION_OPTIONS, loadCertificate, resolveReport } from './report-options.js';

const CSV_KINDS: CsvKind[] = ['postures', 'diff', 'rollups'];

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'Export a CSV, the PDF audit report, or the audit package (zip with PDF, CSVs, raw data and manifest).',
  usage:
    'export csv|pdf|package (--snapshot ID [--baseline ID] [--query Q] | --report UUID) --out PATH [--title …] [--client …] ' +
    '[--site …] [--auditor …] [--csv postures|diff|rollups] [--bom] [--p12 FILE --p12-password-env VAR] [--force] [--json]',
  options: {
    ...DEFINITION_OPTIONS,
    out: { type: 'string', valueName: 'PATH', description: 'Output file; its folder must exist' },
    force: { type: 'boolean', description: 'Overwrite an existing output file' },
    csv: { type: 'string', valueName: 'KIND', description: 'For `export csv`: postures (default), diff (needs --baseline) or rollups' },
    bom: { type: 'boolean', description: 'Start CSVs with a UTF-8 byte order mark, for Excel' },
    ...CERTIFICATE_OPTIONS,
  },
  details: `A PDF or package export saves a report revision (UUID and revision number) and
records the PDF's SHA-256 against it; --report UUID exports that report again, and any
changed option saves a new revision. Without --p12 the PDF carries an embedded digest
and manifest; with it, a PDF signature (and manifest.json.p7s in the package).

--json prints, for csv: {"kind", "csv", "path", "rows", "bytes", "sha256"}; for pdf:
{"kind", "path", "sha256", "bytes", "pages", "findings", "signed", "demoCertificate",
"reportId", "revision", "reportSha256"}; for package: {"kind", "path", "bytes",
"reportId", "revision", "reportSha256", "signed", "pdf": {"sha256", "pages", "findings"},
"files": [{"path", "sha256", "bytes"}]}.`,
  async run(context) {
    const kind = context.positionals[0];
    if (kind !== 'csv' && kind !== 'pdf' && kind !== 'package') {
      throw new AppError('USAGE', `Say what to export: csv, pdf or package (got "${kind ?? ''}"). See \`posture-workbench export --help\`.`);
    }
    if (context.positionals.length > 1) throw new AppError('USAGE', `Unexpected argument "${context.positionals[1]}"; see --help.`);
    if (typeof context.values.out !== 'string') throw new AppError('USAGE', 'Give the output file with --out PATH.');
    const path = checkOutputPath(context.values.out, context.values.force === true);
    const bom = context.values.bom === true;

    if (kind === 'csv') {
      const csvKind = (context.values.csv ?? 'postures') as CsvKind;
      if (!CSV_KINDS.includes(csvKind)) throw new AppError('USAGE', `--csv must be one of ${CSV_KINDS.join(', ')}, got "${csvKind}".`);
      if (context.values.p12 !== undefined) throw new AppError('USAGE', 'A CSV is not signed; --p12 applies to pdf and package.');
      if (context.values.snapshot === undefined) throw new AppError('USAGE', 'Give --snapshot ID for the CSV.');
      const snapshotId = parseInteger(context.values.snapshot, '--snapshot');
      const baselineId = context.values.baseline === undefined ? null : parseInteger(context.values.baseline, '--baseline');
      return withStore(context, async (store) => {
        const { requireCompleteSnapshot } = await import('../../db/snapshots.js');
        requireCompleteSnapshot(store, snapshotId);
        if (baselineId !== null) requireCompleteSnapshot(store, baselineId);
        const query = typeof context.values.query === 'string' ? context.values.query : null;
        const result = await exportCsv(store, { kind: csvKind, snapshotId, baselineId, query, path, bom });
        context.out(
          context.json
            ? JSON.stringify({ kind: 'csv', csv: result.kind, path: result.path, rows: result.rows, bytes: result.bytes, sha256: result.sha256 }) + '\n'
            : `Wrote ${result.rows.toLocaleString('en-US')} rows to ${result.path}\n`,
        );
      });
    }

    const certificate = await loadCertificate(context);
    return withStore(context, async (store) => {
      const report = resolveReport(store, context);
      if (kind === 'pdf') {
        const result = await exportPdf(store, report, path, certificate);
        const summary = {
          kind: 'pdf',
          path: result.path,
          sha256: result.sha256,
          bytes: result.bytes,
          pages: result.pages,
          findings: result.findings,
          signed: result.signed,
          demoCertificate: result.demoCertificate,
          reportId: report.reportId,
          revision: report.revision,
          reportSha256: report.contentSha256,
        };
        context.out(
          context.json
            ? JSON.stringify(summary) + '\n'
            : `Wrote ${result.path} (${result.pages} pages, ${result.findings} findings, ${result.signed ? 'digitally signed' : 'not signed'}).\n` +
                `Report ${report.reportId} revision ${report.revision}; PDF SHA-256 ${result.sha256}\n`,
        );
        return;
      }
      const result = await exportPackage(store, report, path, certificate, { bom });
      const summary = {
        kind: 'package',
        path: result.path,
        bytes: result.bytes,
        reportId: report.reportId,
        revision: report.revision,
        reportSha256: report.contentSha256,
        signed: certificate !== null,
        pdf: { sha256: result.pdf.sha256, pages: result.pdf.pages, findings: result.pdf.findings },
        files: result.manifest.files.map((file) => ({ path: file.path, sha256: file.sha256, bytes: file.bytes })),
      };
      context.out(
        context.json
          ? JSON.stringify(summary) + '\n'
          : `Wrote ${result.path} with ${result.manifest.files.length} files and manifest.json${certificate ? ' (signed)' : ''}.\n` +
              `Report ${report.reportId} revision ${report.revision}\n`,
      );
    });
  },
};
