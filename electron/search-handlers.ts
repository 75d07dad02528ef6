/**
 * Search methods: one page of matching postures (with facet counts for the first page),
 * the query language's fields for the help panel, and a posture's detail with its history.
 * Pages and counts run in the search reader's threads; the detail and history are single
 * indexed lookups and run on the main connection.
 */
import { AppError } from '../db/errors.js';
import { postureHistory } from '../db/history.js';
import { getPostureDetail } from '../db/search/detail.js';
import { FILTER_FIELDS, KNOWN_STATUSES, TEXT_FIELDS } from '../db/search/query.js';
import type { AppServices } from './app-services.js';
import type { ParsedInput, PostureDetailView, SearchResult } from './contract.js';

async function runSearch(services: AppServices, input: ParsedInput<'search'>): Promise<SearchResult> {
  const { withFacets, ...request } = input;
  if (withFacets) {
    const result = await services.searchReader.pageWithFacets(request);
    return { ...result, total: result.total, hostCount: result.hostCount, facets: { ...result.facets } };
  }
  return { ...(await services.searchReader.page(request)), total: null, hostCount: null, facets: null };
}

function postureDetail(services: AppServices, input: ParsedInput<'postureDetail'>): PostureDetailView {
  const detail = getPostureDetail(services.store, input.snapshotId, input.postureId);
  const identity = { hostId: detail.hostId, controlId: detail.controlId, policyId: detail.policyId, instance: detail.instance };
  const history = postureHistory(services.store, identity).find((item) => item.postureId === detail.postureId);
  if (!history) throw new AppError('INTERNAL', `Posture ${detail.postureId} has a detail but no history.`);
  return { detail, history };
}

export const searchImplementations = (services: AppServices) => ({
  searchHelp: () => ({ textFields: [...TEXT_FIELDS], filterFields: [...FILTER_FIELDS], statuses: [...KNOWN_STATUSES] }),
  search: (input: ParsedInput<'search'>) => runSearch(services, input),
  postureHistory: (input: ParsedInput<'postureHistory'>) => postureHistory(services.store, input),
  postureDetail: (input: ParsedInput<'postureDetail'>) => postureDetail(services, input),
});
