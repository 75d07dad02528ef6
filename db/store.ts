/**
 * Opens the posture store: one SQLite file, explicit pragmas, migrations at open, and a
 * refusal to touch a database that a newer version of the app has migrated.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import envPaths from 'env-paths';
import { AppError } from './errors.js';
import { collectGarbageAbove, deleteSnapshotRows } from './garbage.js';
import * as schema from './schema.js';
import type { Watermarks } from './schema.js';

export const DB_ENV_VARIABLE = 'POSTURE_WORKBENCH_DB';
export const DB_FILE_NAME = 'posture-workbench.db';

export type Orm = BetterSQLite3Database<typeof schema>;

export interface Store {
  readonly path: string;
  readonly sqlite: Database.Database;
  readonly orm: Orm;
  close(): void;
}

export interface OpenStoreOptions {
  /** Open without write access: no migrations, no clean-up (for `verify` on a copy). */
  readonly?: boolean;
  /** Create the file (and its folder) when it does not exist; default true. */
  create?: boolean;
}

/** Returns the database path: `--db` wins, then the environment, then the OS data directory. */
export function resolveDbPath(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env[DB_ENV_VARIABLE];
  if (fromEnv) return resolve(fromEnv);
  return join(envPaths('posture-workbench', { suffix: '' }).data, DB_FILE_NAME);
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

/** Finds db/migrations both from the sources (tsx, vitest) and from the build in dist/. */
export function migrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'migrations'), join(here, '..', '..', 'db', 'migrations')];
  for (const candidate of candidates) {
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
  }
  throw new AppError('INTERNAL', `Database migrations not found; looked in ${candidates.join(', ')}.`);
}

function readJournal(folder: string): JournalEntry[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

/**
 * Rejects a database migrated by a newer release. Drizzle records each applied migration
 * with the `when` stamp of its journal entry, so a stamp later than our newest one, or
 * more applied migrations than we know, means a newer schema.
 */
function assertNotNewer(sqlite: Database.Database, path: string, known: JournalEntry[]): void {
  const table = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!table) return;
  const applied = sqlite
    .prepare('SELECT count(*) AS count, max(created_at) AS latest FROM __drizzle_migrations')
    .get() as { count: number; latest: number | null };
  const newestKnown = Math.max(...known.map((entry) => entry.when));
  if (applied.count > known.length || (applied.latest ?? 0) > newestKnown) {
    throw new AppError(
      'SCHEMA_NEWER',
      `The database ${path} was created by a newer version of Posture Workbench ` +
        `(schema ${applied.count}, this version knows ${known.length}). ` +
        'Upgrade Posture Workbench, or open another file with --db.',
    );
  }
}

function applyPragmas(sqlite: Database.Database, readonly: boolean): void {
  // WAL lets readers (search, the UI) run while the one writer imports.
  if (!readonly) sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable at each checkpoint and cannot corrupt the file under WAL; a
  // crash loses at most the last transactions, which an unfinished snapshot drops anyway.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // A second process (CLI beside the app) waits for the writer instead of failing. 30 s
  // leaves room for the longest transactions, which complete large snapshots.
  sqlite.pragma('busy_timeout = 30000');
  sqlite.pragma('temp_store = MEMORY');
  // 32 MiB of page cache: enough for the hot indexes, small enough for the memory budget.
  sqlite.pragma('cache_size = -32768');
}

/**
 * Deletes file imports left in 'building' by a process that no longer runs. Unfinished
 * pulls stay: they are resumable.
 */
function cleanUpAbandonedImports(sqlite: Database.Database): number {
  const rows = sqlite
    .prepare("SELECT id, owner_pid AS ownerPid, watermarks FROM snapshots WHERE state = 'building' AND source_kind = 'file'")
    .all() as { id: number; ownerPid: number | null; watermarks: string | null }[];
  const abandoned = rows.filter((row) => row.ownerPid === null || !isProcessAlive(row.ownerPid));
  if (abandoned.length === 0) return 0;
  const remove = sqlite.transaction(() => {
    for (const row of abandoned) {
      if (row.watermarks) collectGarbageAbove(sqlite, row.id, JSON.parse(row.watermarks) as Watermarks);
      else deleteSnapshotRows(sqlite, row.id);
    }
  });
  remove.immediate();
  return abandoned.length;
}

/** Tells whether another live process has this pid; the caller's own pid counts as not alive. */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Opens (and creates or migrates) the store at `path`. */
export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  const readonly = options.readonly ?? false;
  const create = !readonly && (options.create ?? true);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new AppError('INVALID_INPUT', `${path} is a folder; the database must be a file. Give a file path such as ${join(path, DB_FILE_NAME)}.`);
  }
  if (!create && !existsSync(path)) {
    throw new AppError(
      'NOT_FOUND',
      `Database not found: ${path}. Check the --db path or $${DB_ENV_VARIABLE}; an import or a pull creates a new database.`,
    );
  }
  if (create) mkdirSync(dirname(path), { recursive: true });

  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw new AppError('IO', `Cannot open the database ${path}: ${(error as Error).message}`, { cause: error });
  }

  try {
    const header = sqlite.prepare("SELECT count(*) AS count FROM sqlite_master WHERE type = 'table'").get();
    void header;
  } catch (error) {
    sqlite.close();
    throw new AppError(
      'DATA',
      `${path} is not a Posture Workbench database (${(error as Error).message}). Choose another file with --db.`,
      { cause: error },
    );
  }

  // SQLite's lower() folds ASCII letters only, so 'ZÜRICH' would become 'zÜrich'. Search
  // compares host, network and label values case-insensitively through this instead.
  sqlite.function('unicode_lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));

  try {
    applyPragmas(sqlite, readonly);
    const folder = migrationsFolder();
    assertNotNewer(sqlite, path, readJournal(folder));
    const orm = drizzle(sqlite, { schema });
    if (!readonly) {
      try {
        migrate(orm, { migrationsFolder: folder });
      } catch (error) {
        const detail = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message.split('\n')[0];
        throw new AppError(
          'DATA',
          `Cannot update the database ${path} to this version's schema (${detail}). ` +
            'The file was left as it was; open it with the version that created it, or use another --db.',
          { cause: error },
        );
      }
      cleanUpAbandonedImports(sqlite);
    }
    return {
      path,
      sqlite,
      orm,
      close() {
        if (!sqlite.open) return;
        if (!readonly) {
          try {
            sqlite.pragma('optimize');
          } catch {
            // Optimising is a courtesy; closing must not fail because of it.
          }
        }
        sqlite.close();
      },
    };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
