/**
 * The report's view of a snapshot diff. Every class comes from the store's diff
 * (db/diff.ts), so the report, `posture-workbench diff` and the app's diff screen agree:
 * class counts, the number of unchanged postures, the most critical regressions, and
 * every changed posture for diff.csv. A report scope (the postures a `--query` selects)
 * narrows all of them.
 */
import {
  armSql,
  countsSql,
  diffCounts,
  diffRows,
  emptyCounts,
  MAX_PAGE_SIZE,
  readScope,
  type DiffClass,
  type DiffCounts,
  type DiffOrder,
  type DiffRow,
} from '../../db/diff.js';
import type { Store } from '../../db/store.js';
import type { PostureScope } from './scope.js';

/** Classes of postures that both snapshots hold; the other classes are one-sided. */
const BOTH_SIDES_CLASSES: readonly DiffClass[] = ['regressed', 'fixed', 'exception', 'statusChanged', 'evidenceChanged', 'metadataChanged'];

export interface ReportDiffCounts {
  counts: DiffCounts;
  /** Postures in both snapshots that no class covers: the same state, or one that differs only in dates, record ID or policy title. */
  unchanged: number;
}

function sharedCount(store: Store, a: number, b: number, scope: PostureScope | null): number {
  const filter = scope ? `AND a.posture_id IN (SELECT posture_id FROM ${scope.table})` : '';
  const row = store.sqlite
    .prepare(
      `SELECT count(*) AS count FROM snapshot_members a
         JOIN snapshot_members b ON b.snapshot_id = ? AND b.posture_id = a.posture_id
        WHERE a.snapshot_id = ? ${filter}`,
    )
    .get(b, a) as { count: number };
  return row.count;
}

/**
 * Counts the classes of the postures in `scope`: the arms of `diffCounts` with the scope
 * added to their WHERE terms, so the class expression is the store's own.
 */
function scopedCounts(store: Store, a: number, b: number, scope: PostureScope): DiffCounts {
  const scopeA = readScope(store, a);
  const scopeB = readScope(store, b);
  const counts = emptyCounts();
  for (const arm of ['a', 'b'] as const) {
    const sql = armSql(arm, scopeA, scopeB, { filters: {}, joinControl: false });
    sql.where.push(`${sql.postureIdExpr} IN (SELECT posture_id FROM ${scope.table})`);
    for (const row of store.sqlite.prepare(countsSql(sql)).all() as { class: string; count: number }[]) {
      if (row.class !== 'unchanged') counts[row.class as DiffClass] += row.count;
    }
  }
  return counts;
}

/** Counts each diff class from baseline `a` to snapshot `b`, and the unchanged postures. */
export function reportDiffCounts(store: Store, a: number, b: number, scope: PostureScope | null = null): ReportDiffCounts {
  const counts = scope ? scopedCounts(store, a, b, scope) : diffCounts(store, a, b);
  const changedInBoth = BOTH_SIDES_CLASSES.reduce((sum, name) => sum + counts[name], 0);
  return { counts, unchanged: sharedCount(store, a, b, scope) - changedInBoth };
}

/** Returns the rows of `rows` whose posture is in `scope`. */
function inScope(store: Store, scope: PostureScope, rows: DiffRow[]): DiffRow[] {
  if (rows.length === 0) return rows;
  const ids = store.sqlite
    .prepare(`SELECT posture_id FROM ${scope.table} WHERE posture_id IN (SELECT value FROM json_each(?))`)
    .pluck()
    .all(JSON.stringify(rows.map((row) => row.postureId))) as number[];
  const kept = new Set(ids);
  return rows.filter((row) => kept.has(row.postureId));
}

export interface DiffRowsOptions {
  classes?: readonly DiffClass[];
  order?: DiffOrder;
  /** Rows per page read from the store; default and maximum `MAX_PAGE_SIZE`. */
  pageSize?: number;
}

/**
 * Yields the changed postures from `a` to `b` in pages, as `diffRows` returns them, kept to
 * `scope` when one is given. A scoped page may be short or empty, because the store pages
 * through every changed posture and the scope is applied to each page.
 */
export function* iterateDiffRows(
  store: Store,
  a: number,
  b: number,
  scope: PostureScope | null,
  options: DiffRowsOptions = {},
): Generator<DiffRow[]> {
  let after: string | null = null;
  do {
    const page = diffRows(store, {
      a,
      b,
      classes: options.classes,
      order: options.order ?? 'posture',
      limit: options.pageSize ?? MAX_PAGE_SIZE,
      after,
    });
    yield scope ? inScope(store, scope, page.rows) : page.rows;
    after = page.nextCursor;
  } while (after !== null);
}

/** Returns the `limit` most critical regressions in scope, highest criticality first, then by posture id. */
export function topRegressions(store: Store, a: number, b: number, scope: PostureScope | null, limit: number): DiffRow[] {
  if (!scope) return diffRows(store, { a, b, classes: ['regressed'], order: 'criticality', limit }).rows;
  const rows: DiffRow[] = [];
  for (const page of iterateDiffRows(store, a, b, scope, { classes: ['regressed'], order: 'criticality' })) {
    rows.push(...page);
    if (rows.length >= limit) break;
  }
  return rows.slice(0, limit);
}
