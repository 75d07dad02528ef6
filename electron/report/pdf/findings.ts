/**
 * "Findings": failed and error postures grouped by criticality and control. Each control
 * shows its remediation once, then every affected host with expected against current
 * evidence and the extended evidence as a table. Long evidence is cut with a note that
 * says how much is missing and where the full text is, never silently.
 */
import type { FindingGroup, HostEvidence, ReportModel } from '../model.js';
import { criticalityText, formatCount, formatDay } from './format.js';
import { COLORS, truncate, type Layout } from './layout.js';

/** Characters of expected or current evidence shown per host. */
export const MAX_EVIDENCE_CHARS = 1500;
/** Extended evidence rows shown per host. */
export const MAX_EXTENDED_ROWS = 20;
/** Characters of one remediation text. */
export const MAX_REMEDIATION_CHARS = 3000;

const FULL_TEXT_HINT = 'the full text is in postures.csv and in the raw records of the audit package';

function hostLine(host: HostEvidence): string {
  const parts = [host.hostName];
  if (host.ip && host.ip !== host.hostName) parts.push(host.ip);
  if (host.os) parts.push(host.os);
  parts.push(`policy ${host.policyId}`);
  if (host.instance !== 'os') parts.push(`instance ${host.instance}`);
  parts.push(`${host.status}${host.firstFailDate ? ` since ${formatDay(host.firstFailDate)}` : ''}`);
  parts.push(`evaluated ${formatDay(host.lastEvaluatedDate)}`);
  return parts.join(' · ');
}

function drawHost(layout: Layout, host: HostEvidence): void {
  layout.ensure(60);
  layout.paragraph(hostLine(host), { font: 'bold', size: 8.5, indent: 8 });
  layout.space(1);

  const expected = truncate(host.expected ?? '(none)', MAX_EVIDENCE_CHARS);
  const currentText = host.current ?? host.actual ?? '(none)';
  const current = truncate(currentText, MAX_EVIDENCE_CHARS);
  layout.table(
    [
      { header: 'Expected', share: 0.5, font: 'mono' },
      { header: 'Current', share: 0.5, font: 'mono' },
    ],
    [[expected.text.trim(), current.text.trim()]],
    { fontSize: 7.5, maxCellChars: MAX_EVIDENCE_CHARS + 80 },
  );
  if (expected.omitted > 0 || current.omitted > 0) {
    layout.note(`Evidence cut at ${formatCount(MAX_EVIDENCE_CHARS)} characters; ${FULL_TEXT_HINT}.`, 8);
  }

  const table = host.extendedTable;
  if (table && (table.header.length > 0 || table.rows.length > 0)) {
    const columnCount = Math.max(table.header.length, ...table.rows.map((row) => row.length), 1);
    const share = 1 / columnCount;
    const columns = Array.from({ length: columnCount }, (_, index) => ({ header: table.header[index] ?? '', share }));
    const rows = table.rows.slice(0, MAX_EXTENDED_ROWS).map((row) => Array.from({ length: columnCount }, (_, index) => row[index] ?? ''));
    layout.paragraph('Extended evidence', { font: 'bold', size: 7.5, color: COLORS.muted, indent: 8 });
    layout.table(columns, rows, { fontSize: 7, maxCellChars: 300 });
    if (table.rows.length > MAX_EXTENDED_ROWS) {
      layout.note(
        `${formatCount(table.rows.length - MAX_EXTENDED_ROWS)} more extended evidence rows are not shown; ${FULL_TEXT_HINT}.`,
        8,
      );
    }
  } else if (host.extended) {
    const extended = truncate(host.extended, MAX_EVIDENCE_CHARS);
    layout.paragraph('Extended evidence', { font: 'bold', size: 7.5, color: COLORS.muted, indent: 8 });
    layout.paragraph(extended.text, { font: 'mono', size: 7, indent: 8 });
    if (extended.omitted > 0) layout.note(`Extended evidence cut at ${formatCount(MAX_EVIDENCE_CHARS)} characters; ${FULL_TEXT_HINT}.`, 8);
  }
  layout.space(4);
}

function drawGroup(layout: Layout, group: FindingGroup): void {
  layout.ensure(90);
  const doc = layout.doc;
  const y = layout.y;
  const badge = criticalityText(group.criticalityValue, group.criticalityLabel);
  doc.font('bold').fontSize(8);
  const badgeWidth = doc.widthOfString(badge) + 10;
  const color = (group.criticalityValue ?? 0) >= 4 ? COLORS.fail : (group.criticalityValue ?? 0) >= 3 ? COLORS.error : COLORS.accent;
  doc.roundedRect(layout.left, y, badgeWidth, 13, 2).fill(color);
  doc.fillColor('#ffffff').text(badge, layout.left + 5, y + 2.5, { lineBreak: false });
  layout.y = y;
  const title = `Control ${group.controlId}: ${group.statement}`;
  layout.font('bold', title);
  doc.fontSize(10.5).fillColor(COLORS.text).text(title, layout.left + badgeWidth + 6, y + 1, { width: layout.width - badgeWidth - 6 });
  layout.space(3);
  const hosts = group.hosts.length;
  layout.keyValues(
    [
      ['Category', group.category ?? '-'],
      ['Affected', `${formatCount(hosts)} posture${hosts === 1 ? '' : 's'} on ${formatCount(new Set(group.hosts.map((host) => host.hostId)).size)} host(s)`],
    ],
    { labelWidth: 80, size: 8.5 },
  );
  for (const remediation of group.remediations) {
    const text = truncate(remediation.text, MAX_REMEDIATION_CHARS);
    layout.paragraph(`Remediation${remediation.technology ? ` (${remediation.technology})` : ''}`, { font: 'bold', size: 8.5 });
    layout.paragraph(text.text, { size: 8.5 });
    if (text.omitted > 0) layout.note(`Remediation cut at ${formatCount(MAX_REMEDIATION_CHARS)} characters; the full text is in Qualys.`);
  }
  if (group.remediations.length === 0) layout.note('The posture records carry no remediation text for this control.');
  layout.space(4);
  for (const host of group.hosts) drawHost(layout, host);
  layout.rule();
  layout.space(4);
}

export function drawFindings(layout: Layout, model: ReportModel): void {
  layout.section('Findings');
  if (model.findings.length === 0) {
    layout.paragraph('No posture in scope failed or ended in an error.');
    return;
  }
  layout.paragraph(
    `${formatCount(model.findingCount)} failed or error postures on ${formatCount(model.findings.length)} controls, ` +
      'most critical first. Within a control, hosts are ordered by policy and host ID.',
  );
  layout.space(8);
  let criticality: number | null | undefined;
  for (const group of model.findings) {
    if (group.criticalityValue !== criticality) {
      criticality = group.criticalityValue;
      layout.doc.outline.addItem(`Findings: ${criticalityText(group.criticalityValue, group.criticalityLabel)}`);
    }
    drawGroup(layout, group);
  }
}
