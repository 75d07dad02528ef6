/**
 * The main job, headless: starts the PCRS simulator on a free loopback port, pulls a
 * baseline snapshot and one from a later simulated day, signs off the report, and writes
 * a signed PDF, the CSVs and the audit package into demo-output/ (or $DEMO_OUTPUT). It
 * replaces the files of an earlier demo run there and rejects a folder with other files.
 * The PDF is signed with a throwaway self-signed certificate made here, which its
 * sign-off page labels as a demo certificate.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '../cli/args.js';
import { AppError } from '../db/errors.js';
import { saveReportRevision, signOffReport } from '../db/reports.js';
import { openStore } from '../db/store.js';
import { runPull, type PullOptions } from '../electron/pcrs/pull.js';
import { exportCsv, exportPackage, exportPdf } from '../electron/report/export.js';
import { createDemoCertificate } from '../electron/report/signing.js';
import { verifyFile } from '../electron/report/verify.js';
import { startSimulator } from '../test/simulator/index.js';
import { prepareDemoOutput } from './demo-output.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const output = resolve(process.env.DEMO_OUTPUT ?? join(root, 'demo-output'));
const BASELINE_DAY = 0;
const LATER_DAY = 30;

async function main(): Promise<void> {
  // 1. An output folder with its own database; only an earlier demo's files are removed.
  prepareDemoOutput(output);
  const dbPath = join(output, 'demo.db');
  const store = openStore(dbPath);
  const simulator = await startSimulator({ port: 0, seed: 7, hosts: 40, policies: 2, controlsPerPolicy: 30, day: BASELINE_DAY });

  try {
    // 2. Two pulls: the baseline visit and one on a later simulated day.
    const pull = (label: string): PullOptions => ({
      connection: { gateway: simulator.url, username: 'demo', password: 'demo' },
      api: 3,
      allPolicies: true,
      params: { evidenceRequired: true },
      label,
      rateLimit: null,
    });
    const baseline = await runPull(store, pull(`Baseline visit (simulated day ${BASELINE_DAY})`));
    simulator.setDay(LATER_DAY);
    const later = await runPull(store, pull(`Follow-up visit (simulated day ${LATER_DAY})`));

    // 3. The report revision and its sign-off.
    const report = saveReportRevision(store, {
      title: 'Demo compliance audit',
      client: 'Demo Client AG',
      site: 'Zürich data centre (simulated)',
      auditor: 'Demo Auditor',
      snapshotId: later.snapshotId,
      baselineId: baseline.snapshotId,
      query: null,
    });
    const signoff = signOffReport(store, report.reportId, report.revision, {
      name: 'Demo Auditor',
      role: 'Lead auditor',
      organisation: 'Posture Workbench demo',
      statement: 'This demo report was generated from simulated data and certifies nothing.',
    });

    // 4. The deliverables, signed with a throwaway certificate.
    const certificate = createDemoCertificate({ password: 'demo-only' });
    writeFileSync(join(output, 'demo-certificate.p12'), certificate.p12);
    const signedReport = { ...report, signoffs: [signoff] };
    const pdf = await exportPdf(store, signedReport, join(output, 'report.pdf'), certificate);
    const csvs = [];
    for (const kind of ['postures', 'diff', 'rollups'] as const) {
      csvs.push(
        await exportCsv(store, {
          kind,
          snapshotId: later.snapshotId,
          baselineId: baseline.snapshotId,
          query: null,
          path: join(output, `${kind}.csv`),
          bom: true,
        }),
      );
    }
    const pkg = await exportPackage(store, signedReport, join(output, 'audit-package.zip'), certificate);

    // 5. Verify what was written, with the store at hand.
    const checks = [await verifyFile(pdf.path, store), await verifyFile(pkg.path, store)];
    const summary = {
      output,
      database: dbPath,
      snapshots: { baseline: baseline.snapshotId, later: later.snapshotId },
      records: { baseline: baseline.records, later: later.records },
      reportId: report.reportId,
      revision: report.revision,
      pdf: { path: pdf.path, pages: pdf.pages, findings: pdf.findings, sha256: pdf.sha256, signed: pdf.signed },
      csv: csvs.map((csv) => ({ path: csv.path, rows: csv.rows })),
      package: { path: pkg.path, files: pkg.manifest.files.length, bytes: pkg.bytes },
      verified: checks.every((check) => check.ok),
    };
    writeFileSync(join(output, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    process.stdout.write(
      [
        `Demo output in ${output}`,
        `  baseline snapshot #${baseline.snapshotId}: ${baseline.records} records; later snapshot #${later.snapshotId}: ${later.records} records`,
        `  report.pdf          ${pdf.pages} pages, ${pdf.findings} findings, signed with a demo certificate`,
        ...csvs.map((csv) => `  ${csv.path.slice(output.length + 1).padEnd(20)}${csv.rows} rows`),
        `  audit-package.zip   ${pkg.manifest.files.length} files and a signed manifest.json`,
        `  verify: ${summary.verified ? 'all checks passed' : 'FAILED'}`,
        '',
      ].join('\n'),
    );
    if (!summary.verified) process.exitCode = 1;
  } finally {
    await simulator.close();
    store.close();
  }
}

try {
  await main();
} catch (error) {
  // A rejected output folder is the user's to fix: print the message without a stack trace.
  if (!(error instanceof AppError)) throw error;
  process.stderr.write(`npm run demo: ${error.message}\n`);
  process.exitCode = EXIT_CODES[error.code];
}
