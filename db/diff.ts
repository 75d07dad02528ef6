/**
 * Snapshot diff: classifies the postures of two complete snapshots A → B, counts each
 * class, pages through the changed postures, and picks the default baseline. Roll-ups
 * are in db/diff-rollups.ts, the field-level detail of one posture in db/diff-detail.ts.
 *
 * Each posture gets exactly one class; the first rule that matches wins:
 *  1. On one side only: `outOfScope` when its policy (or, where the other snapshot's scope
 *     names hosts, its policy and host) is outside the other snapshot's scope, else
 *     `removed` (A only) or `added` (B only).
 *  2. `regressed`: A is Passed or Passed* and B is Failed or Error. A Passed* → Failed
 *     move is a regression first, because the posture stopped counting as compliant.
 *  3. `fixed`: A is Failed or Error and B is Passed.
 *  4. `exception`: any other move into or out of an approved exception (Passed*).
 *  5. `statusChanged`: any other change of the verbatim status.
 *  6. `evidenceChanged`: same status, different evidence hash (expected, current, actual
 *     and extended evidence, and the cause of failure).
 *  7. `metadataChanged`: same status and evidence, another control or host revision
 *     (control text, criticality, technology, IP, DNS, OS and the like).
 * Anything else is unchanged and never reported: two states that differ only in dates,
 * record id or policy title are the same posture for an auditor.
 *
 * The queries walk A's members in posture id order and look each posture up in B by
 * the `snapshot_members` primary key, so unchanged postures (same state id) cost one
 * index lookup and never touch `posture_states`.
 * NOTE: when every record was re-sent with new dates (a full daily pull), every state id
 * differs and each posture costs two state lookups. The benchmark measured about 3 s for a
 * million postures then, and about 0.6 s when only the changed postures have new states.
 */
import { AppError } from './errors.js';
import { requireCompleteSnapshot } from './snapshots.js';
import type { Store } from './store.js';

/** Every diff class, in the key order of the `counts` object that `diff --json` prints. */
export const DIFF_CLASSES = [
  'added',
  'removed',
  'regressed',
  'fixed',
  'exception',
  'statusChanged',
  'evidenceChanged',
  'metadataChanged',
  'outOfScope',
] as const;

export type DiffClass = (typeof DIFF_CLASSES)[number];

/** Number of postures in each diff class. */
export type DiffCounts = Record<DiffClass, number>;

/** Filters shared by counts, rows and roll-ups; an empty or missing list means no filter. */
export interface DiffFilters {
  policyIds?: readonly number[];
  hostIds?: readonly number[];
  controlIds?: readonly number[];
  /** Criticality values (`criticality.value` of the record), of B's state when present, else A's. */
  criticality?: readonly number[];
}

/** Row order: posture id (stable, fastest) or criticality, highest first, then posture id. */
export type DiffOrder = 'posture' | 'criticality';

export interface DiffRowsQuery extends DiffFilters {
  a: number;
  b: number;
  classes?: readonly DiffClass[];
  order?: DiffOrder;
  /** `nextCursor` of the previous page; null or missing for the first page. */
  after?: string | null;
  /** Rows per page, 1 to 10,000; default 100. */
  limit?: number;
}

/** One changed posture as a table shows it; attributes come from B's state when present. */
export interface DiffRow {
  postureId: number;
  policyId: number;
  policyTitle: string | null;
  hostId: number;
  controlId: number;
  instance: string;
  class: DiffClass;
  statusA: string | null;
  statusB: string | null;
  stateIdA: number | null;
  stateIdB: number | null;
  criticalityValue: number | null;
  criticalityLabel: string | null;
  technologyName: string | null;
  ip: string | null;
  dns: string | null;
  controlStatement: string | null;
}

export interface DiffPage {
  rows: DiffRow[];
  /** Pass as `after` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 10_000;

/** The scope of one snapshot, as the diff needs it. */
export interface SnapshotScope {
  id: number;
  policyIds: number[];
  hostScopeKnown: boolean;
}

/** Side of the diff that an arm walks: A's members (changed and removed) or B's only (added). */
export type Arm = 'a' | 'b';

/** Starting table of an arm: every member in posture order, or the postures that match a host or control filter. */
type Drive = 'members' | 'postures';

export interface ArmOptions {
  filters: DiffFilters;
  /** Join `control_revisions c` for criticality, technology or roll-up keys. */
  joinControl: boolean;
  drive?: Drive;
}

/** The pieces of one arm's SQL; every id and filter value in them is a validated integer. */
export interface ArmSql {
  from: string;
  where: string[];
  classExpr: string;
  postureIdExpr: string;
  stateAExpr: string;
  stateBExpr: string;
  /** Control revision of B's state when present, else A's. */
  controlRevisionExpr: string;
  /** Host revision of B's state when present, else A's. */
  hostRevisionExpr: string;
}

const BOTH_SIDES_CLASS = `CASE
      WHEN sa.status_class IN ('pass', 'exception') AND sb.status_class IN ('fail', 'error') THEN 'regressed'
      WHEN sa.status_class IN ('fail', 'error') AND sb.status_class = 'pass' THEN 'fixed'
      WHEN sa.is_exception <> sb.is_exception THEN 'exception'
      WHEN sa.status <> sb.status THEN 'statusChanged'
      WHEN sa.evidence_sha256 IS NOT sb.evidence_sha256 THEN 'evidenceChanged'
      WHEN sa.control_revision_id <> sb.control_revision_id OR sa.host_revision_id <> sb.host_revision_id THEN 'metadataChanged'
      ELSE 'unchanged'
    END`;

/** Returns a zero for every class. */
export function emptyCounts(): DiffCounts {
  return Object.fromEntries(DIFF_CLASSES.map((name) => [name, 0])) as DiffCounts;
}

/** Throws a USAGE error unless `name` is a diff class. */
export function parseDiffClass(name: string): DiffClass {
  if ((DIFF_CLASSES as readonly string[]).includes(name)) return name as DiffClass;
  throw new AppError('USAGE', `Unknown diff class "${name}". Use one of: ${DIFF_CLASSES.join(', ')}.`);
}

function integerList(values: readonly number[] | undefined, what: string): string | null {
  if (!values || values.length === 0) return null;
  for (const value of values) {
    if (!Number.isSafeInteger(value)) {
      throw new AppError('INVALID_INPUT', `${what} must be whole numbers, got ${String(value)}.`);
    }
  }
  return [...new Set(values)].join(', ');
}

/** Reads the scope of a complete snapshot; throws NOT_FOUND for a missing or unfinished one. */
export function readScope(store: Store, snapshotId: number): SnapshotScope {
  const info = requireCompleteSnapshot(store, snapshotId);
  return { id: info.id, policyIds: info.scopePolicyIds, hostScopeKnown: info.hostScopeKnown };
}

/** SQL that is true when posture `p` lies inside `scope`. */
function inScopeSql(scope: SnapshotScope): string {
  if (scope.policyIds.length === 0) return '0';
  const policies = `p.policy_id IN (${scope.policyIds.join(', ')})`;
  if (!scope.hostScopeKnown) return policies;
  return (
    `${policies} AND EXISTS (SELECT 1 FROM snapshot_hosts sh WHERE sh.snapshot_id = ${scope.id} ` +
    'AND sh.policy_id = p.policy_id AND sh.host_id = p.host_id)'
  );
}

/** WHERE terms for `filters` over `postures p` and `control_revisions c`. */
export function filterSql(filters: DiffFilters): string[] {
  const where: string[] = [];
  const policies = integerList(filters.policyIds, 'Policy IDs');
  const hosts = integerList(filters.hostIds, 'Host IDs');
  const controls = integerList(filters.controlIds, 'Control IDs');
  const criticality = integerList(filters.criticality, 'Criticality values');
  if (policies) where.push(`p.policy_id IN (${policies})`);
  if (hosts) where.push(`p.host_id IN (${hosts})`);
  if (controls) where.push(`p.control_id IN (${controls})`);
  if (criticality) where.push(`c.criticality_value IN (${criticality})`);
  return where;
}

export function hasFilters(filters: DiffFilters): boolean {
  return [filters.policyIds, filters.hostIds, filters.controlIds, filters.criticality].some(
    (list) => list !== undefined && list.length > 0,
  );
}

/**
 * Starts from the postures when a host or control filter names a few of them. Otherwise the
 * walk over A's members in posture order is the cheapest plan.
 */
function chooseDrive(filters: DiffFilters): Drive {
  const hosts = filters.hostIds?.length ?? 0;
  const controls = filters.controlIds?.length ?? 0;
  return hosts > 0 || controls > 0 ? 'postures' : 'members';
}

/**
 * Builds one arm of the diff. Arm 'a' walks A's members and yields every posture whose
 * state differs in B or that B lacks. Arm 'b' walks B's members that A lacks. CROSS JOIN
 * fixes the join order, so SQLite never starts from a table the plan tests did not expect.
 */
export function armSql(arm: Arm, scopeA: SnapshotScope, scopeB: SnapshotScope, options: ArmOptions): ArmSql {
  const drive = options.drive ?? chooseDrive(options.filters);
  const where = filterSql(options.filters);
  const joinControl = options.joinControl || (options.filters.criticality?.length ?? 0) > 0;

  if (arm === 'a') {
    const controlRevisionExpr = 'coalesce(sb.control_revision_id, sa.control_revision_id)';
    const members =
      drive === 'members'
        ? `snapshot_members a
           LEFT JOIN snapshot_members b ON b.snapshot_id = ${scopeB.id} AND b.posture_id = a.posture_id
           CROSS JOIN postures p ON p.id = a.posture_id`
        : `postures p
           CROSS JOIN snapshot_members a ON a.snapshot_id = ${scopeA.id} AND a.posture_id = p.id
           LEFT JOIN snapshot_members b ON b.snapshot_id = ${scopeB.id} AND b.posture_id = a.posture_id`;
    const from = `${members}
           LEFT JOIN posture_states sa ON sa.id = a.state_id
           LEFT JOIN posture_states sb ON sb.id = b.state_id
           ${joinControl ? `LEFT JOIN control_revisions c ON c.id = ${controlRevisionExpr}` : ''}`;
    return {
      from,
      where: [`a.snapshot_id = ${scopeA.id}`, 'b.state_id IS NOT a.state_id', ...where],
      classExpr: `CASE WHEN b.state_id IS NULL THEN (CASE WHEN ${inScopeSql(scopeB)} THEN 'removed' ELSE 'outOfScope' END)
        ELSE ${BOTH_SIDES_CLASS} END`,
      postureIdExpr: 'a.posture_id',
      stateAExpr: 'a.state_id',
      stateBExpr: 'b.state_id',
      controlRevisionExpr,
      hostRevisionExpr: 'coalesce(sb.host_revision_id, sa.host_revision_id)',
    };
  }

  const members =
    drive === 'members'
      ? `snapshot_members b
         CROSS JOIN postures p ON p.id = b.posture_id`
      : `postures p
         CROSS JOIN snapshot_members b ON b.snapshot_id = ${scopeB.id} AND b.posture_id = p.id`;
  const from = `${members}
         LEFT JOIN posture_states sb ON sb.id = b.state_id
         ${joinControl ? 'LEFT JOIN control_revisions c ON c.id = sb.control_revision_id' : ''}`;
  return {
    from,
    where: [
      `b.snapshot_id = ${scopeB.id}`,
      `NOT EXISTS (SELECT 1 FROM snapshot_members a WHERE a.snapshot_id = ${scopeA.id} AND a.posture_id = b.posture_id)`,
      ...where,
    ],
    classExpr: `CASE WHEN ${inScopeSql(scopeA)} THEN 'added' ELSE 'outOfScope' END`,
    postureIdExpr: 'b.posture_id',
    stateAExpr: 'NULL',
    stateBExpr: 'b.state_id',
    controlRevisionExpr: 'sb.control_revision_id',
    hostRevisionExpr: 'sb.host_revision_id',
  };
}

/** SQL of the class counts of one arm; exported for the query plan tests. */
export function countsSql(arm: ArmSql): string {
  return `SELECT ${arm.classExpr} AS class, count(*) AS count
            FROM ${arm.from}
           WHERE ${arm.where.join(' AND ')}
           GROUP BY 1`;
}

function memberCount(store: Store, snapshotId: number): number {
  const row = store.sqlite.prepare('SELECT count(*) AS count FROM snapshot_members WHERE snapshot_id = ?').get(snapshotId) as {
    count: number;
  };
  return row.count;
}

/** Counts the postures of each diff class between snapshots `a` and `b`. */
export function diffCounts(store: Store, a: number, b: number, filters: DiffFilters = {}): DiffCounts {
  const scopeA = readScope(store, a);
  const scopeB = readScope(store, b);
  const counts = emptyCounts();

  // 1. A's side: changed, removed, and out of B's scope.
  const armA = armSql('a', scopeA, scopeB, { filters, joinControl: false });
  for (const row of store.sqlite.prepare(countsSql(armA)).all() as { class: string; count: number }[]) {
    if (row.class !== 'unchanged') counts[row.class as DiffClass] += row.count;
  }

  // 2. B's side. Without filters, when A's scope covers B's, every posture only B has is
  // `added` and their number follows from the member counts, which saves a second walk.
  const aOnly = counts.removed + counts.outOfScope;
  const bWithinA =
    !scopeA.hostScopeKnown && scopeB.policyIds.every((policyId) => scopeA.policyIds.includes(policyId));
  if (!hasFilters(filters) && bWithinA) {
    const shared = memberCount(store, a) - aOnly;
    counts.added = memberCount(store, b) - shared;
    return counts;
  }
  const armB = armSql('b', scopeA, scopeB, { filters, joinControl: false });
  for (const row of store.sqlite.prepare(countsSql(armB)).all() as { class: string; count: number }[]) {
    counts[row.class as DiffClass] += row.count;
  }
  return counts;
}

interface PageKey {
  postureId: number;
  stateA: number | null;
  stateB: number | null;
  class: DiffClass;
  criticality: number;
}

/** Parses a cursor made by `formatCursor`; throws INVALID_INPUT for any other text. */
function parseCursor(cursor: string, order: DiffOrder): { criticality: number; postureId: number } {
  const pattern = order === 'posture' ? /^(\d+)$/ : /^(-?\d+):(\d+)$/;
  const match = pattern.exec(cursor);
  if (!match) {
    throw new AppError(
      'INVALID_INPUT',
      `Invalid diff cursor "${cursor}" for order "${order}". Pass the nextCursor of the previous page unchanged.`,
    );
  }
  return order === 'posture'
    ? { criticality: 0, postureId: Number(match[1]) }
    : { criticality: Number(match[1]), postureId: Number(match[2]) };
}

function formatCursor(key: PageKey, order: DiffOrder): string {
  return order === 'posture' ? String(key.postureId) : `${key.criticality}:${key.postureId}`;
}

/** Returns the arms that can yield one of `classes`, because arm 'b' yields only added and out-of-scope postures. */
function armsFor(classes: readonly DiffClass[]): Arm[] {
  const arms: Arm[] = [];
  if (classes.some((name) => name !== 'added')) arms.push('a');
  if (classes.some((name) => name === 'added' || name === 'outOfScope')) arms.push('b');
  return arms;
}

export interface PageSqlQuery {
  filters: DiffFilters;
  classes: readonly DiffClass[];
  order: DiffOrder;
  cursor: { criticality: number; postureId: number } | null;
  /** Highest posture id to return (posture order only). */
  upTo?: number | null;
}

/**
 * Builds the SQL of one page of keys (posture, states, class) from one arm, or from both
 * arms merged in criticality order. Exported for the query plan tests. Criticality order
 * sorts every changed posture, so it suits a report better than scrolling.
 */
export function pageSql(scopeA: SnapshotScope, scopeB: SnapshotScope, arms: readonly Arm[], query: PageSqlQuery): string {
  const byCriticality = query.order === 'criticality';
  const classList = query.classes.map((name) => `'${name}'`).join(', ');
  const selects = arms.map((arm) => {
    const sql = armSql(arm, scopeA, scopeB, { filters: query.filters, joinControl: byCriticality });
    const criticalityExpr = byCriticality ? 'coalesce(c.criticality_value, -1)' : '0';
    const where = [...sql.where, `(${sql.classExpr}) IN (${classList})`];
    if (query.cursor && !byCriticality) where.push(`${sql.postureIdExpr} > ${query.cursor.postureId}`);
    if (query.cursor && byCriticality) {
      const { criticality, postureId } = query.cursor;
      where.push(`(${criticalityExpr} < ${criticality} OR (${criticalityExpr} = ${criticality} AND ${sql.postureIdExpr} > ${postureId}))`);
    }
    if (query.upTo != null) where.push(`${sql.postureIdExpr} <= ${query.upTo}`);
    return `SELECT ${sql.postureIdExpr} AS postureId, ${sql.stateAExpr} AS stateA, ${sql.stateBExpr} AS stateB,
                   ${sql.classExpr} AS class, ${criticalityExpr} AS criticality
              FROM ${sql.from}
             WHERE ${where.join(' AND ')}`;
  });
  const orderBy = byCriticality ? 'criticality DESC, postureId' : 'postureId';
  return `${selects.join('\nUNION ALL\n')}\nORDER BY ${orderBy} LIMIT @limit`;
}

/**
 * Reads `count` keys in posture order. Arm 'b' finds nothing without walking B's members
 * and probing A for each, and new postures have the highest ids, so a merged query would
 * walk all of B before its first row. Arm 'a' is read first instead; arm 'b' then only
 * needs the posture id range that A's page covers.
 */
function readKeysByPosture(
  store: Store,
  scopeA: SnapshotScope,
  scopeB: SnapshotScope,
  query: PageSqlQuery,
  count: number,
): PageKey[] {
  const arms = armsFor(query.classes);
  let keysA: PageKey[] = [];
  let upTo: number | null = null;
  if (arms.includes('a')) {
    keysA = store.sqlite.prepare(pageSql(scopeA, scopeB, ['a'], query)).all({ limit: count }) as PageKey[];
    if (keysA.length === count) upTo = keysA[keysA.length - 1]!.postureId;
  }
  if (!arms.includes('b')) return keysA;

  const keysB = store.sqlite.prepare(pageSql(scopeA, scopeB, ['b'], { ...query, upTo })).all({ limit: count }) as PageKey[];
  return [...keysA, ...keysB].sort((left, right) => left.postureId - right.postureId).slice(0, count);
}

const ROW_DETAILS_SQL = `
  SELECT p.policy_id AS policyId, pol.title AS policyTitle, p.host_id AS hostId, p.control_id AS controlId,
         p.instance AS instance, sa.status AS statusA, sb.status AS statusB,
         c.criticality_value AS criticalityValue, c.criticality_label AS criticalityLabel,
         c.technology_name AS technologyName, h.ip AS ip, h.dns AS dns, t.body AS controlStatement
    FROM postures p
    LEFT JOIN policies pol ON pol.id = p.policy_id
    LEFT JOIN posture_states sa ON sa.id = @stateA
    LEFT JOIN posture_states sb ON sb.id = @stateB
    LEFT JOIN control_revisions c ON c.id = coalesce(sb.control_revision_id, sa.control_revision_id)
    LEFT JOIN host_revisions h ON h.id = coalesce(sb.host_revision_id, sa.host_revision_id)
    LEFT JOIN texts t ON t.id = c.statement_text_id
   WHERE p.id = @postureId`;

/** Pages through the changed postures of `a` → `b`, filtered by class, policy, host, control and criticality. */
export function diffRows(store: Store, query: DiffRowsQuery): DiffPage {
  const scopeA = readScope(store, query.a);
  const scopeB = readScope(store, query.b);
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new AppError('INVALID_INPUT', `The page size must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${limit}.`);
  }
  const order = query.order ?? 'posture';
  const classes = query.classes && query.classes.length > 0 ? [...new Set(query.classes)] : [...DIFF_CLASSES];
  for (const name of classes) parseDiffClass(name);
  const cursor = query.after ? parseCursor(query.after, order) : null;

  // 1. One key more than the page size shows whether another page follows.
  const pageQuery: PageSqlQuery = { filters: query, classes, order, cursor };
  const keys =
    order === 'posture'
      ? readKeysByPosture(store, scopeA, scopeB, pageQuery, limit + 1)
      : (store.sqlite.prepare(pageSql(scopeA, scopeB, armsFor(classes), pageQuery)).all({ limit: limit + 1 }) as PageKey[]);
  const more = keys.length > limit;
  const page = more ? keys.slice(0, limit) : keys;

  // 2. What the table shows, for this page only.
  const details = store.sqlite.prepare(ROW_DETAILS_SQL);
  const rows = page.map((key): DiffRow => {
    const detail = details.get({ postureId: key.postureId, stateA: key.stateA, stateB: key.stateB }) as Omit<
      DiffRow,
      'postureId' | 'class' | 'stateIdA' | 'stateIdB'
    >;
    return { postureId: key.postureId, ...detail, class: key.class, stateIdA: key.stateA, stateIdB: key.stateB };
  });
  return { rows, nextCursor: more ? formatCursor(page[page.length - 1]!, order) : null };
}

function policiesOverlap(store: Store, first: number, second: number): boolean {
  const row = store.sqlite
    .prepare(
      `SELECT 1 FROM snapshot_policies x
         JOIN snapshot_policies y ON y.snapshot_id = ? AND y.policy_id = x.policy_id
        WHERE x.snapshot_id = ? LIMIT 1`,
    )
    .get(second, first);
  return row !== undefined;
}

function hostsOverlap(store: Store, first: number, second: number): boolean {
  const row = store.sqlite
    .prepare(
      `SELECT 1 FROM snapshot_hosts x
         JOIN snapshot_hosts y ON y.snapshot_id = ? AND y.policy_id = x.policy_id AND y.host_id = x.host_id
        WHERE x.snapshot_id = ? LIMIT 1`,
    )
    .get(second, first);
  return row !== undefined;
}

/**
 * Returns the latest complete snapshot created before `snapshotId` whose scope overlaps
 * its scope (a shared policy and, when both scopes name hosts, a shared host), or null.
 */
export function defaultBaseline(store: Store, snapshotId: number): number | null {
  const target = requireCompleteSnapshot(store, snapshotId);
  const candidates = store.sqlite
    .prepare(
      `SELECT id, host_scope_known AS hostScopeKnown FROM snapshots
        WHERE state = 'complete' AND id <> @id AND (created_at < @createdAt OR (created_at = @createdAt AND id < @id))
        ORDER BY created_at DESC, id DESC`,
    )
    .all({ id: snapshotId, createdAt: target.createdAt }) as { id: number; hostScopeKnown: number }[];
  for (const candidate of candidates) {
    if (!policiesOverlap(store, snapshotId, candidate.id)) continue;
    if (target.hostScopeKnown && candidate.hostScopeKnown === 1 && !hostsOverlap(store, snapshotId, candidate.id)) continue;
    return candidate.id;
  }
  return null;
}

/**
 * Classifies one posture between two snapshots with the same SQL as the diff itself.
 * Returns 'unchanged' when both states are alike, null when neither snapshot has it.
 */
export function classifyPosture(
  store: Store,
  scopeA: SnapshotScope,
  scopeB: SnapshotScope,
  postureId: number,
): DiffClass | 'unchanged' | null {
  for (const arm of ['a', 'b'] as const) {
    const sql = armSql(arm, scopeA, scopeB, { filters: {}, joinControl: false, drive: 'postures' });
    const row = store.sqlite
      .prepare(`SELECT ${sql.classExpr} AS class FROM ${sql.from} WHERE ${[...sql.where, 'p.id = ?'].join(' AND ')}`)
      .get(postureId) as { class: DiffClass | 'unchanged' } | undefined;
    if (row) return row.class;
  }
  const shared = store.sqlite
    .prepare('SELECT 1 FROM snapshot_members a JOIN snapshot_members b ON b.snapshot_id = ? AND b.posture_id = a.posture_id WHERE a.snapshot_id = ? AND a.posture_id = ?')
    .get(scopeB.id, scopeA.id, postureId);
  return shared ? 'unchanged' : null;
}
