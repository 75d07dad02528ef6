/**
 * Runs a search: scope (one snapshot or all), clauses from the query, sorting, keyset
 * paging, and facet counts.
 *
 * Rows are (posture, state) pairs. In one snapshot each posture appears once. Across all
 * snapshots each distinct state appears once, reported with the newest snapshot that
 * contains it, so a posture that never changed is not repeated for every pull.
 *
 * Two plans, chosen per query:
 * - driven: when one positive clause matches few states (a host, a control, a rare word),
 *   its states are the candidates, and everything else is checked on them;
 * - walk: otherwise the states are read group by group in sort order (control revisions
 *   by relevance or criticality, host revisions by address) through the indexes on
 *   posture_states, and reading stops once a page is full.
 * Sorting by date has no such order to walk, so on broad queries it sorts every match.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { latestSnapshotId, requireCompleteSnapshot } from '../snapshots.js';
import type { Store } from '../store.js';
import { getCatalog, type Catalog } from './catalog.js';
import { countColumns, hasScopeColumns, scopeColumns, type ColumnScope, type MarginalCounts } from './columns.js';
import { isInvalidCriticalityNumber, isKnownStatus, KNOWN_STATUSES, parseQuery, type QueryTerm } from './query.js';
import { IdSets, resolveClauses, scoreControls, type Alternative, type Clause } from './resolve.js';
import { prepareCached } from './statements.js';

export const SEARCH_SORTS = ['relevance', 'criticality', 'status', 'host', 'control', 'date'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface SearchRequest {
  /** Query text in the search language; empty or absent matches everything in scope. */
  query?: string;
  /** A complete snapshot; default the latest. Ignored with `allSnapshots`. */
  snapshotId?: number | null;
  allSnapshots?: boolean;
  /** Filters added to the query, as the CLI flags give them (alternatives within each). */
  statuses?: readonly string[];
  criticalities?: readonly string[];
  policies?: readonly string[];
  /** Default: relevance when the query has words to rank by, else criticality. */
  sort?: SearchSort;
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  /**
   * Forces a plan, so tests can check that both return the same rows: 'walk' never uses
   * a driver clause, 'driven' uses the most selective drivable clause whatever its size.
   * Default 'auto'.
   */
  strategy?: 'auto' | 'walk' | 'driven';
  /**
   * The caller runs this one search on the connection and closes it, as the CLI does.
   * Facets are then counted in SQL unless the scope's columns are already in memory:
   * loading them takes longer than one count, and pays off only over later searches.
   */
  oneShot?: boolean;
}

export interface SearchRow {
  snapshotId: number;
  postureId: number;
  stateId: number;
  policyId: number;
  policyTitle: string | null;
  hostId: number;
  controlId: number;
  instance: string;
  status: string;
  previousStatus: string | null;
  isException: boolean;
  criticality: { value: number | null; label: string | null };
  ip: string | null;
  dns: string | null;
  netbios: string | null;
  os: string | null;
  technology: string | null;
  category: string | null;
  subCategory: string | null;
  controlStatement: string | null;
  lastEvaluatedDate: string | null;
}

export interface SearchPage {
  sort: SearchSort;
  /** The snapshots searched: one id, or every complete snapshot for `allSnapshots`. */
  snapshotIds: number[];
  rows: SearchRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface FacetValue {
  value: string | number | boolean | null;
  label?: string | null;
  count: number;
}

export interface SearchFacets {
  status: FacetValue[];
  previousStatus: FacetValue[];
  criticality: FacetValue[];
  policy: FacetValue[];
  technology: FacetValue[];
  category: FacetValue[];
  subCategory: FacetValue[];
  trackingMethod: FacetValue[];
  network: FacetValue[];
  exception: FacetValue[];
  /** The hosts with the most matches, at most `HOST_FACET_LIMIT` of them. */
  host: FacetValue[];
}

export interface FacetResult {
  total: number;
  facets: SearchFacets;
  /** Distinct hosts among the matches (the host facet lists only the first ones). */
  hostCount: number;
}

export const HOST_FACET_LIMIT = 100;

// A driver clause is used when it reaches at most this many states. Beyond that, checking
// every candidate costs more than walking in sort order until a page is full.
const PAGE_DRIVER_LIMIT = 8_000;
// Facets of a query whose driver reaches at most this many states are counted in SQL, at
// about a microsecond per state, when the scope's columns are in memory. Without them, SQL
// counts up to the larger limit, because loading the columns costs a scan of the scope.
const SQL_FACET_LIMIT = 10_000;
const SQL_FACET_LIMIT_COLD = 200_000;
// Evidence matches up to this size become id sets for facet counts, so they can drive.
const FACET_MATERIALISE_LIMIT = 200_000;

// Status order for sorting: what needs attention first.
const STATUS_ORDER = ['failed', 'error', 'passed*', 'passede', 'passed'];

interface Scope {
  snapshotIds: number[];
  all: boolean;
  /** SQL true when state `s` belongs to the scope. */
  membership: string;
}

interface Plan {
  scope: Scope;
  sort: SearchSort;
  clauses: Clause[];
  /** True when some positive clause can match nothing, so nothing matches. */
  impossible: boolean;
  terms: QueryTerm[];
  catalog: Catalog;
  fingerprint: string;
}

function quoteValues(values: readonly string[]): string {
  return values.map((value) => `"${value.replaceAll('"', '""')}"`).join(',');
}

/** Rejects status and criticality flag values that can never match, naming the flag. */
function checkFlagValues(field: string, values: readonly string[]): void {
  for (const value of values) {
    const text = value.trim();
    if (field === 'status' && !isKnownStatus(text)) {
      throw new AppError('USAGE', `Unknown status "${text}" in --status. Use one of ${KNOWN_STATUSES.join(', ')}.`);
    }
    if (field === 'criticality' && isInvalidCriticalityNumber(text)) {
      throw new AppError('USAGE', `--criticality ${text} is not a whole number from 0 to 5. Use such a value, or a label such as URGENT.`);
    }
  }
}

function buildTerms(request: SearchRequest): QueryTerm[] {
  const terms = parseQuery(request.query ?? '').terms;
  const flags: [string, readonly string[] | undefined][] = [
    ['status', request.statuses],
    ['criticality', request.criticalities],
    ['policy', request.policies],
  ];
  for (const [field, values] of flags) {
    if (!values || values.length === 0) continue;
    checkFlagValues(field, values);
    terms.push(...parseQuery(`${field}:${quoteValues(values)}`).terms);
  }
  return terms;
}

function resolveScope(store: Store, request: SearchRequest): Scope {
  if (request.allSnapshots) {
    const ids = (store.sqlite.prepare("SELECT id FROM snapshots WHERE state = 'complete' ORDER BY id").all() as { id: number }[]).map(
      (row) => row.id,
    );
    if (ids.length === 0) throw noSnapshot();
    const list = ids.join(',');
    return {
      snapshotIds: ids,
      all: true,
      membership: `EXISTS (SELECT 1 FROM snapshot_members m WHERE m.snapshot_id IN (${list}) AND m.posture_id = s.posture_id AND m.state_id = s.id)`,
    };
  }
  let id = request.snapshotId ?? null;
  if (id === null) {
    id = latestSnapshotId(store);
    if (id === null) throw noSnapshot();
  } else {
    requireCompleteSnapshot(store, id);
  }
  return {
    snapshotIds: [id],
    all: false,
    membership: `EXISTS (SELECT 1 FROM snapshot_members m WHERE m.snapshot_id = ${id} AND m.posture_id = s.posture_id AND m.state_id = s.id)`,
  };
}

function noSnapshot(): AppError {
  return new AppError(
    'NOT_FOUND',
    'The store has no complete snapshot to search. Import a file with `posture-workbench import FILE` or pull with `posture-workbench pull`.',
  );
}

function defaultSort(terms: readonly QueryTerm[]): SearchSort {
  const ranked = terms.some((term) => !term.negated && (term.field === null || ['statement', 'rationale', 'remediation', 'category', 'subcategory'].includes(term.field)));
  return ranked ? 'relevance' : 'criticality';
}

function prepare(store: Store, request: SearchRequest, materialiseLimit?: number): Plan & { sets: IdSets } {
  const terms = buildTerms(request);
  const sort = request.sort ?? defaultSort(terms);
  if (!(SEARCH_SORTS as readonly string[]).includes(sort)) {
    throw new AppError('USAGE', `Unknown sort "${String(sort)}". Use one of ${SEARCH_SORTS.join(', ')}.`);
  }
  const scope = resolveScope(store, request);
  const sets = new IdSets(store.sqlite);
  const clauses = resolveClauses(store.sqlite, sets, terms, materialiseLimit);
  const impossible = clauses.some((clause) => !clause.negated && clause.alternatives.length === 0);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([terms.map((term) => [term.negated, term.field, term.values]), scope.snapshotIds, scope.all, sort]))
    .digest('base64url')
    .slice(0, 16);
  return { scope, sort, clauses, impossible, terms, catalog: getCatalog(store.sqlite), fingerprint, sets };
}

// ---------------------------------------------------------------------------------------
// SQL for clauses

// Every filter and membership test reads the state through the narrow covering index, so
// checking a candidate touches a few cached index pages instead of the wide row.
const COVERED = 'posture_states s INDEXED BY posture_states_search';

interface Fragment {
  sql: string;
  params: unknown[];
}

function inSet(setNo: number, column: string): string {
  return `EXISTS (SELECT 1 FROM temp.search_ids WHERE set_no = ${setNo} AND id = ${column})`;
}

const TEXT_COLUMNS = ['s.expected_text_id', 's.extended_text_id', 's.description_text_id'];

function alternativeSql(alternative: Alternative): Fragment {
  switch (alternative.kind) {
    case 'sql':
      return { sql: `coalesce((${alternative.sql}), 0)`, params: alternative.params };
    case 'set': {
      const n = alternative.setNo;
      switch (alternative.target) {
        case 'control':
          return { sql: inSet(n, 's.control_revision_id'), params: [] };
        case 'host':
          return { sql: inSet(n, 's.host_revision_id'), params: [] };
        case 'policy':
          return { sql: inSet(n, '(SELECT policy_id FROM postures WHERE id = s.posture_id)'), params: [] };
        case 'texts':
          return { sql: `(${TEXT_COLUMNS.map((column) => inSet(n, column)).join(' OR ')})`, params: [] };
        case 'expected':
          return { sql: inSet(n, 's.expected_text_id'), params: [] };
        case 'value':
          return {
            sql: `EXISTS (SELECT 1 FROM search_state_values v JOIN temp.search_ids i ON i.set_no = ${n} AND i.id = v.value_id WHERE v.state_id = s.id)`,
            params: [],
          };
      }
      break;
    }
    case 'fts': {
      const probe = (column: string) => `EXISTS (SELECT 1 FROM search_texts WHERE search_texts MATCH ? AND rowid = ${column})`;
      if (alternative.target === 'texts') {
        return { sql: `(${TEXT_COLUMNS.map(probe).join(' OR ')})`, params: TEXT_COLUMNS.map(() => alternative.match) };
      }
      if (alternative.target === 'expected') return { sql: probe('s.expected_text_id'), params: [alternative.match] };
      return {
        sql: 'EXISTS (SELECT 1 FROM search_state_values v WHERE v.state_id = s.id AND EXISTS (SELECT 1 FROM search_values WHERE search_values MATCH ? AND rowid = v.value_id))',
        params: [alternative.match],
      };
    }
  }
  throw new AppError('INTERNAL', `Unhandled search alternative ${JSON.stringify(alternative)}.`);
}

function clausesSql(clauses: readonly Clause[], skip: Clause | null): Fragment {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const clause of clauses) {
    if (clause === skip) continue;
    if (clause.alternatives.length === 0) {
      if (!clause.negated) parts.push('0');
      continue;
    }
    const fragments = clause.alternatives.map(alternativeSql);
    const body = fragments.map((fragment) => fragment.sql).join(' OR ');
    parts.push(clause.negated ? `NOT (${body})` : `(${body})`);
    for (const fragment of fragments) params.push(...fragment.params);
  }
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params };
}

// ---------------------------------------------------------------------------------------
// Driver clauses: candidate states from the most selective positive clause

function candidateSql(alternative: Alternative): string[] {
  if (alternative.kind !== 'set') return [];
  const n = alternative.setNo;
  const viaIndex = (column: string, index: string) =>
    `SELECT s.id AS id FROM temp.search_ids i JOIN posture_states s INDEXED BY ${index} ON s.${column} = i.id WHERE i.set_no = ${n}`;
  switch (alternative.target) {
    case 'control':
      return [viaIndex('control_revision_id', 'posture_states_control_revision')];
    case 'host':
      return [viaIndex('host_revision_id', 'posture_states_host_revision')];
    case 'policy':
      return [`SELECT s.id AS id FROM temp.search_ids i JOIN postures p ON p.policy_id = i.id JOIN posture_states s ON s.posture_id = p.id WHERE i.set_no = ${n}`];
    case 'texts':
      return [
        viaIndex('expected_text_id', 'posture_states_expected_text'),
        viaIndex('extended_text_id', 'posture_states_extended_text'),
        viaIndex('description_text_id', 'posture_states_description_text'),
      ];
    case 'expected':
      return [viaIndex('expected_text_id', 'posture_states_expected_text')];
    case 'value':
      return [`SELECT v.state_id AS id FROM temp.search_ids i JOIN search_state_values v ON v.value_id = i.id WHERE i.set_no = ${n}`];
  }
}

function isDrivable(clause: Clause): boolean {
  return !clause.negated && clause.alternatives.length > 0 && clause.alternatives.every((alternative) => alternative.kind === 'set');
}

/**
 * Counts the states a drivable clause reaches (across every snapshot), up to `limit` + 1.
 * A policy counts its postures instead, which is cheaper: a policy with more postures
 * than the limit also has more states.
 */
function estimate(sqlite: Database.Database, clause: Clause, limit: number): number {
  const sources = clause.alternatives.flatMap((alternative) =>
    alternative.kind === 'set' && alternative.target === 'policy'
      ? [`SELECT p.id AS id FROM temp.search_ids i JOIN postures p ON p.policy_id = i.id WHERE i.set_no = ${alternative.setNo}`]
      : candidateSql(alternative),
  );
  const row = prepareCached(sqlite, `SELECT count(*) AS count FROM (SELECT 1 FROM (${sources.join(' UNION ALL ')}) LIMIT ${limit + 1})`).get() as {
    count: number;
  };
  return row.count;
}

/** Picks the drivable clause that reaches the fewest states, if that is at most `limit`. */
function chooseDriver(sqlite: Database.Database, clauses: readonly Clause[], limit: number): Driver | null {
  // Likely winners first: the estimate of a clause stops at the best count so far, so a
  // small first count keeps the later estimates cheap.
  const candidates = clauses.filter(isDrivable).sort((a, b) => driverGuess(a) - driverGuess(b));
  let best: Clause | null = null;
  let bestCount = limit + 1;
  for (const clause of candidates) {
    const count = estimate(sqlite, clause, Math.min(limit, bestCount - 1));
    if (count < bestCount) {
      best = clause;
      bestCount = count;
    }
  }
  return best && bestCount <= limit ? { clause: best, estimate: bestCount } : null;
}

/**
 * Orders drivable clauses by a guess of the states they reach: a policy reaches far more
 * states per id than a control or host revision, which reach more than a text or value.
 */
function driverGuess(clause: Clause): number {
  const perId: Record<string, number> = { policy: 1e6, control: 1e3, host: 1e3, texts: 1, expected: 1, value: 1 };
  return clause.alternatives.reduce((sum, alternative) => sum + (alternative.kind === 'set' ? alternative.size * (perId[alternative.target] ?? 1) : 0), 0);
}

// ---------------------------------------------------------------------------------------
// Sorting: a rank per group (control revision, host revision, or status and control
// revision), stored in temp.search_rank; rows sort by (rank, state id).

type GroupKind = 'control' | 'host' | 'status';

function groupKind(sort: SearchSort): GroupKind | null {
  if (sort === 'host') return 'host';
  if (sort === 'status') return 'status';
  if (sort === 'date') return null;
  return 'control';
}

function scopeStatuses(store: Store, scope: Scope): string[] {
  const rows = store.sqlite
    .prepare(`SELECT status_counts AS counts FROM snapshots WHERE id IN (${scope.snapshotIds.join(',')})`)
    .all() as { counts: string | null }[];
  const statuses = new Set<string>();
  for (const row of rows) {
    for (const status of Object.keys(row.counts ? (JSON.parse(row.counts) as Record<string, number>) : {})) statuses.add(status.toLowerCase());
  }
  // Snapshots written before status counts existed: fall back to the known statuses.
  if (statuses.size === 0) for (const status of STATUS_ORDER) statuses.add(status);
  const rank = (status: string) => {
    const index = STATUS_ORDER.indexOf(status);
    return index === -1 ? STATUS_ORDER.length : index;
  };
  return [...statuses].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
}

function controlOrder(plan: Plan, scores: Map<number, number>): number[] {
  const controls = [...plan.catalog.controls.values()];
  const criticality = (value: number | null) => (value === null ? -1 : value);
  if (plan.sort === 'control') {
    controls.sort((a, b) => a.controlId - b.controlId || a.id - b.id);
  } else {
    controls.sort(
      (a, b) =>
        (scores.get(b.id) ?? 0) - (scores.get(a.id) ?? 0) ||
        criticality(b.criticalityValue) - criticality(a.criticalityValue) ||
        a.controlId - b.controlId ||
        a.id - b.id,
    );
  }
  return controls.map((control) => control.id);
}

// The order in temp.search_rank on each connection. A search with the same order (paging,
// refining filters) reuses it instead of writing a rank for every revision again.
const filledRanks = new WeakMap<Database.Database, { catalog: Catalog; key: string }>();

/** Fills temp.search_rank for the plan's sort, unless it has that order already; returns the group kind. */
function fillRanks(store: Store, plan: Plan): GroupKind | null {
  const kind = groupKind(plan.sort);
  if (kind === null) return null;
  const sqlite = store.sqlite;
  const scores = plan.sort === 'relevance' ? scoreControls(sqlite, plan.terms) : new Map<number, number>();
  const statuses = kind === 'status' ? scopeStatuses(store, plan.scope) : [];
  const key = JSON.stringify([plan.sort, statuses, [...scores]]);
  const filled = filledRanks.get(sqlite);
  if (filled && filled.catalog === plan.catalog && filled.key === key) return kind;

  sqlite.exec(
    'CREATE TEMP TABLE IF NOT EXISTS search_rank (rank INTEGER PRIMARY KEY, id INTEGER NOT NULL, status TEXT);' +
      'CREATE INDEX IF NOT EXISTS temp.search_rank_id ON search_rank (id, status);' +
      'DELETE FROM temp.search_rank;',
  );
  let entries: [number, string | null][];
  if (kind === 'host') {
    entries = plan.catalog.hostOrder.map((id) => [id, null]);
  } else {
    const order = controlOrder(plan, scores);
    if (kind === 'status') {
      entries = statuses.flatMap((status) => order.map((id): [number, string | null] => [id, status]));
    } else {
      entries = order.map((id) => [id, null]);
    }
  }
  prepareCached(sqlite, 'INSERT INTO temp.search_rank (rank, id, status) SELECT key, value ->> 0, value ->> 1 FROM json_each(?)').run(
    JSON.stringify(entries),
  );
  filledRanks.set(sqlite, { catalog: plan.catalog, key });
  return kind;
}

function rankJoin(kind: GroupKind): string {
  const column = kind === 'host' ? 's.host_revision_id' : 's.control_revision_id';
  const status = kind === 'status' ? ' AND r.status = lower(s.status)' : ' AND r.status IS NULL';
  return `JOIN temp.search_rank r ON r.id = ${column}${status}`;
}

// ---------------------------------------------------------------------------------------
// Cursors

interface Cursor {
  fingerprint: string;
  /** Group id (and status) for rank sorts, or the date for the date sort. */
  group: [number, string | null] | null;
  date: string | null;
  stateId: number;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, plan: Plan): Cursor {
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw new AppError('USAGE', `The page cursor "${text.slice(0, 40)}" is not valid. Pass nextCursor exactly as a previous search returned it.`);
  }
  if (typeof cursor !== 'object' || cursor === null || typeof cursor.stateId !== 'number') {
    throw new AppError('USAGE', `The page cursor "${text.slice(0, 40)}" is not valid. Pass nextCursor exactly as a previous search returned it.`);
  }
  if (cursor.fingerprint !== plan.fingerprint) {
    throw new AppError(
      'USAGE',
      'The page cursor belongs to another search: the query, scope or sort differ, or a newer snapshot became the latest since. Repeat the search that returned it, or drop the cursor.',
    );
  }
  return cursor;
}

/** Builds the keyset condition for rows after `cursor` in the plan's order. */
function afterCursor(sqlite: Database.Database, kind: GroupKind | null, cursor: Cursor | null): Fragment {
  if (!cursor) return { sql: '1', params: [] };
  if (kind === null) {
    return { sql: "(coalesce(d.last_evaluated_date, ''), s.id) < (?, ?)", params: [cursor.date ?? '', cursor.stateId] };
  }
  const [groupId, status] = cursor.group ?? [0, null];
  const row = prepareCached(sqlite, 'SELECT rank FROM temp.search_rank WHERE id = ? AND status IS ?').get(groupId, status) as { rank: number } | undefined;
  if (!row) {
    throw new AppError('INVALID_INPUT', 'The page cursor refers to data that has since been deleted. Repeat the search without the cursor.');
  }
  return { sql: '(r.rank, s.id) > (?, ?)', params: [row.rank, cursor.stateId] };
}

// ---------------------------------------------------------------------------------------
// Pages

function orderBy(kind: GroupKind | null): string {
  return kind === null ? "coalesce(d.last_evaluated_date, '') DESC, s.id DESC" : 'r.rank, s.id';
}

/** Returns the FROM clause that lists every state of the scope, with its membership test in `where`. */
function scopeSource(scope: Scope): { from: string; where: string } {
  if (scope.all) return { from: COVERED, where: scope.membership };
  return { from: `snapshot_members m CROSS JOIN ${COVERED} ON s.id = m.state_id`, where: `m.snapshot_id = ${scope.snapshotIds[0]}` };
}

interface PageKey {
  stateId: number;
  groupId: number | null;
  status: string | null;
  date: string | null;
}

/** Picks the driver clause for the request's strategy; null means walk or scan. */
interface Driver {
  clause: Clause;
  /** States the clause reaches across every snapshot, counted up to the limit it was chosen under. */
  estimate: number;
}

function pickDriver(sqlite: Database.Database, clauses: readonly Clause[], strategy: SearchRequest['strategy'], limit: number): Driver | null {
  if (strategy === 'walk') return null;
  return chooseDriver(sqlite, clauses, strategy === 'driven' ? Number.MAX_SAFE_INTEGER - 1 : limit);
}

function pageKeys(store: Store, plan: Plan, request: SearchRequest, limit: number): PageKey[] {
  const cursorText = request.cursor;
  const sqlite = store.sqlite;
  const kind = fillRanks(store, plan);
  const cursor = cursorText ? decodeCursor(cursorText, plan) : null;
  const after = afterCursor(sqlite, kind, cursor);
  const driver = pickDriver(sqlite, plan.clauses, request.strategy, PAGE_DRIVER_LIMIT)?.clause ?? null;
  const filter = clausesSql(plan.clauses, driver);
  const select = `SELECT s.id AS stateId, ${kind === null ? 'NULL' : 'r.id'} AS groupId, ${kind === null ? 'NULL' : 'r.status'} AS status, ${kind === null ? 'd.last_evaluated_date' : 'NULL'} AS date`;
  // The date is not in the covering index: only the date order reads it from the row.
  const dateJoin = kind === null ? ' CROSS JOIN posture_states d ON d.id = s.id' : '';

  let sql: string;
  if (driver) {
    const sources = driver.alternatives.flatMap(candidateSql).join(' UNION ');
    sql =
      `${select} FROM (${sources}) u CROSS JOIN ${COVERED} ON s.id = u.id${dateJoin} ${kind === null ? '' : rankJoin(kind)}` +
      ` WHERE ${plan.scope.membership} AND ${filter.sql} AND ${after.sql} ORDER BY ${orderBy(kind)} LIMIT ${limit + 1}`;
  } else if (kind !== null) {
    // Walk the groups in rank order. The index on the group column returns each group's
    // states in id order, so SQLite stops after the page without sorting.
    const index = kind === 'host' ? 'posture_states_host_revision' : 'posture_states_control_revision';
    const column = kind === 'host' ? 'host_revision_id' : 'control_revision_id';
    const status = kind === 'status' ? ' AND lower(s.status) = r.status' : '';
    sql =
      `${select} FROM temp.search_rank r CROSS JOIN posture_states g INDEXED BY ${index} ON g.${column} = r.id` +
      ` CROSS JOIN ${COVERED} ON s.id = g.id${status}` +
      ` WHERE ${plan.scope.membership} AND ${filter.sql} AND ${after.sql} ORDER BY r.rank, g.id LIMIT ${limit + 1}`;
  } else {
    const source = scopeSource(plan.scope);
    sql = `${select} FROM ${source.from}${dateJoin} WHERE ${source.where} AND ${filter.sql} AND ${after.sql} ORDER BY ${orderBy(kind)} LIMIT ${limit + 1}`;
  }
  return prepareCached(sqlite, sql).all(...filter.params, ...after.params) as PageKey[];
}

interface DetailRow extends Omit<SearchRow, 'criticality' | 'isException' | 'snapshotId'> {
  isException: number;
  criticalityValue: number | null;
  criticalityLabel: string | null;
  snapshotId: number;
}

function loadRows(store: Store, scope: Scope, stateIds: readonly number[]): SearchRow[] {
  if (stateIds.length === 0) return [];
  const snapshot = scope.all
    ? `(SELECT max(m.snapshot_id) FROM snapshot_members m WHERE m.snapshot_id IN (${scope.snapshotIds.join(',')}) AND m.posture_id = s.posture_id AND m.state_id = s.id)`
    : String(scope.snapshotIds[0]);
  const rows = prepareCached(
    store.sqlite,
    `SELECT ${snapshot} AS snapshotId, s.posture_id AS postureId, s.id AS stateId, p.policy_id AS policyId,
              coalesce(s.policy_title, pol.title) AS policyTitle, p.host_id AS hostId, p.control_id AS controlId,
              p.instance AS instance, s.status AS status, s.previous_status AS previousStatus, s.is_exception AS isException,
              c.criticality_value AS criticalityValue, c.criticality_label AS criticalityLabel, h.ip AS ip, h.dns AS dns,
              h.netbios AS netbios, h.os AS os, c.technology_name AS technology, c.category AS category,
              c.sub_category AS subCategory, t.body AS controlStatement, s.last_evaluated_date AS lastEvaluatedDate
         FROM json_each(?) j
         JOIN posture_states s ON s.id = j.value
         JOIN postures p ON p.id = s.posture_id
         LEFT JOIN policies pol ON pol.id = p.policy_id
         JOIN control_revisions c ON c.id = s.control_revision_id
         JOIN host_revisions h ON h.id = s.host_revision_id
         LEFT JOIN texts t ON t.id = c.statement_text_id
        ORDER BY j.key`,
  ).all(JSON.stringify(stateIds)) as DetailRow[];
  return rows.map(({ criticalityValue, criticalityLabel, isException, ...row }) => ({
    snapshotId: row.snapshotId,
    postureId: row.postureId,
    stateId: row.stateId,
    policyId: row.policyId,
    policyTitle: row.policyTitle,
    hostId: row.hostId,
    controlId: row.controlId,
    instance: row.instance,
    status: row.status,
    previousStatus: row.previousStatus,
    isException: isException === 1,
    criticality: { value: criticalityValue, label: criticalityLabel },
    ip: row.ip,
    dns: row.dns,
    netbios: row.netbios,
    os: row.os,
    technology: row.technology,
    category: row.category,
    subCategory: row.subCategory,
    controlStatement: row.controlStatement,
    lastEvaluatedDate: row.lastEvaluatedDate,
  }));
}

function pageSize(limit: number | undefined): number {
  const size = limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new AppError('USAGE', `The page size must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(limit)}.`);
  }
  return size;
}

/** Returns one page of matching postures in the requested order. */
export function searchPostures(store: Store, request: SearchRequest): SearchPage {
  const limit = pageSize(request.limit);
  const plan = prepare(store, request);
  if (plan.impossible) return { sort: plan.sort, snapshotIds: plan.scope.snapshotIds, rows: [], nextCursor: null };

  const keys = pageKeys(store, plan, request, limit);
  const page = keys.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    keys.length > limit && last
      ? encodeCursor({
          fingerprint: plan.fingerprint,
          group: last.groupId === null ? null : [last.groupId, last.status],
          date: last.date,
          stateId: last.stateId,
        })
      : null;
  return {
    sort: plan.sort,
    snapshotIds: plan.scope.snapshotIds,
    rows: loadRows(store, plan.scope, page.map((key) => key.stateId)),
    nextCursor,
  };
}

// ---------------------------------------------------------------------------------------
// Facets

function emptyFacets(): SearchFacets {
  return {
    status: [],
    previousStatus: [],
    criticality: [],
    policy: [],
    technology: [],
    category: [],
    subCategory: [],
    trackingMethod: [],
    network: [],
    exception: [],
    host: [],
  };
}

class Counter {
  private readonly counts = new Map<string, FacetValue>();

  add(value: FacetValue['value'], count: number, label?: string | null): void {
    const key = JSON.stringify([value, label ?? null]);
    const entry = this.counts.get(key);
    if (entry) entry.count += count;
    else this.counts.set(key, label === undefined ? { value, count } : { value, label, count });
  }

  /** Values by count, highest first; ties by value. */
  list(limit = Number.MAX_SAFE_INTEGER): FacetValue[] {
    return [...this.counts.values()]
      .sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)))
      .slice(0, limit);
  }

  get size(): number {
    return this.counts.size;
  }
}

/** Marginal counts through SQL: two grouped passes over the matches of a driver clause. */
function countWithSql(sqlite: Database.Database, plan: Plan, driver: Clause | null): MarginalCounts {
  const filter = clausesSql(plan.clauses, driver);
  let from: string;
  let where: string;
  if (driver) {
    from = `(${driver.alternatives.flatMap(candidateSql).join(' UNION ')}) u CROSS JOIN ${COVERED} ON s.id = u.id`;
    where = `${plan.scope.membership} AND ${filter.sql}`;
  } else {
    const source = scopeSource(plan.scope);
    from = source.from;
    where = `${source.where} AND ${filter.sql}`;
  }

  // Grouping by control and host revision at once would make one group per posture.
  const byControl = prepareCached(
    sqlite,
    `SELECT s.control_revision_id, s.status, s.previous_status, s.is_exception,
              (SELECT policy_id FROM postures WHERE id = s.posture_id) AS policy_id, count(*)
         FROM ${from} WHERE ${where}
        GROUP BY 1, 2, 3, 4, 5`,
  )
    .raw()
    .all(...filter.params) as [number, string, string | null, number, number, number][];
  const byHost = prepareCached(sqlite, `SELECT s.host_revision_id, count(*) FROM ${from} WHERE ${where} GROUP BY 1`)
    .raw()
    .all(...filter.params) as [number, number][];

  const counts: MarginalCounts = {
    total: 0,
    byControlRevision: new Map(),
    byHostRevision: new Map(),
    byStatus: new Map(),
    byPrevious: new Map(),
    byException: new Map(),
    byPolicy: new Map(),
  };
  const add = <K>(map: Map<K, number>, key: K, count: number) => map.set(key, (map.get(key) ?? 0) + count);
  for (const [controlRevisionId, status, previousStatus, isException, policyId, count] of byControl) {
    counts.total += count;
    add(counts.byControlRevision, controlRevisionId, count);
    add(counts.byStatus, status, count);
    add(counts.byPrevious, previousStatus, count);
    add(counts.byException, isException === 1, count);
    add(counts.byPolicy, policyId, count);
  }
  for (const [hostRevisionId, count] of byHost) add(counts.byHostRevision, hostRevisionId, count);
  return counts;
}

/**
 * True when a clause checks evidence by a full-text probe per row: too slow over a whole
 * scope in SQL, where the column counter reads the matches once instead.
 */
function hasTextProbes(clauses: readonly Clause[]): boolean {
  return clauses.some((clause) => clause.alternatives.some((alternative) => alternative.kind === 'fts'));
}

function columnScope(store: Store, scope: Scope): ColumnScope {
  const sqlite = store.sqlite;
  const source = scopeSource(scope);
  const key = `${scope.all ? 'all' : 'one'}:${scope.snapshotIds.join(',')}`;
  // Counting reads the whole scope, so it runs only when the columns are loaded.
  const capacity = () =>
    scope.all
      ? (prepareCached(sqlite, 'SELECT count(*) AS count FROM posture_states').get() as { count: number }).count
      : (prepareCached(sqlite, 'SELECT count(*) AS count FROM snapshot_members WHERE snapshot_id = ?').get(scope.snapshotIds[0]) as { count: number })
          .count;
  return { key, from: source.from, where: source.where, capacity };
}

/** Counts the matches of a query by each facet; `total` is the number of matching rows. */
export function searchFacets(store: Store, request: SearchRequest): FacetResult {
  const plan = prepare(store, request, FACET_MATERIALISE_LIMIT);
  if (plan.impossible) return { total: 0, facets: emptyFacets(), hostCount: 0 };
  const sqlite = store.sqlite;
  const scope = columnScope(store, plan.scope);

  // A selective query is counted in SQL from its driver clause, and a broad one in the
  // scope's columns in memory. While the columns are not loaded, SQL takes more queries,
  // because the first load scans the whole scope.
  let counts: MarginalCounts;
  if (request.strategy === 'walk') {
    counts = countColumns(sqlite, scopeColumns(sqlite, scope), plan.clauses);
  } else if (request.strategy === 'driven') {
    counts = countWithSql(sqlite, plan, pickDriver(sqlite, plan.clauses, 'driven', 0)?.clause ?? null);
  } else {
    const warm = hasScopeColumns(sqlite, scope.key);
    const driver = pickDriver(sqlite, plan.clauses, 'auto', warm ? SQL_FACET_LIMIT : SQL_FACET_LIMIT_COLD);
    if (driver) counts = countWithSql(sqlite, plan, driver.clause);
    else if (!warm && request.oneShot && !hasTextProbes(plan.clauses)) counts = countWithSql(sqlite, plan, null);
    else counts = countColumns(sqlite, scopeColumns(sqlite, scope), plan.clauses);
  }
  return buildFacets(sqlite, plan.catalog, counts);
}

function buildFacets(sqlite: Database.Database, catalog: Catalog, counts: MarginalCounts): FacetResult {
  const facets = {
    criticality: new Counter(),
    technology: new Counter(),
    category: new Counter(),
    subCategory: new Counter(),
    trackingMethod: new Counter(),
    network: new Counter(),
  };
  for (const [controlRevisionId, count] of counts.byControlRevision) {
    const control = catalog.controls.get(controlRevisionId);
    facets.criticality.add(control?.criticalityValue ?? null, count, control?.criticalityLabel ?? null);
    facets.technology.add(control?.technologyName ?? null, count);
    facets.category.add(control?.category ?? null, count);
    facets.subCategory.add(control?.subCategory ?? null, count);
  }

  // A host whose attributes changed between snapshots has several revisions: the host
  // facet adds them up by host ID and keeps the address of the first.
  const hosts = new Map<number | null, FacetValue>();
  for (const [hostRevisionId, count] of counts.byHostRevision) {
    const host = catalog.hosts.get(hostRevisionId);
    facets.trackingMethod.add(host?.trackingMethod ?? null, count);
    facets.network.add(host?.networkName ?? null, count);
    const id = host?.hostId ?? null;
    const known = hosts.get(id);
    if (known) known.count += count;
    else hosts.set(id, { value: id, label: host?.ip ?? host?.dns ?? null, count });
  }
  const hostList = [...hosts.values()].sort((a, b) => b.count - a.count || Number(a.value) - Number(b.value));

  const policyTitles = new Map(
    (sqlite.prepare('SELECT id, title FROM policies').all() as { id: number; title: string | null }[]).map((row) => [row.id, row.title]),
  );
  const list = <K extends FacetValue['value']>(map: Map<K, number>, label?: (key: K) => string | null) => {
    const counter = new Counter();
    for (const [key, count] of map) counter.add(key, count, label ? label(key) : undefined);
    return counter.list();
  };

  return {
    total: counts.total,
    hostCount: hostList.length,
    facets: {
      status: list(counts.byStatus),
      previousStatus: list(counts.byPrevious),
      criticality: facets.criticality.list().sort((a, b) => Number(b.value ?? -1) - Number(a.value ?? -1)),
      policy: list(counts.byPolicy, (id) => policyTitles.get(id) ?? null),
      technology: facets.technology.list(),
      category: facets.category.list(),
      subCategory: facets.subCategory.list(),
      trackingMethod: facets.trackingMethod.list(),
      network: facets.network.list(),
      exception: list(counts.byException),
      host: hostList.slice(0, HOST_FACET_LIMIT),
    },
  };
}

/** Page, total and facets together, as `search --json` prints them. */
export function search(store: Store, request: SearchRequest): SearchPage & FacetResult {
  const page = searchPostures(store, request);
  const facets = searchFacets(store, { ...request, cursor: null });
  return { ...page, ...facets };
}
