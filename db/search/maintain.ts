/**
 * Keeps the search tables in step with the snapshot writer, one write transaction at a
 * time: the full-text index of `texts`, the distinct (current values, cause of failure)
 * pairs with their full-text index, and the pair of each new state.
 *
 * Row triggers did this before, and cost most of the time search added to an import.
 * On a 117,000-record import, indexing 112,000 distinct evidence texts took 3 to 7 s
 * through a trigger and 0.3 s as one statement per transaction (measured on the
 * project's 2-core machine). The likely cause is that a trigger makes each later
 * statement open a savepoint, and FTS5 writes its pending terms to disk at a savepoint,
 * so every text became a segment of its own that later merges had to combine.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';

const CACHE_LIMIT = 50_000;

/** Returns the text a JSON column stores for a value; a JSON null is stored as 'null'. */
export function storedJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Flattens stored JSON to its scalar leaves, so keys such as "missing" are not search words. */
function leaves(column: string): string {
  return `(SELECT group_concat(value, ' ') FROM json_tree(CASE WHEN json_valid(${column}) THEN ${column} ELSE json_quote(${column}) END) WHERE atom IS NOT NULL)`;
}

/**
 * Removes the value pairs that no state links to any more, from the table and from its
 * full-text index. Deleting states removes their links (a trigger does), so this runs
 * after them, in the same transaction. The index keeps no content, so its 'delete'
 * command is given the same flattened text that `transaction` indexed.
 */
export function removeUnusedValueTexts(sqlite: Database.Database): void {
  const unused = 'SELECT id FROM search_value_texts v WHERE NOT EXISTS (SELECT 1 FROM search_state_values l WHERE l.value_id = v.id)';
  sqlite
    .prepare(
      `INSERT INTO search_values (search_values, rowid, current_values, cause_of_failure)
       SELECT 'delete', id, ${leaves('current_values')}, ${leaves('cause_of_failure')} FROM search_value_texts WHERE id IN (${unused})`,
    )
    .run();
  sqlite.prepare(`DELETE FROM search_value_texts WHERE id IN (${unused})`).run();
}

export class SearchIndexWriter {
  private readonly statements;
  private readonly valueIds = new Map<string, number>();
  private watermarks: { texts: number; values: number } | null = null;

  constructor(private readonly sqlite: Database.Database) {
    this.statements = {
      highest: sqlite.prepare(
        'SELECT (SELECT coalesce(max(id), 0) FROM texts) AS texts, (SELECT coalesce(max(id), 0) FROM search_value_texts) AS "values"',
      ),
      valueByBody: sqlite.prepare('SELECT id FROM search_value_texts WHERE current_values = ? AND cause_of_failure = ?').pluck(),
      insertValue: sqlite.prepare('INSERT INTO search_value_texts (current_values, cause_of_failure) VALUES (?, ?)'),
      insertStateValue: sqlite.prepare('INSERT INTO search_state_values (state_id, value_id) VALUES (?, ?)'),
      indexTexts: sqlite.prepare('INSERT INTO search_texts (rowid, body) SELECT id, body FROM texts WHERE id > ?'),
      indexValues: sqlite.prepare(
        `INSERT INTO search_values (rowid, current_values, cause_of_failure)
         SELECT id, ${leaves('current_values')}, ${leaves('cause_of_failure')} FROM search_value_texts WHERE id > ?`,
      ),
    };
  }

  /**
   * Runs `work` in one write transaction and indexes what it added. The write lock keeps
   * other connections from adding texts or values in between, so the rows above the
   * highest ids read at the start are exactly this transaction's, and each is indexed once.
   */
  transaction<T>(work: () => T): T {
    const run = this.sqlite.transaction(() => {
      // 1. The highest ids before this transaction writes anything.
      this.watermarks = this.statements.highest.get() as { texts: number; values: number };

      // 2. The caller's writes, which call `stateValues` for each new state.
      const result = work();

      // 3. The new texts and value pairs into their full-text indexes.
      this.statements.indexTexts.run(this.watermarks.texts);
      this.statements.indexValues.run(this.watermarks.values);
      return result;
    });
    try {
      return run.immediate();
    } catch (error) {
      // The value ids cached during the failed transaction were rolled back with it.
      this.valueIds.clear();
      throw error;
    } finally {
      this.watermarks = null;
    }
  }

  /** Links a new state to its (current values, cause of failure) pair, as stored on the state. */
  stateValues(stateId: number, currentValues: string, causeOfFailure: string): void {
    if (this.watermarks === null) throw new AppError('INTERNAL', 'SearchIndexWriter.stateValues runs only inside its transaction.');
    // A state with neither value gets no row.
    if (currentValues === 'null' && causeOfFailure === 'null') return;
    const key = `${currentValues}\u0000${causeOfFailure}`;
    let valueId = this.valueIds.get(key);
    if (valueId === undefined) {
      const { valueByBody, insertValue } = this.statements;
      const known = valueByBody.get(currentValues, causeOfFailure) as number | undefined;
      valueId = known ?? Number(insertValue.run(currentValues, causeOfFailure).lastInsertRowid);
      if (this.valueIds.size >= CACHE_LIMIT) this.valueIds.clear();
      this.valueIds.set(key, valueId);
    }
    this.statements.insertStateValue.run(stateId, valueId);
  }
}
