import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp.js';

const BIN = new URL('../../bin/posture-workbench.js', import.meta.url).pathname;
const fixture = (file: string) => new URL(`../fixtures/reference/${file}`, import.meta.url).pathname;
const run = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(db: string, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, '--db', db], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

interface SearchJson {
  total: number;
  sort: string;
  snapshotIds: number[];
  nextCursor: string | null;
  facets: Record<string, { value: unknown; label?: unknown; count: number }[]>;
  rows: { policyId: number; hostId: number; controlId: number; instance: string; status: string; ip: string | null; criticality: { value: number | null } }[];
}

async function searchJson(db: string, ...args: string[]): Promise<SearchJson> {
  const result = await cli(db, 'search', '--json', ...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as SearchJson;
}

function identities(output: SearchJson): string[] {
  return output.rows.map((row) => `${row.hostId}/${row.controlId}`).sort();
}

describe('search command on the reference samples', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: string;

  beforeAll(async () => {
    dir = makeTempDir('pw-search-cli-');
    db = join(dir.path, 'store.db');
    const imported = await cli(db, 'import', fixture('v1-posture.json'), fixture('v2-posture.json'), fixture('v3-posture.json'));
    expect(imported.code).toBe(0);
  });

  afterAll(() => dir.remove());

  it('escapes terminal controls from data', async () => {
    // A record whose DNS name and statement carry escape sequences and a bidi override.
    const [template] = JSON.parse(readFileSync(fixture('v3-posture.json'), 'utf8')) as Record<string, unknown>[];
    const hostile = { ...template, hostId: 88_000_001, dns: 'evil\u001b[31mRED\u001b[0m.example', controlStatement: '\u001b]0;pwned\u0007Status \u202eof x' };
    const file = join(dir.path, 'hostile.json');
    writeFileSync(file, JSON.stringify([hostile]));
    const hostileDb = join(dir.path, 'hostile.db');
    expect((await cli(hostileDb, 'import', file)).code).toBe(0);

    const text = await cli(hostileDb, 'search', '');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('evil\\x1b[31mRED\\x1b[0m.example');
    expect(text.stdout).not.toMatch(/[\u001b\u0007\u202e]/);

    const json = await cli(hostileDb, 'search', '', '--json');
    expect(json.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    const row = (JSON.parse(json.stdout) as { rows: { dns: string; controlStatement: string }[] }).rows[0]!;
    expect(row.dns).toBe(hostile.dns);
    expect(row.controlStatement).toBe(hostile.controlStatement);
  });

  it('host filter ignores non-ASCII case', async () => {
    // The NetBIOS name is stored as ZÜRICH-DC-01; SQLite's own lower() folds only ASCII.
    for (const query of ['host:ZÜRICH-DC-01', 'host:zürich-dc-01', 'host:Zürich-DC-0*']) {
      const output = await searchJson(db, query, '--all');
      expect({ query, total: output.total }).toEqual({ query, total: 1 });
    }
  });

  it('finds a setting name in control text and evidence', async () => {
    const output = await searchJson(db, 'PASS_MIN_LEN');
    expect(identities(output)).toEqual(['1756436/1071', '5500103/1071', '6396397/1071']);
    expect(output.total).toBe(3);
    expect(output.sort).toBe('relevance');
  });

  it('finds a host by address with status flags', async () => {
    expect(identities(await searchJson(db, '10.20.1.11'))).toEqual(['5500101/1030']);
    expect(identities(await searchJson(db, 'host:10.20.1.12', '--status', 'Failed'))).toEqual(['5500102/1071']);
  });

  it('filters by status, criticality and policy', async () => {
    const failed = await searchJson(db, '--status', 'Failed', '--criticality', '3,5');
    expect(identities(failed)).toEqual(['11587415/100432', '1756436/1071', '5500102/1071']);
    expect(failed.facets.status).toEqual([{ value: 'Failed', count: 3 }]);
    // Every posture of policy 1438626 matches its title, including v1 records that arrived without one.
    expect(identities(await searchJson(db, '--policy', 'CPS -Test'))).toEqual(['4980343/1131', '5500101/1030', '5500102/1071', '5500102/2205']);
  });

  it('prints the documented JSON shape', async () => {
    const output = await searchJson(db, '--limit', '2', '--sort', 'host');
    expect(Object.keys(output).sort()).toEqual(['facets', 'hostCount', 'nextCursor', 'rows', 'snapshotIds', 'sort', 'total']);
    expect(Object.keys(output.facets).sort()).toEqual(
      ['category', 'criticality', 'exception', 'host', 'network', 'policy', 'previousStatus', 'status', 'subCategory', 'technology', 'trackingMethod'].sort(),
    );
    expect(output.rows).toHaveLength(2);
    expect(Object.keys(output.rows[0]!)).toEqual(
      expect.arrayContaining(['policyId', 'hostId', 'controlId', 'instance', 'status', 'criticality', 'ip', 'dns', 'controlStatement', 'postureId', 'stateId', 'snapshotId']),
    );
    expect(output.total).toBe(11);

    const next = await searchJson(db, '--limit', '2', '--sort', 'host', '--cursor', output.nextCursor!);
    expect(next.rows).toHaveLength(2);
    expect(identities(next)).not.toEqual(identities(output));
  });

  it('rejects bad input with one line and a usage exit code', async () => {
    const operator = await cli(db, 'search', 'ssh OR telnet');
    expect(operator.code).toBe(2);
    expect(operator.stderr.trim().split('\n')).toHaveLength(1);
    expect(operator.stderr).toContain('OR is not an operator');

    expect((await cli(db, 'search', '--sort', 'size')).code).toBe(2);
    expect((await cli(db, 'search', '--all', '--snapshot', '1')).code).toBe(2);
    const missing = await cli(db, 'search', '--snapshot', '99');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('Snapshot 99 does not exist');
  });

  it('show counts add up per policy', async () => {
    // The reference samples include an approved exception (Passed*), which needs a column.
    const output = await cli(db, 'show', '1');
    expect(output.code).toBe(0);
    const table = output.stdout.slice(output.stdout.indexOf('Policy  '));
    const rows = table.split('\n').slice(2).filter((line) => line.trim().length > 0);
    expect(rows.length).toBeGreaterThan(1);
    let exceptions = 0;
    for (const row of rows) {
      const [records, ...counts] = row.trim().split(/\s+/u).slice(-6).map(Number);
      expect({ row, sum: counts.reduce((sum, count) => sum + count, 0) }).toEqual({ row, sum: records });
      exceptions += counts[1]!;
    }
    expect(exceptions).toBeGreaterThan(0);
  });

  it('snapshot commands take one ID', async () => {
    for (const args of [['show', '1', '2'], ['delete', '1', '2'], ['label', '1', '2', '--label', 'x']]) {
      const result = await cli(db, ...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain('takes one snapshot ID, got 2 (1 2)');
    }
    const none = await cli(db, 'delete');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Give the snapshot ID: posture-workbench delete SNAPSHOT');
    expect((await cli(db, 'show', '1')).code).toBe(0);
  });

  it('names the flag in flag errors', async () => {
    const status = await cli(db, 'search', '--status', 'bogus');
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('Unknown status "bogus" in --status');

    const criticality = await cli(db, 'search', '--criticality', '4.5');
    expect(criticality.code).toBe(2);
    expect(criticality.stderr).toContain('--criticality 4.5 is not a whole number from 0 to 5');

    const twice = await cli(db, 'search', '--snapshot', '1', '--snapshot', '2');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--snapshot is given more than once');

    const typo = await cli(db, 'search', '--limt', '5');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('"--limt" is not an option of this command');
  });

  it('accepts flag forms a user would try', async () => {
    const split = await searchJson(db, '--all', '--policy', '1438626,725886');
    const repeated = await searchJson(db, '--all', '--policy', '1438626', '--policy', '725886');
    expect(split.total).toBeGreaterThan(0);
    expect(split.total).toBe(repeated.total);

    expect((await searchJson(db, '--all', '--sort', 'RELEVANCE', 'password')).sort).toBe('relevance');
    const inner = await searchJson(db, '--all', '"minimum pass*"');
    expect(inner.total).toBeGreaterThan(0);
    expect(inner.total).toBe((await searchJson(db, '--all', '"minimum pass"*')).total);
  });

  it('documents the query language in --help', async () => {
    const help = await cli(db, 'search', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Query language');
    expect(help.stdout).toContain('criticality:4,5');
  });
});
