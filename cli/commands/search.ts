/** The search command: full-text search with filters, facets and keyset paging. */
import { AppError } from '../../db/errors.js';
import { SEARCH_LANGUAGE_HELP } from '../../db/search/query.js';
import { MAX_PAGE_SIZE, SEARCH_SORTS, search, type FacetValue, type SearchSort } from '../../db/search/search.js';
import { formatTable, parseInteger, type CommandSpec } from '../args.js';
import { withStore } from '../context.js';

/** Splits repeated, comma-separated flag values into one list. */
function listFlag(value: unknown, split: boolean): string[] {
  let values: unknown[] = [];
  if (Array.isArray(value)) values = value;
  else if (value !== undefined) values = [value];
  const texts = values.map(String);
  const items = split ? texts.flatMap((text) => text.split(',')) : texts;
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}

/**
 * Reads --policy values. Titles may contain commas, so a value is split on commas only
 * when every part is a policy ID, as in --policy 1438626,725886.
 */
function policyFlag(value: unknown): string[] {
  return listFlag(value, false).flatMap((item) => (/^\d+(\s*,\s*\d+)+$/u.test(item) ? item.split(',').map((part) => part.trim()) : [item]));
}

function shorten(text: string | null, width: number): string {
  if (text === null) return '';
  const flat = text.replace(/\s+/gu, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function formatFacet(name: string, values: FacetValue[]): string {
  const shown = values.slice(0, 8).map((entry) => {
    const value = entry.value === null ? '(none)' : String(entry.value);
    const label = entry.label && entry.label !== value ? ` ${entry.label}` : '';
    return `${value}${label}: ${entry.count}`;
  });
  const more = values.length > shown.length ? `, … ${values.length - shown.length} more` : '';
  return `${name.padEnd(16)}${shown.join(', ')}${more}`;
}

export const searchCommand: CommandSpec = {
  name: 'search',
  dashPositionals: true,
  summary: 'Search postures offline: words, phrases, prefixes and field filters, with facet counts.',
  usage:
    'search [QUERY] [--snapshot ID | --all] [--status S…] [--criticality N…] [--policy P…] [--sort K] [--limit N] [--cursor C] [--json]',
  options: {
    snapshot: { type: 'string', valueName: 'ID', description: 'Search this complete snapshot (default: the latest)' },
    all: { type: 'boolean', description: 'Search every complete snapshot; each distinct posture state is listed once' },
    status: { type: 'string', multiple: true, valueName: 'S', description: 'Only these statuses (Passed, Failed, Error, Passed*); repeat or separate with commas' },
    criticality: { type: 'string', multiple: true, valueName: 'N', description: 'Only these criticality values (0 to 5) or labels; repeat or separate with commas' },
    policy: { type: 'string', multiple: true, valueName: 'P', description: 'Only these policies, by ID or by words of the title; repeatable' },
    sort: { type: 'string', valueName: 'K', description: `Order: ${SEARCH_SORTS.join(', ')} (default: relevance with words, else criticality)` },
    limit: { type: 'string', valueName: 'N', description: `Rows per page, 1 to ${MAX_PAGE_SIZE} (default 100)` },
    cursor: { type: 'string', valueName: 'C', description: 'Continue after the page that returned this nextCursor' },
  },
  details: `QUERY is the rest of the command line, joined with spaces. Quote it for the shell
when it holds phrases: posture-workbench search 'policy:"Linux baseline" ssh'.

${SEARCH_LANGUAGE_HELP}

Examples:
  posture-workbench search 'ssh status:Failed network:DMZ'
  posture-workbench search PASS_MIN_LEN --sort host
  posture-workbench search 'host:10.20.1.11' --status Failed --json

--json prints {"total", "sort", "snapshotIds", "nextCursor", "hostCount", "facets": {"status",
"previousStatus", "criticality", "policy", "technology", "category", "subCategory",
"trackingMethod", "network", "exception", "host"}, "rows": [...]}. Each facet is a list of
{"value", "label"?, "count"}, highest count first (criticality by value); "host" lists at most
100 hosts. Each row has policyId, policyTitle, hostId, controlId, instance, status,
previousStatus, isException, criticality {value, label}, ip, dns, netbios, os, technology,
category, subCategory, controlStatement, lastEvaluatedDate, snapshotId, stateId, postureId.`,
  async run(context) {
    if (context.values.all === true && context.values.snapshot !== undefined) {
      throw new AppError('USAGE', 'Give either --snapshot ID or --all, not both.');
    }
    const snapshotId = context.values.snapshot === undefined ? null : parseInteger(context.values.snapshot, '--snapshot');
    const limit = context.values.limit === undefined ? undefined : parseInteger(context.values.limit, '--limit', { max: MAX_PAGE_SIZE });
    const sort = typeof context.values.sort === 'string' ? context.values.sort.toLowerCase() : undefined;
    if (sort !== undefined && !(SEARCH_SORTS as readonly string[]).includes(sort)) {
      throw new AppError('USAGE', `--sort must be one of ${SEARCH_SORTS.join(', ')}, got "${String(context.values.sort)}".`);
    }

    return withStore(context, async (store) => {
      const result = search(store, {
        query: context.positionals.join(' '),
        snapshotId,
        allSnapshots: context.values.all === true,
        statuses: listFlag(context.values.status, true),
        criticalities: listFlag(context.values.criticality, true),
        policies: policyFlag(context.values.policy),
        sort: sort as SearchSort | undefined,
        limit,
        cursor: (context.values.cursor as string | undefined) ?? null,
        oneShot: true,
      });

      if (context.json) {
        context.out(
          JSON.stringify({
            total: result.total,
            sort: result.sort,
            snapshotIds: result.snapshotIds,
            nextCursor: result.nextCursor,
            hostCount: result.hostCount,
            facets: result.facets,
            rows: result.rows,
          }) + '\n',
        );
        return;
      }

      const scope = result.snapshotIds.length === 1 ? `snapshot ${result.snapshotIds[0]}` : `${result.snapshotIds.length} snapshots`;
      if (result.total === 0) {
        context.out(`No postures match in ${scope}.\n`);
        return;
      }
      context.out(
        formatTable(
          ['Host', 'DNS', 'Control', 'Crit', 'Status', 'Policy', 'Statement'],
          result.rows.map((row) => [
            row.ip ?? row.hostId,
            shorten(row.dns ?? row.netbios, 28),
            row.controlId,
            row.criticality.value,
            row.status,
            shorten(row.policyTitle ?? String(row.policyId), 24),
            shorten(row.controlStatement, 60),
          ]),
        ),
      );
      context.out(`\n${result.rows.length} of ${result.total} matching postures in ${scope}, sorted by ${result.sort}.\n`);
      if (result.nextCursor) context.out(`Next page: --cursor ${result.nextCursor}\n`);
      context.out('\n');
      for (const [name, values] of Object.entries(result.facets)) context.out(formatFacet(name, values) + '\n');
    });
  },
};
