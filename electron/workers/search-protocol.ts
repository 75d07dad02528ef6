/**
 * Messages between the main process and a search reader thread.
 *
 * A reader opens its own read-only connection to the store (WAL lets it read while the
 * main connection and the import workers write) and runs one query at a time. The
 * caller numbers each query; the reply carries the same number, so a reply to a query
 * the caller has given up on is recognised and dropped.
 */
import type { ErrorInfo } from '../../db/errors.js';
import type { FacetResult, SearchPage, SearchRequest } from '../../db/search/search.js';

/** Data the reader thread starts with. */
export interface SearchReaderData {
  dbPath: string;
}

/** One page of rows, or the page together with the match count and facets. */
export type SearchQueryKind = 'page' | 'pageWithFacets';

export interface SearchQueryMessage {
  type: 'query';
  seq: number;
  kind: SearchQueryKind;
  request: SearchRequest;
}

export type SearchReply =
  | { type: 'result'; seq: number; ok: true; value: SearchPage | (SearchPage & FacetResult) }
  | { type: 'result'; seq: number; ok: false; error: ErrorInfo };

/** Sent once when the reader has opened its connection, or failed to (then each query retries). */
export interface SearchReaderReady {
  type: 'ready';
  error: ErrorInfo | null;
}

export function isSearchQueryMessage(value: unknown): value is SearchQueryMessage {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<SearchQueryMessage>;
  return (
    candidate.type === 'query' &&
    Number.isInteger(candidate.seq) &&
    (candidate.kind === 'page' || candidate.kind === 'pageWithFacets') &&
    typeof candidate.request === 'object' &&
    candidate.request !== null
  );
}

export function isSearchReaderReady(value: unknown): value is SearchReaderReady {
  return typeof value === 'object' && value !== null && (value as Partial<SearchReaderReady>).type === 'ready';
}

export function isSearchReply(value: unknown): value is SearchReply {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<SearchReply>;
  return candidate.type === 'result' && Number.isInteger(candidate.seq) && typeof candidate.ok === 'boolean';
}
