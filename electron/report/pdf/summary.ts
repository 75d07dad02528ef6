/**
 * Executive summary: headline counts and three vector charts (pass rate by policy, by
 * criticality, and the pass-rate trend across snapshots), drawn with PDF paths so they
 * stay sharp at any zoom and their labels remain searchable text.
 */
import type { RollupRow } from '../csv.js';
import type { ReportModel, TrendPoint } from '../model.js';
import { criticalityText, formatCount, formatDay, formatPercent } from './format.js';
import { COLORS, truncate, type Layout } from './layout.js';

const BAR_HEIGHT = 11;
const LABEL_WIDTH = 170;
const VALUE_WIDTH = 95;

const SEGMENTS: { key: keyof Pick<RollupRow, 'passed' | 'exception' | 'failed' | 'error' | 'other'>; color: string; label: string }[] = [
  { key: 'passed', color: COLORS.pass, label: 'Passed' },
  { key: 'exception', color: COLORS.exception, label: 'Passed (approved exception)' },
  { key: 'failed', color: COLORS.fail, label: 'Failed' },
  { key: 'error', color: COLORS.error, label: 'Error' },
  { key: 'other', color: COLORS.other, label: 'Other status' },
];

function legend(layout: Layout): void {
  const doc = layout.doc;
  let x = layout.left;
  const y = layout.y;
  doc.font('regular').fontSize(7.5);
  for (const segment of SEGMENTS) {
    doc.rect(x, y + 1, 8, 8).fill(segment.color);
    doc.fillColor(COLORS.text).text(segment.label, x + 11, y, { lineBreak: false });
    x += 11 + doc.widthOfString(segment.label) + 14;
  }
  layout.y = y + 16;
}

/** Draws one stacked bar per row (the share of each status class) with the pass rate at the right. */
function stackedBars(layout: Layout, rows: { label: string; row: RollupRow }[]): void {
  const doc = layout.doc;
  const barWidth = layout.width - LABEL_WIDTH - VALUE_WIDTH;
  for (const { label, row } of rows) {
    layout.ensure(BAR_HEIGHT + 6);
    const y = layout.y;
    const text = truncate(label, 60).text;
    layout.font('regular', text);
    doc.fontSize(8).fillColor(COLORS.text);
    doc.text(text, layout.left, y + 1, { width: LABEL_WIDTH - 6, height: BAR_HEIGHT, ellipsis: true });
    doc.font('regular');
    let x = layout.left + LABEL_WIDTH;
    doc.rect(x, y, barWidth, BAR_HEIGHT).lineWidth(0.3).strokeColor(COLORS.rule).stroke();
    for (const segment of SEGMENTS) {
      const count = row[segment.key];
      if (count === 0 || row.total === 0) continue;
      const width = (barWidth * count) / row.total;
      doc.rect(x, y, width, BAR_HEIGHT).fill(segment.color);
      x += width;
    }
    doc
      .fillColor(COLORS.text)
      .text(`${formatPercent(row.passRate)}  (${formatCount(row.total)})`, layout.left + LABEL_WIDTH + barWidth + 6, y + 1, {
        width: VALUE_WIDTH - 6,
        lineBreak: false,
      });
    layout.y = y + BAR_HEIGHT + 5;
  }
  layout.space(6);
}

/** Line chart of the pass rate per snapshot, oldest left, with a 0–100 % axis. */
function trendChart(layout: Layout, points: TrendPoint[]): void {
  const doc = layout.doc;
  const height = 150;
  layout.ensure(height + 40);
  const top = layout.y + 4;
  const left = layout.left + 40;
  const width = layout.width - 60;
  const bottom = top + height;

  doc.font('regular').fontSize(7.5);
  for (const tick of [0, 25, 50, 75, 100]) {
    const y = bottom - (height * tick) / 100;
    doc.moveTo(left, y).lineTo(left + width, y).lineWidth(0.3).strokeColor(COLORS.rule).stroke();
    doc.fillColor(COLORS.muted).text(`${tick} %`, layout.left, y - 4, { width: 34, align: 'right', lineBreak: false });
  }

  const rated = points.filter((point) => point.passRate !== null);
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const xOf = (index: number) => (points.length > 1 ? left + index * step : left + width / 2);
  const yOf = (rate: number) => bottom - height * rate;

  if (rated.length > 1) {
    let first = true;
    points.forEach((point, index) => {
      if (point.passRate === null) return;
      if (first) doc.moveTo(xOf(index), yOf(point.passRate));
      else doc.lineTo(xOf(index), yOf(point.passRate));
      first = false;
    });
    doc.lineWidth(1.5).strokeColor(COLORS.accent).stroke();
  }
  points.forEach((point, index) => {
    const x = xOf(index);
    if (point.passRate !== null) {
      doc.circle(x, yOf(point.passRate), 2.5).fill(COLORS.accent);
      doc
        .fillColor(COLORS.text)
        .fontSize(7)
        .text(formatPercent(point.passRate), x - 25, yOf(point.passRate) - 12, { width: 50, align: 'center', lineBreak: false });
    }
    doc
      .fillColor(COLORS.muted)
      .fontSize(6.5)
      .text(`#${point.snapshotId} ${formatDay(point.createdAt)}`, x - 30, bottom + 4, { width: 60, align: 'center', lineBreak: false });
  });
  layout.y = bottom + 20;
}

export function drawSummary(layout: Layout, model: ReportModel): void {
  layout.section('Executive summary');
  const totals = model.totals;
  const failing = totals.failed + totals.error;
  layout.paragraph(
    `${formatCount(totals.total)} postures (policy × host × control × instance) were assessed in snapshot #${model.snapshot.snapshot.id}. ` +
      `${formatCount(totals.passed)} passed, ${formatCount(totals.exception)} passed under an approved exception, ` +
      `${formatCount(totals.failed)} failed and ${formatCount(totals.error)} could not be evaluated (error)` +
      `${totals.other > 0 ? `, and ${formatCount(totals.other)} had another status` : ''}. ` +
      `The pass rate is ${formatPercent(totals.passRate)}. ${formatCount(failing)} findings on ` +
      `${formatCount(model.findings.length)} controls are listed under "Findings".`,
  );
  if (model.changes) {
    const counts = model.changes.counts;
    layout.space(4);
    layout.paragraph(
      `Since the baseline (snapshot #${model.baseline!.snapshot.id}), ${formatCount(counts.regressed)} postures regressed to failing, ` +
        `${formatCount(counts.fixed)} were fixed, ${formatCount(counts.added)} were added and ${formatCount(counts.removed)} removed.`,
    );
  }
  layout.space(4);
  layout.note(
    'Pass rate = (passed + approved exceptions) / all postures. Failed, error and any other status count as not passing.',
  );
  layout.space(8);

  layout.heading('Pass rate by policy', 11);
  legend(layout);
  stackedBars(
    layout,
    model.byPolicy.map((row) => ({ label: `${row.label || 'Policy'} (${row.key})`, row })),
  );

  layout.heading('Pass rate by criticality', 11);
  stackedBars(
    layout,
    [...model.byCriticality]
      .sort((a, b) => Number(b.key || -1) - Number(a.key || -1))
      .map((row) => ({ label: criticalityText(row.key === '' ? null : Number(row.key), row.label || null), row })),
  );

  layout.heading('Pass rate across snapshots', 11);
  if (model.trend.length === 0) {
    layout.note('No snapshot data for a trend.');
  } else {
    trendChart(layout, model.trend);
    layout.note(
      `Trend over the ${model.trend.length} most recent snapshots up to #${model.snapshot.snapshot.id} that share a policy with it, ` +
        'computed from whole snapshots (a query narrows only the other sections).',
    );
  }
}
