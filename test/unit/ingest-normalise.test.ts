import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  normaliseRecord,
  parseDate,
  parseExtendedEvidence,
  parseSingleQuotedDict,
  RecordError,
} from '../../electron/ingest/normalise.js';

const fixtures = new URL('../fixtures/reference/', import.meta.url);
const load = (file: string) => JSON.parse(readFileSync(new URL(file, fixtures), 'utf8')) as Record<string, unknown>[];

describe('normaliseRecord', () => {
  it('reads IDs given as numbers and as numeric strings alike', () => {
    const [asStrings, asNumbers] = load('v1-posture.json');
    const a = normaliseRecord(asStrings);
    const b = normaliseRecord(asNumbers);
    expect(a.policyId).toBe(1438626);
    expect(b.policyId).toBe(1438626);
    expect(a.hostId).toBe(5500101);
    expect(a.controlId).toBe(1030);
    expect(b.host.networkId).toBe(0);
  });

  it('turns empty and null dates into null and normalises the rest', () => {
    const posture = normaliseRecord(load('v1-posture.json')[0]);
    expect(posture.firstFailDate).toBeNull();
    expect(posture.firstPassDate).toBe('2021-12-21T11:28:21Z');
    expect(parseDate(null, 'x')).toBeNull();
    expect(parseDate('2021-12-17', 'x')).toBe('2021-12-17T00:00:00Z');
    expect(parseDate('2021-12-17T18:48:16.250+02:00', 'x')).toBe('2021-12-17T16:48:16.250Z');
  });

  it('rejects a date that is not ISO-8601', () => {
    expect(() => parseDate('12/17/2021', 'lastEvaluatedDate')).toThrow(/lastEvaluatedDate is not an ISO-8601 date: "12\/17\/2021"/);
  });

  it('flags Passed* as an approved exception and keeps it verbatim', () => {
    const posture = normaliseRecord(load('v2-posture.json')[2]);
    expect(posture.status).toBe('Passed*');
    expect(posture.statusClass).toBe('exception');
    expect(posture.isException).toBe(true);
    expect(posture.previousStatus).toBe('Error');
  });

  it('keeps customer-defined criticality labels', () => {
    const posture = normaliseRecord(load('v1-posture.json')[4]);
    expect(posture.control.criticalityValue).toBe(5);
    expect(posture.control.criticalityLabel).toBe('high updated');
  });

  it('reads sizes given as strings', () => {
    expect(normaliseRecord(load('v1-posture.json')[4]).dataSizeKb).toBeCloseTo(2.41);
  });

  it('reads CLOUD_RESOURCE_ID and parses cloud metadata', () => {
    const ec2 = normaliseRecord(load('v1-posture.json')[3]);
    expect(ec2.host.cloudResourceId).toBe('i-0a1b2c3d4e5f60718');
    const gcp = normaliseRecord(load('v3-posture.json')[1]);
    expect(gcp.host.cloud?.provider).toBe('GCP');
    expect(gcp.host.cloud?.resourceMetadata).toEqual({
      'Public IP Address': '35.224.87.179',
      'Private IP Address': '10.128.0.27',
      'Machine Type': 'e2-medium',
      Zone: null,
      ProjectId: 'qlys-devqa-qweb',
      State: 'RUNNING',
      Network: 'N/A',
      'MAC Address': null,
    });
    expect(gcp.host.cloud?.resourceMetadataRaw).toMatch(/^\{'Public IP Address'/);
  });

  it('parses extended evidence rows into a table and keeps the text', () => {
    const posture = normaliseRecord(load('v3-posture.json')[2]);
    expect(posture.evidence?.extendedTable).toEqual({
      header: ['Service Name', 'Registry Key', 'Start Value', 'Delayed Start'],
      rows: [['Fax', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Fax', '2', '']],
    });
    expect(posture.evidence?.extended).toMatch(/^Row 1:Service Name/);
    expect(parseExtendedEvidence('Row 1:\n')).toEqual({ header: [], rows: [] });
    expect(parseExtendedEvidence('no rows here')).toBeNull();
  });

  it('keeps non-ASCII text and the NUL-bearing values as received', () => {
    const posture = normaliseRecord(load('v3-posture.json')[2]);
    expect(posture.host.netbios).toBe('ZÜRICH-DC-01');
    expect(posture.host.dns).toBe('dc01.zürich.example.test');
    expect(posture.evidence?.current).toEqual(['Automatic (2)\u0000', 'サーバー']);
  });

  it('removes NUL from text columns', () => {
    const record = { ...load('v1-posture.json')[0], dns: 'bad\u0000name' };
    expect(normaliseRecord(record).host.dns).toBe('badname');
  });

  it('names the field and value of a bad ID', () => {
    const record = { ...load('v1-posture.json')[0], policyId: '<POLICY ID>' };
    expect(() => normaliseRecord(record)).toThrow(RecordError);
    expect(() => normaliseRecord(record)).toThrow(/policyId must be a non-negative integer or a numeric string, got "<POLICY ID>"/);
  });

  it('rejects a record without identity', () => {
    const { hostId: _hostId, ...record } = load('v1-posture.json')[0]!;
    expect(() => normaliseRecord(record)).toThrow(/missing hostId/);
  });

  it('rejects values that are not objects', () => {
    expect(() => normaliseRecord([1, 2])).toThrow(/must be a JSON object, got an array/);
    expect(() => normaliseRecord('text')).toThrow(/must be a JSON object, got "text"/);
  });

  it('treats __proto__ keys as plain data', () => {
    const record = JSON.parse(
      JSON.stringify(load('v1-posture.json')[0]).replace('{', '{"__proto__":{"polluted":true},'),
    ) as unknown;
    const posture = normaliseRecord(record);
    expect(posture.policyId).toBe(1438626);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseSingleQuotedDict', () => {
  it('returns null for text in another form', () => {
    expect(parseSingleQuotedDict('not a dict')).toBeNull();
    expect(parseSingleQuotedDict("{'unterminated: 'x'}")).toBeNull();
  });

  it('reads escaped quotes', () => {
    expect(parseSingleQuotedDict("{'Name':'O\\'Brien'}")).toEqual({ Name: "O'Brien" });
  });
});
