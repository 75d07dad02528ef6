import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../db/errors.js';
import { deleteSnapshot, getSnapshotDetails, listSnapshots, readRawRecord } from '../../db/snapshots.js';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { RecordScanner } from '../../electron/ingest/scanner.js';
import { writePostureFile } from '../helpers/posture-generator.js';
import { makeTempDir } from '../helpers/temp.js';

const fixtures = new URL('../fixtures/reference/', import.meta.url);
const fixture = (file: string) => new URL(file, fixtures).pathname;

let dir: ReturnType<typeof makeTempDir>;
let store: Store;

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(join(dir.path, 'store.db'));
});

afterEach(() => {
  store.close();
  dir.remove();
});

function elementsOf(path: string): Buffer[] {
  const scanner = new RecordScanner();
  const elements = scanner.push(readFileSync(path)).map((element) => element.bytes);
  scanner.end();
  return elements;
}

function countRows(table: string): number {
  return (store.sqlite.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number }).count;
}

function stateIdsOf(snapshotId: number): number[] {
  return (
    store.sqlite.prepare('SELECT state_id AS id FROM snapshot_members WHERE snapshot_id = ? ORDER BY posture_id').all(snapshotId) as {
      id: number;
    }[]
  ).map((row) => row.id);
}

describe('importFiles', () => {
  for (const file of ['v1-posture.json', 'v2-posture.json', 'v3-posture.json', 'v3-posture.ndjson', 'v2-single-record.json']) {
    it(`reproduces every record of ${file} byte for byte`, async () => {
      const result = await importFiles(store, [fixture(file)]);
      const expected = elementsOf(fixture(file));
      expect(result.records).toBe(expected.length);
      const stored = stateIdsOf(result.snapshotId).map((id) => readRawRecord(store, id).toString('hex'));
      expect(stored.sort()).toEqual(expected.map((bytes) => bytes.toString('hex')).sort());
    });
  }

  it('detects gzip by content whatever the file is called', async () => {
    const plain = readFileSync(fixture('v3-posture.json'));
    const gzipNamedJson = join(dir.path, 'looks-plain.json');
    const plainNamedGz = join(dir.path, 'looks-compressed.gz');
    writeFileSync(gzipNamedJson, gzipSync(plain));
    writeFileSync(plainNamedGz, plain);
    const a = await importFiles(store, [gzipNamedJson]);
    const b = await importFiles(store, [plainNamedGz]);
    expect(a.records).toBe(3);
    expect(b.records).toBe(3);
    expect(getSnapshotDetails(store, a.snapshotId).contentSha256).toBe(getSnapshotDetails(store, b.snapshotId).contentSha256);
  });

  it('stores snapshot metadata, scope and counts', async () => {
    const result = await importFiles(store, [fixture('v1-posture.json'), fixture('v2-posture.json')], { label: 'Site visit' });
    const details = getSnapshotDetails(store, result.snapshotId);
    expect(details.label).toBe('Site visit');
    expect(details.sourceKind).toBe('file');
    expect(details.source).toBe('v1-posture.json, v2-posture.json');
    expect(details.scopePolicyIds).toEqual([725886, 1438626, 1438627, 5561690, 5657103]);
    expect(details.records).toBe(8);
    expect(details.byStatus).toEqual({ Error: 1, Failed: 3, Passed: 3, 'Passed*': 1 });
    expect(details.inputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(details.byCriticality.find((row) => row.label === 'high updated')?.count).toBe(1);
    expect(details.byPolicy.find((row) => row.policyId === 1438626)?.count).toBe(3);
  });

  it('keeps one policy when IDs come as numbers and strings', async () => {
    await importFiles(store, [fixture('v1-posture.json')]);
    const policies = store.sqlite.prepare('SELECT DISTINCT policy_id AS id FROM postures ORDER BY id').all();
    expect(policies).toEqual([{ id: 1438626 }, { id: 1438627 }]);
  });

  it('stores each long text once', async () => {
    await importFiles(store, [fixture('v1-posture.json')]);
    await importFiles(store, [fixture('v2-posture.json')]);
    const rationale = store.sqlite.prepare("SELECT count(*) AS count FROM texts WHERE body LIKE 'Among the several%'").get() as {
      count: number;
    };
    expect(rationale.count).toBe(1);
  });

  it('counts a duplicate posture once and keeps the later record', async () => {
    const records = JSON.parse(readFileSync(fixture('v2-posture.json'), 'utf8')) as Record<string, unknown>[];
    const later = { ...records[0], status: 'Passed', previousStatus: 'Failed' };
    const path = join(dir.path, 'dup.json');
    writeFileSync(path, JSON.stringify([...records, later]));
    const result = await importFiles(store, [path]);
    expect(result.records).toBe(4);
    expect(result.duplicates).toBe(1);
    expect(result.duplicateSample).toEqual([{ policyId: 725886, hostId: 1756436, controlId: 1071, instance: 'os' }]);
    expect(getSnapshotDetails(store, result.snapshotId).byStatus).toEqual({ Failed: 1, Passed: 1, 'Passed*': 1 });
  });

  it('stores an identical duplicate record once in a new store', async () => {
    const records = JSON.parse(readFileSync(fixture('v2-posture.json'), 'utf8')) as unknown[];
    const path = join(dir.path, 'twice.json');
    writeFileSync(path, JSON.stringify([records[0], records[1], records[0]]));
    const result = await importFiles(store, [path]);
    expect(result.duplicates).toBe(1);
    expect(countRows('posture_states')).toBe(2);
    expect(countRows('postures')).toBe(2);
    expect(getSnapshotDetails(store, result.snapshotId).records).toBe(2);
  });

  it('grows storage by under 5% of the file when re-importing unchanged data', async () => {
    const path = join(dir.path, 'big.json');
    await writePostureFile(path, { records: 4000, controlsPerHost: 100 });
    await importFiles(store, [path]);
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const before = statSync(store.path).size;
    await importFiles(store, [path]);
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const growth = statSync(store.path).size - before;
    expect(growth).toBeLessThanOrEqual(0.05 * statSync(path).size);
    expect(countRows('posture_states')).toBe(4000);
  });

  it('overlays records on a base snapshot with --base', async () => {
    const records = JSON.parse(readFileSync(fixture('v2-posture.json'), 'utf8')) as Record<string, unknown>[];
    const base = await importFiles(store, [fixture('v2-posture.json')]);
    const changedPath = join(dir.path, 'changed.json');
    writeFileSync(changedPath, JSON.stringify([{ ...records[1], status: 'Passed', previousStatus: 'Failed' }]));
    const overlay = await importFiles(store, [changedPath], { baseSnapshotId: base.snapshotId });
    const details = getSnapshotDetails(store, overlay.snapshotId);
    expect(details.records).toBe(3);
    expect(details.byStatus).toEqual({ Failed: 1, Passed: 1, 'Passed*': 1 });
    expect(details.baseSnapshotId).toBe(base.snapshotId);
    expect(details.scopePolicyIds).toEqual(getSnapshotDetails(store, base.snapshotId).scopePolicyIds);
    expect(getSnapshotDetails(store, base.snapshotId).byStatus).toEqual({ Failed: 2, 'Passed*': 1 });
  });

  it('rejects an unknown base snapshot before reading anything', async () => {
    await expect(importFiles(store, [fixture('v2-posture.json')], { baseSnapshotId: 99 })).rejects.toThrow(/Base snapshot 99 does not exist/);
    expect(listSnapshots(store, { includeBuilding: true })).toEqual([]);
  });
});

describe('importFiles with bad input', () => {
  async function expectNoTrace(run: () => Promise<unknown>, message: RegExp) {
    const earlier = await importFiles(store, [fixture('v1-posture.json')]);
    const earlierHash = getSnapshotDetails(store, earlier.snapshotId).contentSha256;
    const rowsBefore = ['texts', 'postures', 'posture_states', 'control_revisions', 'host_revisions'].map(countRows);
    await expect(run()).rejects.toThrow(message);
    expect(listSnapshots(store, { includeBuilding: true }).map((snapshot) => snapshot.id)).toEqual([earlier.snapshotId]);
    expect(['texts', 'postures', 'posture_states', 'control_revisions', 'host_revisions'].map(countRows)).toEqual(rowsBefore);
    expect(getSnapshotDetails(store, earlier.snapshotId).contentSha256).toBe(earlierHash);
  }

  it('fails on a truncated gzip file without touching earlier snapshots', async () => {
    const path = join(dir.path, 'cut.json.gz');
    const gz = gzipSync(readFileSync(fixture('v3-posture.json')));
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.7)));
    await expectNoTrace(() => importFiles(store, [path]), /gzip data is truncated/);
  });

  it('fails on a corrupt gzip stream', async () => {
    const path = join(dir.path, 'corrupt.gz');
    const gz = gzipSync(readFileSync(fixture('v3-posture.json')));
    gz.fill(0x41, 20, 60);
    writeFileSync(path, gz);
    await expectNoTrace(() => importFiles(store, [path]), /gzip data is corrupt/);
  });

  it('names the record index and byte offset of a malformed record', async () => {
    const path = join(dir.path, 'bad.json');
    writeFileSync(path, '[{"policyId":1,"hostId":2,"controlId":3,"instance":"os","status":"Passed"},\n {"policyId": xx}]');
    await expectNoTrace(() => importFiles(store, [path]), /Record 1 at byte 77 of bad\.json: invalid JSON at byte 90: unexpected 'x'/);
  });

  it('names the field of a record with a bad value', async () => {
    const path = join(dir.path, 'bad-id.json');
    writeFileSync(path, '[{"policyId":"<POLICY ID>","hostId":2,"controlId":3,"instance":"os","status":"Passed"}]');
    await expectNoTrace(() => importFiles(store, [path]), /Record 0 at byte 1 of bad-id\.json: policyId must be/);
  });

  it('fails on invalid JSON structure with the byte offset', async () => {
    const path = join(dir.path, 'html.json');
    writeFileSync(path, '<html><body>502 Bad Gateway</body></html>');
    await expectNoTrace(() => importFiles(store, [path]), /Invalid JSON at byte 0/);
  });

  it('fails on absurd nesting', async () => {
    const path = join(dir.path, 'deep.json');
    writeFileSync(path, '[' + '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000) + ']');
    await expectNoTrace(() => importFiles(store, [path]), /nests deeper than 64 levels/);
  });

  it('fails on a missing file with its path', async () => {
    await expect(importFiles(store, [join(dir.path, 'nope.json')])).rejects.toThrow(/Input file not found: .*nope\.json/);
  });

  it('skips malformed records with lenient and keeps them in a rejects file', async () => {
    const good = JSON.parse(readFileSync(fixture('v2-posture.json'), 'utf8')) as unknown[];
    const path = join(dir.path, 'mixed.json');
    writeFileSync(path, `[${JSON.stringify(good[0])}, {"policyId": xx}, 42, ${JSON.stringify(good[1])}]`);
    const rejectsPath = join(dir.path, 'rejects.jsonl');
    const result = await importFiles(store, [path], { lenient: true, rejectsPath });
    expect(result.records).toBe(2);
    expect(result.rejected).toBe(2);
    expect(result.rejectsFile).toBe(rejectsPath);
    const lines = readFileSync(rejectsPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { index: number; text: string });
    expect(lines.map((line) => line.index)).toEqual([1, 2]);
    expect(lines[0]!.text).toBe('{"policyId": xx}');
    expect(getSnapshotDetails(store, result.snapshotId).rejected).toBe(2);
  });

  it('accepts a multi-megabyte evidence field', async () => {
    const records = JSON.parse(readFileSync(fixture('v3-posture.json'), 'utf8')) as { evidence: { extendedEvidence: string } }[];
    records[0]!.evidence.extendedEvidence = 'Row 1:Name,Value\n' + 'Row 2:x,'.concat('y'.repeat(8 * 1024 * 1024)) + '\n';
    const path = join(dir.path, 'huge.json');
    writeFileSync(path, JSON.stringify(records));
    const result = await importFiles(store, [path]);
    expect(result.records).toBe(3);
  });

  it('stops with CANCELLED and leaves nothing when aborted', async () => {
    const path = join(dir.path, 'many.json');
    await writePostureFile(path, { records: 20_000 });
    const abort = new AbortController();
    const promise = importFiles(store, [path], {
      signal: abort.signal,
      onProgress: (progress) => {
        if (progress.records >= 4000) abort.abort();
      },
    });
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(listSnapshots(store, { includeBuilding: true })).toEqual([]);
    expect(countRows('posture_states')).toBe(0);
    expect(countRows('texts')).toBe(0);
  });
});

describe('store lifecycle', () => {
  it('removes an import killed mid-way at the next open', async () => {
    const path = join(dir.path, 'large.json.gz');
    await writePostureFile(path, { records: 60_000, gzip: true });
    const dbPath = join(dir.path, 'killed.db');
    openStore(dbPath).close();
    const child = spawn(process.execPath, [new URL('../../bin/posture-workbench.js', import.meta.url).pathname, 'import', path, '--db', dbPath], {
      stdio: 'ignore',
    });
    const watcher = new Database(dbPath, { readonly: true });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const row = watcher.prepare("SELECT count(*) AS count FROM snapshot_members m JOIN snapshots s ON s.id = m.snapshot_id WHERE s.state = 'building'").get() as {
        count: number;
      };
      if (row.count >= 4000) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the import finished or stalled before it could be killed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    watcher.close();
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const reopened = openStore(dbPath);
    try {
      expect(listSnapshots(reopened, { includeBuilding: true })).toEqual([]);
      const states = reopened.sqlite.prepare('SELECT count(*) AS count FROM posture_states').get() as { count: number };
      const members = reopened.sqlite.prepare('SELECT count(*) AS count FROM snapshot_members').get() as { count: number };
      expect(states.count).toBe(0);
      expect(members.count).toBe(0);
    } finally {
      reopened.close();
    }
  });

  it('refuses a database from a newer version', () => {
    const path = join(dir.path, 'newer.db');
    openStore(path).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('future', Date.now() + 10 ** 10);
    raw.close();
    const copy = join(dir.path, 'newer-copy.db');
    copyFileSync(path, copy);
    expect(() => openStore(copy)).toThrow(AppError);
    expect(() => openStore(copy)).toThrow(/created by a newer version of Posture Workbench/);
  });

  it('rejects a file that is not a database', () => {
    const path = join(dir.path, 'not-a-db.db');
    writeFileSync(path, 'hello, this is text');
    expect(() => openStore(path)).toThrow(/is not a Posture Workbench database/);
  });

  it('deletes a snapshot and the states only it used', async () => {
    const a = await importFiles(store, [fixture('v1-posture.json')]);
    const b = await importFiles(store, [fixture('v2-posture.json')]);
    deleteSnapshot(store, a.snapshotId);
    expect(listSnapshots(store).map((snapshot) => snapshot.id)).toEqual([b.snapshotId]);
    expect(countRows('posture_states')).toBe(3);
    expect(countRows('postures')).toBe(3);
  });

  it('sets the documented pragmas', () => {
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(1);
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(30000);
  });
});
