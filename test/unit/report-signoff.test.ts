import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getReport, listReports, saveReportRevision, signOffReport, type ReportDefinition } from '../../db/reports.js';
import { deleteSnapshot } from '../../db/snapshots.js';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
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
    const signoff = signOffReport(store, report.reportId, undefined, { ...SIGNOFF, signedAt: '2025-06-30T14:00:00+02:00' });
    expect(signoff.reportSha256).toBe(report.contentSha256);
    expect(signoff.signedAt).toBe('2025-06-30T12:00:00.000Z');
    expect(signoff.snapshotIds).toEqual([definition.baselineId, definition.snapshotId].sort((a, b) => a! - b!));
    expect(() => deleteSnapshot(store, definition.snapshotId)).toThrow(expect.objectContaining({ code: 'LOCKED' }));
    expect(() => deleteSnapshot(store, definition.baselineId!)).toThrow(expect.objectContaining({ code: 'LOCKED' }));
  });

  it('sign-off rejects missing fields and bad times', () => {
    const report = saveReportRevision(store, definition);
    expect(() => signOffReport(store, report.reportId, 1, { ...SIGNOFF, name: '  ' })).toThrow(/--name/);
    expect(() => signOffReport(store, report.reportId, 1, { ...SIGNOFF, signedAt: 'yesterday' })).toThrow(/ISO-8601/);
  });

  it('sign-off rejects changed snapshot content', () => {
    const report = saveReportRevision(store, definition);
    store.sqlite.prepare('UPDATE posture_states SET sha256 = randomblob(32) WHERE id = (SELECT state_id FROM snapshot_members WHERE snapshot_id = ? LIMIT 1)').run(definition.snapshotId);
    expect(() => signOffReport(store, report.reportId, 1, SIGNOFF)).toThrow(expect.objectContaining({ code: 'VERIFY_FAILED' }));
  });

  it('baseline equal to snapshot is rejected', () => {
    expect(() => saveReportRevision(store, { ...definition, baselineId: definition.snapshotId })).toThrow(/baseline/);
  });
});
