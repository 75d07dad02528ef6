/**
 * A report's posture scope: the postures a `--query` selects, kept in a temporary table
 * so every report query can filter with `posture_id IN (SELECT posture_id FROM …)`.
 */
import type Database from 'better-sqlite3';

export interface PostureScope {
  /** Qualified name of the temporary table, e.g. `temp.report_scope_1`. */
  table: string;
  count: number;
  drop(): void;
}

let scopeCounter = 0;

/** Creates a scope from posture ids; call `drop()` when the export is done. */
export function createScope(sqlite: Database.Database, postureIds: Iterable<number>): PostureScope {
  scopeCounter++;
  const name = `report_scope_${process.pid}_${scopeCounter}`;
  sqlite.exec(`CREATE TEMP TABLE ${name} (posture_id INTEGER PRIMARY KEY)`);
  const insert = sqlite.prepare(`INSERT OR IGNORE INTO temp.${name} (posture_id) VALUES (?)`);
  let count = 0;
  // Deferred on purpose: this transaction writes only the connection's own temp schema.
  // BEGIN IMMEDIATE would also take the store's write lock, so an export with --query
  // would wait up to 30 s behind a running import or pull and block it meanwhile.
  sqlite.transaction(() => {
    for (const id of postureIds) count += insert.run(id).changes;
  })();
  return {
    table: `temp.${name}`,
    count,
    drop() {
      sqlite.exec(`DROP TABLE IF EXISTS temp.${name}`);
    },
  };
}
