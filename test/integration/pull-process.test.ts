/**
 * The pull in its real surroundings: a worker thread with typed progress and cancel, the CLI
 * as a child process killed with SIGKILL mid-pull and resumed, and TLS through a CONNECT
 * proxy with an extra CA.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../db/errors.js';
import { openStore } from '../../db/store.js';
import { runPull, type PullProgress } from '../../electron/pcrs/pull.js';
import { runImportInWorker, runPullInWorker } from '../../electron/workers/client.js';
import type { PullJobOptions } from '../../electron/workers/protocol.js';
import { compareWithTruth } from '../helpers/pull-truth.js';
import { makeTempDir } from '../helpers/temp.js';
import { generateFile, startSimulator, type DataOptions, type Simulator } from '../simulator/index.js';

const PASSWORD = 'pw-process-tests-19c';
const DATA: DataOptions = { seed: 21, hosts: 30, policies: 2, controlsPerPolicy: 12 };
const BIN = new URL('../../bin/posture-workbench.js', import.meta.url).pathname;
const TLS_DIR = new URL('../fixtures/tls/', import.meta.url).pathname;

let dir: ReturnType<typeof makeTempDir>;
let dbPath: string;
let simulator: Simulator;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  dir = makeTempDir();
  dbPath = join(dir.path, 'pull.db');
  simulator = await startSimulator({ ...DATA, password: PASSWORD, faults: { rateLimit: { mode: 'off' } } });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await simulator.close();
  dir.remove();
});

function jobOptions(overrides: Partial<PullJobOptions> = {}): PullJobOptions {
  return {
    dbPath,
    connection: { gateway: simulator.url, username: 'demo', password: PASSWORD },
    api: 3,
    allPolicies: true,
    params: { evidenceRequired: true },
    sliceSize: 6,
    rateLimit: null,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    ...overrides,
  };
}

function expectTruth(snapshotId: number): void {
  const store = openStore(dbPath);
  try {
    const comparison = compareWithTruth(store, snapshotId, DATA, { version: 3, params: { evidenceRequired: '1' } });
    expect(comparison.missing).toEqual([]);
    expect(comparison.extra).toEqual([]);
    expect(comparison.duplicated).toEqual([]);
    expect(comparison.actual).toBe(comparison.expected);
  } finally {
    store.close();
  }
}

describe('pull in a worker thread', () => {
  it('reports typed progress and finishes', async () => {
    const events: PullProgress[] = [];
    const result = await runPullInWorker(jobOptions(), (progress) => events.push(progress));
    expect(result.records).toBeGreaterThan(0);
    expect(events.map((event) => event.phase)).toEqual(expect.arrayContaining(['connect', 'policies', 'hostids', 'plan', 'fetch', 'finish']));
    const last = events.filter((event) => event.phase === 'fetch').at(-1)!;
    expect(last.slicesDone).toBe(result.slices);
    expect(last.slicesTotal).toBe(result.slices);
    expectTruth(result.snapshotId);
  });

  it('cancels, then resumes in a new worker', async () => {
    simulator.setFaults({ slow: { chunkDelayMs: 25, chunkBytes: 2048 } });
    const controller = new AbortController();
    const error = (await runPullInWorker(jobOptions(), (progress) => {
      if (progress.slicesDone >= 1) controller.abort();
    }, controller.signal).catch((caught: unknown) => caught)) as AppError;
    expect(error.code).toBe('CANCELLED');
    const snapshotId = Number(/--resume (\d+)/.exec(error.message)![1]);

    simulator.setFaults({ slow: null });
    const result = await runPullInWorker(jobOptions({ resume: snapshotId }));
    expect(result.resumed).toBe(true);
    expectTruth(snapshotId);
  });

  it('returns errors without secrets', async () => {
    const error = (await runPullInWorker(jobOptions({ connection: { gateway: simulator.url, username: 'demo', password: 'not-the-password' } })).catch(
      (caught: unknown) => caught,
    )) as AppError;
    expect(error.code).toBe('AUTH');
    expect(error.message).not.toContain('not-the-password');
  });

  it('imports a file in a worker', async () => {
    const file = join(dir.path, 'posture.json.gz');
    const generated = await generateFile(DATA, file, { version: 3, gzip: true, evidence: true });
    const result = await runImportInWorker({ dbPath, files: [file] });
    expect(result.records).toBe(generated.records);
    expectTruth(result.snapshotId);
  });
});

function runCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, PW_TEST_PASSWORD: PASSWORD, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function finish(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

function doneSlices(): { snapshotId: number; done: number } | null {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT snapshot_id AS snapshotId, count(*) AS done FROM pull_slices WHERE state = 'done' GROUP BY snapshot_id").get() as
      | { snapshotId: number; done: number }
      | undefined) ?? null;
  } catch {
    return null;
  } finally {
    db.close();
  }
}

describe('pull command', () => {
  it('resumes after SIGKILL mid-pull', async () => {
    simulator.setFaults({ slow: { chunkDelayMs: 40, chunkBytes: 2048 } });
    const args = ['pull', '--gateway', simulator.url, '--username', 'demo', '--password-env', 'PW_TEST_PASSWORD', '--api', '3', '--all-policies', '--evidence'];
    const tuning = ['--slice-size', '6', '--rate-limit', '0', '--db', dbPath, '--json'];
    const child = runCli([...args, ...tuning]);
    const exited = finish(child);

    // Kill the process as soon as two slices are committed.
    let progress: { snapshotId: number; done: number } | null = null;
    for (let waited = 0; waited < 60_000; waited += 50) {
      progress = (await import('node:fs')).existsSync(dbPath) ? doneSlices() : null;
      if (progress && progress.done >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(progress?.done).toBeGreaterThanOrEqual(2);
    child.kill('SIGKILL');
    const killed = await exited;
    expect(killed.code).toBeNull();

    const db = new Database(dbPath, { readonly: true });
    const state = db.prepare('SELECT state FROM snapshots WHERE id = ?').get(progress!.snapshotId) as { state: string };
    const slices = db.prepare('SELECT count(*) AS total FROM pull_slices WHERE snapshot_id = ?').get(progress!.snapshotId) as { total: number };
    db.close();
    expect(state.state).toBe('building');

    simulator.setFaults({ slow: null });
    const resumed = await finish(runCli(['pull', '--resume', String(progress!.snapshotId), '--password-env', 'PW_TEST_PASSWORD', '--rate-limit', '0', '--db', dbPath, '--json']));
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout) as { snapshotId: number; resumed: boolean; slices: number };
    expect(summary).toMatchObject({ snapshotId: progress!.snapshotId, resumed: true, slices: slices.total });
    expectTruth(summary.snapshotId);
  });

  it('exits with distinct codes', async () => {
    const base = ['pull', '--gateway', simulator.url, '--username', 'demo', '--api', '3', '--all-policies', '--db', dbPath];
    const usage = await finish(runCli([...base, '--password-env', 'PW_TEST_PASSWORD', '--last-scan-date-from', '2025-01-01']));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/lastScanDateFrom \(--last-scan-date-from\) needs lastScanDateTo/);
    const argvPassword = await finish(runCli([...base, '--password', 'secret']));
    expect(argvPassword.code).toBe(2);
    const auth = await finish(runCli([...base, '--password-env', 'PW_WRONG'], { PW_WRONG: 'wrong' }));
    expect(auth.code).toBe(4);
    expect(auth.stderr.trim().split('\n')).toHaveLength(1);
    const network = await finish(runCli(['pull', '--gateway', 'http://127.0.0.1:1', '--username', 'demo', '--api', '3', '--all-policies', '--db', dbPath, '--password-env', 'PW_TEST_PASSWORD'], { PW_TEST_PASSWORD: PASSWORD }));
    expect(network.code).toBe(5);
  }, 120_000);
});

describe('TLS and proxies', () => {
  let tlsFront: TlsServer;
  let frontPort: number;
  let proxy: Server;
  let proxyUrl: string;
  let tunnels: string[];

  beforeEach(async () => {
    // A TLS front for the simulator, signed by the test CA, like a gateway behind TLS inspection.
    tlsFront = createTlsServer({ key: readFileSync(join(TLS_DIR, 'server-key.pem')), cert: readFileSync(join(TLS_DIR, 'server.pem')) }, (socket) => {
      const upstream = connect(simulator.port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      const close = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', close);
      upstream.on('error', close);
    });
    tlsFront.listen(0, '127.0.0.1');
    await once(tlsFront, 'listening');
    frontPort = (tlsFront.address() as AddressInfo).port;

    // A CONNECT proxy that records the tunnels it opens.
    tunnels = [];
    proxy = createHttpServer((_request, response) => response.writeHead(405).end());
    proxy.on('connect', (request, client: Socket, head: Buffer) => {
      tunnels.push(request.url ?? '');
      const [host, port] = (request.url ?? '').split(':');
      const upstream = connect(Number(port), host === 'localhost' ? '127.0.0.1' : host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    cleanups.push(
      () => new Promise<void>((resolve) => tlsFront.close(() => resolve())),
      () => {
        proxy.closeAllConnections();
        return new Promise<void>((resolve) => proxy.close(() => resolve()));
      },
    );
  });

  it('rejects an unknown CA without retrying', async () => {
    const store = openStore(dbPath);
    try {
      const error = (await runPull(store, { ...jobOptions(), connection: { gateway: `https://localhost:${frontPort}`, username: 'demo', password: PASSWORD } }).catch(
        (caught: unknown) => caught,
      )) as AppError;
      expect(error.code).toBe('NETWORK');
      expect(error.message).toMatch(/--ca-file/);
    } finally {
      store.close();
    }
  });

  it('pulls through a proxy with an extra CA', async () => {
    const store = openStore(dbPath);
    try {
      const result = await runPull(store, {
        ...jobOptions(),
        connection: {
          gateway: `https://localhost:${frontPort}`,
          username: 'demo',
          password: PASSWORD,
          caFile: join(TLS_DIR, 'ca.pem'),
          proxy: { httpsProxy: proxyUrl, noProxy: '' },
        },
      });
      expect(result.records).toBeGreaterThan(0);
      expect(tunnels.length).toBeGreaterThan(0);
      expect(tunnels.every((tunnel) => tunnel === `localhost:${frontPort}`)).toBe(true);
    } finally {
      store.close();
    }
    expectTruth(1);
  });

  it('bypasses the proxy for NO_PROXY hosts', async () => {
    const store = openStore(dbPath);
    try {
      await runPull(store, {
        ...jobOptions(),
        connection: {
          gateway: `https://localhost:${frontPort}`,
          username: 'demo',
          password: PASSWORD,
          caPem: readFileSync(join(TLS_DIR, 'ca.pem'), 'utf8'),
          proxy: { httpsProxy: proxyUrl, noProxy: 'localhost' },
        },
      });
      expect(tunnels).toEqual([]);
    } finally {
      store.close();
    }
  });
});
