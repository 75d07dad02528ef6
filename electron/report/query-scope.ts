/** Resolves a report's `--query` into a posture scope with the search module. */
import { validateReportQuery } from '../../db/reports.js';
import type { Store } from '../../db/store.js';
import { MAX_PAGE_SIZE, searchPostures } from '../../db/search/search.js';
import { createScope, type PostureScope } from './scope.js';

/**
 * Yields the id of every posture of `snapshotId` that `query` matches, page by page, as
 * `posture-workbench search QUERY --snapshot ID` lists them.
 */
function* matchingPostureIds(store: Store, snapshotId: number, query: string): Generator<number> {
  let cursor: string | null = null;
  do {
    const page = searchPostures(store, { query, snapshotId, limit: MAX_PAGE_SIZE, cursor });
    for (const row of page.rows) yield row.postureId;
    cursor = page.nextCursor;
  } while (cursor !== null);
}

/** Returns the snapshot of a report, and its baseline when it has one. */
export function reportSnapshotIds(report: { snapshotId: number; baselineId: number | null }): number[] {
  return report.baselineId === null ? [report.snapshotId] : [report.snapshotId, report.baselineId];
}

/**
 * Returns the scope of postures that `query` selects in any of `snapshotIds` (the report's
 * snapshot, and its baseline so the diff keeps removed postures that match), or null for
 * all. An invalid query raises a USAGE error that names the part of the query it cannot
 * accept. The caller drops the scope when the export is done.
 * NOTE: the ids are read through search pages of MAX_PAGE_SIZE rows, so a query that
 * matches most of a million-posture snapshot takes a thousand pages to resolve.
 */
export function resolveQueryScope(store: Store, snapshotIds: readonly number[], query: string | null): PostureScope | null {
  if (query === null || query.trim() === '') return null;
  validateReportQuery(query);

  // Read every page before the scope exists, so a failed search leaves no table behind.
  const ids = snapshotIds.flatMap((snapshotId) => [...matchingPostureIds(store, snapshotId, query)]);
  return createScope(store.sqlite, ids);
}
