import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { passRateTrend } from '../../db/history.js';
import { getReport, listReports, saveOrReuseReport, saveReportRevision, signOffReport, type ReportDefinition } from '../../db/reports.js';
import { deleteSnapshot } from '../../db/snapshots.js';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { computeRollups, passRate } from '../../electron/report/csv.js';
import { buildReportModel, reportTrend } from '../../electron/report/model.js';
import { makeTempDir } from '../helpers/temp.js';

const REFERENCE = join(import.meta.dirname, '..', 'fixtures', 'reference');
const SIGNOFF = { name: 'Ana Ruiz', role: 'Lead auditor', organisation: 'Audit SL', statement: 'Reviewed.' };

describe('report revisions and sign-off', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;
  let definition: ReportDefinition;

  beforeEach(async () => {
    dir = makeTempDir();
    store = openStore(join(dir.path, 'store.db'));
    const first = (await importFiles(store, [join(REFERENCE, 'v2-posture.json')])).snapshotId;
    const second = (await importFiles(store, [join(REFERENCE, 'v3-posture.json')])).snapshotId;
    definition = { title: 'Audit', client: 'C', site: 'S', auditor: 'A', snapshotId: second, baselineId: first, query: null };
  });

  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('same definition reuses the revision', () => {
    const first = saveReportRevision(store, definition);
    const again = saveReportRevision(store, definition, first.reportId);
    expect(again.revision).toBe(1);
    expect(again.rowId).toBe(first.rowId);
  });

  it('changed signed report gets a new revision', () => {
    const first = saveReportRevision(store, definition);
    signOffReport(store, first.reportId, 1, SIGNOFF);
    const changed = saveReportRevision(store, { ...definition, title: 'Audit, corrected' }, first.reportId);
    expect(changed.revision).toBe(2);
    expect(changed.signoffs).toEqual([]);
    const old = getReport(store, first.reportId, 1);
    expect(old.title).toBe('Audit');
    expect(old.signoffs.length).toBe(1);
    expect(old.contentSha256).not.toBe(changed.contentSha256);
    expect(listReports(store).length).toBe(2);
  });

  it('sign-off stores the hash and locks snapshots', () => {
    const report = saveReportRevision(store, definition);
    // A time after the revision was created, given with a zone offset.
    const later = new Date(Date.parse(report.createdAt) + 60_000);
    const local = `${new Date(later.getTime() + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00`;
    const signoff = signOffReport(store, report.reportId, undefined, { ...SIGNOFF, signedAt: local });
    expect(signoff.reportSha256).toBe(report.contentSha256);
    expect(signoff.signedAt).toBe(`${later.toISOString().slice(0, 19)}.000Z`);
    expect(signoff.snapshotIds).toEqual([definition.baselineId, definition.snapshotId].sort((a, b) => a! - b!));
    expect(() => deleteSnapshot(store, definition.snapshotId)).toThrow(expect.objectContaining({ code: 'LOCKED' }));
    expect(() => deleteSnapshot(store, definition.baselineId!)).toThrow(expect.objectContaining({ code: 'LOCKED' }));
  });

  it('sign-off rejects missing fields and bad times', () => {
    const report = saveReportRevision(store, definition);
    expect(() => signOffReport(store, report.reportId, 1, { ...SIGNOFF, name: '  ' })).toThrow(/--name/);
    expect(() => signOffReport(store, report.reportId, 1, { ...SIGNOFF, signedAt: 'yesterday' })).toThrow(/ISO-8601/);
    expect(() => signOffReport(store, report.reportId, 1, { ...SIGNOFF, signedAt: '2020-01-01T00:00:00Z' })).toThrow(/before revision 1 of the report was created/);
    expect(() => signOffReport(store, report.reportId, 1, { ...SIGNOFF, signedAt: '2099-01-01T00:00:00Z' })).toThrow(/in the future/);
  });

  it('sign-off rejects changed snapshot content', () => {
    const report = saveReportRevision(store, definition);
    store.sqlite.prepare('UPDATE posture_states SET sha256 = randomblob(32) WHERE id = (SELECT state_id FROM snapshot_members WHERE snapshot_id = ? LIMIT 1)').run(definition.snapshotId);
    expect(() => signOffReport(store, report.reportId, 1, SIGNOFF)).toThrow(expect.objectContaining({ code: 'VERIFY_FAILED' }));
  });

  it('baseline equal to snapshot is rejected', () => {
    expect(() => saveReportRevision(store, { ...definition, baselineId: definition.snapshotId })).toThrow(/baseline/);
  });

  it('same options reuse the signed revision', () => {
    const first = saveOrReuseReport(store, definition);
    expect(first.reused).toBe(false);
    signOffReport(store, first.report.reportId, 1, SIGNOFF);
    // A newer unsigned report with the same options exists too; the signed one wins.
    saveReportRevision(store, definition);
    const again = saveOrReuseReport(store, definition);
    expect(again.reused).toBe(true);
    expect(again.report.rowId).toBe(first.report.rowId);
    expect(again.report.signoffs.map((signoff) => signoff.name)).toEqual([SIGNOFF.name]);
    const other = saveOrReuseReport(store, { ...definition, query: 'ssh' });
    expect(other.reused).toBe(false);
    expect(other.report.reportId).not.toBe(first.report.reportId);
  });

  it('write transactions hold the lock from the start', () => {
    // A second connection, as another process would be, tries to write while each
    // transaction runs its first statement. It must be blocked from the start: a
    // deferred transaction lets it write, then fails with SQLITE_BUSY on its own write.
    const other = openStore(store.path);
    other.sqlite.pragma('busy_timeout = 50');

    const outcomes: string[] = [];
    const sqlite = store.sqlite;
    const prepare = sqlite.prepare.bind(sqlite);
    let armed = false;
    sqlite.prepare = ((source: string) => {
      if (armed && sqlite.inTransaction) {
        armed = false;
        try {
          saveReportRevision(other, { ...definition, title: `Concurrent ${outcomes.length}` });
          outcomes.push('other wrote');
        } catch (error) {
          outcomes.push((error as { code?: string }).code ?? 'error');
        }
      }
      return prepare(source);
    }) as Database.Database['prepare'];

    try {
      armed = true;
      const report = saveReportRevision(store, definition);
      armed = true;
      saveReportRevision(store, { ...definition, title: 'Changed' }, report.reportId);
      armed = true;
      saveOrReuseReport(store, { ...definition, site: 'Elsewhere' });
      armed = true;
      signOffReport(store, report.reportId, 1, SIGNOFF);
    } finally {
      sqlite.prepare = prepare;
      other.close();
    }

    expect(outcomes).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY', 'SQLITE_BUSY', 'SQLITE_BUSY']);
  });

  it('pass rate counts every status', () => {
    expect(passRate({ passed: 2, exception: 1, total: 6 })).toBe(0.5);
    expect(passRate({ passed: 0, exception: 0, total: 0 })).toBeNull();
    const [row] = computeRollups(store.sqlite, definition.snapshotId, 'policy');
    expect(row!.passRate).toBe((row!.passed + row!.exception) / row!.total);
  });

  it('report trend matches the store trend', async () => {
    // A later snapshot where one posture has a status outside the known classes, which
    // the store counts as not passing.
    const changed = join(dir.path, 'v3-unknown-status.json');
    writeFileSync(changed, readFileSync(join(REFERENCE, 'v3-posture.json'), 'utf8').replace('"status": "Passed"', '"status": "Not Applicable"'));
    const later = (await importFiles(store, [changed])).snapshotId;
    const report = saveReportRevision(store, { ...definition, snapshotId: later });
    const model = buildReportModel(store, getReport(store, report.reportId));
    const storeTrend = passRateTrend(store);
    expect(model.trend.length).toBeGreaterThan(0);
    for (const point of model.trend) {
      const expected = storeTrend.find((candidate) => candidate.snapshotId === point.snapshotId);
      expect(point.passRate).toBe(expected!.passRate);
      expect(point.total).toBe(expected!.total);
    }
    expect(model.trend.at(-1)!.snapshotId).toBe(later);
    expect(model.totals.other).toBe(1);
    expect(reportTrend(store, model.snapshot.snapshot)).toEqual(model.trend);
    expect(model.totals.passRate).toBe((model.totals.passed + model.totals.exception) / model.totals.total);
  });
});
