/** Cover page: title, client and site, auditor, assessment period, snapshots. */
import type { ReportModel } from '../model.js';
import { formatCount, formatTime } from './format.js';
import { COLORS, type Layout } from './layout.js';

export function drawCover(layout: Layout, model: ReportModel): void {
  const doc = layout.doc;
  layout.space(90);
  doc.font('bold').fontSize(10).fillColor(COLORS.muted).text('COMPLIANCE AUDIT REPORT', layout.left, layout.y, { width: layout.width });
  layout.space(8);
  layout.font('bold', model.title);
  doc.fontSize(24).fillColor(COLORS.accent).text(model.title, layout.left, layout.y, { width: layout.width });
  layout.space(6);
  if (model.client || model.site) {
    const line = [model.client, model.site].filter(Boolean).join(' · ');
    layout.font('regular', line);
    doc.fontSize(14).fillColor(COLORS.text).text(line, { width: layout.width });
  }
  layout.space(24);
  layout.rule(COLORS.accent);
  layout.space(6);

  const snapshotLine = (role: string, info: ReportModel['snapshot']): [string, string] => [
    role,
    `#${info.snapshot.id} "${info.snapshot.label}", ${info.snapshot.sourceKind === 'pull' ? 'pulled' : 'imported'} ${formatTime(info.snapshot.createdAt)}, ${formatCount(info.snapshot.records)} records`,
  ];
  const rows: [string, string][] = [
    ['Client', model.client || 'not given'],
    ['Site', model.site || 'not given'],
    ['Auditor', model.auditor || 'not given'],
    ['Assessment period', `${formatTime(model.period.from)} to ${formatTime(model.period.to)}`],
    ['Evaluations in scope', `${formatTime(model.evaluated.earliest)} to ${formatTime(model.evaluated.latest)}`],
    snapshotLine('Snapshot assessed', model.snapshot),
  ];
  if (model.baseline) rows.push(snapshotLine('Baseline', model.baseline));
  rows.push(['Scope', model.query ? `Postures matching the query: ${model.query}` : 'All postures of the snapshot']);
  rows.push(['Report ID', `${model.reportId} (revision ${model.revision})`]);
  rows.push(['Report SHA-256', model.reportSha256]);
  rows.push(['Generated', formatTime(model.generatedAt)]);
  const signed = model.signoffs.length > 0 ? `Signed off by ${model.signoffs.map((signoff) => signoff.name).join(', ')}` : 'Not signed off';
  rows.push(['Status', `${signed}; ${model.signature ? 'digitally signed' : 'no digital signature'}`]);
  layout.keyValues(rows, { labelWidth: 140, size: 10 });
}
