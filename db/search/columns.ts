/**
 * The states of a search scope as typed arrays in memory, for facet counts over many
 * matches. SQLite reads a joined row in about a microsecond, so counting a million
 * matches takes about a second, while a loop over typed arrays takes a few milliseconds.
 * Loading the arrays costs one scan of the scope, which takes seconds per million states
 * (see test/bench/results/search.md). They take about 40 bytes of memory per state, so
 * each connection keeps one scope. Complete snapshots never change and snapshot ids are never
 * reused, so the scope's snapshot ids identify the arrays.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import type { Alternative, Clause } from './resolve.js';

export interface ScopeColumns {
  key: string;
  count: number;
  controlRevision: Int32Array;
  hostRevision: Int32Array;
  /** Index into `statuses`. */
  status: Uint8Array;
  /** Index into `statuses`; `NO_STATUS` for none. */
  previous: Uint8Array;
  exception: Uint8Array;
  /** Index into `policies`. */
  policy: Uint16Array;
  expectedText: Int32Array;
  extendedText: Int32Array;
  descriptionText: Int32Array;
  /** Id in search_value_texts; 0 for none. */
  value: Int32Array;
  statuses: string[];
  policies: number[];
}

export const NO_STATUS = 255;

/** Marginal counts of the matches, by each column a facet is built from. */
export interface MarginalCounts {
  total: number;
  byControlRevision: Map<number, number>;
  byHostRevision: Map<number, number>;
  byStatus: Map<string, number>;
  byPrevious: Map<string | null, number>;
  byException: Map<boolean, number>;
  byPolicy: Map<number, number>;
}

const cache = new WeakMap<Database.Database, ScopeColumns>();

class Codes<T> {
  readonly values: T[] = [];
  private readonly index = new Map<T, number>();

  code(value: T): number {
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.index.set(value, code);
    }
    return code;
  }
}

function load(sqlite: Database.Database, scope: ColumnScope): ScopeColumns {
  const { key, from, where } = scope;
  const count = scope.capacity();
  const columns: ScopeColumns = {
    key,
    count,
    controlRevision: new Int32Array(count),
    hostRevision: new Int32Array(count),
    status: new Uint8Array(count),
    previous: new Uint8Array(count),
    exception: new Uint8Array(count),
    policy: new Uint16Array(count),
    expectedText: new Int32Array(count),
    extendedText: new Int32Array(count),
    descriptionText: new Int32Array(count),
    value: new Int32Array(count),
    statuses: [],
    policies: [],
  };

  const statuses = new Codes<string>();
  const policies = new Codes<number>();
  const rows = sqlite
    .prepare(
      `SELECT s.control_revision_id, s.host_revision_id, s.status, s.previous_status, s.is_exception,
              (SELECT policy_id FROM postures WHERE id = s.posture_id),
              coalesce(s.expected_text_id, 0), coalesce(s.extended_text_id, 0), coalesce(s.description_text_id, 0),
              coalesce((SELECT value_id FROM search_state_values WHERE state_id = s.id), 0)
         FROM ${from} WHERE ${where}`,
    )
    .raw()
    .iterate() as IterableIterator<[number, number, string, string | null, number, number, number, number, number, number]>;

  let i = 0;
  for (const row of rows) {
    if (i >= count) throw new AppError('INTERNAL', `The search scope ${key} has more states than its capacity ${count}.`);
    columns.controlRevision[i] = row[0];
    columns.hostRevision[i] = row[1];
    columns.status[i] = statuses.code(row[2]);
    columns.previous[i] = row[3] === null ? NO_STATUS : statuses.code(row[3]);
    columns.exception[i] = row[4];
    columns.policy[i] = policies.code(row[5]);
    columns.expectedText[i] = row[6];
    columns.extendedText[i] = row[7];
    columns.descriptionText[i] = row[8];
    columns.value[i] = row[9];
    i++;
  }

  // A status or policy count past the code range would be truncated silently.
  if (statuses.values.length >= NO_STATUS || policies.values.length > 0xffff) {
    throw new AppError('INTERNAL', `Too many distinct statuses (${statuses.values.length}) or policies (${policies.values.length}) for the column cache.`);
  }
  columns.statuses = statuses.values;
  columns.policies = policies.values;
  columns.count = i;
  return columns;
}

export interface ColumnScope {
  /** Identifies the scope's states: its snapshot ids. */
  key: string;
  /** FROM and WHERE that select the scope's states as `s` (through posture_states_search). */
  from: string;
  where: string;
  /** Returns at least the number of states the scope has. */
  capacity: () => number;
}

/** Tells whether this connection has the columns of the scope with this key in memory. */
export function hasScopeColumns(sqlite: Database.Database, key: string): boolean {
  return cache.get(sqlite)?.key === key;
}

/** Returns the columns of a scope, loading them on first use and keeping them until another scope is requested. */
export function scopeColumns(sqlite: Database.Database, scope: ColumnScope): ScopeColumns {
  const cached = cache.get(sqlite);
  if (cached && cached.key === scope.key) return cached;
  cache.delete(sqlite);
  const columns = load(sqlite, scope);
  cache.set(sqlite, columns);
  return columns;
}

/** Builds a bitmap over ids: `bits[id]` is 1 for members. */
function bitmap(ids: Iterable<number>): Uint8Array {
  const list = [...ids];
  let max = 0;
  for (const id of list) if (id > max) max = id;
  const bits = new Uint8Array(max + 1);
  for (const id of list) bits[id] = 1;
  return bits;
}

function idsOfSet(sqlite: Database.Database, setNo: number): number[] {
  return sqlite.prepare('SELECT id FROM temp.search_ids WHERE set_no = ?').pluck().all(setNo) as number[];
}

function idsOfMatch(sqlite: Database.Database, table: 'search_texts' | 'search_values', match: string): number[] {
  return sqlite.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).pluck().all(match) as number[];
}

function has(bits: Uint8Array, id: number): boolean {
  return id < bits.length && bits[id] === 1;
}

/** Builds the test of row `i` for one alternative. */
function rowTest(sqlite: Database.Database, columns: ScopeColumns, alternative: Alternative): (i: number) => boolean {
  if (alternative.kind === 'sql') {
    if (alternative.column === 'exception') {
      const wanted = new Set(alternative.values.map(Number));
      return (i) => wanted.has(columns.exception[i]!);
    }
    const wanted = new Set(alternative.values.map(String));
    const codes = new Uint8Array(256);
    columns.statuses.forEach((status, code) => {
      if (wanted.has(status.toLowerCase())) codes[code] = 1;
    });
    const source = alternative.column === 'status' ? columns.status : columns.previous;
    return (i) => codes[source[i]!] === 1;
  }

  const target = alternative.target;
  const ids =
    alternative.kind === 'set'
      ? idsOfSet(sqlite, alternative.setNo)
      : idsOfMatch(sqlite, alternative.target === 'value' ? 'search_values' : 'search_texts', alternative.match);
  if (target === 'policy') {
    const wanted = new Set(ids);
    const codes = new Uint8Array(columns.policies.length);
    columns.policies.forEach((policyId, code) => {
      if (wanted.has(policyId)) codes[code] = 1;
    });
    return (i) => codes[columns.policy[i]!] === 1;
  }
  const bits = bitmap(ids);
  switch (target) {
    case 'control':
      return (i) => has(bits, columns.controlRevision[i]!);
    case 'host':
      return (i) => has(bits, columns.hostRevision[i]!);
    case 'texts':
      return (i) => has(bits, columns.expectedText[i]!) || has(bits, columns.extendedText[i]!) || has(bits, columns.descriptionText[i]!);
    case 'expected':
      return (i) => has(bits, columns.expectedText[i]!);
    case 'value':
      return (i) => has(bits, columns.value[i]!);
  }
}

/** Rows of the scope that satisfy every clause, as a 0/1 mask. */
function matchMask(sqlite: Database.Database, columns: ScopeColumns, clauses: readonly Clause[]): Uint8Array {
  const mask = new Uint8Array(columns.count).fill(1);
  for (const clause of clauses) {
    const tests = clause.alternatives.map((alternative) => rowTest(sqlite, columns, alternative));
    for (let i = 0; i < columns.count; i++) {
      if (mask[i] === 0) continue;
      let any = false;
      for (const test of tests) {
        if (test(i)) {
          any = true;
          break;
        }
      }
      if (any === clause.negated) mask[i] = 0;
    }
  }
  return mask;
}

function addTo<K>(map: Map<K, number>, key: K, count: number): void {
  map.set(key, (map.get(key) ?? 0) + count);
}

/** Counts the matching rows of the scope by each facet column. */
export function countColumns(sqlite: Database.Database, columns: ScopeColumns, clauses: readonly Clause[]): MarginalCounts {
  const mask = matchMask(sqlite, columns, clauses);
  const statusCounts = new Float64Array(256);
  const previousCounts = new Float64Array(256);
  const exceptionCounts = [0, 0];
  const policyCounts = new Float64Array(columns.policies.length);
  const controlCounts = new Map<number, number>();
  const hostCounts = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < columns.count; i++) {
    if (mask[i] === 0) continue;
    total++;
    statusCounts[columns.status[i]!]!++;
    previousCounts[columns.previous[i]!]!++;
    exceptionCounts[columns.exception[i] === 1 ? 1 : 0]!++;
    policyCounts[columns.policy[i]!]!++;
    const control = columns.controlRevision[i]!;
    controlCounts.set(control, (controlCounts.get(control) ?? 0) + 1);
    const host = columns.hostRevision[i]!;
    hostCounts.set(host, (hostCounts.get(host) ?? 0) + 1);
  }

  const counts: MarginalCounts = {
    total,
    byControlRevision: controlCounts,
    byHostRevision: hostCounts,
    byStatus: new Map(),
    byPrevious: new Map(),
    byException: new Map(),
    byPolicy: new Map(),
  };
  columns.statuses.forEach((status, code) => {
    if (statusCounts[code]! > 0) addTo(counts.byStatus, status, statusCounts[code]!);
    if (previousCounts[code]! > 0) addTo(counts.byPrevious, status, previousCounts[code]!);
  });
  if (previousCounts[NO_STATUS]! > 0) addTo(counts.byPrevious, null, previousCounts[NO_STATUS]!);
  if (exceptionCounts[0]! > 0) counts.byException.set(false, exceptionCounts[0]!);
  if (exceptionCounts[1]! > 0) counts.byException.set(true, exceptionCounts[1]!);
  columns.policies.forEach((policyId, code) => {
    if (policyCounts[code]! > 0) addTo(counts.byPolicy, policyId, policyCounts[code]!);
  });
  return counts;
}
