/**
 * Diff roll-ups: pass rates at A and at B and the diff class counts, grouped by policy,
 * host, control, technology or criticality. Unlike counts and rows, a roll-up reads every
 * member of both snapshots, so its cost grows with the snapshot size (see the benchmark).
 */
import { AppError } from './errors.js';
import { armSql, DIFF_CLASSES, emptyCounts, filterSql, readScope, type DiffClass, type DiffCounts, type DiffFilters } from './diff.js';
import type { Store } from './store.js';

export const ROLLUP_DIMENSIONS = ['policy', 'host', 'control', 'technology', 'criticality'] as const;

export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

/** Status totals of one group in one snapshot. */
export interface SideTotals {
  total: number;
  passed: number;
  failed: number;
  error: number;
  /** Approved exceptions (Passed*). */
  exception: number;
  other: number;
  /** (passed + exception) / total: an approved exception counts as compliant; null when total is 0. */
  passRate: number | null;
}

export interface RollupGroup {
  /** Policy, host or control ID, technology ID or criticality value; null when the records had none. */
  key: number | null;
  /** Policy title, host DNS name (else IP), control statement, technology name or criticality label. */
  label: string | null;
  a: SideTotals;
  b: SideTotals;
  /** b.passRate − a.passRate; null unless both exist. */
  passRateDelta: number | null;
  counts: DiffCounts;
}

export interface DiffRollup {
  by: RollupDimension;
  groups: RollupGroup[];
  /** Keys with postures in B only, at least one of them added (not merely out of A's scope). */
  appeared: (number | null)[];
  /** Keys with postures in A only, at least one of them removed (not merely out of B's scope). */
  disappeared: (number | null)[];
}

const KEY_SQL: Record<RollupDimension, string> = {
  policy: 'p.policy_id',
  host: 'p.host_id',
  control: 'p.control_id',
  technology: 'c.technology_id',
  criticality: 'c.criticality_value',
};

// Criticality groups by value and label, and mergeLabelRows joins the labels of a value:
// customers can name one value differently on different controls.
const LABEL_SQL: Partial<Record<RollupDimension, string>> = {
  technology: 'max(c.technology_name)',
  criticality: 'c.criticality_label',
};

interface LabelledCounts {
  key: number | string | null;
  label: string | null;
  total: number;
  passed: number;
  failed: number;
  error: number;
  exception: number;
  other: number;
}

/**
 * Merges rows of the same key that differ in label: counts add up, and the label lists
 * every label, the one with the most postures first ("URGENT / high updated").
 */
export function mergeLabelRows<T extends LabelledCounts>(rows: readonly T[]): T[] {
  const merged = new Map<T['key'], { row: T; labels: { label: string; total: number }[] }>();
  for (const row of rows) {
    const entry = merged.get(row.key);
    if (!entry) {
      merged.set(row.key, { row: { ...row }, labels: row.label === null ? [] : [{ label: row.label, total: row.total }] });
      continue;
    }
    for (const field of ['total', 'passed', 'failed', 'error', 'exception', 'other'] as const) entry.row[field] += row[field];
    if (row.label !== null) entry.labels.push({ label: row.label, total: row.total });
  }
  return [...merged.values()].map(({ row, labels }) => ({
    ...row,
    label: labels.length === 0 ? null : labels.sort((a, b) => b.total - a.total || a.label.localeCompare(b.label)).map((entry) => entry.label).join(' / '),
  }));
}

function needsControl(by: RollupDimension, filters: DiffFilters): boolean {
  return by === 'technology' || by === 'criticality' || (filters.criticality?.length ?? 0) > 0;
}

interface TotalsRow {
  key: number | null;
  label: string | null;
  total: number;
  passed: number;
  failed: number;
  error: number;
  exception: number;
  other: number;
}

function emptyTotals(): SideTotals {
  return { total: 0, passed: 0, failed: 0, error: 0, exception: 0, other: 0, passRate: null };
}

function sideTotals(store: Store, snapshotId: number, by: RollupDimension, filters: DiffFilters): Map<number | null, TotalsRow> {
  const joinControl = needsControl(by, filters);
  const where = [`m.snapshot_id = ${snapshotId}`, ...filterSql(filters)];
  const rows = store.sqlite
    .prepare(
      `SELECT ${KEY_SQL[by]} AS key, ${LABEL_SQL[by] ?? 'NULL'} AS label, count(*) AS total,
              sum(s.status_class = 'pass') AS passed, sum(s.status_class = 'fail') AS failed,
              sum(s.status_class = 'error') AS error, sum(s.status_class = 'exception') AS exception,
              sum(s.status_class = 'other') AS other
         FROM snapshot_members m
         CROSS JOIN postures p ON p.id = m.posture_id
         JOIN posture_states s ON s.id = m.state_id
         ${joinControl ? 'LEFT JOIN control_revisions c ON c.id = s.control_revision_id' : ''}
        WHERE ${where.join(' AND ')}
        GROUP BY ${by === 'criticality' ? '1, 2' : '1'}`,
    )
    .all() as TotalsRow[];
  return new Map(mergeLabelRows(rows).map((row) => [row.key, row]));
}

function toSide(row: TotalsRow | undefined): SideTotals {
  if (!row) return emptyTotals();
  const { total, passed, failed, error, exception, other } = row;
  return { total, passed, failed, error, exception, other, passRate: total > 0 ? (passed + exception) / total : null };
}

/** Labels that the grouping query cannot carry cheaply: looked up once per group. */
function lookUpLabel(store: Store, by: RollupDimension, key: number | null): string | null {
  if (key === null) return null;
  if (by === 'policy') {
    return (store.sqlite.prepare('SELECT title FROM policies WHERE id = ?').get(key) as { title: string | null } | undefined)?.title ?? null;
  }
  if (by === 'host') {
    const row = store.sqlite
      .prepare('SELECT coalesce(dns, ip) AS label FROM host_revisions WHERE host_id = ? ORDER BY id DESC LIMIT 1')
      .get(key) as { label: string | null } | undefined;
    return row?.label ?? null;
  }
  if (by === 'control') {
    const row = store.sqlite
      .prepare(
        `SELECT t.body AS label FROM control_revisions c LEFT JOIN texts t ON t.id = c.statement_text_id
          WHERE c.control_id = ? ORDER BY c.id DESC LIMIT 1`,
      )
      .get(key) as { label: string | null } | undefined;
    return row?.label ?? null;
  }
  return null;
}

/** Groups the diff of `a` → `b` by `by`, with pass rates at A and B, their delta and the class counts. */
export function diffRollups(store: Store, a: number, b: number, by: RollupDimension, filters: DiffFilters = {}): DiffRollup {
  if (!(ROLLUP_DIMENSIONS as readonly string[]).includes(by)) {
    throw new AppError('USAGE', `Unknown roll-up dimension "${by}". Use one of: ${ROLLUP_DIMENSIONS.join(', ')}.`);
  }
  const scopeA = readScope(store, a);
  const scopeB = readScope(store, b);

  // 1. Status totals on each side.
  const totalsA = sideTotals(store, a, by, filters);
  const totalsB = sideTotals(store, b, by, filters);

  // 2. Diff classes per group, from both arms of the diff.
  const classCounts = new Map<number | null, DiffCounts>();
  for (const arm of ['a', 'b'] as const) {
    const sql = armSql(arm, scopeA, scopeB, { filters, joinControl: needsControl(by, filters) });
    const rows = store.sqlite
      .prepare(
        `SELECT ${KEY_SQL[by]} AS key, ${sql.classExpr} AS class, count(*) AS count
           FROM ${sql.from} WHERE ${sql.where.join(' AND ')} GROUP BY 1, 2`,
      )
      .all() as { key: number | null; class: DiffClass | 'unchanged'; count: number }[];
    for (const row of rows) {
      if (row.class === 'unchanged') continue;
      const counts = classCounts.get(row.key) ?? emptyCounts();
      counts[row.class] += row.count;
      classCounts.set(row.key, counts);
    }
  }

  // 3. One group per key seen anywhere, in key order with null last.
  const keys = [...new Set([...totalsA.keys(), ...totalsB.keys(), ...classCounts.keys()])].sort((left, right) => {
    if (left === null) return right === null ? 0 : 1;
    if (right === null) return -1;
    return left - right;
  });
  const groups = keys.map((key): RollupGroup => {
    const sideA = toSide(totalsA.get(key));
    const sideB = toSide(totalsB.get(key));
    const label = totalsB.get(key)?.label ?? totalsA.get(key)?.label ?? lookUpLabel(store, by, key);
    const delta = sideA.passRate !== null && sideB.passRate !== null ? sideB.passRate - sideA.passRate : null;
    return { key, label, a: sideA, b: sideB, passRateDelta: delta, counts: classCounts.get(key) ?? emptyCounts() };
  });
  return {
    by,
    groups,
    appeared: groups.filter((group) => group.a.total === 0 && group.counts.added > 0).map((group) => group.key),
    disappeared: groups.filter((group) => group.b.total === 0 && group.counts.removed > 0).map((group) => group.key),
  };
}

/** Sums the class counts of every group; equal to `diffCounts` for the same filters. */
export function sumRollupCounts(rollup: DiffRollup): DiffCounts {
  const total = emptyCounts();
  for (const group of rollup.groups) for (const name of DIFF_CLASSES) total[name] += group.counts[name];
  return total;
}
