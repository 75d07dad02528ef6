/**
 * Field-level detail of one posture between two snapshots: every field whose value moved,
 * with the old and new value, and a line diff for evidence and other multi-line text.
 */
import { classifyPosture, readScope, type DiffClass } from './diff.js';
import { AppError } from './errors.js';
import { diffLines, type LineChange } from './line-diff.js';
import type { Store } from './store.js';

export type FieldGroup = 'status' | 'dates' | 'evidence' | 'control' | 'host' | 'record';

export interface FieldChange {
  /** The record's field name, e.g. `lastEvaluatedDate` or `evidence.expectedValues`. */
  field: string;
  group: FieldGroup;
  a: string | null;
  b: string | null;
  /** Line diff of `a` and `b`, for evidence fields and any text with a line break. */
  lines?: LineChange[];
}

export interface PostureDiffDetail {
  postureId: number;
  policyId: number;
  hostId: number;
  controlId: number;
  instance: string;
  class: DiffClass | 'unchanged';
  stateIdA: number | null;
  stateIdB: number | null;
  statusA: string | null;
  statusB: string | null;
  changes: FieldChange[];
}

type StateRow = Record<string, string | number | Buffer | null>;

// JSON columns are printed with indentation, so their line diff follows the structure.
const JSON_COLUMNS = new Set(['current_values', 'actual_values', 'cause_of_failure']);

/** Field name, group and column of the joined state row, in the order the detail lists them. */
const FIELDS: readonly [string, FieldGroup, string][] = [
  ['status', 'status', 'status'],
  ['previousStatus', 'status', 'previous_status'],
  ['firstFailDate', 'dates', 'first_fail_date'],
  ['lastFailDate', 'dates', 'last_fail_date'],
  ['firstPassDate', 'dates', 'first_pass_date'],
  ['lastPassDate', 'dates', 'last_pass_date'],
  ['postureModifiedDate', 'dates', 'posture_modified_date'],
  ['lastEvaluatedDate', 'dates', 'last_evaluated_date'],
  ['created', 'dates', 'created_date'],
  ['complianceLastScanDate', 'dates', 'last_scan_date'],
  ['evidence.expectedValues', 'evidence', 'expected'],
  ['evidence.currentValues', 'evidence', 'current_values'],
  ['evidence.actualValues', 'evidence', 'actual_values'],
  ['evidence.extendedEvidence', 'evidence', 'extended'],
  ['evidence.description', 'evidence', 'description'],
  ['evidence.lastUpdated', 'evidence', 'evidence_updated'],
  ['causeOfFailure', 'evidence', 'cause_of_failure'],
  ['controlStatement', 'control', 'statement'],
  ['rationale', 'control', 'rationale'],
  ['remediation', 'control', 'remediation'],
  ['category', 'control', 'category'],
  ['subCategory', 'control', 'sub_category'],
  ['controlReference', 'control', 'control_reference'],
  ['technology.id', 'control', 'technology_id'],
  ['technology.name', 'control', 'technology_name'],
  ['criticality.value', 'control', 'criticality_value'],
  ['criticality.label', 'control', 'criticality_label'],
  ['ip', 'host', 'ip'],
  ['dns', 'host', 'dns'],
  ['netBios', 'host', 'netbios'],
  ['domainName', 'host', 'domain_name'],
  ['os', 'host', 'os'],
  ['osCpe', 'host', 'os_cpe'],
  ['trackingMethod', 'host', 'tracking_method'],
  ['networkId', 'host', 'network_id'],
  ['networkName', 'host', 'network_name'],
  ['qgHostid', 'host', 'qg_host_id'],
  ['assetId', 'host', 'asset_id'],
  ['cloudMetaData', 'host', 'cloud'],
  ['id', 'record', 'record_id'],
  ['policyTitle', 'record', 'policy_title'],
  ['currentDataSizeKB', 'record', 'data_size_kb'],
];

const STATE_SQL = `
  SELECT s.status, s.previous_status, s.first_fail_date, s.last_fail_date, s.first_pass_date, s.last_pass_date,
         s.posture_modified_date, s.last_evaluated_date, s.created_date, s.last_scan_date,
         expected.body AS expected, s.current_values, s.actual_values, extended.body AS extended,
         description.body AS description, s.evidence_updated, s.cause_of_failure,
         statement.body AS statement, rationale.body AS rationale, remediation.body AS remediation,
         c.category, c.sub_category, c.control_reference, c.technology_id, c.technology_name,
         c.criticality_value, c.criticality_label,
         h.ip, h.dns, h.netbios, h.domain_name, h.os, h.os_cpe, h.tracking_method, h.network_id, h.network_name,
         h.qg_host_id, h.asset_id, h.cloud,
         s.record_id, s.policy_title, s.data_size_kb
    FROM posture_states s
    JOIN control_revisions c ON c.id = s.control_revision_id
    JOIN host_revisions h ON h.id = s.host_revision_id
    LEFT JOIN texts expected ON expected.id = s.expected_text_id
    LEFT JOIN texts extended ON extended.id = s.extended_text_id
    LEFT JOIN texts description ON description.id = s.description_text_id
    LEFT JOIN texts statement ON statement.id = c.statement_text_id
    LEFT JOIN texts rationale ON rationale.id = c.rationale_text_id
    LEFT JOIN texts remediation ON remediation.id = c.remediation_text_id
   WHERE s.id = ?`;

function readState(store: Store, stateId: number | null): StateRow | null {
  if (stateId === null) return null;
  return (store.sqlite.prepare(STATE_SQL).get(stateId) as StateRow | undefined) ?? null;
}

function displayValue(column: string, value: string | number | Buffer | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (JSON_COLUMNS.has(column) && typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return String(value);
}

function memberState(store: Store, snapshotId: number, postureId: number): number | null {
  const row = store.sqlite
    .prepare('SELECT state_id AS stateId FROM snapshot_members WHERE snapshot_id = ? AND posture_id = ?')
    .get(snapshotId, postureId) as { stateId: number } | undefined;
  return row?.stateId ?? null;
}

/** Lists each field of posture `postureId` that differs between snapshots `a` and `b`, evidence as a line diff. */
export function postureDiffDetail(store: Store, a: number, b: number, postureId: number): PostureDiffDetail {
  const scopeA = readScope(store, a);
  const scopeB = readScope(store, b);
  const posture = store.sqlite
    .prepare('SELECT policy_id AS policyId, host_id AS hostId, control_id AS controlId, instance FROM postures WHERE id = ?')
    .get(postureId) as { policyId: number; hostId: number; controlId: number; instance: string } | undefined;
  const stateIdA = memberState(store, a, postureId);
  const stateIdB = memberState(store, b, postureId);
  const diffClass = posture ? classifyPosture(store, scopeA, scopeB, postureId) : null;
  if (!posture || diffClass === null) {
    throw new AppError('NOT_FOUND', `Posture ${postureId} is in neither snapshot ${a} nor snapshot ${b}. Take the posture id from a diff row.`);
  }

  // Every field is compared, dates included, so the detail also explains an "unchanged" posture.
  const stateA = readState(store, stateIdA);
  const stateB = readState(store, stateIdB);
  const changes: FieldChange[] = [];
  for (const [field, group, column] of FIELDS) {
    const valueA = stateA ? displayValue(column, stateA[column]) : null;
    const valueB = stateB ? displayValue(column, stateB[column]) : null;
    if (valueA === valueB) continue;
    const change: FieldChange = { field, group, a: valueA, b: valueB };
    if (group === 'evidence' || valueA?.includes('\n') || valueB?.includes('\n')) change.lines = diffLines(valueA, valueB);
    changes.push(change);
  }
  return {
    postureId,
    ...posture,
    class: diffClass,
    stateIdA,
    stateIdB,
    statusA: (stateA?.status as string | undefined) ?? null,
    statusB: (stateB?.status as string | undefined) ?? null,
    changes,
  };
}
