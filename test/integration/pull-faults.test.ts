/**
 * Pulls over loopback from the PCRS simulator under each fault it can inject, checking the
 * finished snapshot against the simulator's ground truth record for record.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../db/errors.js';
import { openStore, type Store } from '../../db/store.js';
import type { PostureParams } from '../../electron/pcrs/params.js';
import { runPull, type PullOptions, type PullProgress } from '../../electron/pcrs/pull.js';
import { compareWithTruth } from '../helpers/pull-truth.js';
import { makeTempDir } from '../helpers/temp.js';
import { startSimulator, type DataOptions, type FaultSettings, type Simulator } from '../simulator/index.js';

const PASSWORD = 'pw-for-fault-tests-7f3a';
const DATA: DataOptions = { seed: 11, hosts: 24, policies: 2, controlsPerPolicy: 12 };
// Fast retries so each fault costs milliseconds; server hints still set the floor.
const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 };

let dir: ReturnType<typeof makeTempDir>;
let store: Store;
let simulator: Simulator | null = null;

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(join(dir.path, 'pull.db'));
});

afterEach(async () => {
  store.close();
  await simulator?.close();
  simulator = null;
  dir.remove();
});

async function start(faults: FaultSettings = {}, data: DataOptions = DATA, extra: { now?: () => number } = {}): Promise<Simulator> {
  simulator = await startSimulator({ ...data, password: PASSWORD, faults: { rateLimit: { mode: 'off' }, ...faults }, ...extra });
  return simulator;
}

function pullOptions(sim: Simulator, overrides: Partial<PullOptions> = {}): PullOptions {
  return {
    connection: { gateway: sim.url, username: 'demo', password: PASSWORD },
    api: 3,
    allPolicies: true,
    params: { evidenceRequired: true },
    sliceSize: 8,
    concurrency: 2,
    rateLimit: null,
    retry: FAST_RETRY,
    ...overrides,
  };
}

function truthParams(params: PostureParams | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (params?.evidenceRequired) result.evidenceRequired = '1';
  if (params?.compressionRequired === false) result.compressionRequired = '0';
  return result;
}

function expectTruth(snapshotId: number, options: PullOptions, data: DataOptions = DATA): void {
  const comparison = compareWithTruth(store, snapshotId, data, { version: options.api ?? 3, params: truthParams(options.params) });
  expect(comparison.missing).toEqual([]);
  expect(comparison.extra).toEqual([]);
  expect(comparison.duplicated).toEqual([]);
  expect(comparison.actual).toBe(comparison.expected);
  expect(comparison.expected).toBeGreaterThan(0);
}

function snapshotState(id: number): string {
  return (store.sqlite.prepare('SELECT state FROM snapshots WHERE id = ?').get(id) as { state: string }).state;
}

function statuses(sim: Simulator, path = '/pcrs/3.0/posture/postureInfo'): number[] {
  return sim.requestLog.filter((entry) => entry.path === path).map((entry) => entry.status);
}

describe('pull without faults', () => {
  it('matches the ground truth and keeps provenance', async () => {
    const sim = await start();
    const options = pullOptions(sim);
    const progress: PullProgress[] = [];
    const result = await runPull(store, { ...options, onProgress: (event) => progress.push(event) });

    expectTruth(result.snapshotId, options);
    expect(snapshotState(result.snapshotId)).toBe('complete');
    expect(result.slices).toBe(Math.ceil((result.hosts * 2) / 8));

    // Each raw response is the gzip body as received, with its SHA-256; the input hash chains them.
    const raw = store.sqlite.prepare('SELECT slice_index AS sliceIndex, sha256, body, records FROM raw_responses WHERE snapshot_id = ? ORDER BY slice_index').all(result.snapshotId) as {
      sliceIndex: number;
      sha256: string;
      body: Buffer;
      records: number;
    }[];
    expect(raw.map((row) => row.sliceIndex)).toEqual([...Array(result.slices).keys()]);
    for (const row of raw) {
      expect(createHash('sha256').update(row.body).digest('hex')).toBe(row.sha256);
      expect(JSON.parse(gunzipSync(row.body).toString('utf8'))).toHaveLength(row.records);
    }
    const chained = createHash('sha256').update(raw.map((row) => row.sha256).join('')).digest('hex');
    expect(result.inputSha256).toBe(chained);

    // Scope is the policies and the resolved hosts; params are stored without secrets.
    const scope = store.sqlite.prepare('SELECT count(*) AS count FROM snapshot_hosts WHERE snapshot_id = ?').get(result.snapshotId) as { count: number };
    expect(scope.count).toBeGreaterThan(0);
    const row = store.sqlite.prepare('SELECT params, api_version AS api, source FROM snapshots WHERE id = ?').get(result.snapshotId) as { params: string; api: string; source: string };
    expect(row.api).toBe('3.0');
    expect(row.source).toBe(`${sim.url}/`);
    expect(JSON.parse(row.params)).toMatchObject({ kind: 'pull', query: { evidenceRequired: true } });

    // The last progress event reports every slice.
    const fetch = progress.filter((event) => event.phase === 'fetch');
    expect(fetch.at(-1)?.slicesDone).toBe(result.slices);
    expect(fetch.at(-1)?.records).toBe(result.records);
  });

  it('keeps no secret in the database file', async () => {
    const sim = await start();
    await runPull(store, pullOptions(sim));
    store.close();
    const bytes = Buffer.concat([readFileSync(join(dir.path, 'pull.db')), readFileSync(join(dir.path, 'pull.db-wal'), { flag: 'a+' })]);
    store = openStore(join(dir.path, 'pull.db'));
    expect(bytes.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(bytes.includes(Buffer.from('Bearer'))).toBe(false);
    expect(bytes.includes(Buffer.from('eyJ'))).toBe(false);
  });

  it('stores no body with archive off', async () => {
    const sim = await start();
    const result = await runPull(store, pullOptions(sim, { archive: false }));
    const rows = store.sqlite.prepare('SELECT count(*) AS count, count(body) AS bodies FROM raw_responses WHERE snapshot_id = ?').get(result.snapshotId) as { count: number; bodies: number };
    expect(rows.count).toBe(result.slices);
    expect(rows.bodies).toBe(0);
  });

  it('pulls uncompressed version 1.0 without evidence', async () => {
    const sim = await start();
    const options = pullOptions(sim, { api: 1, params: { compressionRequired: false } });
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
  });

  it('treats 204 as an empty slice', async () => {
    const sim = await start({ emptyAs204: true });
    const options = pullOptions(sim, { params: { lastEvaluationDate: '2030-01-01' } });
    const result = await runPull(store, options);
    expect(statuses(sim)).toContain(204);
    expect(snapshotState(result.snapshotId)).toBe('complete');
    expect(result.records).toBe(0);
    const raw = store.sqlite.prepare('SELECT http_status AS status, byte_length AS bytes FROM raw_responses WHERE snapshot_id = ?').all(result.snapshotId);
    expect(raw).toEqual(Array.from({ length: result.slices }, () => ({ status: 204, bytes: 0 })));
  });
});

describe('pull under faults', () => {
  it('survives a 429 storm', async () => {
    const sim = await start({ rateLimit: { mode: '429', limit: 3, windowSec: 1 } });
    const options = pullOptions(sim);
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
    expect(statuses(sim)).toContain(429);
    expect(result.retries).toBeGreaterThan(0);
  });

  it('survives 409 rate-limit answers', async () => {
    const sim = await start({ rateLimit: { mode: '409', limit: 3, windowSec: 1 } });
    const options = pullOptions(sim);
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
    expect(statuses(sim)).toContain(409);
  });

  it('paces itself under the limit', async () => {
    const sim = await start({ rateLimit: { mode: '429', limit: 4, windowSec: 1 } });
    const options = pullOptions(sim, { rateLimit: { requests: 4, windowSec: 1 } });
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
    expect(statuses(sim)).not.toContain(429);
  });

  it('retries 5xx and HTML error pages', async () => {
    const sim = await start({ serverError: { next: 2 }, htmlError: { next: 2, status: 502 } });
    const options = pullOptions(sim);
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
    expect(statuses(sim)).toEqual(expect.arrayContaining([502, 503]));
  });

  it('renews the token after a 401 mid-run', async () => {
    let offsetMs = 0;
    const sim = await start({}, DATA, { now: () => Date.now() + offsetMs });
    const options = pullOptions(sim, { concurrency: 1 });
    const result = await runPull(store, {
      ...options,
      onProgress: (event) => {
        // After the first slice, jump the server clock past the token's 4-hour life.
        if (event.slicesDone === 1 && offsetMs === 0) offsetMs = 5 * 3600 * 1000;
      },
    });
    expectTruth(result.snapshotId, options);
    expect(statuses(sim)).toContain(401);
    expect(result.tokenRenewals).toBeGreaterThanOrEqual(1);
  });

  it('renews a short-lived token before it expires', async () => {
    const sim = await start({ tokenTtlSec: 2, slow: { chunkDelayMs: 150, chunkBytes: 4096 } });
    const options = pullOptions(sim, { concurrency: 1, sliceSize: 12 });
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
    expect(result.tokenRenewals).toBeGreaterThanOrEqual(1);
    expect(sim.counters.auth).toBeGreaterThanOrEqual(2);
  });

  it('retries a stalled stream', async () => {
    const sim = await start({ stall: { nth: [1], afterBytes: 1500 } });
    const options = pullOptions(sim, { timeouts: { bodyIdleMs: 500 } });
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
    expect(sim.requestLog.some((entry) => entry.fault === 'stall')).toBe(true);
  });

  it('completes a slow stream', async () => {
    const sim = await start({ slow: { nth: [1, 2], chunkDelayMs: 30, chunkBytes: 2048 } });
    const options = pullOptions(sim);
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
  });

  it('retries after a connection reset', async () => {
    const sim = await start({ reset: { nth: [1, 3], afterBytes: 2500 } });
    const options = pullOptions(sim);
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
    expect(sim.requestLog.filter((entry) => entry.fault === 'reset')).toHaveLength(2);
  });

  for (const cut of [10, 1000, 4000]) {
    it(`retries gzip cut at byte ${cut}`, async () => {
      const sim = await start({ gzipCut: { nth: [1, 2], afterBytes: cut } });
      const options = pullOptions(sim);
      const result = await runPull(store, options);
      expectTruth(result.snapshotId, options);
      expect(result.retries).toBeGreaterThanOrEqual(2);
    });
  }

  it('retries an early end of a plain body', async () => {
    const sim = await start({ earlyEnd: { nth: [2], afterBytes: 3000 } });
    const options = pullOptions(sim, { params: { evidenceRequired: true, compressionRequired: false } });
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options);
  });

  it('drops a slice cut after records were flushed', async () => {
    // One slice of about 3,000 records: the writer flushes every 2,000, so the cut lands after a flush.
    const data: DataOptions = { seed: 5, hosts: 220, policies: 1, controlsPerPolicy: 30 };
    const sim = await start({}, data);
    const options = pullOptions(sim, { sliceSize: 1000, params: {} });

    // A first pull into a scratch store measures the slice, so the cut lands at 90 % of its bytes.
    const scratch = openStore(join(dir.path, 'scratch.db'));
    const measured = await runPull(scratch, options);
    scratch.close();
    expect(measured.slices).toBe(1);
    expect(measured.records).toBeGreaterThan(2500);
    sim.setFaults({ reset: { next: 1, afterBytes: Math.floor(measured.bytes * 0.9) } });

    const result = await runPull(store, options);
    expect(sim.requestLog.some((entry) => entry.fault === 'reset')).toBe(true);
    expect(result.retries).toBe(1);
    expectTruth(result.snapshotId, options, data);
    expect(result.duplicates).toBe(0);
  });

  it('streams a host with megabytes of evidence', async () => {
    const data: DataOptions = { ...DATA, bigEvidenceHost: 0, bigEvidenceMb: 3 };
    const sim = await start({}, data);
    const options = pullOptions(sim);
    const result = await runPull(store, options);
    expectTruth(result.snapshotId, options, data);
  });
});

describe('pull errors and resume', () => {
  it('stops at once on a bad password', async () => {
    const sim = await start();
    const options = pullOptions(sim);
    options.connection.password = 'wrong';
    await expect(runPull(store, options)).rejects.toMatchObject({ code: 'AUTH', message: expect.stringMatching(/Authentication failed for user "demo"/) });
    expect(sim.counters.auth).toBe(1);
    expect(store.sqlite.prepare('SELECT count(*) AS count FROM snapshots').get()).toEqual({ count: 0 });
  });

  it('rejects bad parameters before any request', async () => {
    const sim = await start();
    await expect(runPull(store, pullOptions(sim, { api: 1, params: { criticalityLabels: ['MEDIUM'] } }))).rejects.toMatchObject({ code: 'USAGE' });
    await expect(runPull(store, pullOptions(sim, { params: { lastScanDateFrom: '2025-01-01' } }))).rejects.toMatchObject({ code: 'USAGE' });
    expect(sim.counters.requests).toBe(0);
  });

  it('reports an unknown policy', async () => {
    const sim = await start();
    await expect(runPull(store, pullOptions(sim, { allPolicies: false, policyIds: [424242] }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('resumes after the retries run out', async () => {
    const sim = await start({ serverError: { every: 1 } });
    sim.setFaults({ serverError: null });
    const options = pullOptions(sim, { concurrency: 1, retry: { ...FAST_RETRY, maxAttempts: 2 } });
    // Let two slices through, then fail every request.
    let failing = false;
    const error = await runPull(store, {
      ...options,
      onProgress: (event) => {
        if (event.slicesDone === 2 && !failing) {
          failing = true;
          sim.setFaults({ serverError: { every: 1, status: 503 } });
        }
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('NETWORK');
    const match = /--resume (\d+)/.exec((error as AppError).message);
    expect(match).not.toBeNull();
    const snapshotId = Number(match![1]);
    expect(snapshotState(snapshotId)).toBe('building');
    const done = store.sqlite.prepare("SELECT count(*) AS count FROM pull_slices WHERE snapshot_id = ? AND state = 'done'").get(snapshotId) as { count: number };
    expect(done.count).toBe(2);

    sim.setFaults({ serverError: null });
    const resumed = await runPull(store, { ...options, api: undefined, resume: snapshotId });
    expect(resumed.snapshotId).toBe(snapshotId);
    expect(resumed.resumed).toBe(true);
    expectTruth(snapshotId, options);
  });

  it('resumes after a cancel', async () => {
    const sim = await start({ slow: { chunkDelayMs: 20, chunkBytes: 4096 } });
    const options = pullOptions(sim);
    const controller = new AbortController();
    const error = await runPull(store, {
      ...options,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.slicesDone >= 1) controller.abort();
      },
    }).catch((caught: unknown) => caught);
    expect((error as AppError).code).toBe('CANCELLED');
    const snapshotId = Number(/--resume (\d+)/.exec((error as AppError).message)![1]);

    sim.setFaults({ slow: null });
    const resumed = await runPull(store, { ...options, resume: snapshotId });
    expectTruth(resumed.snapshotId, options);
  });

  it('rejects resuming with other settings', async () => {
    const sim = await start({ serverError: { every: 1 } });
    const options = pullOptions(sim, { retry: { ...FAST_RETRY, maxAttempts: 1 } });
    const error = (await runPull(store, options).catch((caught: unknown) => caught)) as AppError;
    const snapshotId = Number(/--resume (\d+)/.exec(error.message)![1]);
    await expect(runPull(store, { ...options, api: 1, resume: snapshotId })).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/--api 3/) });
    await expect(
      runPull(store, { ...options, connection: { ...options.connection, gateway: 'http://127.0.0.1:1' }, resume: snapshotId }),
    ).rejects.toMatchObject({ code: 'USAGE' });
  });
});
