/**
 * Ingest benchmark: a seeded generator writes N realistic records as gzip, then one run
 * measures (a) the streaming import and (b) a naive baseline on the same file, each in
 * its own process. Writes test/bench/results/ingest.json and ingest.md.
 *
 *   npm run bench:ingest -- [--records 200000] [--repeat 1] [--scale 1000000]
 *
 * --scale adds a run of the streaming import alone at that size, for the memory target
 * (the baseline cannot run there: a multi-gigabyte JSON text exceeds V8's string limit).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writePostureFile } from '../helpers/posture-generator.js';
import { writeResults } from './results.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    repeat: { type: 'string', default: '1' },
    scale: { type: 'string' },
  },
});
const records = Number(values.records);
const repeat = Number(values.repeat);
const work = new URL('./work/', import.meta.url).pathname;
mkdirSync(work, { recursive: true });

interface Run {
  records: number;
  seconds: number;
  maxRssMb: number;
  dbBytes: number;
}

function runOnce(mode: 'ours' | 'baseline', file: string): Run {
  const db = join(work, `ingest-${mode}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  const output = execFileSync(process.execPath, ['--import', 'tsx', new URL('./ingest-run.ts', import.meta.url).pathname, mode, file, db], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(output.trim().split('\n').pop()!) as Run;
}

function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function ensureFile(count: number): Promise<string> {
  const file = join(work, `postures-${count}.json.gz`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${count} records…\n`);
    await writePostureFile(file, { records: count, gzip: true, seed: 42 });
  }
  return file;
}

const file = await ensureFile(records);
const uncompressedBytes = Number(execFileSync('sh', ['-c', `gzip -dc '${file}' | wc -c`], { encoding: 'utf8' }).trim());

const rows: { name: string; run: Run }[] = [];
for (const mode of ['ours', 'baseline'] as const) {
  const runs: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    process.stderr.write(`${mode} run ${i + 1}/${repeat}…\n`);
    runs.push(runOnce(mode, file));
  }
  rows.push({ name: mode === 'ours' ? 'streaming import' : 'baseline: JSON.parse + prepared inserts', run: median(runs) });
}

let scaleRow: { name: string; run: Run } | null = null;
if (values.scale) {
  const scaleFile = await ensureFile(Number(values.scale));
  process.stderr.write(`streaming import at ${values.scale} records…\n`);
  scaleRow = { name: `streaming import, ${Number(values.scale).toLocaleString('en-US')} records`, run: runOnce('ours', scaleFile) };
}

const ours = rows[0]!.run;
const baseline = rows[1]!.run;
const describe = (run: Run, bytes: number) => ({
  recordsPerSecond: Math.round(run.records / run.seconds),
  megabytesPerSecond: Number((bytes / 1e6 / run.seconds).toFixed(1)),
  seconds: Number(run.seconds.toFixed(2)),
  peakRssMb: Math.round(run.maxRssMb),
  databaseMb: Math.round(run.dbBytes / 1e6),
});
const result = {
  benchmark: 'ingest',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  input: { records, gzipBytes: statSync(file).size, jsonBytes: uncompressedBytes, repeat },
  streaming: describe(ours, uncompressedBytes),
  baseline: describe(baseline, uncompressedBytes),
  ratio: Number((baseline.seconds / ours.seconds).toFixed(2)),
  scale: scaleRow ? { records: scaleRow.run.records, ...describe(scaleRow.run, 0) } : null,
  targets: { ratioAtLeast: 1.0, recordsPerSecondAtLeast: 40_000, peakRssMbAtMostFor1M: 300 },
};

const table = [
  '| run | records/s | MB/s (JSON) | seconds | peak RSS (MB) | database (MB) |',
  '|---|---|---|---|---|---|',
  ...rows.map(({ name, run }) => {
    const d = describe(run, uncompressedBytes);
    return `| ${name} | ${d.recordsPerSecond.toLocaleString('en-US')} | ${d.megabytesPerSecond} | ${d.seconds} | ${d.peakRssMb} | ${d.databaseMb} |`;
  }),
  ...(scaleRow
    ? [`| ${scaleRow.name} | ${Math.round(scaleRow.run.records / scaleRow.run.seconds).toLocaleString('en-US')} | – | ${scaleRow.run.seconds.toFixed(2)} | ${Math.round(scaleRow.run.maxRssMb)} | ${Math.round(scaleRow.run.dbBytes / 1e6)} |`]
    : []),
];
const markdown = [
  '# Ingest benchmark',
  '',
  `${records.toLocaleString('en-US')} generated records (${(uncompressedBytes / 1e6).toFixed(0)} MB of JSON, ${(statSync(file).size / 1e6).toFixed(1)} MB gzip), ` +
    `median of ${repeat} run(s) each, on ${result.machine.cpus} cores (${result.machine.cpuModel}), Node ${process.version}. ` +
    'Each run is a separate process, so peak RSS is its own.',
  '',
  ...table,
  '',
  `Streaming import vs baseline: ${result.ratio}× the baseline's throughput (target ≥ 1.0×). ` +
    `Targets: ≥ 40,000 records/s; peak RSS ≤ 300 MB at 1,000,000 records.`,
  '',
].join('\n');
writeResults('ingest', result, markdown);
process.stdout.write(markdown);
