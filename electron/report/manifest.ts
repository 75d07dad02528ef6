/** The manifest embedded in every report PDF: what the report covers, by hash. */
import type { ReportModel, SnapshotProvenance } from './model.js';

export const REPORT_MANIFEST_FORMAT = 'posture-workbench-report-manifest';

export interface ManifestSnapshot {
  role: 'assessed' | 'baseline';
  id: number;
  label: string;
  sourceKind: 'file' | 'pull';
  createdAt: string;
  records: number;
  contentSha256: string | null;
  inputSha256: string | null;
  rawResponses: { sliceIndex: number; sha256: string; byteLength: number; receivedAt: string }[];
}

export interface ReportManifest {
  format: typeof REPORT_MANIFEST_FORMAT;
  version: 1;
  reportId: string;
  revision: number;
  reportSha256: string;
  title: string;
  query: string | null;
  generatedAt: string;
  findings: number;
  snapshots: ManifestSnapshot[];
  signoffs: { name: string; role: string; organisation: string; signedAt: string; reportSha256: string }[];
  /**
   * SHA-256 of the DER certificate the PDF is signed with, null for an unsigned PDF.
   * Absent from PDFs exported before it was added.
   */
  signerCertificateSha256?: string | null;
}

function snapshotEntry(role: ManifestSnapshot['role'], info: SnapshotProvenance): ManifestSnapshot {
  return {
    role,
    id: info.snapshot.id,
    label: info.snapshot.label,
    sourceKind: info.snapshot.sourceKind,
    createdAt: info.snapshot.createdAt,
    records: info.snapshot.records,
    contentSha256: info.snapshot.contentSha256,
    inputSha256: info.snapshot.inputSha256,
    rawResponses: info.rawResponses.map((response) => ({
      sliceIndex: response.sliceIndex,
      sha256: response.sha256,
      byteLength: response.byteLength,
      receivedAt: response.receivedAt,
    })),
  };
}

export function buildReportManifest(model: ReportModel): ReportManifest {
  const snapshots = [snapshotEntry('assessed', model.snapshot)];
  if (model.baseline) snapshots.push(snapshotEntry('baseline', model.baseline));
  return {
    format: REPORT_MANIFEST_FORMAT,
    version: 1,
    reportId: model.reportId,
    revision: model.revision,
    reportSha256: model.reportSha256,
    title: model.title,
    query: model.query,
    generatedAt: model.generatedAt,
    findings: model.findingCount,
    snapshots,
    signoffs: model.signoffs.map((signoff) => ({
      name: signoff.name,
      role: signoff.role,
      organisation: signoff.organisation,
      signedAt: signoff.signedAt,
      reportSha256: signoff.reportSha256,
    })),
    signerCertificateSha256: model.signature?.sha256Fingerprint ?? null,
  };
}
