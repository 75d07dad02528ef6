import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultBaseline, diffCounts, diffRows } from '../../db/diff.js';
import { SnapshotWriter } from '../../db/snapshot-writer.js';
import { openStore, type Store } from '../../db/store.js';
import { normaliseRecord } from '../../electron/ingest/normalise.js';
import { importRecords, postureRecord, type RecordFields } from '../helpers/diff-records.js';
import { makeTempDir } from '../helpers/temp.js';

/** Writes a pull-like snapshot whose scope names hosts, as a pull resolves them. */
function writeScopedSnapshot(store: Store, hostScope: { policyId: number; hostId: number }[], fields: RecordFields[]): number {
  const writer = SnapshotWriter.begin(store, {
    label: 'scoped',
    sourceKind: 'pull',
    source: 'https://gateway.example.test',
    policyScope: [...new Set(hostScope.map((entry) => entry.policyId))],
    hostScope,
  });
  for (const field of fields) {
    const text = JSON.stringify(postureRecord(field));
    writer.add({ posture: normaliseRecord(JSON.parse(text)), bytes: Buffer.from(text) });
  }
  return writer.finish({}).snapshotId;
}

describe('snapshot diff scopes', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;

  beforeEach(() => {
    dir = makeTempDir('pw-diff-scope-');
    store = openStore(`${dir.path}/store.db`);
  });

  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('treats hosts outside a host scope as out of scope', () => {
    const a = writeScopedSnapshot(
      store,
      [
        { policyId: 1, hostId: 1 },
        { policyId: 1, hostId: 2 },
      ],
      [
        { policyId: 1, hostId: 1, controlId: 1, status: 'Passed' },
        { policyId: 1, hostId: 2, controlId: 1, status: 'Passed' },
        { policyId: 1, hostId: 2, controlId: 2, status: 'Passed' },
      ],
    );
    const b = writeScopedSnapshot(
      store,
      [
        { policyId: 1, hostId: 2 },
        { policyId: 1, hostId: 3 },
      ],
      [
        { policyId: 1, hostId: 2, controlId: 1, status: 'Failed' },
        { policyId: 1, hostId: 3, controlId: 1, status: 'Passed' },
      ],
    );
    const counts = diffCounts(store, a, b);
    expect(counts.outOfScope).toBe(2);
    expect(counts.removed).toBe(1);
    expect(counts.regressed).toBe(1);
    expect(counts.added).toBe(0);
    const rows = diffRows(store, { a, b, classes: ['outOfScope'] }).rows;
    expect(rows.map((row) => row.hostId).sort()).toEqual([1, 3]);
  });

  it('diffs snapshots with no overlap', async () => {
    const a = await importRecords(store, dir.path, 'a.json', [postureRecord({ policyId: 1, hostId: 1, controlId: 1, status: 'Passed' })]);
    const b = await importRecords(store, dir.path, 'b.json', [
      postureRecord({ policyId: 2, hostId: 1, controlId: 1, status: 'Failed' }),
      postureRecord({ policyId: 2, hostId: 1, controlId: 2, status: 'Failed' }),
    ]);
    const counts = diffCounts(store, a, b);
    expect(counts.outOfScope).toBe(3);
    expect(counts.added).toBe(0);
    expect(counts.removed).toBe(0);
    expect(diffRows(store, { a, b }).rows.every((row) => row.class === 'outOfScope')).toBe(true);
    expect(defaultBaseline(store, b)).toBeNull();
  });

  it('picks the latest overlapping baseline', async () => {
    const first = await importRecords(store, dir.path, '1.json', [postureRecord({ policyId: 1, hostId: 1, controlId: 1, status: 'Passed' })]);
    const second = await importRecords(store, dir.path, '2.json', [postureRecord({ policyId: 1, hostId: 1, controlId: 1, status: 'Failed' })]);
    const other = await importRecords(store, dir.path, '3.json', [postureRecord({ policyId: 9, hostId: 1, controlId: 1, status: 'Failed' })]);
    const latest = await importRecords(store, dir.path, '4.json', [postureRecord({ policyId: 1, hostId: 1, controlId: 1, status: 'Passed' })]);
    expect(defaultBaseline(store, latest)).toBe(second);
    expect(defaultBaseline(store, second)).toBe(first);
    expect(defaultBaseline(store, first)).toBeNull();
    expect(defaultBaseline(store, other)).toBeNull();
  });

  it('rejects an unknown snapshot', () => {
    expect(() => diffCounts(store, 41, 42)).toThrow(/Snapshot 41 does not exist/);
  });

  it('diffs an incremental snapshot against its base', async () => {
    const full = [1, 2, 3, 4].map((controlId) => postureRecord({ policyId: 1, hostId: 1, controlId, status: 'Passed' }));
    const a = await importRecords(store, dir.path, 'full.json', full);
    const b = await importRecords(
      store,
      dir.path,
      'changed.json',
      [postureRecord({ policyId: 1, hostId: 1, controlId: 2, status: 'Failed' }), postureRecord({ policyId: 1, hostId: 1, controlId: 5, status: 'Passed' })],
      { baseSnapshotId: a },
    );
    const counts = diffCounts(store, a, b);
    expect(counts.regressed).toBe(1);
    expect(counts.added).toBe(1);
    expect(counts.removed).toBe(0);
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(2);
    expect(defaultBaseline(store, b)).toBe(a);
  });
});
