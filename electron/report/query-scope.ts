/** Resolves a report's `--query` into a posture scope. */
import type { Store } from '../../db/store.js';
import { AppError } from '../../db/errors.js';
import type { PostureScope } from './scope.js';

/**
 * Returns the scope of postures that `query` selects in the snapshot, or null for all.
 * TODO: use the search module's query parser once it lands; until then any query is
 * rejected rather than silently ignored.
 */
export function resolveQueryScope(_store: Store, _snapshotId: number, query: string | null): PostureScope | null {
  if (query === null || query.trim() === '') return null;
  throw new AppError('USAGE', `--query is not supported yet, so "${query}" cannot narrow the report; export without --query.`);
}
