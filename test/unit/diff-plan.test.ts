import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armSql, countsSql, diffCounts, diffRows, DIFF_CLASSES, pageSql, readScope } from '../../db/diff.js';
import { diffLines } from '../../db/line-diff.js';
import { openStore, type Store } from '../../db/store.js';
import { benchStatusOfA, buildDiffStore, type DiffStoreResult } from '../bench/diff-store.js';
import { makeTempDir } from '../helpers/temp.js';

function plan(store: Store, sql: string): string[] {
  return (store.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ limit: 101 }) as { detail: string }[]).map((row) => row.detail);
}

/** Fails when a table is scanned whole or a lookup does not use the expected key. */
function expectIndexedPlan(lines: string[], required: (string | RegExp)[]): void {
  for (const line of required) {
    const found = lines.some((detail) => (typeof line === 'string' ? detail === line : line.test(detail)));
    expect(found, `${String(line)} in\n${lines.join('\n')}`).toBe(true);
  }
  for (const line of lines) expect(line, lines.join('\n')).not.toMatch(/^SCAN (a|b|p|sa|sb|c|m)\b/);
}

describe('diff query plans', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;
  let built: DiffStoreResult;

  beforeAll(() => {
    dir = makeTempDir('pw-diff-plan-');
    store = openStore(`${dir.path}/store.db`);
    built = buildDiffStore(store, { policies: 2, hosts: 50, controls: 20, rawBytes: 16 });
  });

  afterAll(() => {
    store.close();
    dir.remove();
  });

  for (const analysed of [false, true]) {
    const when = analysed ? 'after ANALYZE' : 'without statistics';

    it(`counts walk members by key ${when}`, () => {
      if (analysed) store.sqlite.exec('ANALYZE');
      const scopeA = readScope(store, built.snapshotA);
      const scopeB = readScope(store, built.snapshotB);
      expectIndexedPlan(plan(store, countsSql(armSql('a', scopeA, scopeB, { filters: {}, joinControl: false }))), [
        'SEARCH a USING PRIMARY KEY (snapshot_id=?)',
        'SEARCH b USING PRIMARY KEY (snapshot_id=? AND posture_id=?) LEFT-JOIN',
        'SEARCH p USING INTEGER PRIMARY KEY (rowid=?)',
        'SEARCH sa USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN',
      ]);
      expectIndexedPlan(plan(store, countsSql(armSql('b', scopeA, scopeB, { filters: { policyIds: [1] }, joinControl: false }))), [
        'SEARCH b USING PRIMARY KEY (snapshot_id=?)',
        'SEARCH a USING PRIMARY KEY (snapshot_id=? AND posture_id=?)',
      ]);
    });

    it(`first page needs no sort ${when}`, () => {
      const scopeA = readScope(store, built.snapshotA);
      const scopeB = readScope(store, built.snapshotB);
      const query = { filters: {}, classes: [...DIFF_CLASSES], order: 'posture' as const, cursor: { criticality: 0, postureId: 10 } };
      const lines = plan(store, pageSql(scopeA, scopeB, ['a'], query));
      expectIndexedPlan(lines, ['SEARCH a USING PRIMARY KEY (snapshot_id=? AND posture_id>?)']);
      expect(lines.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    });

    it(`host filter starts from the host index ${when}`, () => {
      const scopeA = readScope(store, built.snapshotA);
      const scopeB = readScope(store, built.snapshotB);
      const query = { filters: { hostIds: [50001] }, classes: [...DIFF_CLASSES], order: 'posture' as const, cursor: null };
      expectIndexedPlan(plan(store, pageSql(scopeA, scopeB, ['a'], query)), [
        // With statistics on few policies, SQLite may skip-scan the identity index instead.
        /^SEARCH p USING (INDEX postures_host \(host_id=\?\)|COVERING INDEX postures_identity \(ANY\(policy_id\) AND host_id=\?\))$/,
        'SEARCH a USING PRIMARY KEY (snapshot_id=? AND posture_id=?)',
      ]);
      const control = { ...query, filters: { controlIds: [1001] } };
      expectIndexedPlan(plan(store, pageSql(scopeA, scopeB, ['b'], control)), [
        /^SEARCH p USING (INDEX postures_control \(control_id=\?\)|COVERING INDEX postures_identity \(ANY\(policy_id\) AND ANY\(host_id\) AND control_id=\?\))$/,
      ]);
    });
  }

  it('counts the changes the builder made', () => {
    const counts = diffCounts(store, built.snapshotA, built.snapshotB);
    let regressed = 0;
    for (let id = 1; id <= built.postures; id++) {
      if (id % 100 >= 1 && id % 100 <= 5 && ['Passed', 'Passed*'].includes(benchStatusOfA(id))) regressed++;
    }
    expect(counts.added).toBe(built.expected.added);
    expect(counts.removed).toBe(built.expected.removed);
    expect(counts.regressed).toBe(regressed);
    expect(counts.fixed).toBe(built.expected.statusMoves - regressed);
    expect(counts.evidenceChanged).toBe(built.expected.evidenceChanged);
    expect(counts.exception + counts.statusChanged + counts.metadataChanged + counts.outOfScope).toBe(0);
  });

  it('pages through every change once', () => {
    const seen: number[] = [];
    let after: string | null = null;
    do {
      const page = diffRows(store, { a: built.snapshotA, b: built.snapshotB, limit: 97, after });
      seen.push(...page.rows.map((row) => row.postureId));
      after = page.nextCursor;
    } while (after !== null);
    const counts = diffCounts(store, built.snapshotA, built.snapshotB);
    expect(seen).toHaveLength(Object.values(counts).reduce((sum, count) => sum + count, 0));
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('line diff', () => {
  it('keeps common lines around a change', () => {
    expect(diffLines('a\nb\nc\nd', 'a\nc\nx\nd')).toEqual([
      { op: 'equal', text: 'a' },
      { op: 'removed', text: 'b' },
      { op: 'equal', text: 'c' },
      { op: 'added', text: 'x' },
      { op: 'equal', text: 'd' },
    ]);
  });

  it('treats null as no lines', () => {
    expect(diffLines(null, 'x\ny')).toEqual([
      { op: 'added', text: 'x' },
      { op: 'added', text: 'y' },
    ]);
    expect(diffLines('x', null)).toEqual([{ op: 'removed', text: 'x' }]);
  });

  it('replaces huge middles whole', () => {
    const before = Array.from({ length: 3000 }, (_, index) => `old ${index}`).join('\n');
    const after = Array.from({ length: 3000 }, (_, index) => `new ${index}`).join('\n');
    const lines = diffLines(`head\n${before}\ntail`, `head\n${after}\ntail`);
    expect(lines[0]).toEqual({ op: 'equal', text: 'head' });
    expect(lines.filter((line) => line.op === 'removed')).toHaveLength(3000);
    expect(lines.filter((line) => line.op === 'added')).toHaveLength(3000);
    expect(lines[lines.length - 1]).toEqual({ op: 'equal', text: 'tail' });
  });
});
