/**
 * Report benchmark: a postures CSV of 1,000,000 rows (target 10 s, flat memory), and the
 * PDF with about 5,000 and about 10,000 findings (target 5 s at 10,000). The report's
 * layout renders each PDF, and so does the baseline in the same run: the previous layout
 * on pdfkit's own text functions (test/bench/pdfkit-layout.ts). Every measure runs in its
 * own child process, so its peak RSS is its own.
 *
 * Run: npm run bench:report. REPORT_BENCH_CSV_HOSTS=500 runs a 100,000-row CSV quickly;
 * REPORT_BENCH_RUNS sets the runs of the report's layout (default 3, median reported).
 * Results: test/bench/results/report.json and report.md.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getReport, saveReportRevision } from '../../db/reports.js';
import { openStore } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { writePosturesCsv } from '../../electron/report/csv.js';
import { buildReportModel } from '../../electron/report/model.js';
import { renderReportPdf } from '../../electron/report/pdf/render.js';
import { generateFile } from '../simulator/index.js';
import { buildDiffStore } from './diff-store.js';
import { PdfkitLayout } from './pdfkit-layout.js';
import { writeResults } from './results.js';

const WORK = new URL('./work/', import.meta.url).pathname;
const CSV_HOSTS = Number(process.env.REPORT_BENCH_CSV_HOSTS ?? 5000);
// 2 policies x 1,170 simulated hosts give about 26,000 postures, of which about 10,000
// failed or error (10,092 with seed 3); 585 hosts give about half as many.
const PDF_HOSTS = Number(process.env.REPORT_BENCH_PDF_HOSTS ?? 1170);
const PDF_SIZES = [Math.round(PDF_HOSTS / 2), PDF_HOSTS];
const RUNS = Number(process.env.REPORT_BENCH_RUNS ?? 3);
const PDF_TARGET_MS = 5_000;

type LayoutName = 'report' | 'pdfkit';

interface PhaseResult {
  name: string;
  ms: number;
  /** User plus system CPU time of the measured work, which the machine's load affects less than wall time. */
  cpuMs: number;
  peakRssMiB: number;
  count: number;
  pages?: number;
  note: string;
  /** One-minute load average when the phase started. */
  load: number;
}

function peakRssMiB(): number {
  // resourceUsage().maxRSS is in KiB on Linux.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function pdfStorePath(hosts: number): string {
  return `${WORK}report-pdf-${hosts}.db`;
}

async function csvPhase(): Promise<PhaseResult> {
  const path = `${WORK}report-csv.db`;
  rmSync(path, { force: true });
  const store = openStore(path);
  const built = buildDiffStore(store, { policies: 2, hosts: CSV_HOSTS, controls: 100, rawBytes: 200 });
  const out = `${WORK}postures.csv`;
  const before = peakRssMiB();
  const load = loadavg()[0]!;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const rows = await writePosturesCsv(store.sqlite, built.snapshotA, createWriteStream(out));
  const ms = performance.now() - started;
  const cpuUsed = cpuMs(cpu);
  store.close();
  return {
    name: `postures CSV, ${rows.toLocaleString('en-US')} rows`,
    ms,
    cpuMs: cpuUsed,
    peakRssMiB: peakRssMiB(),
    count: rows,
    note: `${(statSync(out).size / 1048576).toFixed(0)} MiB written; peak RSS before the export ${before} MiB (store build)`,
    load,
  };
}

/** Imports simulated postures with evidence into a new store for the PDF phases. */
async function buildPdfStore(hosts: number): Promise<void> {
  const path = pdfStorePath(hosts);
  rmSync(path, { force: true });
  const store = openStore(path);
  const input = `${WORK}report-postures-${hosts}.json`;
  await generateFile({ hosts, policies: 2, controlsPerPolicy: 30, seed: 3 }, input, { version: 3, evidence: true });
  await importFiles(store, [input]);
  store.close();
  rmSync(input, { force: true });
}

/** Reads and renders the report of the store's snapshot as the report worker does, without signing. */
async function pdfPhase(hosts: number, layout: LayoutName): Promise<PhaseResult> {
  const path = pdfStorePath(hosts);
  const writer = openStore(path);
  const snapshotId = (writer.sqlite.prepare("SELECT max(id) FROM snapshots WHERE state = 'complete'").pluck().get() as number);
  const saved = saveReportRevision(writer, { title: 'Benchmark report', client: 'Bench', site: 'Bench', auditor: 'Bench', snapshotId, baselineId: null, query: null });
  writer.close();

  const load = loadavg()[0]!;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const store = openStore(path, { readonly: true });
  const model = buildReportModel(store, getReport(store, saved.reportId, saved.revision));
  const rendered = await renderReportPdf(model, layout === 'pdfkit' ? { createLayout: (options) => new PdfkitLayout(options) } : {});
  store.close();
  const ms = performance.now() - started;
  return {
    name: `PDF, ${model.findingCount.toLocaleString('en-US')} findings, ${layout === 'report' ? 'report layout' : 'baseline: pdfkit text layout'}`,
    ms,
    cpuMs: cpuMs(cpu),
    peakRssMiB: peakRssMiB(),
    count: model.findingCount,
    pages: rendered.pages,
    note: `${rendered.pages.toLocaleString('en-US')} pages, ${(rendered.pdf.length / 1048576).toFixed(1)} MiB`,
    load,
  };
}

function runPhase(...args: string[]): PhaseResult | null {
  const self = fileURLToPath(import.meta.url);
  const output = execFileSync(process.execPath, ['--import', 'tsx', self, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const last = output.trim().split('\n').pop()!;
  return last.startsWith('{') ? (JSON.parse(last) as PhaseResult) : null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Row {
  name: string;
  runs: PhaseResult[];
  targetMs: number | null;
}

function formatRow(row: Row): string {
  const ms = median(row.runs.map((run) => run.ms));
  const spread = row.runs.length > 1 ? ` (${row.runs.map((run) => (run.ms / 1000).toFixed(2)).join(', ')})` : '';
  const cpu = median(row.runs.map((run) => run.cpuMs));
  const target = row.targetMs === null ? '' : `${(row.targetMs / 1000).toFixed(0)} s`;
  const met = row.targetMs === null ? '' : ms <= row.targetMs ? 'met' : 'missed';
  const rss = Math.max(...row.runs.map((run) => run.peakRssMiB));
  const loads = row.runs.map((run) => run.load.toFixed(2)).join(', ');
  return `| ${row.name} | ${(ms / 1000).toFixed(2)} s${spread} | ${(cpu / 1000).toFixed(2)} s | ${target} | ${met} | ${rss} MiB | ${loads} | ${row.runs[0]!.note} |`;
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const [phase, hosts, layout] = process.argv.slice(2);
  if (phase === 'csv') return void process.stdout.write(JSON.stringify(await csvPhase()) + '\n');
  if (phase === 'build-pdf') return void (await buildPdfStore(Number(hosts)));
  if (phase === 'pdf') return void process.stdout.write(JSON.stringify(await pdfPhase(Number(hosts), layout as LayoutName)) + '\n');

  const loadAtStart = loadavg()[0]!;
  const rows: Row[] = [{ name: '', runs: [runPhase('csv')!], targetMs: 10_000 }];
  rows[0]!.name = rows[0]!.runs[0]!.name;
  for (const size of PDF_SIZES) {
    runPhase('build-pdf', String(size));
    // The report's layout and the baseline take turns, so a change in load hits both.
    const report: PhaseResult[] = [];
    const baseline: PhaseResult[] = [];
    for (let run = 0; run < RUNS; run++) {
      report.push(runPhase('pdf', String(size), 'report')!);
      if (run === 0) baseline.push(runPhase('pdf', String(size), 'pdfkit')!);
    }
    const target = size === PDF_HOSTS ? PDF_TARGET_MS : null;
    rows.push({ name: report[0]!.name, runs: report, targetMs: target });
    rows.push({ name: baseline[0]!.name, runs: baseline, targetMs: target });
  }
  const loadAtEnd = loadavg()[0]!;

  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  const markdown = [
    '# Report benchmark',
    '',
    `Machine: ${machine}, shared with other work: the one-minute load average was ${loadAtStart.toFixed(2)} at the start`,
    `and ${loadAtEnd.toFixed(2)} at the end of the run, and each row lists it at the start of each run.`,
    'Wall times depend on that load; CPU time (user + system of the process) depends on it less.',
    'Script: test/bench/report.bench.ts (npm run bench:report).',
    '',
    `The PDF rows time reading the report data from the store and rendering it (no signature), in one process`,
    `per run. "Report layout" is electron/report/pdf/layout.ts, the median of ${RUNS} runs with each run in brackets;`,
    'the baseline is the previous layout (pdfkit measures, wraps and shapes every text, all pages buffered until',
    '"Page i of n" is drawn), one run, taking turns with the first run of the report layout.',
    '',
    '| Phase | Wall time | CPU time | Target | | Peak RSS (process) | Load at start | Note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(formatRow),
    '',
  ].join('\n');
  writeResults('report', { machine, date: new Date().toISOString(), load: { start: loadAtStart, end: loadAtEnd }, runs: RUNS, rows }, markdown);
  process.stdout.write(markdown);
}

await main();
