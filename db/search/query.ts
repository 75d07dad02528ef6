/**
 * The search query language: parsing user input into an AST, with an error message that
 * names the offending input and the fix for everything the language does not accept.
 *
 * Grammar (terms are combined with AND):
 *   query  := term*
 *   term   := ["-"] (field ":" value ("," value)* | value)
 *   value  := '"' text '"' ["*"] | bare ["*"]
 * A `-` in front of a term excludes what the term matches. Commas inside one field term
 * are alternatives (OR). Values never reach SQLite's FTS syntax as written: the FTS
 * compiler in fts.ts quotes every value, so FTS operators typed by a user are plain words.
 */
import { AppError } from '../errors.js';

/** Fields whose values are matched as words, phrases or prefixes through full-text indexes. */
export const TEXT_FIELDS = [
  'statement',
  'rationale',
  'remediation',
  'category',
  'subcategory',
  'technology',
  'policy',
  'evidence',
  'expected',
  'current',
  'cause',
  'dns',
  'netbios',
  'os',
  'cpe',
] as const;

/** Fields whose values are compared exactly (case-insensitive) or as `*` wildcard patterns. */
export const FILTER_FIELDS = [
  'status',
  'previous',
  'criticality',
  'control',
  'host',
  'ip',
  'tracking',
  'network',
  'exception',
] as const;

export type TextField = (typeof TEXT_FIELDS)[number];
export type FilterField = (typeof FILTER_FIELDS)[number];
export type Field = TextField | FilterField;

const ALIASES: Record<string, Field> = {
  sub: 'subcategory',
  'sub-category': 'subcategory',
  tech: 'technology',
  previousstatus: 'previous',
  prev: 'previous',
  crit: 'criticality',
  cid: 'control',
  trackingmethod: 'tracking',
  current_values: 'current',
  causeoffailure: 'cause',
};

export interface QueryValue {
  /** The value as typed, without quotes and without a trailing `*`. */
  text: string;
  /** True when the value ended with `*`: a prefix search (or wildcard for filter fields). */
  prefix: boolean;
  quoted: boolean;
}

export interface QueryTerm {
  negated: boolean;
  /** Null for a term without a field: it matches any indexed text. */
  field: Field | null;
  /** One value, or several alternatives (`criticality:4,5`); only field terms have several. */
  values: QueryValue[];
  /** The term as typed, for messages. */
  source: string;
}

export interface ParsedQuery {
  terms: QueryTerm[];
}

export const MAX_QUERY_LENGTH = 2000;
export const MAX_TERMS = 32;

export const KNOWN_STATUSES = ['Passed', 'Failed', 'Error', 'Passed*'] as const;

const OPERATOR_WORDS = new Set(['AND', 'OR', 'NOT', 'NEAR']);
// A value worth searching must contain at least one letter or digit: the full-text
// tokenizer drops everything else, so a value like `--` or `'` would match nothing.
const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;

function reject(message: string): never {
  throw new AppError('USAGE', message);
}

function fieldList(): string {
  return [...TEXT_FIELDS, ...FILTER_FIELDS].join(', ');
}

/** Resolves a field name as typed (any case, aliases allowed); null when unknown. */
export function resolveField(name: string): Field | null {
  const lower = name.toLowerCase();
  if ((TEXT_FIELDS as readonly string[]).includes(lower)) return lower as Field;
  if ((FILTER_FIELDS as readonly string[]).includes(lower)) return lower as Field;
  return ALIASES[lower] ?? null;
}

export function isTextField(field: Field): field is TextField {
  return (TEXT_FIELDS as readonly string[]).includes(field);
}

class Scanner {
  position = 0;
  constructor(readonly input: string) {}

  get done(): boolean {
    return this.position >= this.input.length;
  }

  peek(): string {
    return this.input[this.position] ?? '';
  }

  skipSpace(): void {
    while (!this.done && /\s/u.test(this.peek())) this.position++;
  }

  /** Moves past the rest of the current term, for messages that quote it. */
  skipToSpace(): void {
    while (!this.done && !/\s/u.test(this.peek())) this.position++;
  }

  /** Reads a quoted string starting at the opening quote; `""` inside stands for one quote. */
  readQuoted(): string {
    const start = this.position;
    this.position++;
    let text = '';
    for (;;) {
      if (this.done) reject(`The quote at position ${start + 1} is never closed. Add the closing " or remove the quote.`);
      const char = this.peek();
      this.position++;
      if (char === '"') {
        if (this.peek() === '"') {
          text += '"';
          this.position++;
          continue;
        }
        return text;
      }
      text += char;
    }
  }

  /** Reads up to whitespace, or up to a comma when `stopAtComma`. */
  readBare(stopAtComma: boolean): string {
    const start = this.position;
    while (!this.done && !/\s/u.test(this.peek()) && !(stopAtComma && this.peek() === ',')) {
      if (this.peek() === '"') {
        reject(
          `A quote inside a word is not allowed ("${this.input.slice(start, this.position + 1)}" at position ${this.position + 1}). ` +
            'Put the whole phrase in quotes, or remove the quote.',
        );
      }
      this.position++;
    }
    return this.input.slice(start, this.position);
  }
}

function checkParentheses(word: string): void {
  if (/[()]/u.test(word)) {
    reject(
      `Parentheses are not part of the query language ("${word}"). Terms are always combined with AND; ` +
        'use field:a,b for alternatives, or quote the text ("(a)") to search for it.',
    );
  }
}

/** Splits a trailing `*` off a bare value and checks where `*` may appear. */
function bareValue(raw: string, field: Field | null, term: string): QueryValue {
  // `Passed*` is a status name, not a prefix.
  if (field === 'status' || field === 'previous') return { text: raw, prefix: false, quoted: false };
  const wildcardField = field === 'host' || field === 'ip' || field === 'network' || field === 'tracking';
  if (wildcardField) {
    if (raw.replaceAll('*', '').length === 0) reject(`"${term}" has no text besides *. Give part of a value, as in ${field}:${exampleFor(field)}.`);
    return { text: raw, prefix: raw.endsWith('*'), quoted: false };
  }
  const prefix = raw.endsWith('*');
  const text = prefix ? raw.slice(0, -1) : raw;
  if (text.includes('*')) {
    reject(`"${term}": * is allowed only at the end of a word, for a prefix search as in pass*.`);
  }
  if (text.length === 0) {
    reject(`"${term}": a * must follow at least one letter or digit, as in pass* or ${field ?? 'statement'}:pass*.`);
  }
  return { text, prefix, quoted: false };
}

function checkSearchable(value: QueryValue, term: string): void {
  if (!HAS_WORD_CHARACTER.test(value.text)) {
    reject(`"${term}" contains no letter or digit to search for. Remove it, or add the word you want to find.`);
  }
}

/**
 * Tells whether a quoted text ends with * just inside the closing quote, as in
 * "minimum pass*", which means a prefix too: the tokenizer would drop the * as
 * punctuation, so the phrase would match nothing. Filter values keep it (status "Passed*").
 */
function innerPrefix(text: string): boolean {
  return /\S\*+$/u.test(text);
}

/** Reads the values after `field:`, separated by commas. */
function readFieldValues(scanner: Scanner, field: Field, term: () => string): QueryValue[] {
  const values: QueryValue[] = [];
  for (;;) {
    if (scanner.peek() === '"') {
      let text = scanner.readQuoted();
      let prefix = scanner.peek() === '*';
      if (prefix) scanner.position++;
      else if (isTextField(field) && innerPrefix(text)) {
        text = text.replace(/\*+$/u, '');
        prefix = true;
      }
      values.push({ text, prefix, quoted: true });
    } else {
      const raw = scanner.readBare(true);
      if (raw.length === 0) {
        reject(`"${term()}" has an empty value. Write a value after the colon, as in ${field}:${exampleFor(field)}.`);
      }
      checkParentheses(raw);
      values.push(bareValue(raw, field, term()));
    }
    if (scanner.peek() !== ',') break;
    scanner.position++;
  }
  if (!scanner.done && !/\s/u.test(scanner.peek())) {
    reject(`"${term()}${scanner.peek()}": a value must be followed by a space or a comma. Put the value in quotes if it contains ${scanner.peek()}.`);
  }
  return values;
}

function exampleFor(field: Field): string {
  switch (field) {
    case 'status':
    case 'previous':
      return 'Failed';
    case 'criticality':
      return '4,5';
    case 'control':
      return '1071';
    case 'host':
    case 'ip':
      return '10.20.*';
    case 'tracking':
      return 'AGENT';
    case 'network':
      return 'DMZ*';
    case 'exception':
      return 'yes';
    case 'policy':
      return '"Linux baseline"';
    default:
      return 'ssh';
  }
}

/** Tells whether `text` is a status name, in any letter case. */
export function isKnownStatus(text: string): boolean {
  return KNOWN_STATUSES.some((status) => status.toLowerCase() === text.toLowerCase());
}

/**
 * Tells whether `text` is a number but not a criticality value (a whole number from 0
 * to 5), as in 9, -1 or 4.5. Other text can be a customer-defined label.
 */
export function isInvalidCriticalityNumber(text: string): boolean {
  return /^[-+]?\d*[.,]?\d+$/u.test(text) && !(/^\d+$/u.test(text) && Number(text) <= 5);
}

/** Rejects filter values that can never match, with the accepted forms. */
function validateFilter(field: Field, value: QueryValue, term: string): void {
  const text = value.text.trim();
  switch (field) {
    case 'status':
    case 'previous':
      if (!isKnownStatus(text)) reject(`Unknown status "${value.text}" in "${term}". Use one of ${KNOWN_STATUSES.join(', ')}.`);
      return;
    case 'criticality':
      if (value.prefix) reject(`"${term}": criticality takes a number from 0 to 5 or a label such as URGENT, without *.`);
      if (isInvalidCriticalityNumber(text)) {
        reject(`Criticality ${text} in "${term}" is not a whole number from 0 to 5. Use such a value, or a label such as URGENT.`);
      }
      return;
    case 'control':
      if (value.prefix) reject(`"${term}": control takes whole control IDs such as 1071, without *.`);
      if (/^\d{16,}$/u.test(text)) reject(`Control ID ${text} in "${term}" is too long; control IDs have at most 15 digits.`);
      if (!/^\d{1,15}$/u.test(text)) {
        reject(`"${term}": control takes control IDs (numbers such as 1071). To search control text, use statement:${value.text}.`);
      }
      return;
    case 'exception':
      if (!['yes', 'no', 'true', 'false', '1', '0'].includes(text.toLowerCase())) {
        reject(`"${term}": exception takes yes or no.`);
      }
      return;
    case 'host':
    case 'ip':
    case 'network':
    case 'tracking':
      if (text.length === 0) reject(`"${term}" has an empty value. Write a value, as in ${field}:${exampleFor(field)}.`);
      return;
    default:
      return;
  }
}

/** Parses a query; throws AppError('USAGE') naming the first thing it cannot accept. */
export function parseQuery(input: string): ParsedQuery {
  if (input.length > MAX_QUERY_LENGTH) {
    reject(`The query is ${input.length} characters long; the maximum is ${MAX_QUERY_LENGTH}. Shorten it.`);
  }
  if (input.includes('\u0000')) reject('The query contains a NUL character. Remove it.');
  const scanner = new Scanner(input);
  const terms: QueryTerm[] = [];

  for (;;) {
    scanner.skipSpace();
    if (scanner.done) break;
    const start = scanner.position;
    const source = () => input.slice(start, scanner.position);
    const negated = scanner.peek() === '-';
    if (negated) {
      scanner.position++;
      if (scanner.done || /\s/u.test(scanner.peek())) {
        reject(`A - at position ${start + 1} stands alone. Write it directly before the term to exclude, as in -telnet.`);
      }
      if (scanner.peek() === '-') {
        scanner.skipToSpace();
        reject(`"${source()}" is not an option of this command (see --help). To exclude a term, put a single - before it, as in -telnet.`);
      }
    }

    if (scanner.peek() === '"') {
      let text = scanner.readQuoted();
      let prefix = scanner.peek() === '*';
      if (prefix) scanner.position++;
      else if (innerPrefix(text)) {
        text = text.replace(/\*+$/u, '');
        prefix = true;
      }
      if (!scanner.done && !/\s/u.test(scanner.peek())) {
        reject(`"${source()}${scanner.peek()}": a closing quote must be followed by a space (or by * for a prefix search).`);
      }
      const value: QueryValue = { text, prefix, quoted: true };
      checkSearchable(value, source());
      terms.push({ negated, field: null, values: [value], source: source() });
    } else {
      const colon = /^([\p{L}_-]+):/u.exec(input.slice(scanner.position));
      const fieldName = colon?.[1];
      if (colon && fieldName !== undefined) {
        const field = resolveField(fieldName);
        if (!field) {
          scanner.skipToSpace();
          reject(`Unknown field "${fieldName}" in "${source()}". Fields: ${fieldList()}. To search text containing a colon, put it in quotes.`);
        }
        scanner.position += colon[0].length;
        if (scanner.done || /\s/u.test(scanner.peek())) {
          reject(`"${source()}" has no value. Write a value after the colon, as in ${field}:${exampleFor(field)}.`);
        }
        const values = readFieldValues(scanner, field, source);
        for (const value of values) {
          if (isTextField(field)) checkSearchable(value, source());
          else validateFilter(field, value, source());
        }
        terms.push({ negated, field, values, source: source() });
      } else {
        const raw = scanner.readBare(false);
        checkParentheses(raw);
        if (OPERATOR_WORDS.has(raw)) {
          reject(
            `${raw} is not an operator here: terms are always combined with AND, -word excludes, and field:a,b gives alternatives. ` +
              `To search for the word itself, write it in lower case or in quotes ("${raw}").`,
          );
        }
        if (raw.includes(':')) {
          reject(`"${raw}" looks like a field, but the text before the colon is not one. Fields: ${fieldList()}. To search text containing a colon, put it in quotes.`);
        }
        const value = bareValue(raw, null, source());
        checkSearchable(value, source());
        terms.push({ negated, field: null, values: [value], source: source() });
      }
    }
    if (terms.length > MAX_TERMS) reject(`The query has more than ${MAX_TERMS} terms, the maximum. Remove some, or combine values of one field as in status:Failed,Error.`);
  }
  return { terms };
}

/** The query language in plain text, for `search --help` and the app's search help. */
export const SEARCH_LANGUAGE_HELP = `Query language (terms are combined with AND; letter case does not matter):
  ssh                  a word, anywhere: control text, category, technology, host
                       address and names, OS, CPE, policy title, evidence, current
                       values and cause of failure
  "minimum password"   a phrase: these words in this order
  pass*                a prefix: words starting with pass ("minimum pass*" for a phrase)
  PASS_MIN_LEN         punctuation splits words, so this is the phrase "pass min len"
  -telnet              exclude what the term matches (also -field:value, -"phrase")
  field:value          limit a term to one field; field:a,b means a or b;
                       quote values with spaces: policy:"Linux baseline"

Text fields (words, "phrases" and prefix* as above):
  statement, rationale, remediation, category, subcategory (sub), technology (tech;
  a number is a technology ID), policy (a number is a policy ID), evidence (expected,
  extended, description, current values, cause of failure), expected, current, cause,
  dns, netbios, os, cpe
Filter fields (exact match, case-insensitive; * is a wildcard where noted):
  status:Failed        Passed, Failed, Error or Passed*; previous:Passed for the
                       previous status
  criticality:4,5      criticality values 0 to 5 or labels (criticality:URGENT)
  control:1071         control IDs
  host:10.20.*         a host ID, an address or a DNS/NetBIOS name; * is a wildcard
  ip:10.20.1.*         an address pattern
  tracking:agent       tracking method (IP, DNS, NETBIOS, AGENT, ...); * allowed
  network:DMZ          network name (* allowed) or network ID
  exception:yes        approved exceptions (yes or no)

AND, OR, NOT and NEAR in capitals and parentheses are rejected, because the language
has no operators besides - and commas; quote them ("OR") to search for the word.
A query has at most 2,000 characters and 32 terms.`;
