/**
 * Report benchmark: a postures CSV of 1,000,000 rows (target 10 s, flat memory) and a PDF
 * with about 10,000 findings (target 5 s), each in its own child process so its peak
 * RSS is its own.
 *
 * Run: npm run bench:report. REPORT_BENCH_CSV_HOSTS=500 runs a 100,000-row CSV quickly.
 * Results: test/bench/results/report.json and report.md.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { saveReportRevision } from '../../db/reports.js';
import { openStore } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { writePosturesCsv } from '../../electron/report/csv.js';
import { renderReport } from '../../electron/report/export.js';
import { generateFile } from '../simulator/index.js';
import { buildDiffStore } from './diff-store.js';
import { writeResults } from './results.js';

const WORK = new URL('./work/', import.meta.url).pathname;
const CSV_HOSTS = Number(process.env.REPORT_BENCH_CSV_HOSTS ?? 5000);
// 2 policies x 1,170 simulated hosts give about 26,000 postures, of which about 10,000
// failed or error (900 hosts gave 7,715 findings with seed 3).
const PDF_HOSTS = Number(process.env.REPORT_BENCH_PDF_HOSTS ?? 1170);

interface PhaseResult {
  name: string;
  ms: number;
  peakRssMiB: number;
  count: number;
  targetMs: number;
  note: string;
}

function peakRssMiB(): number {
  // resourceUsage().maxRSS is in KiB on Linux.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function csvPhase(): Promise<PhaseResult> {
  const path = `${WORK}report-csv.db`;
  rmSync(path, { force: true });
  const store = openStore(path);
  const built = buildDiffStore(store, { policies: 2, hosts: CSV_HOSTS, controls: 100, rawBytes: 200 });
  const out = `${WORK}postures.csv`;
  const before = peakRssMiB();
  const started = performance.now();
  const rows = await writePosturesCsv(store.sqlite, built.snapshotA, createWriteStream(out));
  const ms = performance.now() - started;
  store.close();
  return {
    name: `postures CSV, ${rows.toLocaleString('en-US')} rows`,
    ms,
    peakRssMiB: peakRssMiB(),
    count: rows,
    targetMs: 10_000,
    note: `${(statSync(out).size / 1048576).toFixed(0)} MiB written; peak RSS before the export ${before} MiB (store build)`,
  };
}

async function pdfPhase(): Promise<PhaseResult> {
  const path = `${WORK}report-pdf.db`;
  rmSync(path, { force: true });
  const store = openStore(path);
  const input = `${WORK}report-postures.json`;
  await generateFile({ hosts: PDF_HOSTS, policies: 2, controlsPerPolicy: 30, seed: 3 }, input, { version: 3, evidence: true });
  const snapshotId = (await importFiles(store, [input])).snapshotId;
  const report = saveReportRevision(store, {
    title: 'Benchmark report',
    client: 'Bench',
    site: 'Bench',
    auditor: 'Bench',
    snapshotId,
    baselineId: null,
    query: null,
  });
  const started = performance.now();
  // In this thread, so the peak RSS counts the render itself.
  const rendered = await renderReport({ dbPath: path, reportId: report.reportId, revision: report.revision, certificate: null }, { inThread: true });
  const ms = performance.now() - started;
  store.close();
  return {
    name: `PDF, ${rendered.findings.toLocaleString('en-US')} findings`,
    ms,
    peakRssMiB: peakRssMiB(),
    count: rendered.findings,
    targetMs: 5_000,
    note: `${rendered.pages.toLocaleString('en-US')} pages, ${(rendered.pdf.length / 1048576).toFixed(1)} MiB`,
  };
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const phase = process.argv[2];
  if (phase === 'csv' || phase === 'pdf') {
    const result = phase === 'csv' ? await csvPhase() : await pdfPhase();
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }

  const self = fileURLToPath(import.meta.url);
  const results: PhaseResult[] = [];
  for (const name of ['csv', 'pdf']) {
    const output = execFileSync(process.execPath, ['--import', 'tsx', self, name], { encoding: 'utf8', maxBuffer: 1 << 20 });
    results.push(JSON.parse(output.trim().split('\n').pop()!) as PhaseResult);
  }
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  const rows = results.map(
    (result) =>
      `| ${result.name} | ${(result.ms / 1000).toFixed(2)} s | ${(result.targetMs / 1000).toFixed(0)} s | ${result.ms <= result.targetMs ? 'met' : 'missed'} | ${result.peakRssMiB} MiB | ${result.note} |`,
  );
  const markdown = [
    '# Report benchmark',
    '',
    `Machine: ${machine}. Script: test/bench/report.bench.ts (npm run bench:report).`,
    '',
    '| Phase | Time | Target | | Peak RSS (process) | Note |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  writeResults('report', { machine, date: new Date().toISOString(), results }, markdown);
  process.stdout.write(markdown);
}

await main();
