import { cpSync, readFileSync, writeFileSync } from 'node:fs';
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
    // 1. An older store with data and no search indexes.
    const oldPath = join(dir.path, 'old.db');
    const sqlite = new Database(oldPath);
    const orm = drizzle(sqlite, { schema });
    migrate(orm, { migrationsFolder: migrationsBeforeSearch() });
    const oldStore: Store = { path: oldPath, sqlite, orm, close: () => sqlite.close() };
    await importFiles(oldStore, FILES);
    expect(sqlite.prepare("SELECT count(*) AS count FROM sqlite_master WHERE name = 'search_texts'").get()).toEqual({ count: 0 });
    oldStore.close();

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
});
