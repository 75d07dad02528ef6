/** "Changes since the baseline": the store's diff class counts and the most critical regressions. */
import type { DiffClass } from '../../../db/diff.js';
import { MAX_REGRESSIONS, type ReportModel } from '../model.js';
import { criticalityText, formatCount } from './format.js';
import type { Layout } from './layout.js';

/** One row per class of the store's diff, in the order `posture-workbench diff` lists them. */
export const DIFF_CLASS_LABELS: readonly [DiffClass, string][] = [
  ['regressed', 'Regressed (Passed or Passed* → Failed or Error)'],
  ['fixed', 'Fixed (Failed or Error → Passed)'],
  ['exception', 'Other move into or out of an approved exception (Passed*)'],
  ['statusChanged', 'Other status change'],
  ['evidenceChanged', 'Evidence changed, same status'],
  ['metadataChanged', 'Control or host details changed, same status and evidence'],
  ['added', 'Added (only in the snapshot)'],
  ['removed', 'Removed (only in the baseline)'],
  ['outOfScope', "On one side only, outside the other snapshot's scope"],
];

export const UNCHANGED_LABEL = 'Unchanged (dates, record ID or policy title at most)';

export function drawChanges(layout: Layout, model: ReportModel): void {
  layout.section('Changes since the baseline');
  if (!model.changes || !model.baseline) {
    layout.paragraph('No baseline was chosen for this report, so there is no comparison with an earlier visit.');
    return;
  }
  layout.paragraph(
    `Baseline: snapshot #${model.baseline.snapshot.id} "${model.baseline.snapshot.label}". ` +
      `Assessed: snapshot #${model.snapshot.snapshot.id} "${model.snapshot.snapshot.label}". ` +
      'Postures are matched by policy, host, control and instance. Each posture gets one class, the first that ' +
      'matches in the order below, as in `posture-workbench diff`.',
  );
  layout.space(6);
  const changes = model.changes;
  layout.table(
    [
      { header: 'Change', share: 0.7 },
      { header: 'Postures', share: 0.3, align: 'right' },
    ],
    [
      ...DIFF_CLASS_LABELS.map(([name, label]) => [label, formatCount(changes.counts[name])]),
      [UNCHANGED_LABEL, formatCount(changes.unchanged)],
    ],
    { fontSize: 9 },
  );

  layout.heading('Most severe regressions', 11);
  const { regressions, counts } = changes;
  if (regressions.length === 0) {
    layout.paragraph('No posture regressed from passing to failing.');
    return;
  }
  layout.table(
    [
      { header: 'Criticality', share: 0.14 },
      { header: 'Control', share: 0.4 },
      { header: 'Host', share: 0.26 },
      { header: 'Before', share: 0.1 },
      { header: 'After', share: 0.1 },
    ],
    regressions.map((regression) => [
      criticalityText(regression.criticalityValue, regression.criticalityLabel),
      `${regression.controlId}: ${regression.statement}`,
      regression.hostName,
      regression.statusBefore,
      regression.statusAfter,
    ]),
  );
  if (counts.regressed > regressions.length) {
    layout.note(
      `The ${MAX_REGRESSIONS} most critical of ${formatCount(counts.regressed)} regressions are listed; ` +
        'diff.csv in the audit package lists every change.',
    );
  }
}
