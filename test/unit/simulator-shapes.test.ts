import { describe, expect, it } from 'vitest';

import { expectedRecords } from '../simulator/index.js';

const OPTIONS = { seed: 11, hosts: 80, policies: 3 };
const WITH_EVIDENCE = { evidenceRequired: '1' };

const V1_KEYS = [
  'id', 'instance', 'policyId', 'controlId', 'controlStatement', 'rationale', 'remediation', 'controlReference', 'technologyId',
  'status', 'previousStatus', 'firstFailDate', 'lastFailDate', 'firstPassDate', 'lastPassDate', 'postureModifiedDate',
  'lastEvaluatedDate', 'created', 'hostId', 'ip', 'trackingMethod', 'os', 'osCpe', 'dns', 'qgHostid', 'networkId', 'networkName',
  'complianceLastScanDate', 'customerUuid', 'customerId', 'assetId', 'technology', 'criticality', 'evidence', 'causeOfFailure',
  'currentBatch', 'totalBatches',
];

const V2_KEYS = [
  'id', 'instance', 'policyId', 'policyTitle', 'netBios', 'controlId', 'controlStatement', 'rationale', 'remediation', 'category',
  'subCategory', 'controlReference', 'technologyId', 'status', 'previousStatus', 'firstFailDate', 'lastFailDate', 'firstPassDate',
  'lastPassDate', 'postureModifiedDate', 'lastEvaluatedDate', 'created', 'hostId', 'ip', 'trackingMethod', 'os', 'osCpe',
  'domainName', 'dns', 'qgHostid', 'networkId', 'networkName', 'complianceLastScanDate', 'customerUuid', 'customerId', 'assetId',
  'technology', 'criticality', 'evidence', 'causeOfFailure', 'userDefinedAttributesList', 'currentDataSizeKB', 'totalDataSizeKB',
  'currentBatch', 'totalBatches', 'CLOUD_RESOURCE_ID',
];

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('simulator version 1.0 records', () => {
  const records = expectedRecords(OPTIONS, { version: 1, params: WITH_EVIDENCE });

  it('has the version 1.0 fields in order', () => {
    for (const record of records) expect(Object.keys(record)).toEqual(V1_KEYS);
  });

  it('mixes string and number IDs', () => {
    expect(records.some((record) => typeof record.policyId === 'string')).toBe(true);
    expect(records.some((record) => typeof record.policyId === 'number')).toBe(true);
    expect(records.some((record) => record.networkId === '0')).toBe(true);
    expect(records.some((record) => record.networkId === 0)).toBe(true);
  });

  it('has evidence without extended fields', () => {
    const evidence = records[0]!.evidence as Record<string, unknown>;
    expect(Object.keys(evidence)).toEqual(['expectedValues', 'currentValues', 'actualValues', 'directoryFimUdc']);
  });

  it('omits evidence unless requested', () => {
    const bare = expectedRecords(OPTIONS, { version: 1 });
    expect(bare.length).toBe(records.length);
    expect(bare.every((record) => record.evidence === null)).toBe(true);
  });
});

describe('simulator version 2.0 records', () => {
  const records = expectedRecords(OPTIONS, { version: 2, params: WITH_EVIDENCE, day: 45 });

  it('has the version 2.0 fields in order', () => {
    for (const record of records) expect(Object.keys(record)).toEqual(V2_KEYS);
  });

  it('uses numbers for IDs', () => {
    for (const record of records) {
      expect(typeof record.policyId).toBe('number');
      expect(typeof record.hostId).toBe('number');
      expect(record.networkId).toBe(0);
    }
  });

  it('sends data sizes as strings', () => {
    for (const record of records) {
      expect(record.currentDataSizeKB).toMatch(/^\d+\.\d{2}$/);
      expect(record.totalDataSizeKB).toMatch(/^\d+\.\d{2}$/);
    }
  });

  it('formats extended evidence as rows', () => {
    const evidence = records[0]!.evidence as Record<string, unknown>;
    expect(Object.keys(evidence)).toEqual(['expectedValues', 'currentValues', 'actualValues', 'directoryFimUdc', 'lastUpdated', 'extendedEvidence']);
    expect(evidence.extendedEvidence).toMatch(/^Row 1:[^\n]+\nRow 2:[^\n]+\n/);
    expect(evidence.lastUpdated).toMatch(ISO);
  });

  it('shows approved exceptions as Passed*', () => {
    expect(records.some((record) => record.status === 'Passed*')).toBe(true);
  });

  it('sets CLOUD_RESOURCE_ID for cloud hosts only', () => {
    expect(records.some((record) => typeof record.CLOUD_RESOURCE_ID === 'string')).toBe(true);
    expect(records.some((record) => record.CLOUD_RESOURCE_ID === null)).toBe(true);
  });

  it('uses ISO dates or empty history dates', () => {
    for (const record of records) {
      expect(record.lastEvaluatedDate).toMatch(ISO);
      for (const field of ['firstFailDate', 'lastFailDate', 'firstPassDate', 'lastPassDate']) {
        const value = record[field];
        expect(value === '' || value === null || ISO.test(value as string), `${field} = ${String(value)}`).toBe(true);
      }
    }
  });

  it('numbers batches inside records', () => {
    const batched = expectedRecords({ ...OPTIONS, batchHosts: 10 }, { version: 2 });
    const first = batched[0]!;
    expect(first.currentBatch).toBe(1);
    expect(first.totalBatches).toBe(8);
    expect(batched.at(-1)!.currentBatch).toBeGreaterThan(1);
  });
});

describe('simulator version 3.0 records', () => {
  const plain = expectedRecords(OPTIONS, { version: 3, params: WITH_EVIDENCE });
  const cloud = expectedRecords(OPTIONS, { version: 3, params: { ...WITH_EVIDENCE, cloudMetaDataRequired: '1' } });

  it('adds a control description to evidence', () => {
    const evidence = plain[0]!.evidence as Record<string, unknown>;
    expect(typeof evidence.description).toBe('string');
  });

  it('adds cloudMetaData only on request', () => {
    expect(plain.some((record) => 'cloudMetaData' in record)).toBe(false);
    expect(cloud.every((record) => 'cloudMetaData' in record)).toBe(true);
    expect(cloud.some((record) => record.cloudMetaData === null)).toBe(true);
  });

  it('sends cloud resource metadata as a single-quoted dict string', () => {
    const withCloud = cloud.find((record) => record.cloudMetaData !== null)!;
    const metadata = withCloud.cloudMetaData as Record<string, unknown>;
    expect(metadata.cloudResourceMetadata).toMatch(/^\{'Public IP Address':'[^']+', /);
    expect(withCloud.CLOUD_RESOURCE_ID).toBe(metadata.cloudResourceId);
  });
});

describe('simulator big evidence host', () => {
  it('puts megabytes of extended evidence on one host', () => {
    const options = { seed: 2, hosts: 3, policies: 1, bigEvidenceHost: 1, bigEvidenceMb: 2 };
    const records = expectedRecords(options, { version: 2, params: WITH_EVIDENCE });
    const sizes = records.map((record) => ((record.evidence as { extendedEvidence: string }).extendedEvidence).length);
    const big = records.filter((_, i) => sizes[i]! >= 2 * 1024 * 1024);
    expect(big).toHaveLength(1);
    expect(big[0]!.hostId).toBe(6_000_007);
  });
});
