/**
 * The audit report's content as plain data, read from the store in one place so the PDF
 * sections only lay out what they are given, and so tests can check the numbers apart
 * from the layout.
 */
import type Database from 'better-sqlite3';
import { getSnapshot, type SnapshotInfo } from '../../db/snapshots.js';
import type { ReportRevision, Signoff } from '../../db/reports.js';
import type { Store } from '../../db/store.js';
import { parseExtendedEvidence, type ExtendedEvidenceTable } from '../ingest/normalise.js';
import { passRateTrend } from '../../db/history.js';
import { computeRollups, passRate, type RollupRow } from './csv.js';
import type { DiffCounts } from '../../db/diff.js';
import { reportDiffCounts, topRegressions } from './report-diff.js';
import type { PostureScope } from './scope.js';

export interface RawResponseInfo {
  sliceIndex: number;
  url: string;
  receivedAt: string;
  httpStatus: number;
  sha256: string;
  byteLength: number;
  records: number;
}

export interface SnapshotProvenance {
  snapshot: SnapshotInfo;
  rawResponses: RawResponseInfo[];
}

export interface TrendPoint {
  snapshotId: number;
  label: string;
  createdAt: string;
  total: number;
  passRate: number | null;
}

export interface HostEvidence {
  postureId: number;
  policyId: number;
  policyTitle: string | null;
  hostId: number;
  hostName: string;
  ip: string | null;
  os: string | null;
  instance: string;
  status: string;
  firstFailDate: string | null;
  lastEvaluatedDate: string | null;
  expected: string | null;
  /** Current values as the record gave them, formatted one value per line. */
  current: string | null;
  actual: string | null;
  extended: string | null;
  extendedTable: ExtendedEvidenceTable | null;
  causeOfFailure: string | null;
}

export interface FindingGroup {
  controlId: number;
  statement: string;
  criticalityValue: number | null;
  criticalityLabel: string;
  category: string | null;
  /** Remediation text per technology; hosts on different platforms may need different steps. */
  remediations: { technology: string | null; text: string }[];
  hosts: HostEvidence[];
}

export interface Regression {
  policyId: number;
  hostName: string;
  controlId: number;
  statement: string;
  criticalityValue: number | null;
  criticalityLabel: string;
  statusBefore: string;
  statusAfter: string;
}

export interface ExceptionEntry {
  policyId: number;
  hostName: string;
  controlId: number;
  statement: string;
  status: string;
  lastEvaluatedDate: string | null;
}

export interface ReportModel {
  reportId: string;
  revision: number;
  title: string;
  client: string;
  site: string;
  auditor: string;
  query: string | null;
  generatedAt: string;
  /** Report hash of the revision (db/reports.ts `computeReportSha256`). */
  reportSha256: string;
  snapshot: SnapshotProvenance;
  baseline: SnapshotProvenance | null;
  period: { from: string; to: string };
  evaluated: { earliest: string | null; latest: string | null };
  totals: RollupRow;
  byPolicy: RollupRow[];
  byCriticality: RollupRow[];
  trend: TrendPoint[];
  /** The store's diff from the baseline to the snapshot (db/diff.ts), within the scope. */
  changes: { counts: DiffCounts; unchanged: number; regressions: Regression[] } | null;
  findings: FindingGroup[];
  findingCount: number;
  exceptions: ExceptionEntry[];
  signoffs: Signoff[];
  /** Set when the PDF will carry a digital signature. */
  signature: SignatureDescription | null;
}

export interface SignatureDescription {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  sha256Fingerprint: string;
  /** A throwaway certificate made for a demo or test; the sign-off page says so. */
  demoCertificate: boolean;
}

/** Regressions listed in "Changes since the baseline"; the counts cover all of them. */
export const MAX_REGRESSIONS = 25;
/** Snapshots in the pass-rate trend, the report's snapshot last. */
export const MAX_TREND_POINTS = 12;

function hostName(dns: string | null, netbios: string | null, ip: string | null, hostId: number): string {
  return dns ?? netbios ?? ip ?? `host ${hostId}`;
}

function scopeFilter(scope: PostureScope | null): string {
  return scope ? `AND m.posture_id IN (SELECT posture_id FROM ${scope.table})` : '';
}

function provenance(store: Store, snapshotId: number): SnapshotProvenance {
  const rawResponses = store.sqlite
    .prepare(
      `SELECT slice_index AS sliceIndex, url, received_at AS receivedAt, http_status AS httpStatus, sha256,
              byte_length AS byteLength, records
         FROM raw_responses WHERE snapshot_id = ? ORDER BY slice_index, id`,
    )
    .all(snapshotId) as RawResponseInfo[];
  return { snapshot: getSnapshot(store, snapshotId), rawResponses };
}

function totalsRow(rows: RollupRow[]): RollupRow {
  const total = { dimension: 'policy' as const, key: '', label: 'All postures', total: 0, passed: 0, failed: 0, error: 0, exception: 0, other: 0 };
  for (const row of rows) {
    total.total += row.total;
    total.passed += row.passed;
    total.failed += row.failed;
    total.error += row.error;
    total.exception += row.exception;
    total.other += row.other;
  }
  return { ...total, passRate: passRate(total) };
}

/**
 * Returns the pass rate of up to MAX_TREND_POINTS complete snapshots created up to the
 * report's snapshot that share a policy with it, oldest first, as the store's
 * `passRateTrend` computes it. The trend covers whole snapshots, also when a query
 * narrows the rest of the report. On a writable store this stores each snapshot's
 * status counts the first time; a read-only store recounts every snapshot's postures.
 */
export function reportTrend(store: Store, snapshot: Pick<SnapshotInfo, 'id' | 'createdAt'>): TrendPoint[] {
  const sharing = new Set(
    store.sqlite
      .prepare(
        `SELECT DISTINCT a.snapshot_id FROM snapshot_policies a JOIN snapshot_policies b ON a.policy_id = b.policy_id
          WHERE b.snapshot_id = ?`,
      )
      .pluck()
      .all(snapshot.id) as number[],
  );
  sharing.add(snapshot.id);
  const points = passRateTrend(store).filter(
    (point) =>
      sharing.has(point.snapshotId) &&
      (point.createdAt < snapshot.createdAt || (point.createdAt === snapshot.createdAt && point.snapshotId <= snapshot.id)),
  );
  return points
    .slice(-MAX_TREND_POINTS)
    .map((point) => ({ snapshotId: point.snapshotId, label: point.label, createdAt: point.createdAt, total: point.total, passRate: point.passRate }));
}

/**
 * Counts every diff class and keeps the MAX_REGRESSIONS most critical regressions, with
 * host names chosen as in the findings (DNS, else NetBIOS, else IP).
 */
function changes(store: Store, baselineId: number, snapshotId: number, scope: PostureScope | null): ReportModel['changes'] {
  const { counts, unchanged } = reportDiffCounts(store, baselineId, snapshotId, scope);
  const rows = topRegressions(store, baselineId, snapshotId, scope, MAX_REGRESSIONS);
  // A diff row has no NetBIOS name; a regression always has B's state to read it from.
  const netbiosOf = store.sqlite
    .prepare('SELECT h.netbios FROM posture_states s JOIN host_revisions h ON h.id = s.host_revision_id WHERE s.id = ?')
    .pluck();
  const regressions = rows.map((row) => ({
    policyId: row.policyId,
    hostName: hostName(row.dns, (netbiosOf.get(row.stateIdB) as string | null | undefined) ?? null, row.ip, row.hostId),
    controlId: row.controlId,
    statement: row.controlStatement ?? `Control ${row.controlId}`,
    criticalityValue: row.criticalityValue,
    criticalityLabel: row.criticalityLabel ?? 'UNDEFINED',
    statusBefore: row.statusA ?? '',
    statusAfter: row.statusB ?? '',
  }));
  return { counts, unchanged, regressions };
}

function formatJsonEvidence(text: string | null): string | null {
  if (text === null || text === 'null') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) return value.join('\n');
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 1);
}

type FindingRow = {
  postureId: number;
  policyId: number;
  policyTitle: string | null;
  hostId: number;
  ip: string | null;
  dns: string | null;
  netbios: string | null;
  os: string | null;
  controlId: number;
  instance: string;
  criticalityValue: number | null;
  criticalityLabel: string | null;
  statement: string | null;
  remediation: string | null;
  category: string | null;
  technology: string | null;
  status: string;
  firstFailDate: string | null;
  lastEvaluatedDate: string | null;
  expected: string | null;
  currentValues: string | null;
  actualValues: string | null;
  extended: string | null;
  causeOfFailure: string | null;
};

/** Failed and error postures, grouped by control, most critical first. */
function findings(sqlite: Database.Database, snapshotId: number, scope: PostureScope | null): FindingGroup[] {
  const rows = sqlite
    .prepare(
      `SELECT m.posture_id AS postureId, p.policy_id AS policyId, s.policy_title AS policyTitle, p.host_id AS hostId,
              h.ip, h.dns, h.netbios, h.os, p.control_id AS controlId, p.instance,
              c.criticality_value AS criticalityValue, c.criticality_label AS criticalityLabel,
              st.body AS statement, rem.body AS remediation, c.category, c.technology_name AS technology,
              s.status, s.first_fail_date AS firstFailDate, s.last_evaluated_date AS lastEvaluatedDate,
              ex.body AS expected, s.current_values AS currentValues, s.actual_values AS actualValues,
              xt.body AS extended, s.cause_of_failure AS causeOfFailure
         FROM snapshot_members m
         JOIN postures p ON p.id = m.posture_id
         JOIN posture_states s ON s.id = m.state_id
         JOIN control_revisions c ON c.id = s.control_revision_id
         JOIN host_revisions h ON h.id = s.host_revision_id
         LEFT JOIN texts st ON st.id = c.statement_text_id
         LEFT JOIN texts rem ON rem.id = c.remediation_text_id
         LEFT JOIN texts ex ON ex.id = s.expected_text_id
         LEFT JOIN texts xt ON xt.id = s.extended_text_id
        WHERE m.snapshot_id = ? AND s.status_class IN ('fail', 'error') ${scopeFilter(scope)}
        ORDER BY coalesce(c.criticality_value, -1) DESC, p.control_id, p.policy_id, p.host_id, p.instance`,
    )
    .all(snapshotId) as FindingRow[];

  const groups: FindingGroup[] = [];
  let current: FindingGroup | null = null;
  for (const row of rows) {
    if (!current || current.controlId !== row.controlId || current.criticalityValue !== row.criticalityValue) {
      current = {
        controlId: row.controlId,
        statement: row.statement ?? `Control ${row.controlId}`,
        criticalityValue: row.criticalityValue,
        criticalityLabel: row.criticalityLabel ?? 'UNDEFINED',
        category: row.category,
        remediations: [],
        hosts: [],
      };
      groups.push(current);
    }
    if (row.remediation !== null && !current.remediations.some((entry) => entry.text === row.remediation)) {
      current.remediations.push({ technology: row.technology, text: row.remediation });
    }
    current.hosts.push({
      postureId: row.postureId,
      policyId: row.policyId,
      policyTitle: row.policyTitle,
      hostId: row.hostId,
      hostName: hostName(row.dns, row.netbios, row.ip, row.hostId),
      ip: row.ip,
      os: row.os,
      instance: row.instance,
      status: row.status,
      firstFailDate: row.firstFailDate,
      lastEvaluatedDate: row.lastEvaluatedDate,
      expected: row.expected,
      current: formatJsonEvidence(row.currentValues),
      actual: formatJsonEvidence(row.actualValues),
      extended: row.extended,
      extendedTable: row.extended === null ? null : parseExtendedEvidence(row.extended),
      causeOfFailure: formatJsonEvidence(row.causeOfFailure),
    });
  }
  return groups;
}

function exceptions(sqlite: Database.Database, snapshotId: number, scope: PostureScope | null): ExceptionEntry[] {
  const rows = sqlite
    .prepare(
      `SELECT p.policy_id AS policyId, p.host_id AS hostId, h.dns, h.netbios, h.ip, p.control_id AS controlId,
              st.body AS statement, s.status, s.last_evaluated_date AS lastEvaluatedDate
         FROM snapshot_members m
         JOIN postures p ON p.id = m.posture_id
         JOIN posture_states s ON s.id = m.state_id
         JOIN control_revisions c ON c.id = s.control_revision_id
         JOIN host_revisions h ON h.id = s.host_revision_id
         LEFT JOIN texts st ON st.id = c.statement_text_id
        WHERE m.snapshot_id = ? AND s.is_exception = 1 ${scopeFilter(scope)}
        ORDER BY p.policy_id, p.control_id, p.host_id`,
    )
    .all(snapshotId) as {
    policyId: number;
    hostId: number;
    dns: string | null;
    netbios: string | null;
    ip: string | null;
    controlId: number;
    statement: string | null;
    status: string;
    lastEvaluatedDate: string | null;
  }[];
  return rows.map((row) => ({
    policyId: row.policyId,
    hostName: hostName(row.dns, row.netbios, row.ip, row.hostId),
    controlId: row.controlId,
    statement: row.statement ?? `Control ${row.controlId}`,
    status: row.status,
    lastEvaluatedDate: row.lastEvaluatedDate,
  }));
}

function evaluatedRange(sqlite: Database.Database, snapshotId: number, scope: PostureScope | null): ReportModel['evaluated'] {
  return sqlite
    .prepare(
      `SELECT min(s.last_evaluated_date) AS earliest, max(s.last_evaluated_date) AS latest
         FROM snapshot_members m JOIN posture_states s ON s.id = m.state_id
        WHERE m.snapshot_id = ? ${scopeFilter(scope)}`,
    )
    .get(snapshotId) as ReportModel['evaluated'];
}

export interface BuildModelOptions {
  scope?: PostureScope | null;
  /** The trend from `reportTrend`, computed where the store is writable; computed here when absent. */
  trend?: TrendPoint[];
  signature?: SignatureDescription | null;
  generatedAt?: string;
}

/** Reads everything the report shows for one revision. */
export function buildReportModel(store: Store, report: ReportRevision, options: BuildModelOptions = {}): ReportModel {
  const sqlite = store.sqlite;
  const scope = options.scope ?? null;
  const snapshot = provenance(store, report.snapshotId);
  const baseline = report.baselineId === null ? null : provenance(store, report.baselineId);
  const byPolicy = computeRollups(sqlite, report.snapshotId, 'policy', scope);
  const groups = findings(sqlite, report.snapshotId, scope);
  return {
    reportId: report.reportId,
    revision: report.revision,
    title: report.title,
    client: report.client,
    site: report.site,
    auditor: report.auditor,
    query: report.query,
    generatedAt: options.generatedAt ?? new Date().toISOString(),
    reportSha256: report.contentSha256,
    snapshot,
    baseline,
    period: { from: (baseline ?? snapshot).snapshot.createdAt, to: snapshot.snapshot.createdAt },
    evaluated: evaluatedRange(sqlite, report.snapshotId, scope),
    totals: totalsRow(byPolicy),
    byPolicy,
    byCriticality: computeRollups(sqlite, report.snapshotId, 'criticality', scope),
    trend: options.trend ?? reportTrend(store, snapshot.snapshot),
    changes: report.baselineId === null ? null : changes(store, report.baselineId, report.snapshotId, scope),
    findings: groups,
    findingCount: groups.reduce((sum, group) => sum + group.hosts.length, 0),
    exceptions: exceptions(sqlite, report.snapshotId, scope),
    signoffs: report.signoffs,
    signature: options.signature ?? null,
  };
}
