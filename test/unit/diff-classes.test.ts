import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postureDiffDetail } from '../../db/diff-detail.js';
import { diffRollups, sumRollupCounts } from '../../db/diff-rollups.js';
import { DIFF_CLASSES, diffCounts, diffRows, type DiffClass, type DiffRow } from '../../db/diff.js';
import { openStore, type Store } from '../../db/store.js';
import { importRecords, postureRecord, type RecordFields } from '../helpers/diff-records.js';
import { makeTempDir } from '../helpers/temp.js';

/** One posture per case: its record in A and in B (null: absent), and the class the diff must give. */
interface Case {
  name: string;
  a: RecordFields | null;
  b: RecordFields | null;
  expected: DiffClass | 'unchanged';
}

const base = (controlId: number, status: string, extra: Partial<RecordFields> = {}): RecordFields => ({
  policyId: 1,
  hostId: 1,
  controlId,
  status,
  ...extra,
});

const CASES: Case[] = [
  { name: 'passed to failed', a: base(1, 'Passed'), b: base(1, 'Failed'), expected: 'regressed' },
  { name: 'passed to error', a: base(2, 'Passed'), b: base(2, 'Error'), expected: 'regressed' },
  { name: 'exception to failed', a: base(3, 'Passed*'), b: base(3, 'Failed'), expected: 'regressed' },
  { name: 'failed to passed', a: base(4, 'Failed'), b: base(4, 'Passed'), expected: 'fixed' },
  { name: 'error to passed', a: base(5, 'Error'), b: base(5, 'Passed'), expected: 'fixed' },
  { name: 'failed to exception', a: base(6, 'Failed'), b: base(6, 'Passed*'), expected: 'exception' },
  { name: 'passed to exception', a: base(7, 'Passed'), b: base(7, 'Passed*'), expected: 'exception' },
  { name: 'exception to passed', a: base(8, 'Passed*'), b: base(8, 'Passed'), expected: 'exception' },
  { name: 'failed to error', a: base(9, 'Failed'), b: base(9, 'Error'), expected: 'statusChanged' },
  {
    name: 'evidence moved',
    a: base(10, 'Failed', { currentValues: ['8'] }),
    b: base(10, 'Failed', { currentValues: ['10'] }),
    expected: 'evidenceChanged',
  },
  {
    name: 'expected value moved',
    a: base(11, 'Passed', { expectedValues: 'greater than or equal to\n14' }),
    b: base(11, 'Passed', { expectedValues: 'greater than or equal to\n16' }),
    expected: 'evidenceChanged',
  },
  { name: 'ip moved', a: base(12, 'Passed'), b: base(12, 'Passed', { ip: '10.9.9.9' }), expected: 'metadataChanged' },
  { name: 'criticality moved', a: base(13, 'Failed'), b: base(13, 'Failed', { criticality: 5 }), expected: 'metadataChanged' },
  {
    name: 'control text moved',
    a: base(14, 'Passed'),
    b: base(14, 'Passed', { controlStatement: 'Status of the renamed setting' }),
    expected: 'metadataChanged',
  },
  {
    name: 'dates moved only',
    a: base(15, 'Passed'),
    b: base(15, 'Passed', { lastEvaluatedDate: '2026-02-01T00:00:00Z' }),
    expected: 'unchanged',
  },
  { name: 'identical record', a: base(16, 'Failed'), b: base(16, 'Failed'), expected: 'unchanged' },
  { name: 'new posture', a: null, b: base(17, 'Passed'), expected: 'added' },
  { name: 'gone posture', a: base(18, 'Failed'), b: null, expected: 'removed' },
  { name: 'policy only in A', a: { policyId: 3, hostId: 1, controlId: 19, status: 'Passed' }, b: null, expected: 'outOfScope' },
  { name: 'policy only in B', a: null, b: { policyId: 4, hostId: 1, controlId: 20, status: 'Failed' }, expected: 'outOfScope' },
  {
    name: 'second host regressed',
    a: { policyId: 2, hostId: 2, controlId: 21, status: 'Passed', criticality: 5 },
    b: { policyId: 2, hostId: 2, controlId: 21, status: 'Failed', criticality: 5 },
    expected: 'regressed',
  },
];

function records(side: 'a' | 'b'): Record<string, unknown>[] {
  return CASES.flatMap((entry) => (entry[side] ? [postureRecord(entry[side])] : []));
}

function key(row: { policyId: number; hostId: number; controlId: number }): string {
  return `${row.policyId}/${row.hostId}/${row.controlId}`;
}

function caseKey(entry: Case): string {
  return key((entry.b ?? entry.a)!);
}

function allRows(store: Store, a: number, b: number, limit: number, extra: Partial<Parameters<typeof diffRows>[1]> = {}): DiffRow[] {
  const rows: DiffRow[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page = diffRows(store, { a, b, limit, after, ...extra });
    rows.push(...page.rows);
    after = page.nextCursor;
    if (after === null) break;
  }
  return rows;
}

describe('snapshot diff classes', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;
  let a: number;
  let b: number;

  beforeEach(async () => {
    dir = makeTempDir('pw-diff-');
    store = openStore(`${dir.path}/store.db`);
    a = await importRecords(store, dir.path, 'a.json', records('a'));
    b = await importRecords(store, dir.path, 'b.json.gz', records('b'));
  });

  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('counts every class', () => {
    const counts = diffCounts(store, a, b);
    for (const name of DIFF_CLASSES) {
      const expected = CASES.filter((entry) => entry.expected === name).length;
      expect(counts[name], name).toBe(expected);
    }
  });

  it('gives each posture its class', () => {
    const rows = allRows(store, a, b, 1000);
    const byKey = new Map(rows.map((row) => [key(row), row.class]));
    for (const entry of CASES) {
      const expected = entry.expected === 'unchanged' ? undefined : entry.expected;
      expect(byKey.get(caseKey(entry)), entry.name).toBe(expected);
    }
  });

  it('counts match the json key order', () => {
    expect(Object.keys(diffCounts(store, a, b))).toEqual([
      'added',
      'removed',
      'regressed',
      'fixed',
      'exception',
      'statusChanged',
      'evidenceChanged',
      'metadataChanged',
      'outOfScope',
    ]);
  });

  it('pages with a stable keyset', () => {
    const whole = allRows(store, a, b, 1000);
    const paged = allRows(store, a, b, 3);
    expect(paged.map((row) => row.postureId)).toEqual(whole.map((row) => row.postureId));
    expect(new Set(paged.map((row) => row.postureId)).size).toBe(paged.length);
    const ids = paged.map((row) => row.postureId);
    expect(ids).toEqual([...ids].sort((left, right) => left - right));
  });

  it('pages by criticality', () => {
    const paged = allRows(store, a, b, 2, { order: 'criticality' });
    expect(paged).toHaveLength(allRows(store, a, b, 1000).length);
    const levels = paged.map((row) => row.criticalityValue ?? -1);
    expect(levels).toEqual([...levels].sort((left, right) => right - left));
  });

  it('carries what a table shows', () => {
    const [row] = diffRows(store, { a, b, classes: ['regressed'], policyIds: [2] }).rows;
    expect(row).toMatchObject({
      policyId: 2,
      policyTitle: 'Policy 2',
      hostId: 2,
      controlId: 21,
      instance: 'os',
      class: 'regressed',
      statusA: 'Passed',
      statusB: 'Failed',
      criticalityValue: 5,
      criticalityLabel: 'LEVEL 5',
      technologyName: 'Red Hat Enterprise Linux 9.x',
      ip: '10.0.0.2',
      dns: 'host-2.example.test',
      controlStatement: 'Status of the setting of control 21',
    });
    expect(typeof row!.stateIdA).toBe('number');
    expect(typeof row!.stateIdB).toBe('number');
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  });

  it('filters rows and counts', () => {
    expect(diffRows(store, { a, b, classes: ['fixed'] }).rows.map((row) => row.controlId)).toEqual([4, 5]);
    expect(diffRows(store, { a, b, controlIds: [9, 10] }).rows.map((row) => row.class)).toEqual(['statusChanged', 'evidenceChanged']);
    expect(diffRows(store, { a, b, hostIds: [2] }).rows.map((row) => row.controlId)).toEqual([21]);
    expect(diffRows(store, { a, b, criticality: [5] }).rows.map((row) => row.controlId)).toEqual([13, 21]);
    expect(diffCounts(store, a, b, { policyIds: [2] }).regressed).toBe(1);
    expect(diffCounts(store, a, b, { policyIds: [1] }).regressed).toBe(3);
    expect(diffCounts(store, a, b, { policyIds: [1] }).outOfScope).toBe(0);
    expect(diffCounts(store, a, b, { hostIds: [1] }).added).toBe(1);
  });

  it('rejects a foreign cursor', () => {
    expect(() => diffRows(store, { a, b, after: 'abc' })).toThrow(/Invalid diff cursor "abc"/);
  });

  it('rolls up to the same counts', () => {
    const counts = diffCounts(store, a, b);
    for (const by of ['policy', 'host', 'control', 'technology', 'criticality'] as const) {
      expect(sumRollupCounts(diffRollups(store, a, b, by)), by).toEqual(counts);
    }
  });

  it('rolls up pass rates per policy', () => {
    const rollup = diffRollups(store, a, b, 'policy');
    const policy2 = rollup.groups.find((group) => group.key === 2)!;
    expect(policy2.a.passRate).toBe(1);
    expect(policy2.b.passRate).toBe(0);
    expect(policy2.passRateDelta).toBe(-1);
    expect(policy2.label).toBe('Policy 2');
    expect(rollup.appeared).toEqual([]);
    expect(rollup.disappeared).toEqual([]);
    expect(rollup.groups.find((group) => group.key === 3)!.b.total).toBe(0);
  });

  it('rolls up appeared and disappeared controls', () => {
    const rollup = diffRollups(store, a, b, 'control');
    expect(rollup.appeared).toEqual([17]);
    expect(rollup.disappeared).toEqual([18]);
  });

  it('details evidence as a line diff', () => {
    const row = diffRows(store, { a, b, controlIds: [11] }).rows[0]!;
    const detail = postureDiffDetail(store, a, b, row.postureId);
    expect(detail.class).toBe('evidenceChanged');
    const expected = detail.changes.find((change) => change.field === 'evidence.expectedValues')!;
    expect(expected.a).toBe('greater than or equal to\n14');
    expect(expected.b).toBe('greater than or equal to\n16');
    expect(expected.lines).toEqual([
      { op: 'equal', text: 'greater than or equal to' },
      { op: 'removed', text: '14' },
      { op: 'added', text: '16' },
    ]);
    expect(detail.changes.map((change) => change.field)).toEqual(['evidence.expectedValues']);
  });

  it('details metadata and date moves', () => {
    const ipRow = diffRows(store, { a, b, controlIds: [12] }).rows[0]!;
    const ip = postureDiffDetail(store, a, b, ipRow.postureId);
    expect(ip.changes).toEqual([{ field: 'ip', group: 'host', a: '10.0.0.1', b: '10.9.9.9' }]);

    const datesOnly = store.sqlite.prepare('SELECT id FROM postures WHERE control_id = 15').get() as { id: number };
    const dates = postureDiffDetail(store, a, b, datesOnly.id);
    expect(dates.class).toBe('unchanged');
    expect(dates.changes.map((change) => change.field)).toEqual(['lastEvaluatedDate']);
  });

  it('rejects a posture in neither snapshot', () => {
    expect(() => postureDiffDetail(store, a, b, 999_999)).toThrow(/Posture 999999 is in neither snapshot/);
  });
});
