/**
 * Compares a pulled snapshot with the simulator's ground truth, record for record: the
 * same multiset of records (each as canonical JSON), so a lost, extra or duplicated record
 * shows up as a difference.
 */
import { iterateRawRecords } from '../../db/snapshots.js';
import type { Store } from '../../db/store.js';
import { expectedRecords, type DataOptions, type ExpectedQuery } from '../simulator/index.js';

export interface TruthComparison {
  expected: number;
  actual: number;
  /** Records the simulator sends that the snapshot lacks (first few, as canonical JSON). */
  missing: string[];
  /** Records in the snapshot that the simulator does not send. */
  extra: string[];
  /** Postures that appear more than once in the snapshot. */
  duplicated: string[];
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

function identity(record: Record<string, unknown>): string {
  return [record.policyId, record.hostId, record.controlId, record.instance ?? ''].join('/');
}

export function compareWithTruth(store: Store, snapshotId: number, data: DataOptions, query: ExpectedQuery): TruthComparison {
  const counts = new Map<string, number>();
  const identities = new Map<string, number>();
  let actual = 0;
  for (const raw of iterateRawRecords(store, snapshotId)) {
    const record = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    const key = canonical(record);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const id = identity(record);
    identities.set(id, (identities.get(id) ?? 0) + 1);
    actual++;
  }
  const missing: string[] = [];
  const expected = expectedRecords(data, query);
  for (const record of expected) {
    const key = canonical(record);
    const left = counts.get(key) ?? 0;
    if (left === 0) {
      if (missing.length < 5) missing.push(key.slice(0, 300));
    } else if (left === 1) {
      counts.delete(key);
    } else {
      counts.set(key, left - 1);
    }
  }
  const extra = [...counts.keys()].slice(0, 5).map((key) => key.slice(0, 300));
  const duplicated = [...identities.entries()].filter(([, count]) => count > 1).map(([id]) => id);
  return { expected: expected.length, actual, missing, extra, duplicated };
}
