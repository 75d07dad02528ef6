import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIFF_CLASSES, diffCounts, diffRows, type DiffClass, type DiffCounts } from '../../db/diff.js';
import { saveReportRevision, type ReportRevision } from '../../db/reports.js';
import { openStore, type Store } from '../../db/store.js';
import { exportCsv, exportPackage, exportPdf } from '../../electron/report/export.js';
import { buildReportModel } from '../../electron/report/model.js';
import { readPackageEntries } from '../../electron/report/package.js';
import { DIFF_CLASS_LABELS, UNCHANGED_LABEL } from '../../electron/report/pdf/changes.js';
import { reportDiffCounts } from '../../electron/report/report-diff.js';
import { createScope } from '../../electron/report/scope.js';
import { parseCsv } from '../helpers/csv.js';
import { importRecords, postureRecord, type RecordFields } from '../helpers/diff-records.js';
import { makeTempDir } from '../helpers/temp.js';

/** Postures on both sides of a diff, covering every class, several times over hosts. */
function sides(host: number): { a: RecordFields[]; b: RecordFields[] } {
  const base = (controlId: number, status: string, extra: Partial<RecordFields> = {}): RecordFields => ({
    policyId: 1,
    hostId: host,
    controlId,
    status,
    ...extra,
  });
  const pairs: [RecordFields | null, RecordFields | null][] = [
    [base(1, 'Passed', { criticality: 5 }), base(1, 'Failed', { criticality: 5 })],
    [base(2, 'Passed*'), base(2, 'Error')],
    [base(3, 'Failed'), base(3, 'Passed')],
    [base(4, 'Failed'), base(4, 'Passed*')],
    [base(5, 'Failed'), base(5, 'Error')],
    [base(6, 'Failed', { currentValues: ['8'] }), base(6, 'Failed', { currentValues: ['10'] })],
    [base(7, 'Passed'), base(7, 'Passed', { ip: '10.9.9.9' })],
    [base(8, 'Passed'), base(8, 'Passed', { lastEvaluatedDate: '2026-02-01T00:00:00Z' })],
    [base(9, 'Failed'), base(9, 'Failed')],
    [null, base(10, 'Passed')],
    [base(11, 'Failed'), null],
    [{ policyId: 3, hostId: host, controlId: 12, status: 'Passed' }, null],
    [null, { policyId: 4, hostId: host, controlId: 13, status: 'Failed' }],
  ];
  return {
    a: pairs.flatMap(([a]) => (a ? [a] : [])),
    b: pairs.flatMap(([, b]) => (b ? [b] : [])),
  };
}

const HOSTS = [1, 2, 3, 4];
/** Per host: control 8 (dates only) and control 9 (same record) are unchanged. */
const UNCHANGED_PER_HOST = 2;

function tally(rows: string[][], column: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row[column]!] = (counts[row[column]!] ?? 0) + 1;
  return counts;
}

function nonZero(counts: DiffCounts): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));
}

/** Reads the "Changes since the baseline" table of a PDF: label → count. */
function pdfChangeCounts(path: string): Map<string, number> {
  const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  const counts = new Map<string, number>();
  for (const [, label] of [...DIFF_CLASS_LABELS, ['unchanged', UNCHANGED_LABEL] as const]) {
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`${escaped}\\s+([\\d,]+)`).exec(text);
    if (match) counts.set(label, Number(match[1]!.replaceAll(',', '')));
  }
  return counts;
}

describe('report diff from the store diff', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;
  let a: number;
  let b: number;
  let report: ReportRevision;
  let expected: DiffCounts;

  beforeAll(async () => {
    dir = makeTempDir('pw-report-diff-');
    store = openStore(join(dir.path, 'store.db'));
    const all = HOSTS.map((host) => sides(host));
    a = await importRecords(store, dir.path, 'a.json', all.flatMap((side) => side.a).map(postureRecord));
    b = await importRecords(store, dir.path, 'b.json', all.flatMap((side) => side.b).map(postureRecord));
    report = saveReportRevision(store, { title: 'Diff test', client: '', site: '', auditor: '', snapshotId: b, baselineId: a, query: null });
    expected = diffCounts(store, a, b);
  });

  afterAll(() => {
    store.close();
    dir.remove();
  });

  it('fixture covers every class', () => {
    for (const name of DIFF_CLASSES) expect(expected[name], name).toBe(HOSTS.length * (name === 'regressed' || name === 'outOfScope' ? 2 : 1));
  });

  it('diff CSV tallies equal diffCounts', async () => {
    const path = join(dir.path, 'diff.csv');
    const result = await exportCsv(store, { kind: 'diff', snapshotId: b, baselineId: a, query: null, path });
    const table = parseCsv(readFileSync(path, 'utf8'));
    const change = table[0]!.indexOf('change');
    expect(tally(table.slice(1), change)).toEqual(nonZero(expected));
    expect(result.rows).toBe(Object.values(expected).reduce((sum, count) => sum + count, 0));
  });

  it('PDF change table equals diffCounts', async () => {
    const path = join(dir.path, 'report.pdf');
    await exportPdf(store, report, path, null);
    const counts = pdfChangeCounts(path);
    for (const [name, label] of DIFF_CLASS_LABELS) expect(counts.get(label), name).toBe(expected[name]);
    expect(counts.get(UNCHANGED_LABEL)).toBe(HOSTS.length * UNCHANGED_PER_HOST);
  });

  it('package diff.csv equals diffCounts', async () => {
    const path = join(dir.path, 'package.zip');
    await exportPackage(store, report, path, null);
    const entries = await readPackageEntries(path, (name) => name === 'diff.csv');
    const table = parseCsv(entries.get('diff.csv')!.data!.toString('utf8'));
    expect(tally(table.slice(1), table[0]!.indexOf('change'))).toEqual(nonZero(expected));
  });

  it('model lists regressions by criticality', () => {
    const model = buildReportModel(store, report);
    const regressed = diffRows(store, { a, b, classes: ['regressed'], order: 'criticality', limit: 100 }).rows;
    expect(model.changes?.counts).toEqual(expected);
    expect(model.changes?.regressions.map((row) => [row.controlId, row.criticalityValue, row.statusAfter])).toEqual(
      regressed.map((row) => [row.controlId, row.criticalityValue, row.statusB]),
    );
    expect(model.changes?.regressions[0]?.criticalityValue).toBe(5);
  });

  it('query keeps removed postures of the host', async () => {
    // Host 1's postures in either snapshot, so removed and out-of-scope ones on A's side count too.
    const scoped = saveReportRevision(store, { title: 'Host 1', client: '', site: '', auditor: '', snapshotId: b, baselineId: a, query: 'host:host-1.example.test' });
    const rows = diffRows(store, { a, b, limit: 1000 }).rows.filter((row) => row.hostId === 1);
    const fromRows = Object.fromEntries(DIFF_CLASSES.map((name) => [name, rows.filter((row) => row.class === name).length]));
    expect(fromRows.removed).toBe(1);

    const path = join(dir.path, 'host-1.csv');
    await exportCsv(store, { kind: 'diff', snapshotId: b, baselineId: a, query: scoped.query, path });
    const table = parseCsv(readFileSync(path, 'utf8'));
    expect(tally(table.slice(1), table[0]!.indexOf('change'))).toEqual(Object.fromEntries(Object.entries(fromRows).filter(([, count]) => count > 0)));

    const pdfPath = join(dir.path, 'host-1.pdf');
    await exportPdf(store, scoped, pdfPath, null);
    const counts = pdfChangeCounts(pdfPath);
    for (const [name, label] of DIFF_CLASS_LABELS) expect(counts.get(label), name).toBe(fromRows[name]);
    expect(counts.get(UNCHANGED_LABEL)).toBe(UNCHANGED_PER_HOST);
  });

  it('scoped counts equal the scoped rows', () => {
    // The postures of hosts 1 and 2, on either side.
    const ids = store.sqlite
      .prepare('SELECT id FROM postures WHERE host_id IN (1, 2)')
      .pluck()
      .all() as number[];
    const scope = createScope(store.sqlite, ids);
    try {
      const scoped = reportDiffCounts(store, a, b, scope);
      const inScope = new Set(ids);
      const rows = diffRows(store, { a, b, limit: 1000 }).rows.filter((row) => inScope.has(row.postureId));
      const fromRows = Object.fromEntries(DIFF_CLASSES.map((name) => [name, rows.filter((row) => row.class === name).length])) as Record<DiffClass, number>;
      expect(scoped.counts).toEqual(fromRows);
      expect(scoped.unchanged).toBe(2 * UNCHANGED_PER_HOST);
    } finally {
      scope.drop();
    }
  });
});
