/** "Approved exceptions": postures that pass only under an exception (status `Passed*`). */
import type { ReportModel } from '../model.js';
import { formatCount, formatDay } from './format.js';
import type { Layout } from './layout.js';

export function drawExceptions(layout: Layout, model: ReportModel): void {
  layout.section('Approved exceptions');
  if (model.exceptions.length === 0) {
    layout.paragraph('No posture in scope passes under an approved exception.');
    return;
  }
  layout.paragraph(
    `${formatCount(model.exceptions.length)} postures pass only because an exception was approved in Qualys ` +
      '(status "Passed*"). The posture data does not carry the exception\'s approver, reason or expiry; check them in Qualys.',
  );
  layout.space(6);
  layout.table(
    [
      { header: 'Policy', share: 0.12 },
      { header: 'Control', share: 0.44 },
      { header: 'Host', share: 0.24 },
      { header: 'Status', share: 0.08 },
      { header: 'Evaluated', share: 0.12 },
    ],
    model.exceptions.map((entry) => [
      String(entry.policyId),
      `${entry.controlId}: ${entry.statement}`,
      entry.hostName,
      entry.status,
      formatDay(entry.lastEvaluatedDate),
    ]),
  );
}
