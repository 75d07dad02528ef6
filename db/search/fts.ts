/**
 * Builds FTS5 MATCH expressions from parsed query values, and names the full-text tables
 * that migration 0004_search_fts keeps in step with the store.
 *
 * Every value becomes an FTS5 string literal ("..." with inner quotes doubled), so FTS5
 * reads it as a phrase of the words the tokenizer finds in it, never as an operator,
 * column filter or NEAR group. A trailing `*` becomes a prefix on the last word.
 */
import type { QueryValue } from './query.js';

/** Columns of `search_controls`, one row per control revision. */
export const CONTROL_COLUMNS = {
  statement: 'statement',
  rationale: 'rationale',
  remediation: 'remediation',
  category: 'category',
  subcategory: 'sub_category',
  technology: 'technology',
} as const;

/** Columns of `search_hosts`, one row per host revision. */
export const HOST_COLUMNS = {
  dns: 'dns',
  netbios: 'netbios',
  os: 'os',
  cpe: 'os_cpe',
} as const;

/** Columns of `search_values`, one row per distinct (current values, cause of failure) pair. */
export const VALUE_COLUMNS = {
  current: 'current_values',
  cause: 'cause_of_failure',
} as const;

/** Quotes one value as an FTS5 phrase: `"pass min len"`, or `"pass min" *` for a prefix. */
export function ftsPhrase(value: QueryValue): string {
  const literal = `"${value.text.replaceAll('"', '""')}"`;
  return value.prefix ? `${literal} *` : literal;
}

/**
 * Alternatives as one expression, optionally limited to some columns:
 * `{statement rationale} : ("ssh" OR "telnet")`. Column names come from the constants
 * above, never from user input.
 */
export function ftsExpression(values: readonly QueryValue[], columns: readonly string[] = []): string {
  const phrases = values.map(ftsPhrase);
  const body = phrases.length === 1 ? phrases[0]! : `(${phrases.join(' OR ')})`;
  if (columns.length === 0) return body;
  return `{${columns.join(' ')}} : ${columns.length === 1 && phrases.length === 1 ? body : `(${body})`}`;
}

/** Any of several expressions. */
export function ftsAny(expressions: readonly string[]): string {
  return expressions.length === 1 ? expressions[0]! : expressions.map((expression) => `(${expression})`).join(' OR ');
}
