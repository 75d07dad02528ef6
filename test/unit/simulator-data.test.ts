import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { DataSet, expectedCount, expectedRecords, generateFile, postureChanges } from '../simulator/index.js';

type PostureRecord = Record<string, unknown> & { id: number; status: string; evidence: Record<string, unknown> | null };

const SMALL = { seed: 7, hosts: 40, policies: 3 };

function byId(records: Record<string, unknown>[]): Map<number, PostureRecord> {
  return new Map(records.map((record) => [record.id as number, record as PostureRecord]));
}

describe('simulator data determinism', () => {
  it('repeats records for the same seed', () => {
    const first = expectedRecords(SMALL, { version: 2, params: { evidenceRequired: '1' } });
    const second = expectedRecords(SMALL, { version: 2, params: { evidenceRequired: '1' } });
    expect(first.length).toBeGreaterThan(500);
    expect(second).toEqual(first);
  });

  it('changes records with the seed', () => {
    const first = expectedRecords(SMALL, { version: 2 });
    const other = expectedRecords({ ...SMALL, seed: 8 }, { version: 2 });
    expect(JSON.stringify(other)).not.toEqual(JSON.stringify(first));
  });

  it('computes a host independently of the host count', () => {
    const small = new DataSet({ seed: 3, hosts: 10 });
    const large = new DataSet({ seed: 3, hosts: 5000 });
    expect(large.host(7)).toEqual(small.host(7));
  });

  it('counts what it renders', () => {
    const params = { evidenceRequired: '1', status: 'Failed,Error', excludeInactiveControl: '1' };
    const records = expectedRecords(SMALL, { version: 3, params });
    expect(expectedCount(SMALL, { version: 3, params })).toBe(records.length);
  });

  it('keeps posture IDs unique', () => {
    const records = expectedRecords(SMALL, { version: 2 });
    expect(new Set(records.map((record) => record.id)).size).toBe(records.length);
  });
});

describe('simulator day changes', () => {
  const data = new DataSet(SMALL);
  const total = expectedCount(data, { version: 2 });

  it('changes about 5% of statuses per day', () => {
    const changes = postureChanges(data, 10, 11);
    const share = changes.filter((change) => change.statusChanged).length / total;
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.07);
  });

  it('changes about 1% of evidence without a status change', () => {
    const changes = postureChanges(data, 10, 11);
    const share = changes.filter((change) => change.evidenceChanged && !change.statusChanged).length / total;
    expect(share).toBeGreaterThan(0.004);
    expect(share).toBeLessThan(0.02);
  });

  it('reports no changes within the same day', () => {
    expect(postureChanges(data, 4, 4)).toEqual([]);
  });

  it('lists exactly the records that differ', () => {
    const before = byId(expectedRecords(data, { version: 2, params: { evidenceRequired: '1' }, day: 20 }));
    const after = byId(expectedRecords(data, { version: 2, params: { evidenceRequired: '1' }, day: 23 }));
    const changes = new Map(postureChanges(data, 20, 23).map((change) => [change.postureId, change]));
    expect(changes.size).toBeGreaterThan(0);
    for (const [id, record] of after) {
      const old = before.get(id)!;
      const change = changes.get(id);
      expect(record.status !== old.status, `status of posture ${id}`).toBe(change?.statusChanged ?? false);
      expect(JSON.stringify(record.evidence) !== JSON.stringify(old.evidence), `evidence of posture ${id}`).toBe(change?.evidenceChanged ?? false);
    }
  });

  it('approves more exceptions over time', () => {
    const exceptionsOn = (day: number) => expectedRecords(data, { version: 2, day }).filter((record) => record.status === 'Passed*').length;
    const early = exceptionsOn(0);
    const late = exceptionsOn(40);
    expect(early).toBeGreaterThan(0);
    expect(late).toBeGreaterThan(early);
  });

  it('shows exceptions as Failed in version 1.0', () => {
    const records = expectedRecords(data, { version: 1, day: 40 });
    expect(records.some((record) => record.status === 'Passed*')).toBe(false);
  });

  it('sets previousStatus to the status of the day before', () => {
    const yesterday = byId(expectedRecords(data, { version: 1, day: 8 }));
    for (const record of expectedRecords(data, { version: 1, day: 9 })) {
      expect(record.previousStatus).toBe(yesterday.get(record.id as number)!.status);
    }
  });
});

describe('simulator data variety', () => {
  const hosts = new DataSet({ seed: 1, hosts: 400 });
  const list = Array.from({ length: 400 }, (_, i) => hosts.host(i));
  const records = expectedRecords({ seed: 1 }, { version: 3, params: { evidenceRequired: '1', cloudMetaDataRequired: '1' } });

  it('uses every tracking method', () => {
    expect(new Set(list.map((host) => host.trackingMethod))).toEqual(new Set(['IP', 'DNS', 'AGENT', 'EC2']));
  });

  it('has Linux, Windows, database and cloud hosts', () => {
    expect(list.some((host) => host.technology.family === 'linux')).toBe(true);
    expect(list.some((host) => host.technology.family === 'windows')).toBe(true);
    expect(list.some((host) => host.database?.instance === 'MSSQL 2016:1:1433:MSSQLSERVER:DB')).toBe(true);
    expect(list.some((host) => host.database?.instance.startsWith('oracle19cdb:'))).toBe(true);
    expect(list.some((host) => host.cloud !== null)).toBe(true);
  });

  it('uses 10.20.x.y addresses', () => {
    expect(list.every((host) => /^10\.20\.\d+\.\d+$/.test(host.ip))).toBe(true);
  });

  it('includes non-ASCII host names in the default data set', () => {
    const text = records.map((record) => `${record.dns} ${record.netBios}`).join(' ');
    expect(text).toContain('zürich-dc-01');
    expect(text).toContain('サーバー');
  });

  it('includes NUL characters in some evidence', () => {
    expect(records.some((record) => JSON.stringify(record.evidence).includes('\\u0000'))).toBe(true);
  });

  it('includes empty and null history dates', () => {
    expect(records.some((record) => record.firstPassDate === '')).toBe(true);
    expect(records.some((record) => record.firstPassDate === null || record.firstFailDate === null)).toBe(true);
  });

  it('includes customer-defined criticality labels', () => {
    const labels = records.map((record) => record.criticality as { label: string; value: number });
    expect(labels.some((c) => c.label === 'high updated' && c.value === 5)).toBe(true);
    expect(labels.some((c) => c.label === 'URGENT' && c.value === 5)).toBe(true);
  });

  it('includes database instances in records', () => {
    expect(records.some((record) => record.instance === 'MSSQL 2016:1:1433:MSSQLSERVER:DB')).toBe(true);
    expect(records.some((record) => record.instance === 'os')).toBe(true);
  });
});

describe('simulator generateFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcrs-sim-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the expected records as JSON', async () => {
    const path = join(dir, 'postures.json');
    const result = await generateFile(SMALL, path, { version: 2, evidence: true });
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown[];
    expect(result.records).toBe(parsed.length);
    expect(parsed).toEqual(expectedRecords(SMALL, { version: 2, params: { evidenceRequired: '1' } }));
  });

  it('writes gzip when asked', async () => {
    const path = join(dir, 'postures.json.gz');
    const result = await generateFile(SMALL, path, { version: 3, gzip: true, evidence: false });
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(result.bytes).toBe(bytes.length);
    expect(JSON.parse(gunzipSync(bytes).toString('utf8'))).toEqual(expectedRecords(SMALL, { version: 3 }));
  });

  it('writes an empty array when nothing matches', async () => {
    const path = join(dir, 'empty.json');
    const result = await generateFile({ ...SMALL, hosts: 0 }, path, { version: 1 });
    expect(result.records).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('[]');
  });
});
