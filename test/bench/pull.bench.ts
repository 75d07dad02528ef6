/**
 * Pull benchmark: about 200,000 postures (with evidence, gzip) pulled from the simulator
 * through the worker, against the import of the same records from a gzip file in the same
 * run. The simulator runs in its own process so that only the pull's caller shares this
 * thread, whose event-loop delay is measured while the worker runs.
 *
 *   npm run bench:pull -- [--hosts 2620] [--slice-size 500] [--concurrency 2]
 *
 * Targets: pull throughput >= 0.8x the file import; caller event-loop delay p99 <= 50 ms.
 * Writes test/bench/results/pull.json and pull.md.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runImportInWorker, runPullInWorker } from '../../electron/workers/client.js';
import { generateFile } from '../simulator/index.js';
import { writeResults } from './results.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '2620' },
    'slice-size': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '2' },
  },
});
const DATA = { seed: 1, hosts: Number(values.hosts), policies: 2, controlsPerPolicy: 100 };
const PASSWORD = 'bench-password';
const work = new URL('./work/', import.meta.url).pathname;
mkdirSync(work, { recursive: true });

function freshDb(name: string): string {
  const path = join(work, name);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return path;
}

interface Delay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Runs `work` while sampling this thread's event-loop delay. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; delay: Delay }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  histogram.disable();
  const ms = (nanoseconds: number) => Math.round((nanoseconds / 1e6) * 10) / 10;
  return { value, seconds, delay: { p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max) } };
}

async function startSimulatorProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const args = ['--import', 'tsx', new URL('../simulator/main.ts', import.meta.url).pathname, '--port', '0', '--rate-mode', 'off', '--password', PASSWORD];
  args.push('--seed', String(DATA.seed), '--hosts', String(DATA.hosts), '--policies', String(DATA.policies), '--controls', String(DATA.controlsPerPolicy));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /^listening on (\S+)/.exec(line);
    if (match) {
      return {
        url: match[1]!,
        async stop() {
          child.kill('SIGTERM');
          await once(child, 'exit');
        },
      };
    }
  }
  throw new Error('The simulator exited before it listened.');
}

// Other work on the machine skews both runs, so the load average goes into the results.
const loadAtStart = loadavg()[0]!;

// 1. The file baseline: the same records, generated once, imported in a worker.
const file = join(work, 'pull-bench.json.gz');
console.error(`generating ${file} …`);
const generated = await generateFile(DATA, file, { version: 3, gzip: true, evidence: true });
console.error(`importing ${generated.records} records from the file …`);
const imported = await measured(() => runImportInWorker({ dbPath: freshDb('pull-bench-import.db'), files: [file] }));

// 2. The pull: same data from the simulator over loopback, in a worker.
const simulator = await startSimulatorProcess();
console.error(`pulling from ${simulator.url} …`);
const pulled = await measured(() =>
  runPullInWorker({
    dbPath: freshDb('pull-bench-pull.db'),
    connection: { gateway: simulator.url, username: 'demo', password: PASSWORD },
    api: 3,
    allPolicies: true,
    params: { evidenceRequired: true },
    sliceSize: Number(values['slice-size']),
    concurrency: Number(values.concurrency),
    // The simulator runs without a rate limit here; pacing would measure the limit, not the client.
    rateLimit: null,
  }),
);
await simulator.stop();

// 3. Results against the targets.
const importRate = imported.value.records / imported.seconds;
const pullRate = pulled.value.records / pulled.seconds;
const ratio = pullRate / importRate;
const result = {
  date: new Date().toISOString(),
  machine: { loadAverage: { start: loadAtStart, end: loadavg()[0]! }, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  data: { ...DATA, records: generated.records, fileBytes: generated.bytes, evidence: true, compression: 'gzip' },
  import: { records: imported.value.records, seconds: imported.seconds, recordsPerSecond: importRate, callerDelay: imported.delay },
  pull: {
    records: pulled.value.records,
    seconds: pulled.seconds,
    recordsPerSecond: pullRate,
    bytes: pulled.value.bytes,
    slices: pulled.value.slices,
    sliceSize: Number(values['slice-size']),
    concurrency: Number(values.concurrency),
    retries: pulled.value.retries,
    callerDelay: pulled.delay,
  },
  targets: {
    throughputRatio: { value: ratio, target: 0.8, met: ratio >= 0.8 },
    callerDelayP99Ms: { value: pulled.delay.p99Ms, target: 50, met: pulled.delay.p99Ms <= 50 },
  },
};
const round = (value: number) => Math.round(value).toLocaleString('en-US');
const markdown = `# Pull benchmark

\`npm run bench:pull\` on ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGb} GiB, Node ${result.machine.node}, ${result.date};
1-minute load average ${loadAtStart.toFixed(1)} at the start and ${result.machine.loadAverage.end.toFixed(1)} at the end.

Data: simulator seed ${DATA.seed}, ${DATA.hosts} hosts, ${DATA.policies} policies, ${DATA.controlsPerPolicy} controls per policy,
API 3.0 with evidence, gzip: ${round(generated.records)} postures, ${(generated.bytes / 2 ** 20).toFixed(1)} MiB compressed as one file.
The simulator runs in its own process on loopback, without a rate limit; both runs write a fresh database in a worker thread.

| Run | Records | Seconds | Records/s | Caller event-loop delay p50 / p99 / max (ms) |
| --- | ---: | ---: | ---: | ---: |
| File import (baseline) | ${round(imported.value.records)} | ${imported.seconds.toFixed(1)} | ${round(importRate)} | ${imported.delay.p50Ms} / ${imported.delay.p99Ms} / ${imported.delay.maxMs} |
| Pull, ${result.pull.slices} slices of ${result.pull.sliceSize} host IDs, ${result.pull.concurrency} in flight | ${round(pulled.value.records)} | ${pulled.seconds.toFixed(1)} | ${round(pullRate)} | ${pulled.delay.p50Ms} / ${pulled.delay.p99Ms} / ${pulled.delay.maxMs} |

| Target | Value | Target | Met |
| --- | ---: | ---: | :---: |
| Pull throughput / file import | ${ratio.toFixed(2)} | ≥ 0.80 | ${result.targets.throughputRatio.met ? 'yes' : 'no'} |
| Caller event-loop delay p99 during the pull | ${pulled.delay.p99Ms} ms | ≤ 50 ms | ${result.targets.callerDelayP99Ms.met ? 'yes' : 'no'} |
`;
writeResults('pull', result, markdown);
process.stdout.write(markdown);
