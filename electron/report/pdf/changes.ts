/** "Changes since the baseline": diff counts and the most critical regressions. */
import { MAX_REGRESSIONS, type ReportModel } from '../model.js';
import { criticalityText, formatCount } from './format.js';
import type { Layout } from './layout.js';

const CHANGE_LABELS: [keyof NonNullable<ReportModel['changes']>['counts'], string][] = [
  ['regressed', 'Regressed (passing → failing)'],
  ['improved', 'Improved (failing → passing)'],
  ['status_changed', 'Other status change'],
  ['evidence_changed', 'Evidence changed, same status'],
  ['added', 'Added (only in the snapshot)'],
  ['removed', 'Removed (only in the baseline)'],
  ['unchanged', 'Unchanged (dates at most)'],
];

export function drawChanges(layout: Layout, model: ReportModel): void {
  layout.section('Changes since the baseline');
  if (!model.changes || !model.baseline) {
    layout.paragraph('No baseline was chosen for this report, so there is no comparison with an earlier visit.');
    return;
  }
  layout.paragraph(
    `Baseline: snapshot #${model.baseline.snapshot.id} "${model.baseline.snapshot.label}". ` +
      `Assessed: snapshot #${model.snapshot.snapshot.id} "${model.snapshot.snapshot.label}". ` +
      'Postures are matched by policy, host, control and instance.',
  );
  layout.space(6);
  layout.table(
    [
      { header: 'Change', share: 0.7 },
      { header: 'Postures', share: 0.3, align: 'right' },
    ],
    CHANGE_LABELS.map(([kind, label]) => [label, formatCount(model.changes!.counts[kind])]),
    { fontSize: 9 },
  );

  layout.heading('Most severe regressions', 11);
  const { regressions, counts } = model.changes;
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
