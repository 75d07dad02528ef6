import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffCounts } from '../../db/diff.js';
import { passRateTrend, postureHistory } from '../../db/history.js';
import { deleteSnapshot } from '../../db/snapshots.js';
import { openStore, type Store } from '../../db/store.js';
import { importRecords, postureRecord } from '../helpers/diff-records.js';
import { makeTempDir } from '../helpers/temp.js';

describe('posture history and trend', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;
  let ids: number[];

  // Control 1 on host 1: Passed, then Failed, then Passed again, so it changes class twice.
  // Control 2 stays Failed; control 3 on host 2 exists in the first snapshot only.
  beforeEach(async () => {
    dir = makeTempDir('pw-diff-history-');
    store = openStore(`${dir.path}/store.db`);
    const statuses = ['Passed', 'Failed', 'Passed'];
    ids = [];
    for (const [day, status] of statuses.entries()) {
      const records = [
        postureRecord({ policyId: 1, hostId: 1, controlId: 1, status, lastEvaluatedDate: `2026-01-0${day + 1}T00:00:00Z` }),
        postureRecord({ policyId: 1, hostId: 1, controlId: 2, status: 'Failed' }),
      ];
      if (day === 0) records.push(postureRecord({ policyId: 1, hostId: 2, controlId: 3, status: 'Passed' }));
      ids.push(await importRecords(store, dir.path, `day-${day}.json`, records));
    }
  });

  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('lists a posture that changes class twice', () => {
    const [history] = postureHistory(store, { hostId: 1, controlId: 1 });
    expect(history!.entries.map((entry) => entry.status)).toEqual(['Passed', 'Failed', 'Passed']);
    expect(history!.entries.map((entry) => entry.change)).toEqual([null, 'regressed', 'fixed']);
    expect(history!.changes.map((change) => [change.snapshotId, change.class, change.statusFrom, change.statusTo])).toEqual([
      [ids[1], 'regressed', 'Passed', 'Failed'],
      [ids[2], 'fixed', 'Failed', 'Passed'],
    ]);
    expect(history!.entries[0]!.evidence).toMatchObject({ expected: 'greater than or equal to\n14', current: ['14'] });
    expect(history!.entries[0]!.evidenceSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches the diff of each pair', () => {
    expect(diffCounts(store, ids[0]!, ids[1]!, { hostIds: [1], controlIds: [1] }).regressed).toBe(1);
    expect(diffCounts(store, ids[1]!, ids[2]!, { hostIds: [1], controlIds: [1] }).fixed).toBe(1);
  });

  it('shows a removed posture as absent', () => {
    const [history] = postureHistory(store, { hostId: 2, controlId: 3, policyId: 1, instance: 'os' });
    expect(history!.entries.map((entry) => entry.present)).toEqual([true, false, false]);
    expect(history!.entries.map((entry) => entry.change)).toEqual([null, 'removed', null]);
    expect(history!.changes.map((change) => change.class)).toEqual(['removed']);
  });

  it('rejects an unknown posture', () => {
    expect(() => postureHistory(store, { hostId: 7, controlId: 7 })).toThrow(/No posture for host 7 and control 7/);
  });

  it('draws the pass rate per snapshot', () => {
    const whole = passRateTrend(store);
    expect(whole.map((point) => point.snapshotId)).toEqual(ids);
    expect(whole.map((point) => point.total)).toEqual([3, 2, 2]);
    expect(whole.map((point) => point.passRate)).toEqual([2 / 3, 0, 0.5]);
    const host2 = passRateTrend(store, { hostId: 2 });
    expect(host2.map((point) => [point.snapshotId, point.passed])).toEqual([[ids[0], 1]]);
    expect(passRateTrend(store, { policyId: 1 })).toEqual(whole);
    expect(passRateTrend(store, { policyId: 5 })).toEqual([]);
  });

  it('keeps stored counts until the snapshot goes', () => {
    passRateTrend(store);
    const stored = () => (store.sqlite.prepare('SELECT count(*) AS count FROM snapshot_status_counts_ready').get() as { count: number }).count;
    expect(stored()).toBe(3);
    deleteSnapshot(store, ids[1]!);
    expect(stored()).toBe(2);
    expect(passRateTrend(store).map((point) => point.snapshotId)).toEqual([ids[0], ids[2]]);
  });

  it('computes the trend on a read-only store', () => {
    const expected = passRateTrend(store, { hostId: 1 });
    store.close();
    store = openStore(`${dir.path}/store.db`, { readonly: true });
    expect(passRateTrend(store, { hostId: 1 })).toEqual(expected);
  });
});
