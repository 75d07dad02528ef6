/** Sign-off page: each auditor's statement, and the digital signature's certificate. */
import type { ReportModel } from '../model.js';
import { formatTime } from './format.js';
import { COLORS, type Layout } from './layout.js';

export function drawSignoff(layout: Layout, model: ReportModel): void {
  layout.section('Sign-off');
  if (model.signoffs.length === 0) {
    layout.paragraph(`Revision ${model.revision} of this report has not been signed off. It is a draft.`, { font: 'bold' });
    layout.space(30);
    for (const label of ['Name', 'Role', 'Organisation', 'Date', 'Signature']) {
      layout.ensure(30);
      const y = layout.y;
      layout.doc.font('regular').fontSize(9).fillColor(COLORS.muted).text(label, layout.left, y);
      layout.doc.moveTo(layout.left + 90, y + 10).lineTo(layout.left + 350, y + 10).lineWidth(0.5).strokeColor(COLORS.rule).stroke();
      layout.y = y + 28;
    }
  }
  for (const signoff of model.signoffs) {
    layout.ensure(140);
    layout.heading(`${signoff.name}, ${signoff.role}, ${signoff.organisation}`, 11);
    layout.keyValues(
      [
        ['Signed at', formatTime(signoff.signedAt)],
        ['Revision', `${signoff.revision} of report ${signoff.reportId}`],
        ['Report SHA-256', signoff.reportSha256],
        ['Snapshots locked', signoff.snapshotIds.map((id) => `#${id}`).join(', ')],
      ],
      { labelWidth: 110, size: 9 },
    );
    layout.space(4);
    layout.paragraph(`Statement: ${signoff.statement}`, { size: 10 });
    layout.space(12);
  }

  layout.space(10);
  layout.heading('Digital signature', 11);
  const signature = model.signature;
  if (!signature) {
    layout.paragraph(
      'This PDF carries no digital signature. Its integrity is protected by an embedded digest (SHA-256 of the file as ' +
        'exported) and an embedded manifest.json with the report and snapshot hashes; `posture-workbench verify` checks both.',
      { size: 9 },
    );
    return;
  }
  if (signature.demoCertificate) {
    layout.paragraph(
      'DEMONSTRATION CERTIFICATE: this PDF is signed with a throwaway self-signed certificate made for the demo. ' +
        'The signature proves the file is unchanged since signing, but says nothing about who signed it.',
      { font: 'bold', size: 9.5, color: COLORS.warning },
    );
    layout.space(4);
  }
  layout.keyValues(
    [
      ['Signer', signature.subject],
      ['Issuer', signature.issuer],
      ['Valid', `${formatTime(signature.validFrom)} to ${formatTime(signature.validTo)}`],
      ['Certificate SHA-256', signature.sha256Fingerprint],
      ['Format', 'PDF signature (adbe.pkcs7.detached, SHA-256) over the whole file except the signature value'],
    ],
    { labelWidth: 110, size: 9 },
  );
}
