/** `export csv|pdf|package`: the auditor's deliverables. */
import { AppError } from '../../db/errors.js';
import { EXIT_CODES, parseInteger, type CommandSpec } from '../args.js';
import { withStore } from '../context.js';
import { exportCsv, exportPackage, exportPdf, type CsvKind } from '../../electron/report/export.js';
import { checkOutputPath } from '../../electron/report/output.js';
import type { ReportRevision } from '../../db/reports.js';
import { CERTIFICATE_OPTIONS, DEFINITION_OPTIONS, loadCertificate, resolveReport, type ReportSource } from './report-options.js';

const CSV_KINDS: CsvKind[] = ['postures', 'diff', 'rollups'];

function describeRevision(report: ReportRevision, source: ReportSource): string {
  const name = `report ${report.reportId} revision ${report.revision}`;
  if (source === 'matched') return `Exported the existing ${name}, whose options are the same`;
  if (source === 'new') return `Saved and exported the new ${name}`;
  return `Exported ${name}`;
}

function describeSignoffs(report: ReportRevision): string {
  if (report.signoffs.length === 0) {
    return `Not signed off; sign it off with \`posture-workbench signoff --report ${report.reportId} --revision ${report.revision} …\` and export it again.\n`;
  }
  return report.signoffs.map((signoff) => `Signed off by ${signoff.name} (${signoff.role}, ${signoff.organisation}) at ${signoff.signedAt}.\n`).join('');
}

/**
 * Runs an export with Ctrl+C as its cancel signal, so it removes its temporary files and
 * exits with CANCELLED instead of dying with them on disk. Cleaning up takes a moment, so
 * a second Ctrl+C is absorbed. A third ends the process at once, and the next export to
 * the folder removes the files (removeAbandonedOutput).
 */
async function untilInterrupted<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let presses = 0;
  const onSignal = () => {
    presses++;
    if (presses >= 3) process.exit(EXIT_CODES.CANCELLED);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  try {
    return await run(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
  }
}

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
  details: `A PDF or package export uses a report revision (UUID and revision number) and
records the PDF's SHA-256 against it. With --snapshot, the export uses the existing
revision whose options (snapshot, baseline, query, title, client, site, auditor) are all
the same, the signed-off one first, so it prints its sign-off page; with no such revision
it saves a new report. --report UUID exports that report again, and any changed option
saves a new revision. Without --p12 the PDF carries an embedded digest and manifest; with
it, a PDF signature (and manifest.json.p7s in the package). Every export writes to a
temporary file moved into place when it is complete; without --force, a file that
appears at --out meanwhile (another export) is kept and this export fails. Ctrl+C stops
an export, which then removes its temporary files and exits with 130. A third Ctrl+C
(or a kill) ends it at once, leaving them; the next export to that folder removes them.

--json prints, for csv: {"kind", "csv", "path", "rows", "bytes", "sha256"}; for pdf:
{"kind", "path", "sha256", "bytes", "pages", "findings", "signed", "demoCertificate",
"reportId", "revision", "reportSha256", "reportSource", "signoffs"}; for package: {"kind",
"path", "bytes", "reportId", "revision", "reportSha256", "reportSource", "signoffs",
"signed", "pdf": {"sha256", "pages", "findings"}, "files": [{"path", "sha256", "bytes"}]}.
"reportSource" is "named" (--report), "matched" (same options) or "new"; "signoffs" is
[{"name", "role", "organisation", "signedAt"}].`,
  async run(context) {
    const kind = context.positionals[0];
    if (kind !== 'csv' && kind !== 'pdf' && kind !== 'package') {
      throw new AppError('USAGE', `Say what to export: csv, pdf or package (got "${kind ?? ''}"). See \`posture-workbench export --help\`.`);
    }
    if (context.positionals.length > 1) throw new AppError('USAGE', `Unexpected argument "${context.positionals[1]}"; see --help.`);
    if (typeof context.values.out !== 'string') throw new AppError('USAGE', 'Give the output file with --out PATH.');
    const out = context.values.out;
    const force = context.values.force === true;
    const bom = context.values.bom === true;

    if (kind === 'csv') {
      const csvKind = (context.values.csv ?? 'postures') as CsvKind;
      if (!CSV_KINDS.includes(csvKind)) throw new AppError('USAGE', `--csv must be one of ${CSV_KINDS.join(', ')}, got "${csvKind}".`);
      if (context.values.p12 !== undefined) throw new AppError('USAGE', 'A CSV is not signed; --p12 applies to pdf and package.');
      if (context.values.snapshot === undefined) throw new AppError('USAGE', 'Give --snapshot ID for the CSV.');
      const snapshotId = parseInteger(context.values.snapshot, '--snapshot');
      const baselineId = context.values.baseline === undefined ? null : parseInteger(context.values.baseline, '--baseline');
      if (baselineId === snapshotId) {
        throw new AppError(
          'USAGE',
          `--baseline ${baselineId} is the snapshot itself, so it has no changes to compare; give another snapshot, usually an earlier one (list them with \`posture-workbench snapshots\`).`,
        );
      }
      return withStore(context, async (store) => {
        const { requireCompleteSnapshot } = await import('../../db/snapshots.js');
        requireCompleteSnapshot(store, snapshotId);
        if (baselineId !== null) requireCompleteSnapshot(store, baselineId);
        const query = typeof context.values.query === 'string' ? context.values.query : null;
        // After the snapshot checks, so a wrong ID is reported before an existing file.
        const path = checkOutputPath(out, force);

        // The row count so far shows while it runs, in a terminal.
        let lastDraw = 0;
        const onRows = (rows: number) => {
          if (!context.interactive || context.json || Date.now() - lastDraw < 200) return;
          lastDraw = Date.now();
          context.err(`\rwriting ${rows.toLocaleString('en-US')} rows   `);
        };
        let result;
        try {
          result = await untilInterrupted((signal) => exportCsv(store, { kind: csvKind, snapshotId, baselineId, query, path, bom, onRows, signal, overwrite: force }));
        } finally {
          if (lastDraw > 0) context.err('\n');
        }
        context.out(
          context.json
            ? JSON.stringify({ kind: 'csv', csv: result.kind, path: result.path, rows: result.rows, bytes: result.bytes, sha256: result.sha256 }) + '\n'
            : `Wrote ${result.rows.toLocaleString('en-US')} rows to ${result.path}\n`,
        );
      });
    }

    if (context.values.csv !== undefined) {
      throw new AppError('USAGE', `--csv chooses the kind of a CSV export; \`export ${kind}\` writes ${kind === 'pdf' ? 'a PDF' : 'every CSV in the package'}. Drop --csv, or use \`export csv\`.`);
    }
    // Before the report is resolved, which may save a new revision.
    const path = checkOutputPath(out, force);
    const certificate = await loadCertificate(context);
    return withStore(context, async (store) => {
      const { report, source } = resolveReport(store, context);
      const signoffs = report.signoffs.map(({ name, role, organisation, signedAt }) => ({ name, role, organisation, signedAt }));
      if (kind === 'pdf') {
        const result = await untilInterrupted((signal) => exportPdf(store, report, path, certificate, { signal, overwrite: force }));
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
          reportSource: source,
          signoffs,
        };
        context.out(
          context.json
            ? JSON.stringify(summary) + '\n'
            : `Wrote ${result.path} (${result.pages} pages, ${result.findings} findings, ${result.signed ? 'digitally signed' : 'not signed'}).\n` +
                `${describeRevision(report, source)}; PDF SHA-256 ${result.sha256}\n${describeSignoffs(report)}`,
        );
        return;
      }
      const result = await untilInterrupted((signal) => exportPackage(store, report, path, certificate, { bom, signal, overwrite: force }));
      const summary = {
        kind: 'package',
        path: result.path,
        bytes: result.bytes,
        reportId: report.reportId,
        revision: report.revision,
        reportSha256: report.contentSha256,
        reportSource: source,
        signoffs,
        signed: certificate !== null,
        pdf: { sha256: result.pdf.sha256, pages: result.pdf.pages, findings: result.pdf.findings },
        files: result.manifest.files.map((file) => ({ path: file.path, sha256: file.sha256, bytes: file.bytes })),
      };
      context.out(
        context.json
          ? JSON.stringify(summary) + '\n'
          : `Wrote ${result.path} with ${result.manifest.files.length} files and manifest.json${certificate ? ' (signed)' : ''}.\n` +
              `${describeRevision(report, source)}\n${describeSignoffs(report)}`,
      );
    });
  },
};
