/**
 * Prepared statements of the search SQL, kept per connection. Search builds its SQL from
 * the shape of a query, so the same shape repeats as users page and refine, and preparing
 * a long statement again costs more than running it on a small match.
 */
import type Database from 'better-sqlite3';

const MAX_CACHED = 256;
const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Returns a prepared statement for `sql`, from the cache when this connection prepared it before. */
export function prepareCached(sqlite: Database.Database, sql: string): Database.Statement {
  let cache = caches.get(sqlite);
  if (!cache) {
    cache = new Map();
    caches.set(sqlite, cache);
  }
  const cached = cache.get(sql);
  if (cached) {
    // Re-inserting moves the entry to the end, so the oldest unused ones go first.
    cache.delete(sql);
    cache.set(sql, cached);
    return cached;
  }
  const statement = sqlite.prepare(sql);
  cache.set(sql, statement);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return statement;
}
