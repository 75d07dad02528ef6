/**
 * Turns parsed query terms into clauses the executor can run. Each clause is a list of
 * alternatives: the term matches a control, a host, a policy, an evidence text, a value
 * or a state column. A posture satisfies the clause when any alternative is true.
 *
 * Matches on the small tables (control and host revisions, policies) and on the text
 * indexes are resolved once per query into id sets in a temporary table, so per-row
 * checks become primary-key probes instead of repeated full-text queries.
 */
import type Database from 'better-sqlite3';
import { CONTROL_COLUMNS, HOST_COLUMNS, VALUE_COLUMNS, ftsExpression } from './fts.js';
import { isTextField, type QueryTerm, type QueryValue } from './query.js';
import { prepareCached } from './statements.js';

/** Kind of ids in a set, which decides the state column they are compared with. */
export type SetTarget = 'control' | 'host' | 'policy' | 'texts' | 'expected' | 'value';

export type Alternative =
  | { kind: 'set'; target: SetTarget; setNo: number; size: number }
  // An evidence match too large to materialise: checked per row against the index.
  | { kind: 'fts'; target: 'texts' | 'expected' | 'value'; match: string }
  // A test on the state's own columns. `column` and `values` describe the same test for
  // code that evaluates clauses outside SQL (status values in lower case, exception 0 or 1).
  | { kind: 'sql'; sql: string; params: unknown[]; column: 'status' | 'previous' | 'exception'; values: (string | number)[] };

export interface Clause {
  negated: boolean;
  source: string;
  alternatives: Alternative[];
}

/**
 * Evidence matches larger than this stay full-text probes when a page is searched.
 * Filling a set costs about half a microsecond per id, and a walk in relevance order
 * seldom needs the probes. Facet counts pass a larger limit, because a set can then
 * drive the count instead of a scan of the whole scope.
 */
export const PAGE_MATERIALISE_LIMIT = 5_000;

/** Id sets of one query in `temp.search_ids`, numbered from 1. */
export class IdSets {
  private next = 1;

  constructor(private readonly sqlite: Database.Database) {
    sqlite.exec('CREATE TEMP TABLE IF NOT EXISTS search_ids (set_no INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (set_no, id)) WITHOUT ROWID');
    sqlite.exec('DELETE FROM temp.search_ids');
  }

  /**
   * Fills a set from `select` (one id column). Returns null when the set would exceed
   * `limit`, leaving nothing behind.
   */
  fromSelect(select: string, params: unknown[], limit = Number.MAX_SAFE_INTEGER): { setNo: number; size: number } | null {
    const setNo = this.next++;
    const capped = limit === Number.MAX_SAFE_INTEGER ? select : `${select} LIMIT ${limit + 1}`;
    if (limit !== Number.MAX_SAFE_INTEGER) {
      // Counting first is cheaper than filling a set only to empty it again.
      const { count } = prepareCached(this.sqlite, `SELECT count(*) AS count FROM (${capped})`).get(...params) as { count: number };
      if (count > limit) return null;
    }
    const insert = prepareCached(this.sqlite, `INSERT OR IGNORE INTO temp.search_ids (set_no, id) SELECT ${setNo}, id FROM (${capped})`);
    const { changes } = insert.run(...params);
    if (changes > limit) {
      prepareCached(this.sqlite, 'DELETE FROM temp.search_ids WHERE set_no = ?').run(setNo);
      return null;
    }
    return { setNo, size: changes };
  }
}

function isNumeric(value: QueryValue): boolean {
  return /^\d{1,15}$/u.test(value.text.trim());
}

/** Converts a value with `*` wildcards into a GLOB pattern that matches the rest literally. */
export function globPattern(text: string): string {
  return text.replace(/[?[\]]/gu, (char) => `[${char}]`);
}

function isAddressPattern(text: string): boolean {
  return /^[0-9a-f.:*]+$/iu.test(text) && /[.:]/u.test(text);
}

class TermResolver {
  constructor(
    private readonly sqlite: Database.Database,
    private readonly sets: IdSets,
    private readonly materialiseLimit: number,
  ) {}

  private set(target: SetTarget, select: string, params: unknown[], into: Alternative[]): void {
    const filled = this.sets.fromSelect(select, params);
    if (filled && filled.size > 0) into.push({ kind: 'set', target, ...filled });
  }

  /** Evidence texts or values: a set when small enough, else a per-row full-text probe. */
  private evidence(target: 'texts' | 'expected' | 'value', match: string, into: Alternative[]): void {
    const table = target === 'value' ? 'search_values' : 'search_texts';
    const filled = this.sets.fromSelect(`SELECT rowid AS id FROM ${table} WHERE ${table} MATCH ?`, [match], this.materialiseLimit);
    if (filled === null) into.push({ kind: 'fts', target, match });
    else if (filled.size > 0) into.push({ kind: 'set', target, ...filled });
  }

  private controls(match: string, into: Alternative[]): void {
    this.set('control', 'SELECT rowid AS id FROM search_controls WHERE search_controls MATCH ?', [match], into);
  }

  private hosts(match: string, into: Alternative[]): void {
    this.set('host', 'SELECT rowid AS id FROM search_hosts WHERE search_hosts MATCH ?', [match], into);
  }

  private policies(match: string, into: Alternative[]): void {
    this.set('policy', 'SELECT rowid AS id FROM search_policies WHERE search_policies MATCH ?', [match], into);
  }

  resolve(term: QueryTerm): Clause {
    const alternatives: Alternative[] = [];
    const values = term.values;
    const field = term.field;

    if (field === null || field === 'evidence') {
      const match = ftsExpression(values);
      if (field === null) {
        this.controls(match, alternatives);
        this.hosts(match, alternatives);
        this.policies(match, alternatives);
      }
      this.evidence('texts', match, alternatives);
      this.evidence('value', match, alternatives);
    } else if (field in CONTROL_COLUMNS && field !== 'technology') {
      this.controls(ftsExpression(values, [CONTROL_COLUMNS[field as keyof typeof CONTROL_COLUMNS]]), alternatives);
    } else if (field === 'technology') {
      const ids = values.filter(isNumeric).map((value) => Number(value.text));
      const words = values.filter((value) => !isNumeric(value));
      if (ids.length > 0) {
        this.set('control', 'SELECT id FROM control_revisions WHERE technology_id IN (SELECT value FROM json_each(?))', [JSON.stringify(ids)], alternatives);
      }
      if (words.length > 0) this.controls(ftsExpression(words, [CONTROL_COLUMNS.technology]), alternatives);
    } else if (field in HOST_COLUMNS) {
      this.hosts(ftsExpression(values, [HOST_COLUMNS[field as keyof typeof HOST_COLUMNS]]), alternatives);
    } else if (field === 'current' || field === 'cause') {
      this.evidence('value', ftsExpression(values, [VALUE_COLUMNS[field]]), alternatives);
    } else if (field === 'expected') {
      this.evidence('expected', ftsExpression(values), alternatives);
    } else if (field === 'policy') {
      const ids = values.filter(isNumeric).map((value) => Number(value.text));
      const words = values.filter((value) => !isNumeric(value));
      if (ids.length > 0) this.set('policy', 'SELECT value AS id FROM json_each(?)', [JSON.stringify(ids)], alternatives);
      if (words.length > 0) this.policies(ftsExpression(words), alternatives);
    } else if (!isTextField(field)) {
      this.filter(term, alternatives);
    }
    return { negated: term.negated, source: term.source, alternatives };
  }

  private filter(term: QueryTerm, alternatives: Alternative[]): void {
    const texts = term.values.map((value) => value.text.trim());
    const lowered = JSON.stringify(texts.map((text) => text.toLowerCase()));
    switch (term.field) {
      case 'status':
        alternatives.push({
          kind: 'sql',
          sql: 'lower(s.status) IN (SELECT value FROM json_each(?))',
          params: [lowered],
          column: 'status',
          values: texts.map((text) => text.toLowerCase()),
        });
        return;
      case 'previous':
        alternatives.push({
          kind: 'sql',
          sql: 'lower(s.previous_status) IN (SELECT value FROM json_each(?))',
          params: [lowered],
          column: 'previous',
          values: texts.map((text) => text.toLowerCase()),
        });
        return;
      case 'exception': {
        const wanted = texts.map((text) => (['yes', 'true', '1'].includes(text.toLowerCase()) ? 1 : 0));
        alternatives.push({
          kind: 'sql',
          sql: 's.is_exception IN (SELECT value FROM json_each(?))',
          params: [JSON.stringify(wanted)],
          column: 'exception',
          values: wanted,
        });
        return;
      }
      case 'criticality': {
        const numbers = texts.filter((text) => /^\d+$/u.test(text)).map(Number);
        this.set(
          'control',
          `SELECT id FROM control_revisions
            WHERE criticality_value IN (SELECT value FROM json_each(?))
               OR unicode_lower(criticality_label) IN (SELECT value FROM json_each(?))`,
          [JSON.stringify(numbers), lowered],
          alternatives,
        );
        return;
      }
      case 'control':
        this.set('control', 'SELECT id FROM control_revisions WHERE control_id IN (SELECT value FROM json_each(?))', [JSON.stringify(texts.map(Number))], alternatives);
        return;
      case 'host':
        for (const value of term.values) this.hostValue(value.text.trim(), alternatives);
        return;
      case 'ip':
        this.globOnHosts(['ip'], term.values, alternatives);
        return;
      case 'tracking':
        this.globOnHosts(['tracking_method'], term.values, alternatives);
        return;
      case 'network': {
        const ids = term.values.filter(isNumeric).map((value) => Number(value.text));
        if (ids.length > 0) {
          this.set('host', 'SELECT id FROM host_revisions WHERE network_id IN (SELECT value FROM json_each(?))', [JSON.stringify(ids)], alternatives);
        }
        this.globOnHosts(['network_name'], term.values.filter((value) => !isNumeric(value)), alternatives);
        return;
      }
      default:
        return;
    }
  }

  /** `host:` takes a host ID, an address (pattern) or a DNS or NetBIOS name (pattern). */
  private hostValue(text: string, alternatives: Alternative[]): void {
    if (/^\d{1,15}$/u.test(text)) {
      this.set('host', 'SELECT id FROM host_revisions WHERE host_id = ?', [Number(text)], alternatives);
    } else if (isAddressPattern(text)) {
      this.set('host', 'SELECT id FROM host_revisions WHERE ip GLOB ?', [globPattern(text)], alternatives);
    } else {
      this.set(
        'host',
        'SELECT id FROM host_revisions WHERE unicode_lower(dns) GLOB ? OR unicode_lower(netbios) GLOB ? OR unicode_lower(domain_name) GLOB ?',
        [0, 1, 2].map(() => globPattern(text.toLowerCase())),
        alternatives,
      );
    }
  }

  private globOnHosts(columns: string[], values: readonly QueryValue[], alternatives: Alternative[]): void {
    if (values.length === 0) return;
    const patterns = values.map((value) => globPattern(value.text.trim().toLowerCase()));
    const conditions = columns.flatMap((column) => patterns.map(() => `unicode_lower(${column}) GLOB ?`)).join(' OR ');
    this.set('host', `SELECT id FROM host_revisions WHERE ${conditions}`, columns.flatMap(() => patterns), alternatives);
  }
}

/** Resolves every term; id sets live in `sets` until the next query on this connection. */
export function resolveClauses(
  sqlite: Database.Database,
  sets: IdSets,
  terms: readonly QueryTerm[],
  materialiseLimit = PAGE_MATERIALISE_LIMIT,
): Clause[] {
  const resolver = new TermResolver(sqlite, sets, materialiseLimit);
  return terms.map((term) => resolver.resolve(term));
}

/**
 * Scores control revisions for relevance: BM25 over the words of the positive terms that
 * can match control text, with the statement weighted highest. Higher is better.
 */
export function scoreControls(sqlite: Database.Database, terms: readonly QueryTerm[]): Map<number, number> {
  const expressions: string[] = [];
  for (const term of terms) {
    if (term.negated) continue;
    if (term.field === null) expressions.push(ftsExpression(term.values));
    else if (term.field in CONTROL_COLUMNS && !term.values.some(isNumeric)) {
      expressions.push(ftsExpression(term.values, [CONTROL_COLUMNS[term.field as keyof typeof CONTROL_COLUMNS]]));
    }
  }
  const scores = new Map<number, number>();
  if (expressions.length === 0) return scores;
  const match = expressions.map((expression) => `(${expression})`).join(' OR ');
  // Weights follow the column order of search_controls: statement, rationale, remediation,
  // category, sub_category, technology, criticality, control_id.
  const rows = prepareCached(
    sqlite,
    'SELECT rowid AS id, bm25(search_controls, 10.0, 1.0, 1.0, 4.0, 4.0, 2.0, 1.0, 1.0) AS score FROM search_controls WHERE search_controls MATCH ?',
  )
    .raw()
    .all(match) as [number, number][];
  for (const [id, score] of rows) scores.set(id, -score);
  return scores;
}
