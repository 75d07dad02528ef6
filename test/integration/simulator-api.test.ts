import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { expectedRecords, startSimulator } from '../simulator/index.js';
import type { HostIdsElement, Simulator } from '../simulator/index.js';

const DATA = { seed: 21, hosts: 30, policies: 3 };

let clock = Date.UTC(2026, 0, 1);
let simulator: Simulator;
let token: string;

function url(path: string, query: Record<string, string> = {}): URL {
  const target = new URL(path, simulator.url);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target;
}

async function login(username = 'demo', password = 'demo'): Promise<Response> {
  return fetch(url('/auth'), { method: 'POST', body: new URLSearchParams({ username, password, token: 'true' }) });
}

function get(path: string, query: Record<string, string> = {}, bearer = token): Promise<Response> {
  return fetch(url(path, query), { headers: { Authorization: `Bearer ${bearer}` } });
}

function postureInfo(version: string, query: Record<string, string>, body: unknown, bearer = token): Promise<Response> {
  return fetch(url(`/pcrs/${version}/posture/postureInfo`, query), {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function hostIds(): Promise<HostIdsElement[]> {
  const ids = simulator.data.policies.map((policy) => policy.id).join(',');
  return (await (await get('/pcrs/1.0/posture/hostids', { policyId: ids })).json()) as HostIdsElement[];
}

beforeAll(async () => {
  simulator = await startSimulator({ ...DATA, now: () => clock, faults: { rateLimit: { mode: 'off' } } });
  token = (await (await login()).text()).trim();
});

afterAll(async () => {
  await simulator.close();
});

describe('simulator auth', () => {
  it('returns a JWT as plain text with status 201', async () => {
    const response = await login();
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const jwt = await response.text();
    const parts = jwt.split('.');
    expect(parts).toHaveLength(3);
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg: string };
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iat: number; exp: number };
    expect(header.alg).toBe('HS256');
    expect(claims.exp - claims.iat).toBe(4 * 3600);
  });

  it('rejects bad credentials with 401 JSON', async () => {
    const response = await login('demo', 'wrong');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ status: 401, error: 'Unauthorized' });
  });

  it('rejects a request without a token', async () => {
    const response = await fetch(url('/pcrs/1.0/posture/policy/list'));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ status: 401, error: 'Unauthorized', message: 'Not authenticated' });
  });

  it('rejects a token with a bad signature', async () => {
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`;
    const response = await get('/pcrs/1.0/posture/policy/list', {}, forged);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ message: 'Not authenticated' });
  });

  it('rejects an expired token', async () => {
    simulator.setFaults({ tokenTtlSec: 30 });
    const shortLived = (await (await login()).text()).trim();
    simulator.setFaults({ tokenTtlSec: 4 * 3600 });
    expect((await get('/pcrs/1.0/posture/policy/list', {}, shortLived)).status).toBe(200);
    clock += 31_000;
    const response = await postureInfo('2.0', {}, [], shortLived);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ status: 401, error: 'Unauthorized', message: 'JWT expired' });
  });
});

describe('simulator policy list and host IDs', () => {
  it('lists policies with numeric IDs', async () => {
    const response = await get('/pcrs/1.0/posture/policy/list');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { subscriptionId: number; policyList: Array<Record<string, unknown>> };
    expect(body.subscriptionId).toBe(simulator.data.subscription.subscriptionId);
    expect(body.policyList).toHaveLength(3);
    expect(Object.keys(body.policyList[0]!)).toEqual(['id', 'title', 'createdBy', 'createdDate', 'modifiedBy', 'modifiedDate', 'lastEvaluatedDate', 'status', 'locked']);
    expect(typeof body.policyList[0]!.id).toBe('number');
  });

  it('filters policies by lastEvaluationDate', async () => {
    const response = await get('/pcrs/1.0/posture/policy/list', { lastEvaluationDate: '2030-01-01' });
    expect(((await response.json()) as { policyList: unknown[] }).policyList).toEqual([]);
  });

  it('returns host IDs as strings', async () => {
    const elements = await hostIds();
    expect(elements).toHaveLength(3);
    for (const element of elements) {
      expect(typeof element.policyId).toBe('string');
      expect(typeof element.subscriptionId).toBe('string');
      expect(element.hostIds.length).toBeGreaterThan(0);
      expect(element.hostIds.every((id) => typeof id === 'string')).toBe(true);
    }
  });

  it('reports an unknown policy inside a 200 answer', async () => {
    const known = simulator.data.policies[0]!.id;
    const response = await get('/pcrs/1.0/posture/hostids', { policyId: `${known},12345` });
    expect(response.status).toBe(200);
    const [valid, unknown] = (await response.json()) as Array<HostIdsElement & { error?: string }>;
    expect(valid!.hostIds.length).toBe(30);
    expect(unknown!.hostIds).toEqual([]);
    expect(unknown!.error).toMatch(/12345/);
  });

  it('rejects a non-numeric policy ID with code 1905', async () => {
    const response = await get('/pcrs/1.0/posture/hostids', { policyId: '12,abc' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Array<{ response: { code: number; text: string } }>;
    expect(body[0]!.response.code).toBe(1905);
  });

  it('rejects more than 10 policy IDs', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => String(i + 1)).join(',');
    const response = await get('/pcrs/1.0/posture/hostids', { policyId: ids });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ parameter: 'policyId' });
  });
});

describe('simulator postureInfo', () => {
  it('sends gzip without Content-Encoding by default', async () => {
    const body = await hostIds();
    const response = await postureInfo('2.0', { evidenceRequired: '1' }, body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const records = JSON.parse(gunzipSync(bytes).toString('utf8')) as unknown[];
    expect(records).toEqual(expectedRecords(DATA, { version: 2, body, params: { evidenceRequired: '1' } }));
  });

  it('sends plain JSON without compression', async () => {
    const body = (await hostIds()).slice(1, 2);
    for (const version of [1, 2, 3] as const) {
      const params = { compressionRequired: '0', ...(version === 3 ? { cloudMetaDataRequired: '1' } : {}) };
      const response = await postureInfo(`${version}.0`, params, body);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(expectedRecords(DATA, { version, body, params }));
    }
  });

  it('follows the simulator day', async () => {
    const body = await hostIds();
    simulator.setDay(9);
    const response = await postureInfo('3.0', { compressionRequired: '0' }, body);
    simulator.setDay(0);
    expect(await response.json()).toEqual(expectedRecords(DATA, { version: 3, body, day: 9 }));
  });

  const rejected: Array<[string, Record<string, string>, string]> = [
    ['1.0', { lastScanDateFrom: '2025-06-01' }, 'lastScanDateTo'],
    ['2.0', { lastScanDateTo: '2025-06-01' }, 'lastScanDateFrom'],
    ['2.0', { lastScanDate: '2025-06-01', lastScanDateFrom: '2025-05-01', lastScanDateTo: '2025-06-01' }, 'lastScanDate'],
    ['2.0', { lastEvaluationDate: '06/01/2025' }, 'lastEvaluationDate'],
    ['2.0', { statusChangedSince: '2025-06-01T10:00' }, 'statusChangedSince'],
    ['1.0', { excludeInactiveControl: '1' }, 'excludeInactiveControl'],
    ['2.0', { status: 'Failed' }, 'status'],
    ['3.0', { status: 'Unknown' }, 'status'],
    ['3.0', { previousStatus: 'Passed,Failed' }, 'previousStatus'],
    ['3.0', { criticalityValues: '9' }, 'criticalityValues'],
    ['3.0', { criticalityValues: '1', criticalityLabels: 'MINIMAL' }, 'criticalityLabels'],
  ];
  for (const [version, query, parameter] of rejected) {
    it(`rejects ${new URLSearchParams(query).toString()} on ${version}`, async () => {
      const response = await postureInfo(version, query, []);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({ status: 400, parameter });
    });
  }

  it('answers a bad evidenceRequired or compressionRequired with 404', async () => {
    const queries: Array<Record<string, string>> = [{ evidenceRequired: 'true' }, { compressionRequired: '2' }];
    for (const query of queries) {
      const response = await postureInfo('2.0', query, []);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Invalid input Parameter.' });
    }
  });

  it('answers an unknown version with 404', async () => {
    const response = await postureInfo('4.0', {}, []);
    expect(response.status).toBe(404);
  });

  it('rejects a body that is not the host IDs array', async () => {
    const response = await postureInfo('2.0', {}, { policyId: '1' });
    expect(response.status).toBe(400);
  });

  it('answers an empty result with [] or 204', async () => {
    const empty = await postureInfo('2.0', { compressionRequired: '0' }, [{ policyId: '1', subscriptionId: '1', hostIds: ['1'] }]);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('[]');
    simulator.setFaults({ emptyAs204: true });
    const noContent = await postureInfo('2.0', {}, []);
    simulator.setFaults({ emptyAs204: false });
    expect(noContent.status).toBe(204);
    expect((await noContent.arrayBuffer()).byteLength).toBe(0);
  });

  it('logs requests with status and bytes', async () => {
    const before = simulator.requestLog.length;
    const response = await postureInfo('2.0', { compressionRequired: '0' }, (await hostIds()).slice(0, 1));
    const text = await response.text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const entry = simulator.requestLog.slice(before).find((e) => e.path === '/pcrs/2.0/posture/postureInfo')!;
    expect(entry).toMatchObject({ method: 'POST', query: 'compressionRequired=0', status: 200 });
    expect(entry.bytes).toBe(Buffer.byteLength(text));
  });
});
