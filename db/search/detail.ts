/** Everything a detail panel or a report shows about one posture in one snapshot. */
import { AppError } from '../errors.js';
import { requireCompleteSnapshot } from '../snapshots.js';
import type { Store } from '../store.js';
import { parseExtendedEvidence, type ExtendedEvidenceTable } from '../../electron/ingest/normalise.js';

export interface PostureDetail {
  snapshotId: number;
  postureId: number;
  stateId: number;
  recordId: number | null;
  policyId: number;
  /** The title the record arrived with, else the latest title seen for the policy. */
  policyTitle: string | null;
  hostId: number;
  controlId: number;
  instance: string;
  status: string;
  previousStatus: string | null;
  statusClass: string;
  isException: boolean;
  dates: {
    firstFailDate: string | null;
    lastFailDate: string | null;
    firstPassDate: string | null;
    lastPassDate: string | null;
    postureModifiedDate: string | null;
    lastEvaluatedDate: string | null;
    createdDate: string | null;
    lastScanDate: string | null;
    evidenceUpdated: string | null;
  };
  control: {
    statement: string | null;
    rationale: string | null;
    remediation: string | null;
    category: string | null;
    subCategory: string | null;
    controlReference: string | null;
    technology: { id: number | null; name: string | null };
    criticality: { value: number | null; label: string | null };
  };
  host: {
    ip: string | null;
    dns: string | null;
    netbios: string | null;
    domainName: string | null;
    os: string | null;
    osCpe: string | null;
    trackingMethod: string | null;
    network: { id: number | null; name: string | null };
    qgHostId: string | null;
    assetId: number | null;
    customerUuid: string | null;
    customerId: string | null;
    cloudResourceId: string | null;
    cloudProvider: string | null;
    /** The record's `cloudMetaData` with `cloudResourceMetadata` parsed; null without one. */
    cloud: Record<string, unknown> | null;
  };
  evidence: {
    expected: string | null;
    current: unknown;
    actual: unknown;
    extended: string | null;
    /** `extended` parsed from its `Row N:` form; null when it has another form. */
    extendedTable: ExtendedEvidenceTable | null;
    description: string | null;
    causeOfFailure: unknown;
    dataSizeKb: number | null;
  };
}

interface DetailRow {
  stateId: number;
  recordId: number | null;
  policyId: number;
  policyTitle: string | null;
  hostId: number;
  controlId: number;
  instance: string;
  status: string;
  previousStatus: string | null;
  statusClass: string;
  isException: number;
  firstFailDate: string | null;
  lastFailDate: string | null;
  firstPassDate: string | null;
  lastPassDate: string | null;
  postureModifiedDate: string | null;
  lastEvaluatedDate: string | null;
  createdDate: string | null;
  lastScanDate: string | null;
  evidenceUpdated: string | null;
  statement: string | null;
  rationale: string | null;
  remediation: string | null;
  category: string | null;
  subCategory: string | null;
  controlReference: string | null;
  technologyId: number | null;
  technologyName: string | null;
  criticalityValue: number | null;
  criticalityLabel: string | null;
  ip: string | null;
  dns: string | null;
  netbios: string | null;
  domainName: string | null;
  os: string | null;
  osCpe: string | null;
  trackingMethod: string | null;
  networkId: number | null;
  networkName: string | null;
  qgHostId: string | null;
  assetId: number | null;
  customerUuid: string | null;
  customerId: string | null;
  cloudResourceId: string | null;
  cloudProvider: string | null;
  cloud: string | null;
  expected: string | null;
  currentValues: string | null;
  actualValues: string | null;
  extended: string | null;
  description: string | null;
  causeOfFailure: string | null;
  dataSizeKb: number | null;
}

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

/** Returns one posture as it was in a complete snapshot; NOT_FOUND when it is not a member. */
export function getPostureDetail(store: Store, snapshotId: number, postureId: number): PostureDetail {
  requireCompleteSnapshot(store, snapshotId);
  const row = store.sqlite
    .prepare(
      `SELECT s.id AS stateId, s.record_id AS recordId, p.policy_id AS policyId, coalesce(s.policy_title, pol.title) AS policyTitle,
              p.host_id AS hostId, p.control_id AS controlId, p.instance AS instance, s.status AS status,
              s.previous_status AS previousStatus, s.status_class AS statusClass, s.is_exception AS isException,
              s.first_fail_date AS firstFailDate, s.last_fail_date AS lastFailDate, s.first_pass_date AS firstPassDate,
              s.last_pass_date AS lastPassDate, s.posture_modified_date AS postureModifiedDate,
              s.last_evaluated_date AS lastEvaluatedDate, s.created_date AS createdDate, s.last_scan_date AS lastScanDate,
              s.evidence_updated AS evidenceUpdated,
              st.body AS statement, ra.body AS rationale, re.body AS remediation, c.category AS category,
              c.sub_category AS subCategory, c.control_reference AS controlReference, c.technology_id AS technologyId,
              c.technology_name AS technologyName, c.criticality_value AS criticalityValue, c.criticality_label AS criticalityLabel,
              h.ip AS ip, h.dns AS dns, h.netbios AS netbios, h.domain_name AS domainName, h.os AS os, h.os_cpe AS osCpe,
              h.tracking_method AS trackingMethod, h.network_id AS networkId, h.network_name AS networkName,
              h.qg_host_id AS qgHostId, h.asset_id AS assetId, h.customer_uuid AS customerUuid, h.customer_id AS customerId,
              h.cloud_resource_id AS cloudResourceId, h.cloud_provider AS cloudProvider, h.cloud AS cloud,
              ex.body AS expected, s.current_values AS currentValues, s.actual_values AS actualValues, xt.body AS extended,
              de.body AS description, s.cause_of_failure AS causeOfFailure, s.data_size_kb AS dataSizeKb
         FROM snapshot_members m
         JOIN posture_states s ON s.id = m.state_id
         JOIN postures p ON p.id = m.posture_id
         LEFT JOIN policies pol ON pol.id = p.policy_id
         JOIN control_revisions c ON c.id = s.control_revision_id
         JOIN host_revisions h ON h.id = s.host_revision_id
         LEFT JOIN texts st ON st.id = c.statement_text_id
         LEFT JOIN texts ra ON ra.id = c.rationale_text_id
         LEFT JOIN texts re ON re.id = c.remediation_text_id
         LEFT JOIN texts ex ON ex.id = s.expected_text_id
         LEFT JOIN texts xt ON xt.id = s.extended_text_id
         LEFT JOIN texts de ON de.id = s.description_text_id
        WHERE m.snapshot_id = ? AND m.posture_id = ?`,
    )
    .get(snapshotId, postureId) as DetailRow | undefined;
  if (!row) {
    throw new AppError('NOT_FOUND', `Posture ${postureId} is not in snapshot ${snapshotId}. Search the snapshot to find its postures.`);
  }

  return {
    snapshotId,
    postureId,
    stateId: row.stateId,
    recordId: row.recordId,
    policyId: row.policyId,
    policyTitle: row.policyTitle,
    hostId: row.hostId,
    controlId: row.controlId,
    instance: row.instance,
    status: row.status,
    previousStatus: row.previousStatus,
    statusClass: row.statusClass,
    isException: row.isException === 1,
    dates: {
      firstFailDate: row.firstFailDate,
      lastFailDate: row.lastFailDate,
      firstPassDate: row.firstPassDate,
      lastPassDate: row.lastPassDate,
      postureModifiedDate: row.postureModifiedDate,
      lastEvaluatedDate: row.lastEvaluatedDate,
      createdDate: row.createdDate,
      lastScanDate: row.lastScanDate,
      evidenceUpdated: row.evidenceUpdated,
    },
    control: {
      statement: row.statement,
      rationale: row.rationale,
      remediation: row.remediation,
      category: row.category,
      subCategory: row.subCategory,
      controlReference: row.controlReference,
      technology: { id: row.technologyId, name: row.technologyName },
      criticality: { value: row.criticalityValue, label: row.criticalityLabel },
    },
    host: {
      ip: row.ip,
      dns: row.dns,
      netbios: row.netbios,
      domainName: row.domainName,
      os: row.os,
      osCpe: row.osCpe,
      trackingMethod: row.trackingMethod,
      network: { id: row.networkId, name: row.networkName },
      qgHostId: row.qgHostId,
      assetId: row.assetId,
      customerUuid: row.customerUuid,
      customerId: row.customerId,
      cloudResourceId: row.cloudResourceId,
      cloudProvider: row.cloudProvider,
      cloud: parseJson(row.cloud) as Record<string, unknown> | null,
    },
    evidence: {
      expected: row.expected,
      current: parseJson(row.currentValues),
      actual: parseJson(row.actualValues),
      extended: row.extended,
      extendedTable: row.extended === null ? null : parseExtendedEvidence(row.extended),
      description: row.description,
      causeOfFailure: parseJson(row.causeOfFailure),
      dataSizeKb: row.dataSizeKb,
    },
  };
}
