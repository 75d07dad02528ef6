import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import {
  DIFF_COLUMNS,
  encodeCsvCell,
  encodeCsvRow,
  POSTURE_COLUMNS,
  writeDiffCsv,
  writePosturesCsv,
  writeRollupsCsv,
} from '../../electron/report/csv.js';
import { exportCsv } from '../../electron/report/export.js';
import { mergeLabelRows } from '../../db/diff-rollups.js';
import { createScope } from '../../electron/report/scope.js';
import { parseCsv } from '../helpers/csv.js';
import { makeTempDir } from '../helpers/temp.js';
import { generateFile } from '../simulator/index.js';

const REFERENCE = join(import.meta.dirname, '..', 'fixtures', 'reference');

describe('CSV cell encoding', () => {
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1+cmd|/C calc!A0', "'+1+cmd|/C calc!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
  ])('neutralises formula start %j', (value, expected) => {
    expect(encodeCsvCell(value)).toBe(expected);
  });

  it('leaves safe text and numbers alone', () => {
    expect(encodeCsvCell('Passed')).toBe('Passed');
    expect(encodeCsvCell(-5)).toBe('-5');
    expect(encodeCsvCell(null)).toBe('');
    expect(encodeCsvCell(true)).toBe('true');
    expect(encodeCsvCell('a=b')).toBe('a=b');
  });

  it('quotes commas, quotes and line breaks', () => {
    expect(encodeCsvCell('a,b')).toBe('"a,b"');
    expect(encodeCsvCell('say "hi"')).toBe('"say ""hi"""');
    expect(encodeCsvCell('one\ntwo')).toBe('"one\ntwo"');
    expect(encodeCsvRow(['x', 1, null])).toBe('x,1,\r\n');
  });
});

describe('CSV export from a store', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;
  let first: number;
  let second: number;

  beforeEach(async () => {
    dir = makeTempDir();
    store = openStore(join(dir.path, 'store.db'));
    first = (await importFiles(store, [join(REFERENCE, 'v2-posture.json')])).snapshotId;
    second = (await importFiles(store, [join(REFERENCE, 'v3-posture.json')])).snapshotId;
  });

  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('postures CSV has a BOM, the header and UTF-8 text', async () => {
    const path = join(dir.path, 'postures.csv');
    const rows = await writePosturesCsv(store.sqlite, second, createWriteStream(path), { bom: true });
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const table = parseCsv(bytes.toString('utf8').slice(1));
    expect(table[0]).toEqual([...POSTURE_COLUMNS]);
    expect(rows).toBe(3);
    expect(table.length).toBe(4);
    expect(table.every((row) => row.length === POSTURE_COLUMNS.length)).toBe(true);
    const text = table.flat().join('\n');
    expect(text).toContain('dc01.zürich.example.test');
    expect(text).toContain('サーバー');
    const dateColumn = POSTURE_COLUMNS.indexOf('last_evaluated_date');
    for (const row of table.slice(1)) expect(row[dateColumn]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('postures CSV neutralises stored formula text', async () => {
    // Plant a formula in a control statement, as a hostile record could.
    store.sqlite.prepare("UPDATE texts SET body = '=cmd|'' /C calc''!A0' WHERE id = (SELECT statement_text_id FROM control_revisions LIMIT 1)").run();
    const path = join(dir.path, 'postures.csv');
    await writePosturesCsv(store.sqlite, second, createWriteStream(path));
    const cells = parseCsv(readFileSync(path, 'utf8')).flat();
    expect(cells.some((cell) => cell.startsWith('=cmd'))).toBe(false);
    expect(cells.some((cell) => cell.startsWith("'=cmd"))).toBe(true);
  });

  it('scope narrows the postures CSV', async () => {
    const ids = store.sqlite.prepare('SELECT posture_id AS id FROM snapshot_members WHERE snapshot_id = ? ORDER BY posture_id LIMIT 1').all(second) as { id: number }[];
    const scope = createScope(store.sqlite, ids.map((row) => row.id));
    const path = join(dir.path, 'scoped.csv');
    const rows = await writePosturesCsv(store.sqlite, second, createWriteStream(path), { scope });
    scope.drop();
    expect(rows).toBe(1);
  });

  it('diff CSV lists out-of-scope postures', async () => {
    // The two reference files share no policy, so every posture is outside the other's scope.
    const path = join(dir.path, 'diff.csv');
    const rows = await writeDiffCsv(store, first, second, createWriteStream(path));
    const table = parseCsv(readFileSync(path, 'utf8'));
    expect(table[0]).toEqual([...DIFF_COLUMNS]);
    expect(rows).toBe(table.length - 1);
    expect(rows).toBe(6);
    const changes = table.slice(1).map((row) => row[DIFF_COLUMNS.indexOf('change')]);
    expect(changes.every((change) => change === 'outOfScope')).toBe(true);
    const before = table.slice(1).map((row) => row[DIFF_COLUMNS.indexOf('last_evaluated_before')]);
    const after = table.slice(1).map((row) => row[DIFF_COLUMNS.indexOf('last_evaluated_after')]);
    expect(before.filter((date) => date !== '').length).toBe(3);
    expect(after.filter((date) => date !== '').length).toBe(3);
  });

  it('roll-ups CSV sums to the snapshot', async () => {
    const path = join(dir.path, 'rollups.csv');
    await writeRollupsCsv(store.sqlite, second, createWriteStream(path));
    const table = parseCsv(readFileSync(path, 'utf8'));
    const policies = table.slice(1).filter((row) => row[1] === 'policy');
    expect(policies.reduce((sum, row) => sum + Number(row[4]), 0)).toBe(3);
  });
});

describe('CSV export progress and cancel', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;
  let snapshotId: number;

  beforeEach(async () => {
    // Enough postures for several chunks of CSV, so progress arrives before the end.
    dir = makeTempDir();
    const file = join(dir.path, 'postures.json.gz');
    await generateFile({ seed: 7, hosts: 40, policies: 2, controlsPerPolicy: 40 }, file, { version: 3, gzip: true, evidence: true });
    store = openStore(join(dir.path, 'store.db'));
    snapshotId = (await importFiles(store, [file])).snapshotId;
  });

  afterEach(() => {
    store.close();
    dir.remove();
  });

  const options = (path: string) => ({ kind: 'postures' as const, snapshotId, baselineId: null, query: null, path });

  it('reports rows as it writes', async () => {
    const reported: number[] = [];
    const result = await exportCsv(store, { ...options(join(dir.path, 'all.csv')), onRows: (rows) => reported.push(rows) });
    expect(reported.length).toBeGreaterThan(1);
    expect(reported[0]).toBeGreaterThan(0);
    expect(reported[0]).toBeLessThan(result.rows);
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
    expect(reported.at(-1)).toBe(result.rows);
  });

  it('cancel leaves no file', async () => {
    const controller = new AbortController();
    const path = join(dir.path, 'cancelled.csv');
    const run = exportCsv(store, { ...options(path), signal: controller.signal, onRows: () => controller.abort() });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(run).rejects.toThrow(/cancelled after [\d,]+ rows; no file was written/);
    expect(readdirSync(dir.path).filter((name) => name.includes('cancelled'))).toEqual([]);
  });
});

describe('roll-up labels', () => {
  it('merges the labels of one criticality value', () => {
    const counts = { passed: 1, failed: 0, error: 0, exception: 0, other: 0 };
    const merged = mergeLabelRows([
      { key: 5, label: 'high updated', total: 178, ...counts },
      { key: 5, label: 'URGENT', total: 370, ...counts },
      { key: 4, label: null, total: 3, ...counts },
    ]);
    expect(merged).toEqual([
      { key: 5, label: 'URGENT / high updated', total: 548, ...counts, passed: 2 },
      { key: 4, label: null, total: 3, ...counts },
    ]);
  });
});
