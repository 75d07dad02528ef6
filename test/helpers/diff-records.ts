/**
 * Hand-written posture records (version 3.0 shape) for the diff tests: each test states
 * exactly which fields move between two snapshots, writes them as files and imports them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { importFiles } from '../../electron/ingest/import.js';
import type { Store } from '../../db/store.js';

export interface RecordFields {
  policyId: number;
  hostId: number;
  controlId: number;
  status: string;
  instance?: string;
  ip?: string;
  dns?: string;
  criticality?: number;
  lastEvaluatedDate?: string;
  currentValues?: string[];
  expectedValues?: string;
  controlStatement?: string;
}

/** Returns a posture record as the API sends it, with evidence. */
export function postureRecord(fields: RecordFields): Record<string, unknown> {
  const criticality = fields.criticality ?? 3;
  return {
    id: fields.policyId * 1_000_000 + fields.hostId * 1000 + fields.controlId,
    instance: fields.instance ?? 'os',
    policyId: fields.policyId,
    policyTitle: `Policy ${fields.policyId}`,
    controlId: fields.controlId,
    controlStatement: fields.controlStatement ?? `Status of the setting of control ${fields.controlId}`,
    technology: { id: 45, name: 'Red Hat Enterprise Linux 9.x' },
    criticality: { label: `LEVEL ${criticality}`, value: criticality },
    status: fields.status,
    previousStatus: fields.status,
    firstFailDate: '',
    lastFailDate: '',
    firstPassDate: '2026-01-01T00:00:00Z',
    lastPassDate: '2026-01-01T00:00:00Z',
    postureModifiedDate: '2026-01-01T00:00:00Z',
    lastEvaluatedDate: fields.lastEvaluatedDate ?? '2026-01-01T00:00:00Z',
    created: '2026-01-01T00:00:00Z',
    hostId: fields.hostId,
    ip: fields.ip ?? `10.0.0.${fields.hostId % 250}`,
    dns: fields.dns ?? `host-${fields.hostId}.example.test`,
    trackingMethod: 'IP',
    os: 'Red Hat Enterprise Linux 9.2',
    networkId: '0',
    networkName: 'Global Default Network',
    complianceLastScanDate: '2026-01-01T00:00:00Z',
    evidence: {
      expectedValues: fields.expectedValues ?? 'greater than or equal to\n14',
      currentValues: fields.currentValues ?? ['14'],
      actualValues: null,
    },
  };
}

/** Writes records as one JSON array (gzip when the name ends in .gz) and returns the path. */
export function writeRecords(directory: string, name: string, records: Record<string, unknown>[]): string {
  const path = join(directory, name);
  const text = JSON.stringify(records);
  writeFileSync(path, name.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}

/** Writes and imports records as one new snapshot; returns its id. */
export async function importRecords(
  store: Store,
  directory: string,
  name: string,
  records: Record<string, unknown>[],
  options: { baseSnapshotId?: number } = {},
): Promise<number> {
  const result = await importFiles(store, [writeRecords(directory, name, records)], { label: name, ...options });
  return result.snapshotId;
}
