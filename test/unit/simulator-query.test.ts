import { describe, expect, it } from 'vitest';

import { expectedCount, expectedRecords } from '../simulator/index.js';
import { parseApiDate, parsePostureQuery } from '../simulator/query.js';
import type { ApiVersion } from '../simulator/query.js';

const OPTIONS = { seed: 5, hosts: 50, policies: 2 };

function parse(version: ApiVersion, query: string) {
  return parsePostureQuery(version, new URLSearchParams(query));
}

describe('simulator date parameters', () => {
  it('accepts a date and a UTC date-time', () => {
    expect(parseApiDate('2025-06-02')).toBe(Date.UTC(2025, 5, 2));
    expect(parseApiDate('2025-06-02T10:11:12Z')).toBe(Date.UTC(2025, 5, 2, 10, 11, 12));
  });

  it('extends a date-only upper bound to the end of the day', () => {
    expect(parseApiDate('2025-06-02', true)).toBe(Date.UTC(2025, 5, 2, 23, 59, 59));
  });

  it('rejects other formats and impossible dates', () => {
    for (const text of ['2025-6-2', '2025-06-02T10:11:12', '2025-06-02 10:11:12Z', '2025-02-30', '2025-06-02T24:00:00Z', '1717286400']) {
      expect(parseApiDate(text), text).toBeNull();
    }
  });
});

describe('simulator parameter rules', () => {
  const rejected: Array<[ApiVersion, string, number, string | undefined]> = [
    [2, 'evidenceRequired=2', 404, undefined],
    [2, 'compressionRequired=yes', 404, undefined],
    [2, 'lastScanDateFrom=2025-06-01', 400, 'lastScanDateTo'],
    [2, 'lastScanDateTo=2025-06-01', 400, 'lastScanDateFrom'],
    [2, 'lastScanDate=2025-06-01&lastScanDateFrom=2025-05-01&lastScanDateTo=2025-06-01', 400, 'lastScanDate'],
    [2, 'lastScanDateFrom=2025-06-02&lastScanDateTo=2025-06-01', 400, 'lastScanDateFrom'],
    [2, 'lastEvaluationDate=yesterday', 400, 'lastEvaluationDate'],
    [2, 'statusChangedSince=2025-13-01', 400, 'statusChangedSince'],
    [1, 'excludeInactiveControl=1', 400, 'excludeInactiveControl'],
    [2, 'excludeInactiveControl=2', 400, 'excludeInactiveControl'],
    [2, 'cloudMetaDataRequired=1', 400, 'cloudMetaDataRequired'],
    [2, 'status=Failed', 400, 'status'],
    [3, 'status=Failed,Broken', 400, 'status'],
    [3, 'previousStatus=Passed,Failed', 400, 'previousStatus'],
    [3, 'criticalityValues=6', 400, 'criticalityValues'],
    [3, 'criticalityLabels=HIGH', 400, 'criticalityLabels'],
    [3, 'criticalityValues=5&criticalityLabels=URGENT', 400, 'criticalityLabels'],
    [3, 'cloudMetaDataRequired=true', 400, 'cloudMetaDataRequired'],
  ];

  for (const [version, query, status, parameter] of rejected) {
    it(`rejects ${query} in ${version}.0`, () => {
      const result = parse(version, query);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.status).toBe(status);
      if (parameter) expect(result.error.body).toMatchObject({ parameter });
      else expect(result.error.body).toEqual({ message: 'Invalid input Parameter.' });
    });
  }

  it('defaults to compression on and evidence off', () => {
    const result = parse(1, '');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.compression).toBe(true);
    expect(result.value.evidence).toBe(false);
  });

  it('accepts every documented version 3.0 parameter', () => {
    const query = 'evidenceRequired=1&compressionRequired=0&lastEvaluationDate=2025-06-01&lastScanDateFrom=2025-05-01&lastScanDateTo=2025-06-02T00:00:00Z'
      + '&statusChangedSince=2025-01-01&excludeInactiveControl=1&cloudMetaDataRequired=1&status=Passed,Error&previousStatus=Failed&criticalityLabels=SERIOUS,urgent';
    const result = parse(3, query);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.value.criticality!]).toEqual([3, 5]);
    expect([...result.value.status!]).toEqual(['Passed', 'Error']);
  });

  it('ignores parameters the API does not document', () => {
    expect(parse(1, 'foo=bar').ok).toBe(true);
  });

  it('throws from expectedRecords on rejected parameters', () => {
    expect(() => expectedRecords(OPTIONS, { version: 3, params: { criticalityValues: '1', criticalityLabels: 'MEDIUM' } })).toThrow(/HTTP 400/);
  });
});

describe('simulator filters', () => {
  const all = expectedRecords(OPTIONS, { version: 3, day: 12 });

  it('filters by current status', () => {
    const failed = expectedRecords(OPTIONS, { version: 3, day: 12, params: { status: 'Failed' } });
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((record) => record.status === 'Failed')).toBe(true);
    expect(failed.length).toBe(all.filter((record) => record.status === 'Failed').length);
  });

  it('counts Passed* as Passed in the status filter', () => {
    const passed = expectedRecords(OPTIONS, { version: 3, day: 40, params: { status: 'Passed' } });
    expect(passed.some((record) => record.status === 'Passed*')).toBe(true);
    expect(passed.every((record) => record.status === 'Passed' || record.status === 'Passed*')).toBe(true);
  });

  it('filters by previous status', () => {
    const records = expectedRecords(OPTIONS, { version: 3, day: 12, params: { previousStatus: 'Error' } });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.previousStatus === 'Error')).toBe(true);
  });

  it('filters by criticality value and label alike', () => {
    const byValue = expectedRecords(OPTIONS, { version: 3, params: { criticalityValues: '4,5' } });
    const byLabel = expectedRecords(OPTIONS, { version: 3, params: { criticalityLabels: 'CRITICAL,URGENT' } });
    expect(byValue.length).toBeGreaterThan(0);
    expect(byLabel).toEqual(byValue);
    expect(byValue.every((record) => [4, 5].includes((record.criticality as { value: number }).value))).toBe(true);
  });

  it('excludes inactive controls on request', () => {
    const active = expectedCount(OPTIONS, { version: 2, params: { excludeInactiveControl: '1' } });
    const every = expectedCount(OPTIONS, { version: 2 });
    expect(active).toBeGreaterThan(0);
    expect(active).toBeLessThan(every);
  });

  it('filters by lastEvaluationDate', () => {
    const since = '2025-06-14T12:00:00Z';
    const records = expectedRecords(OPTIONS, { version: 2, day: 12, params: { lastEvaluationDate: since } });
    const all12 = expectedRecords(OPTIONS, { version: 2, day: 12 });
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(all12.length);
    expect(records.every((record) => Date.parse(record.lastEvaluatedDate as string) >= Date.parse(since))).toBe(true);
  });

  it('filters by a last scan date range, both ends included', () => {
    const from = '2025-06-14T06:00:00Z';
    const to = '2025-06-14T12:00:00Z';
    const records = expectedRecords(OPTIONS, { version: 2, day: 12, params: { lastScanDateFrom: from, lastScanDateTo: to } });
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      const scan = Date.parse(record.complianceLastScanDate as string);
      expect(scan).toBeGreaterThanOrEqual(Date.parse(from));
      expect(scan).toBeLessThanOrEqual(Date.parse(to));
    }
  });

  it('covers the whole day with a date-only lastScanDateTo', () => {
    const count = expectedCount(OPTIONS, { version: 2, day: 12, params: { lastScanDateFrom: '2025-06-14', lastScanDateTo: '2025-06-14' } });
    expect(count).toBe(expectedCount(OPTIONS, { version: 2, day: 12 }));
  });

  it('filters by statusChangedSince', () => {
    const since = '2025-06-10';
    const records = expectedRecords(OPTIONS, { version: 2, day: 12, params: { statusChangedSince: since } });
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(all.length / 2);
    expect(records.every((record) => Date.parse(record.postureModifiedDate as string) >= Date.parse(since))).toBe(true);
  });

  it('skips unknown hosts and policies in the body', () => {
    const records = expectedRecords(OPTIONS, { version: 2, body: [{ policyId: '1', subscriptionId: '1', hostIds: ['6000000'] }, { policyId: all[0]!.policyId as number, hostIds: ['6000000', '42', 6_000_000] }] });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.hostId === 6_000_000)).toBe(true);
  });
});
