import { describe, expect, it } from 'vitest';
import { AppError } from '../../db/errors.js';
import { ftsExpression, ftsPhrase } from '../../db/search/fts.js';
import { FILTER_FIELDS, TEXT_FIELDS, parseQuery, type QueryTerm } from '../../db/search/query.js';

function terms(input: string): QueryTerm[] {
  return parseQuery(input).terms;
}

function rejection(input: string): string {
  try {
    parseQuery(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('USAGE');
    return (error as AppError).message;
  }
  throw new Error(`parseQuery accepted ${JSON.stringify(input)}`);
}

describe('parseQuery', () => {
  it('accepts an empty or blank query', () => {
    expect(terms('')).toEqual([]);
    expect(terms('   \t ')).toEqual([]);
  });

  it('reads words, phrases and prefixes', () => {
    const parsed = terms('ssh "minimum password" pass*');
    expect(parsed).toHaveLength(3);
    expect(parsed[0]).toMatchObject({ field: null, negated: false, values: [{ text: 'ssh', prefix: false, quoted: false }] });
    expect(parsed[1]).toMatchObject({ field: null, values: [{ text: 'minimum password', prefix: false, quoted: true }] });
    expect(parsed[2]).toMatchObject({ field: null, values: [{ text: 'pass', prefix: true }] });
  });

  it('reads a quoted phrase with a prefix', () => {
    expect(terms('"minimum pass"*')[0]!.values[0]).toEqual({ text: 'minimum pass', prefix: true, quoted: true });
    expect(terms('"minimum pass*"')[0]!.values[0]).toEqual({ text: 'minimum pass', prefix: true, quoted: true });
    expect(terms('statement:"minimum pass*"')[0]!.values[0]).toEqual({ text: 'minimum pass', prefix: true, quoted: true });
  });

  it('reads doubled quotes inside a phrase as one quote', () => {
    expect(terms('"say ""hello"""')[0]!.values[0]!.text).toBe('say "hello"');
  });

  it('reads exclusions', () => {
    const parsed = terms('-telnet -"root login" -status:Passed');
    expect(parsed.map((term) => term.negated)).toEqual([true, true, true]);
    expect(parsed[2]).toMatchObject({ field: 'status', values: [{ text: 'Passed' }] });
  });

  it('reads Passed* as a status name', () => {
    expect(terms('status:Passed*')[0]!.values[0]).toEqual({ text: 'Passed*', prefix: false, quoted: false });
    expect(terms('-previous:passed*,Failed')[0]!.values.map((value) => value.text)).toEqual(['passed*', 'Failed']);
  });

  it('reads field alternatives and quoted field values', () => {
    expect(terms('criticality:4,5')[0]!.values.map((value) => value.text)).toEqual(['4', '5']);
    expect(terms('policy:"Linux baseline"')[0]).toMatchObject({ field: 'policy', values: [{ text: 'Linux baseline', quoted: true }] });
    expect(terms('status:Failed,"Passed*"')[0]!.values.map((value) => value.text)).toEqual(['Failed', 'Passed*']);
  });

  it('accepts every documented field', () => {
    const examples: Record<string, string> = {
      status: 'Failed',
      previous: 'Passed',
      criticality: 'URGENT',
      control: '1071',
      host: 'web*',
      ip: '10.20.*',
      tracking: 'agent',
      network: 'DMZ',
      exception: 'yes',
    };
    for (const field of TEXT_FIELDS) expect(terms(`${field}:ssh`)[0]!.field).toBe(field);
    for (const field of FILTER_FIELDS) expect(terms(`${field}:${examples[field]}`)[0]!.field).toBe(field);
  });

  it('resolves field aliases and any letter case', () => {
    expect(terms('STATUS:failed')[0]!.field).toBe('status');
    expect(terms('sub:passwords')[0]!.field).toBe('subcategory');
    expect(terms('tech:centos')[0]!.field).toBe('technology');
    expect(terms('prev:Passed')[0]!.field).toBe('previous');
  });

  it('allows wildcards anywhere in address patterns', () => {
    expect(terms('host:10.*.1.11')[0]!.values[0]!.text).toBe('10.*.1.11');
    expect(terms('ip:10.20.*')[0]!.values[0]).toMatchObject({ text: '10.20.*', prefix: true });
  });

  it('keeps non-ASCII words', () => {
    expect(terms('サーバー Müller')[1]!.values[0]!.text).toBe('Müller');
  });

  it('treats lower-case operator words as words', () => {
    expect(terms('near and or not').map((term) => term.values[0]!.text)).toEqual(['near', 'and', 'or', 'not']);
    expect(terms('"OR"')[0]!.values[0]!.text).toBe('OR');
  });
});

describe('parseQuery rejections', () => {
  const cases: [string, string][] = [
    ['ssh OR telnet', 'OR is not an operator'],
    ['ssh AND telnet', 'AND is not an operator'],
    ['NOT telnet', 'NOT is not an operator'],
    ['ssh NEAR root', 'NEAR is not an operator'],
    ['NEAR(ssh root)', 'Parentheses'],
    ['(ssh)', 'Parentheses'],
    ['*', 'must follow at least one letter'],
    ['pa*ss', 'only at the end of a word'],
    ['"unclosed phrase', 'never closed'],
    ['say"hello"', 'quote inside a word'],
    ['"phrase"x', 'closing quote must be followed'],
    ['- ssh', 'stands alone'],
    ['--ssh', 'is not an option of this command'],
    ['status:', 'no value'],
    ['status:Faild', 'Unknown status "Faild"'],
    ['status:Fail*', 'Unknown status "Fail*"'],
    ['criticality:9', 'not a whole number from 0 to 5'],
    ['criticality:-1', 'not a whole number from 0 to 5'],
    ['criticality:4.5', 'not a whole number from 0 to 5'],
    ['control:10*', 'without *'],
    ['control:99999999999999999999', 'at most 15 digits'],
    ['tracking:*', 'as in tracking:AGENT'],
    ['criticality:4*', 'without *'],
    ['control:ssh', 'control takes control IDs'],
    ['exception:maybe', 'exception takes yes or no'],
    ['colour:red', 'Unknown field "colour"'],
    ['http://example.com', 'Unknown field "http"'],
    ["'; DROP TABLE texts; --", 'no letter or digit'],
    ['--', 'is not an option of this command'],
    ['!!!', 'no letter or digit'],
    ['criticality:4,', 'empty value'],
    ['host:*', 'no text besides *'],
  ];
  for (const [input, message] of cases) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(rejection(input)).toContain(message);
    });
  }

  it('rejects a query that is too long', () => {
    expect(rejection('a '.repeat(1500))).toContain('maximum is');
  });

  it('rejects too many terms', () => {
    expect(rejection(Array.from({ length: 40 }, (_, index) => `w${index}`).join(' '))).toContain('more than 32 terms');
  });

  it('rejects a NUL character', () => {
    expect(rejection('ssh\u0000')).toContain('NUL');
  });
});

describe('FTS expressions', () => {
  it('quotes every value so FTS operators stay words', () => {
    expect(ftsPhrase({ text: 'NEAR', prefix: false, quoted: true })).toBe('"NEAR"');
    expect(ftsPhrase({ text: 'a" OR "b', prefix: false, quoted: true })).toBe('"a"" OR ""b"');
    expect(ftsPhrase({ text: 'pass', prefix: true, quoted: false })).toBe('"pass" *');
  });

  it('limits alternatives to columns', () => {
    const values = [
      { text: 'ssh', prefix: false, quoted: false },
      { text: 'telnet', prefix: false, quoted: false },
    ];
    expect(ftsExpression(values)).toBe('("ssh" OR "telnet")');
    expect(ftsExpression(values, ['statement'])).toBe('{statement} : (("ssh" OR "telnet"))');
    expect(ftsExpression(values.slice(0, 1), ['statement'])).toBe('{statement} : "ssh"');
  });
});
