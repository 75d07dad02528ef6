/**
 * Diff and trend methods: summaries with roll-ups, pages of changed postures, field-level
 * detail, a CSV export of every changed posture, and pass-rate trends.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { defaultBaseline, diffCounts, diffRows } from '../db/diff.js';
import { postureDiffDetail } from '../db/diff-detail.js';
import { diffRollups } from '../db/diff-rollups.js';
import { passRateTrend } from '../db/history.js';
import type { AppServices } from './app-services.js';
import type { DiffSummary, ParsedInput } from './contract.js';

const CSV_COLUMNS = ['class', 'policyId', 'policyTitle', 'hostId', 'ip', 'dns', 'controlId', 'controlStatement', 'instance', 'criticalityLabel', 'statusA', 'statusB'] as const;
const EXPORT_PAGE = 5000;

export function summarise(services: AppServices, input: ParsedInput<'diffSummary'>): DiffSummary {
  const { a, b, ...filters } = input;
  const rollup = (by: 'policy' | 'host' | 'criticality') => diffRollups(services.store, a, b, by, filters).groups;
  return { counts: diffCounts(services.store, a, b, filters), rollups: { policy: rollup('policy'), host: rollup('host'), criticality: rollup('criticality') } };
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote fields with separators, and neutralise leading formula characters for spreadsheets.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Asks where to save, then writes every changed posture of the diff as CSV, page by page. */
export async function exportDiffCsv(services: AppServices, input: ParsedInput<'exportDiffCsv'>): Promise<{ path: string; rows: number } | null> {
  const path = await services.options.dialogs.saveFile({
    title: 'Export diff as CSV',
    defaultName: `diff-${input.a}-${input.b}.csv`,
    filters: [{ name: 'CSV', extensions: ['csv'] }],
  });
  if (!path) return null;

  const output = createWriteStream(path);
  output.write(`${CSV_COLUMNS.join(',')}\n`);
  let rows = 0;
  let after: string | null = null;
  do {
    const page = diffRows(services.store, { ...input, after, limit: EXPORT_PAGE });
    for (const row of page.rows) {
      if (!output.write(`${CSV_COLUMNS.map((column) => csvCell(row[column])).join(',')}\n`)) await once(output, 'drain');
    }
    rows += page.rows.length;
    after = page.nextCursor;
  } while (after);
  output.end();
  await once(output, 'finish');
  services.logger.info({ a: input.a, b: input.b, rows, path }, 'diff exported as CSV');
  return { path, rows };
}

export const diffImplementations = (services: AppServices) => ({
  defaultBaseline: ({ id }: ParsedInput<'defaultBaseline'>) => defaultBaseline(services.store, id),
  diffSummary: (input: ParsedInput<'diffSummary'>) => summarise(services, input),
  diffRows: (input: ParsedInput<'diffRows'>) => diffRows(services.store, input),
  diffDetail: ({ a, b, postureId }: ParsedInput<'diffDetail'>) => postureDiffDetail(services.store, a, b, postureId),
  exportDiffCsv: (input: ParsedInput<'exportDiffCsv'>) => exportDiffCsv(services, input),
  passRateTrend: (input: ParsedInput<'passRateTrend'>) => passRateTrend(services.store, input),
});
