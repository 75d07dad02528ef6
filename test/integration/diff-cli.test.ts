import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFile, postureChanges, type DataOptions } from '../simulator/index.js';
import { makeTempDir } from '../helpers/temp.js';

const BIN = new URL('../../bin/posture-workbench.js', import.meta.url).pathname;
const run = promisify(execFile);

async function cli(db: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args, '--db', db], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Returns the class the diff rules give a status or evidence move, written out independently of the SQL. */
function expectedClass(before: string, after: string, evidenceChanged: boolean): string {
  const passing = (status: string) => status === 'Passed' || status === 'Passed*';
  const failing = (status: string) => status === 'Failed' || status === 'Error';
  if (passing(before) && failing(after)) return 'regressed';
  if (failing(before) && after === 'Passed') return 'fixed';
  if ((before === 'Passed*') !== (after === 'Passed*')) return 'exception';
  if (before !== after) return 'statusChanged';
  return evidenceChanged ? 'evidenceChanged' : 'unchanged';
}

describe('diff on simulator files', () => {
  const data: DataOptions = { seed: 7, hosts: 40, policies: 2, controlsPerPolicy: 30, statusChangeRate: 0.1, evidenceChangeRate: 0.05 };
  let dir: ReturnType<typeof makeTempDir>;
  let db: string;

  beforeAll(async () => {
    dir = makeTempDir('pw-diff-cli-');
    db = join(dir.path, 'store.db');
    for (const day of [1, 2]) {
      const path = join(dir.path, `day-${day}.json.gz`);
      await generateFile(data, path, { version: 3, gzip: true, evidence: true, day });
      await cli(db, 'import', path, '--label', `day ${day}`);
    }
  });

  afterAll(() => dir.remove());

  it('counts what the simulator changed', async () => {
    const output = JSON.parse(await cli(db, 'diff', '--json', '--limit', '10000')) as {
      counts: Record<string, number>;
      rows: { policyId: number; hostId: number; controlId: number; class: string }[];
    };
    const expected = {
      added: 0,
      removed: 0,
      regressed: 0,
      fixed: 0,
      exception: 0,
      statusChanged: 0,
      evidenceChanged: 0,
      metadataChanged: 0,
      outOfScope: 0,
    };
    const expectedRows = new Map<string, string>();
    for (const change of postureChanges(data, 1, 2)) {
      const name = expectedClass(change.statusBefore, change.statusAfter, change.evidenceChanged);
      if (name === 'unchanged') continue;
      expected[name as keyof typeof expected] += 1;
      expectedRows.set(`${change.policyId}/${change.hostId}/${change.controlId}`, name);
    }
    expect(expected.regressed + expected.fixed).toBeGreaterThan(0);
    expect(output.counts).toEqual(expected);
    expect(new Map(output.rows.map((row) => [`${row.policyId}/${row.hostId}/${row.controlId}`, row.class]))).toEqual(expectedRows);
  });

  it('prints trend and history as json', async () => {
    const trend = JSON.parse(await cli(db, 'trend', '--json')) as { points: { snapshotId: number; passRate: number }[] };
    expect(trend.points).toHaveLength(2);
    const diff = JSON.parse(await cli(db, 'diff', '--json', '--class', 'regressed', '--limit', '1')) as {
      rows: { policyId: number; hostId: number; controlId: number; instance: string }[];
    };
    const row = diff.rows[0]!;
    const history = JSON.parse(
      await cli(db, 'history', '--json', '--host', String(row.hostId), '--control', String(row.controlId), '--policy', String(row.policyId), '--instance', row.instance),
    ) as { postures: { changes: { class: string }[] }[] };
    expect(history.postures).toHaveLength(1);
    expect(history.postures[0]!.changes.map((change) => change.class)).toEqual(['regressed']);
  });

  it('pages --json rows with nextCursor', async () => {
    type Page = { counts: Record<string, number>; rows: { postureId: number }[]; nextCursor: string | null };
    for (const order of ['posture', 'criticality']) {
      const all = JSON.parse(await cli(db, 'diff', '--json', '--order', order, '--limit', '10000')) as Page;
      expect(all.nextCursor).toBeNull();
      const paged: number[] = [];
      let cursor: string | null = null;
      do {
        const after: string[] = cursor === null ? [] : ['--after', cursor];
        const page = JSON.parse(await cli(db, 'diff', '--json', '--order', order, '--limit', '40', ...after)) as Page;
        paged.push(...page.rows.map((row) => row.postureId));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect({ order, paged }).toEqual({ order, paged: all.rows.map((row) => row.postureId) });
    }
  });

  it('exits with usage errors', async () => {
    await expect(cli(db, 'diff', '--class', 'worse')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown diff class "worse"') });
    await expect(cli(db, 'diff', '1', '99')).rejects.toMatchObject({ code: 3 });
    await expect(cli(db, 'diff', '--criticality', '9')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--criticality must be a whole number from 0 to 5') });
    await expect(cli(db, 'diff', '--rollup', 'policy', '--detail', '4')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('either --rollup or --detail') });
  });

  it('trend rows add up', async () => {
    const text = await cli(db, 'trend');
    const rows = text.split('\n').slice(2).filter((line) => /^\d/u.test(line));
    expect(rows.length).toBe(2);
    for (const row of rows) {
      // Postures, Passed, Passed*, Failed, Error, Other, then the pass rate.
      const numbers = row.trim().split(/\s+/u).slice(-7, -1).map(Number);
      const [postures, ...counts] = numbers;
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(postures);
    }
  });
});
