import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_FAULTS, expectedRecords, startSimulator } from '../simulator/index.js';
import type { HostIdsElement, Simulator } from '../simulator/index.js';

const DATA = { seed: 4, hosts: 30, policies: 2 };

let clock = Date.UTC(2026, 0, 1);
let simulator: Simulator;
let token: string;
let body: HostIdsElement[];

function url(path: string, query: Record<string, string> = {}): URL {
  const target = new URL(path, simulator.url);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target;
}

function get(path: string, query: Record<string, string> = {}): Promise<Response> {
  return fetch(url(path, query), { headers: { Authorization: `Bearer ${token}` } });
}

function postureInfo(query: Record<string, string> = { evidenceRequired: '1' }, signal?: AbortSignal): Promise<Response> {
  return fetch(url('/pcrs/2.0/posture/postureInfo', query), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** Reads a body chunk by chunk and reports how it ended, as a streaming client sees it. */
async function readBody(response: Response, idleMs = 1500): Promise<{ bytes: Buffer; outcome: 'end' | 'error' | 'idle' }> {
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<'idle'>((resolve) => {
      timer = setTimeout(() => resolve('idle'), idleMs);
    });
    try {
      const next = await Promise.race([reader.read(), idle]);
      if (next === 'idle') {
        await reader.cancel().catch(() => {});
        return { bytes: Buffer.concat(chunks), outcome: 'idle' };
      }
      if (next.done) return { bytes: Buffer.concat(chunks), outcome: 'end' };
      chunks.push(next.value);
    } catch {
      return { bytes: Buffer.concat(chunks), outcome: 'error' };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Number the next postureInfo request will get, for `nth` targets. */
function nextRequestNumber(): number {
  return simulator.counters.postureInfo + 1;
}

async function login(): Promise<string> {
  const response = await fetch(url('/auth'), { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo', token: 'true' }) });
  return (await response.text()).trim();
}

beforeAll(async () => {
  simulator = await startSimulator({ ...DATA, now: () => clock });
  token = await login();
  simulator.setFaults({ rateLimit: { mode: 'off' } });
  const ids = simulator.data.policies.map((policy) => policy.id).join(',');
  body = (await (await get('/pcrs/1.0/posture/hostids', { policyId: ids })).json()) as HostIdsElement[];
});

afterAll(async () => {
  await simulator.close();
});

// Tests move the clock forward by hours, so each one starts with a fresh token.
beforeEach(async () => {
  simulator.setFaults({ ...DEFAULT_FAULTS, rateLimit: { mode: 'off' } });
  token = await login();
});

describe('simulator rate limit', () => {
  beforeEach(async () => {
    clock += 3_600_000;
    token = await login();
    simulator.setFaults({ rateLimit: { limit: 3, windowSec: 60, mode: '429' } });
  });

  it('sends rate-limit headers on success', async () => {
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const response = await get('/pcrs/1.0/posture/policy/list');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBe('3');
      expect(response.headers.get('x-ratelimit-window-sec')).toBe('60');
      remaining.push(response.headers.get('x-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
  });

  it('answers 429 with wait headers over the limit', async () => {
    for (let i = 0; i < 3; i++) await get('/pcrs/1.0/posture/policy/list');
    clock += 20_000;
    const response = await get('/pcrs/1.0/posture/policy/list');
    expect(response.status).toBe(429);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(response.headers.get('x-ratelimit-towait-sec')).toBe('40');
    expect(response.headers.get('retry-after')).toBe('40');
  });

  it('counts each API separately and skips /auth', async () => {
    for (let i = 0; i < 3; i++) await get('/pcrs/1.0/posture/policy/list');
    expect((await get('/pcrs/1.0/posture/hostids', { policyId: String(simulator.data.policies[0]!.id) })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const auth = await fetch(url('/auth'), { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo', token: 'true' }) });
      expect(auth.status).toBe(201);
    }
  });

  it('opens a new window after the wait', async () => {
    for (let i = 0; i < 4; i++) await get('/pcrs/1.0/posture/policy/list');
    clock += 60_000;
    expect((await get('/pcrs/1.0/posture/policy/list')).status).toBe(200);
  });

  it('answers 409 with code 1965 in 409 mode', async () => {
    simulator.setFaults({ rateLimit: { mode: '409' } });
    for (let i = 0; i < 3; i++) await get('/pcrs/1.0/posture/policy/list');
    const response = await get('/pcrs/1.0/posture/policy/list');
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 1965 });
    expect(response.headers.get('x-ratelimit-towait-sec')).not.toBeNull();
  });
});

describe('simulator error faults', () => {
  it('fails the next N postureInfo requests with 503', async () => {
    simulator.setFaults({ serverError: { next: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const response = await postureInfo({ compressionRequired: '0' });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('fails every Nth postureInfo request', async () => {
    simulator.setFaults({ serverError: { every: 2, status: 500 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const first = nextRequestNumber();
      const response = await postureInfo({ compressionRequired: '0' });
      statuses.push([first % 2 === 0, response.status]);
      await response.arrayBuffer();
    }
    for (const [even, status] of statuses) expect(status).toBe(even ? 500 : 200);
  });

  it('sends an HTML gateway page', async () => {
    simulator.setFaults({ htmlError: { next: 1, status: 504 } });
    const response = await postureInfo();
    expect(response.status).toBe(504);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(await response.text()).toMatch(/^<html>[\s\S]*504 Gateway Time-out/);
  });

  it('targets another API when asked', async () => {
    simulator.setFaults({ htmlError: { api: 'policyList', next: 1 } });
    expect((await postureInfo({ compressionRequired: '0' })).status).toBe(200);
    const response = await get('/pcrs/1.0/posture/policy/list');
    expect(response.status).toBe(502);
    expect((await get('/pcrs/1.0/posture/policy/list')).status).toBe(200);
  });
});

describe('simulator stream faults', () => {
  it('delays each chunk of a slow stream', async () => {
    simulator.setFaults({ slow: { next: 1, chunkDelayMs: 20, chunkBytes: 8192 } });
    const started = Date.now();
    const response = await postureInfo({ compressionRequired: '1', evidenceRequired: '1' });
    const bytes = Buffer.from(await response.arrayBuffer());
    const chunks = Math.ceil(bytes.length / 8192);
    expect(chunks).toBeGreaterThan(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(chunks * 20 * 0.9);
    expect(JSON.parse(gunzipSync(bytes).toString('utf8'))).toEqual(expectedRecords(DATA, { version: 2, body, params: { evidenceRequired: '1' } }));
  });

  it('stalls after N bytes and keeps the socket open', async () => {
    simulator.setFaults({ stall: { next: 1, afterBytes: 2000 } });
    const response = await postureInfo();
    expect(response.status).toBe(200);
    const { bytes, outcome } = await readBody(response, 800);
    expect(outcome).toBe('idle');
    expect(bytes.length).toBe(2000);
  });

  it('resets the connection after N bytes', async () => {
    simulator.setFaults({ reset: { next: 1, afterBytes: 3000 } });
    const response = await postureInfo();
    const { bytes, outcome } = await readBody(response);
    expect(outcome).toBe('error');
    expect(bytes.length).toBeLessThanOrEqual(3000);
  });

  it('cuts the gzip stream with a clean end', async () => {
    simulator.setFaults({ gzipCut: { next: 1, afterBytes: 3000 } });
    const response = await postureInfo();
    const { bytes, outcome } = await readBody(response);
    expect(outcome).toBe('end');
    expect(bytes.length).toBe(3000);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(() => gunzipSync(bytes)).toThrow(/unexpected end of file/);
  });

  it('ends a close-delimited body early without an error', async () => {
    simulator.setFaults({ earlyEnd: { next: 1, afterBytes: 5000 } });
    const response = await postureInfo({ compressionRequired: '0', evidenceRequired: '1' });
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBeNull();
    const { bytes, outcome } = await readBody(response);
    expect(outcome).toBe('end');
    expect(bytes.length).toBe(5000);
    expect(() => JSON.parse(bytes.toString('utf8'))).toThrow();
  });

  it('hits only the listed request numbers', async () => {
    const target = nextRequestNumber() + 1;
    simulator.setFaults({ gzipCut: { nth: [target], afterBytes: 1000 } });
    const lengths = [];
    for (let i = 0; i < 3; i++) lengths.push((await readBody(await postureInfo())).bytes.length);
    expect(lengths[0]).toBeGreaterThan(1000);
    expect(lengths[1]).toBe(1000);
    expect(lengths[2]).toBe(lengths[0]);
  });

  it('counts injected faults and logs them', async () => {
    const before = simulator.counters.faults;
    simulator.setFaults({ gzipCut: { next: 1, afterBytes: 100 } });
    await readBody(await postureInfo());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(simulator.counters.faults).toBe(before + 1);
    expect(simulator.requestLog.at(-1)).toMatchObject({ fault: 'gzipCut', bytes: 100, status: 200 });
  });
});

describe('simulator big evidence', () => {
  it('streams megabytes of evidence for one host', async () => {
    const big = await startSimulator({ seed: 4, hosts: 4, policies: 1, bigEvidenceHost: 2, bigEvidenceMb: 3 });
    try {
      const auth = await fetch(new URL('/auth', big.url), { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo', token: 'true' }) });
      const jwt = await auth.text();
      const request = [{ policyId: String(big.data.policies[0]!.id), hostIds: [String(big.data.hostIdOf(2))] }];
      const target = new URL('/pcrs/3.0/posture/postureInfo', big.url);
      target.searchParams.set('evidenceRequired', '1');
      const response = await fetch(target, { method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
      const records = JSON.parse(gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8')) as Array<{ evidence: { extendedEvidence: string } }>;
      expect(records[0]!.evidence.extendedEvidence.length).toBeGreaterThanOrEqual(3 * 1024 * 1024);
      expect(records[1]!.evidence.extendedEvidence.length).toBeLessThan(1024);
    } finally {
      await big.close();
    }
  });
});
