/**
 * "Scope and provenance" appendix: where each snapshot's data came from, how many
 * records it holds, and the SHA-256 of each raw response and of the snapshot content.
 */
import type { ReportModel, SnapshotProvenance } from '../model.js';
import { formatCount, formatTime } from './format.js';
import type { Layout } from './layout.js';

function drawSnapshot(layout: Layout, role: string, info: SnapshotProvenance): void {
  const snapshot = info.snapshot;
  layout.heading(`${role}: snapshot #${snapshot.id} "${snapshot.label}"`, 11);
  const rows: [string, string][] = [
    ['Source', `${snapshot.sourceKind === 'pull' ? 'API pull from' : 'File import of'} ${snapshot.source}`],
    ['Created', formatTime(snapshot.createdAt)],
    ['Completed', formatTime(snapshot.completedAt)],
    ['API version', snapshot.apiVersion ?? (snapshot.sourceKind === 'file' ? 'not applicable (file import)' : 'not recorded')],
    ['Parameters', snapshot.params ? JSON.stringify(snapshot.params) : '-'],
    ['Policies in scope', snapshot.scopePolicyIds.join(', ') || '-'],
    ['Hosts in scope', snapshot.hostScopeKnown ? formatCount(snapshot.scopeHostCount) : 'not resolved (file import)'],
    [
      'Records',
      `${formatCount(snapshot.records)} accepted, ${formatCount(snapshot.duplicates)} duplicates, ${formatCount(snapshot.rejected)} rejected`,
    ],
    ['Status counts', Object.entries(snapshot.byStatus).map(([status, count]) => `${status}: ${formatCount(count)}`).join(', ') || '-'],
    ['Input SHA-256', `${snapshot.inputSha256 ?? '-'}${snapshot.inputBytes !== null ? ` (${formatCount(snapshot.inputBytes)} bytes)` : ''}`],
    ['Content SHA-256', snapshot.contentSha256 ?? '-'],
  ];
  layout.keyValues(rows, { labelWidth: 110, size: 8.5 });
  layout.space(4);
  if (info.rawResponses.length === 0) {
    layout.note(
      snapshot.sourceKind === 'file'
        ? 'A file import has no raw API responses. The input SHA-256 above is of the file bytes as read; the audit package holds every record as received.'
        : 'No raw responses are stored for this pull.',
    );
  } else {
    layout.table(
      [
        { header: 'Slice', share: 0.06, align: 'right' },
        { header: 'Received', share: 0.16 },
        { header: 'HTTP', share: 0.06, align: 'right' },
        { header: 'Records', share: 0.08, align: 'right' },
        { header: 'Bytes', share: 0.1, align: 'right' },
        { header: 'SHA-256 and URL', share: 0.54, font: 'mono' },
      ],
      info.rawResponses.map((response) => [
        String(response.sliceIndex),
        formatTime(response.receivedAt),
        String(response.httpStatus),
        formatCount(response.records),
        formatCount(response.byteLength),
        `${response.sha256}\n${response.url}`,
      ]),
      { fontSize: 6.5 },
    );
  }
  layout.space(8);
}

export function drawProvenance(layout: Layout, model: ReportModel): void {
  layout.section('Appendix: scope and provenance');
  layout.paragraph(
    'Each snapshot is an immutable copy of the posture data as received. The content SHA-256 covers every posture identity ' +
      'and the SHA-256 of its record bytes; `posture-workbench verify` recomputes it from the store. ' +
      'The report SHA-256 covers this report\'s definition and the content hashes of its snapshots.',
    { size: 9 },
  );
  layout.space(6);
  layout.keyValues(
    [
      ['Report ID', `${model.reportId} (revision ${model.revision})`],
      ['Report SHA-256', model.reportSha256],
      ['Query', model.query ?? 'none (all postures)'],
      ['Findings', formatCount(model.findingCount)],
    ],
    { labelWidth: 110, size: 8.5 },
  );
  layout.space(8);
  drawSnapshot(layout, 'Assessed', model.snapshot);
  if (model.baseline) drawSnapshot(layout, 'Baseline', model.baseline);
}
