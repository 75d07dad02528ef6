import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.js';
import { searchFacets, searchPostures } from '../../db/search/search.js';
import { migrationsFolder, openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { makeTempDir } from '../helpers/temp.js';
import { generateFile } from '../simulator/index.js';

const fixture = (file: string) => new URL(`../fixtures/reference/${file}`, import.meta.url).pathname;
const FILES = ['v1-posture.json', 'v2-posture.json', 'v3-posture.json'].map(fixture);
const QUERIES = ['PASS_MIN_LEN', '10.20.1.11', 'サーバー', 'grantees', 'policy:linux', 'cause:manual', 'technology:centos', 'status:Failed', ''];

let dir: ReturnType<typeof makeTempDir>;

beforeEach(() => {
  dir = makeTempDir('pw-search-migration-');
});

afterEach(() => dir.remove());

/** Copies the migrations up to the search migrations, as an older release shipped them. */
function migrationsBeforeSearch(): string {
  const folder = join(dir.path, 'migrations');
  cpSync(migrationsFolder(), folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const first = journal.entries.findIndex((entry) => entry.tag.endsWith('_search_indexes'));
  expect(first).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, first);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

function keys(store: Store, query: string): string[] {
  return searchPostures(store, { query }).rows.map((row) => `${row.hostId}/${row.controlId}/${row.status}`).sort();
}

describe('search migration', () => {
  it('indexes a database that was filled before search existed', async () => {
    // 1. An older store with data and no search objects: filled by today's writer, then
    //    stripped of everything the search migrations add and of their journal rows.
    const oldPath = join(dir.path, 'old.db');
    const filled = openStore(oldPath);
    await importFiles(filled, FILES);
    filled.close();
    const sqlite = new Database(oldPath);
    const searchObjects = sqlite
      .prepare(
        `SELECT type, name FROM sqlite_master
          WHERE (type IN ('table', 'trigger') AND name LIKE 'search%')
             OR (type = 'index' AND name LIKE 'posture_states_%' AND name NOT IN ('posture_states_posture', 'posture_states_sha256_unique'))`,
      )
      .all() as { type: string; name: string }[];
    for (const object of searchObjects) {
      // Dropping an FTS5 table drops its shadow tables, which may already be gone.
      sqlite.exec(`DROP ${object.type.toUpperCase()} IF EXISTS "${object.name}"`);
    }
    const journal = JSON.parse(readFileSync(join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    const firstSearch = journal.entries.find((entry) => entry.tag.endsWith('_search_indexes'))!;
    sqlite.prepare('DELETE FROM __drizzle_migrations WHERE created_at >= ?').run(firstSearch.when);

    // The stripped store has exactly the schema an older release created.
    const reference = new Database(join(dir.path, 'reference.db'));
    migrate(drizzle(reference, { schema }), { migrationsFolder: migrationsBeforeSearch() });
    const schemaOf = (db: Database.Database) => db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();
    expect(schemaOf(sqlite)).toEqual(schemaOf(reference));
    reference.close();
    sqlite.close();

    // 2. Opening it with this release migrates and backfills.
    const migrated = openStore(oldPath);
    const fresh = openStore(join(dir.path, 'fresh.db'));
    try {
      await importFiles(fresh, FILES);
      for (const query of QUERIES) {
        const expected = keys(fresh, query);
        expect({ query, keys: keys(migrated, query) }).toEqual({ query, keys: expected });
      }
      expect(keys(migrated, 'PASS_MIN_LEN')).toHaveLength(3);
      expect(searchFacets(migrated, {}).facets).toEqual(searchFacets(fresh, {}).facets);
    } finally {
      migrated.close();
      fresh.close();
    }
  });

  it('keeps the indexes in step when snapshots are deleted', async () => {
    const store = openStore(join(dir.path, 'store.db'));
    try {
      const first = await importFiles(store, [fixture('v1-posture.json')]);
      await importFiles(store, [fixture('v3-posture.json')]);
      const { deleteSnapshot } = await import('../../db/snapshots.js');
      deleteSnapshot(store, first.snapshotId);

      // Rows of the deleted snapshot's texts, hosts and values leave the indexes with them.
      const integrity = (table: string) => store.sqlite.prepare(`INSERT INTO ${table}(${table}, rank) VALUES ('integrity-check', 1)`).run();
      for (const table of ['search_texts', 'search_controls', 'search_hosts', 'search_policies']) expect(() => integrity(table)).not.toThrow();
      const orphans = store.sqlite
        .prepare('SELECT count(*) AS count FROM search_state_values WHERE state_id NOT IN (SELECT id FROM posture_states)')
        .get() as { count: number };
      expect(orphans.count).toBe(0);
      expect(keys(store, 'grantees')).toEqual([]);
      expect(keys(store, 'host:10.20.1.*')).toEqual([]);
    } finally {
      store.close();
    }
  });
  it('indexes each text exactly once when imports interleave and one fails', async () => {
    // Two days of evidence, so most extended-evidence texts differ between the files, and
    // enough records for several write transactions per import.
    const data = { seed: 5, hosts: 40, policies: 2, controlsPerPolicy: 40 };
    const days = [join(dir.path, 'day1.json.gz'), join(dir.path, 'day2.json.gz')];
    await generateFile(data, days[0]!, { version: 3, gzip: true, evidence: true, day: 1 });
    await generateFile(data, days[1]!, { version: 3, gzip: true, evidence: true, day: 2 });
    // The second day cut off two thirds of the way in: it fails after writing batches.
    const cut = join(dir.path, 'cut.json');
    const text = gunzipSync(readFileSync(days[1]!));
    writeFileSync(cut, text.subarray(0, Math.floor(text.length * 0.66)));

    const path = join(dir.path, 'store.db');
    const first = openStore(path);
    const second = openStore(path);
    try {
      // 1. Two connections write at once; their transactions take turns on the write lock.
      await Promise.all([importFiles(first, [days[0]!]), importFiles(second, [days[1]!])]);
      const owners = first.sqlite
        .prepare(
          `SELECT m.snapshot_id AS snapshot, min(s.extended_text_id) AS low, max(s.extended_text_id) AS high
             FROM snapshot_members m JOIN posture_states s ON s.id = m.state_id GROUP BY m.snapshot_id ORDER BY 1`,
        )
        .all() as { low: number; high: number }[];
      // The text ids of the two imports overlap, so the test exercises interleaved writes.
      expect(owners[0]!.low).toBeLessThan(owners[1]!.high);
      expect(owners[1]!.low).toBeLessThan(owners[0]!.high);

      // 2. A failed import removes its texts again.
      await expect(importFiles(first, [cut])).rejects.toThrow();

      // 3. Another import after the failure reuses the freed ids.
      await importFiles(second, [days[1]!]);

      const integrity = (table: string) => first.sqlite.prepare(`INSERT INTO ${table}(${table}, rank) VALUES ('integrity-check', 1)`).run();
      for (const table of ['search_texts', 'search_values']) expect(() => integrity(table)).not.toThrow();
      const counts = first.sqlite
        .prepare(
          `SELECT (SELECT count(*) FROM texts) AS texts, (SELECT count(*) FROM search_texts_docsize) AS indexedTexts,
                  (SELECT count(*) FROM search_value_texts) AS "values", (SELECT count(*) FROM search_values_docsize) AS indexedValues,
                  (SELECT count(*) FROM posture_states WHERE current_values <> 'null' OR cause_of_failure <> 'null') AS statesWithValues,
                  (SELECT count(*) FROM search_state_values) AS linkedStates`,
        )
        .get() as Record<string, number>;
      expect(counts.indexedTexts).toBe(counts.texts);
      expect(counts.indexedValues).toBe(counts.values);
      expect(counts.linkedStates).toBe(counts.statesWithValues);
      expect(counts.linkedStates).toBeGreaterThan(0);
      expect(keys(first, 'evidence:collected').length).toBeGreaterThan(0);
    } finally {
      first.close();
      second.close();
    }
  });

  it('removes the value pairs of a failed import', async () => {
    // 5,000 records, each with a current value of its own, cut off after several write
    // transactions so the import fails with pairs already written.
    const [template] = JSON.parse(readFileSync(fixture('v3-posture.json'), 'utf8')) as Record<string, unknown>[];
    const records = Array.from({ length: 5000 }, (_, index) => ({
      ...template,
      id: 90_000_000 + index,
      hostId: 70_000_000 + index,
      evidence: { ...(template!.evidence as object), currentValues: [`only-value-${index}`] },
    }));
    const text = JSON.stringify(records);
    const cut = join(dir.path, 'cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.9)));

    const store = openStore(join(dir.path, 'store.db'));
    try {
      await importFiles(store, [fixture('v1-posture.json')]);
      const before = store.sqlite.prepare('SELECT count(*) AS count FROM search_value_texts').get() as { count: number };
      await expect(importFiles(store, [cut])).rejects.toThrow();

      // Only the first import's pairs remain, each linked to a state, and the index agrees.
      const after = store.sqlite
        .prepare('SELECT (SELECT count(*) FROM search_value_texts) AS "values", (SELECT count(*) FROM search_values_docsize) AS indexed')
        .get() as { values: number; indexed: number };
      expect(after.values).toBe(before.count);
      expect(after.indexed).toBe(before.count);
      expect(() => store.sqlite.prepare("INSERT INTO search_values(search_values, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
      expect(keys(store, 'current:only')).toEqual([]);
    } finally {
      store.close();
    }
  });
});
