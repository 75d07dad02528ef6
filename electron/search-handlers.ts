/**
 * Search methods: one page of matching postures (with facet counts for the first page),
 * the query language's fields for the help panel, and a posture's history with evidence.
 * Pages and counts run in the search reader's threads; the history reads one posture by
 * its indexes and runs on the main connection.
 */
import { postureHistory } from '../db/history.js';
import { FILTER_FIELDS, KNOWN_STATUSES, TEXT_FIELDS } from '../db/search/query.js';
import type { AppServices } from './app-services.js';
import type { ParsedInput, SearchResult } from './contract.js';

async function runSearch(services: AppServices, input: ParsedInput<'search'>): Promise<SearchResult> {
  const { withFacets, ...request } = input;
  if (withFacets) {
    const result = await services.searchReader.pageWithFacets(request);
    return { ...result, total: result.total, hostCount: result.hostCount, facets: { ...result.facets } };
  }
  return { ...(await services.searchReader.page(request)), total: null, hostCount: null, facets: null };
}

export const searchImplementations = (services: AppServices) => ({
  searchHelp: () => ({ textFields: [...TEXT_FIELDS], filterFields: [...FILTER_FIELDS], statuses: [...KNOWN_STATUSES] }),
  search: (input: ParsedInput<'search'>) => runSearch(services, input),
  postureHistory: (input: ParsedInput<'postureHistory'>) => postureHistory(services.store, input),
});
