/**
 * Audit report revisions and sign-offs.
 *
 * A report is a UUID with numbered revisions. Each revision stores its definition (title,
 * client, site, auditor, snapshot, baseline, query) and a content hash over that
 * definition and the content hashes of its snapshots. A sign-off records who approved
 * which revision and locks the snapshots it covers, so the data behind a signed report
 * cannot be deleted. Changing a report creates a new revision; the old one stays.
 */
import { createHash, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from './errors.js';
import { parseQuery } from './search/query.js';
import { computeContentSha256, requireCompleteSnapshot } from './snapshots.js';
import type { Store } from './store.js';

export interface ReportDefinition {
  title: string;
  client: string;
  site: string;
  auditor: string;
  snapshotId: number;
  baselineId: number | null;
  /** Search query that narrows the report's postures, verbatim; null for all postures. */
  query: string | null;
}

export interface Signoff {
  id: number;
  reportId: string;
  revision: number;
  name: string;
  role: string;
  organisation: string;
  statement: string;
  signedAt: string;
  reportSha256: string;
  snapshotIds: number[];
}

export interface ReportRevision extends ReportDefinition {
  /** Row id of this revision. */
  rowId: number;
  reportId: string;
  revision: number;
  createdAt: string;
  contentSha256: string;
  pdfSha256: string | null;
  pdfExportedAt: string | null;
  signoffs: Signoff[];
}

export interface SignoffInput {
  name: string;
  role: string;
  organisation: string;
  statement: string;
  /** ISO-8601 time of the sign-off; now when absent. */
  signedAt?: string;
}

interface ReportRow {
  id: number;
  report_id: string;
  revision: number;
  title: string;
  client: string;
  site: string;
  auditor: string;
  snapshot_id: number;
  baseline_id: number | null;
  query: string | null;
  created_at: string;
  content_sha256: string;
  pdf_sha256: string | null;
  pdf_exported_at: string | null;
}

interface SignoffRow {
  id: number;
  report_id: string;
  revision: number;
  name: string;
  role: string;
  organisation: string;
  statement: string;
  signed_at: string;
  report_sha256: string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Format tag hashed first, so a future change of the hashed fields cannot collide. */
const REPORT_HASH_FORMAT = 'posture-workbench-report-v1';

/**
 * Computes the report hash: SHA-256 over a canonical JSON array of the report identity,
 * its definition and the content SHA-256 of each snapshot it covers. `snapshotSha256`
 * returns the content hash to use for a snapshot id (stored or recomputed).
 */
export function computeReportSha256(
  reportId: string,
  revision: number,
  definition: ReportDefinition,
  snapshotSha256: (snapshotId: number) => string | null,
): string {
  const canonical = JSON.stringify([
    REPORT_HASH_FORMAT,
    reportId,
    revision,
    definition.title,
    definition.client,
    definition.site,
    definition.auditor,
    definition.snapshotId,
    snapshotSha256(definition.snapshotId),
    definition.baselineId,
    definition.baselineId === null ? null : snapshotSha256(definition.baselineId),
    definition.query,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

function storedContentSha256(sqlite: Database.Database, snapshotId: number): string | null {
  const row = sqlite.prepare('SELECT content_sha256 AS sha FROM snapshots WHERE id = ?').get(snapshotId) as
    | { sha: string | null }
    | undefined;
  return row?.sha ?? null;
}

function toSignoff(sqlite: Database.Database, row: SignoffRow): Signoff {
  const snapshots = sqlite
    .prepare('SELECT snapshot_id AS id FROM signoff_snapshots WHERE signoff_id = ? ORDER BY snapshot_id')
    .all(row.id) as { id: number }[];
  return {
    id: row.id,
    reportId: row.report_id,
    revision: row.revision,
    name: row.name,
    role: row.role,
    organisation: row.organisation,
    statement: row.statement,
    signedAt: row.signed_at,
    reportSha256: row.report_sha256,
    snapshotIds: snapshots.map((snapshot) => snapshot.id),
  };
}

function toRevision(sqlite: Database.Database, row: ReportRow): ReportRevision {
  const signoffRows = sqlite
    .prepare('SELECT * FROM signoffs WHERE report_row_id = ? ORDER BY signed_at, id')
    .all(row.id) as SignoffRow[];
  return {
    rowId: row.id,
    reportId: row.report_id,
    revision: row.revision,
    title: row.title,
    client: row.client,
    site: row.site,
    auditor: row.auditor,
    snapshotId: row.snapshot_id,
    baselineId: row.baseline_id,
    query: row.query,
    createdAt: row.created_at,
    contentSha256: row.content_sha256,
    pdfSha256: row.pdf_sha256,
    pdfExportedAt: row.pdf_exported_at,
    signoffs: signoffRows.map((signoff) => toSignoff(sqlite, signoff)),
  };
}

function sameDefinition(row: ReportRow, definition: ReportDefinition): boolean {
  return (
    row.title === definition.title &&
    row.client === definition.client &&
    row.site === definition.site &&
    row.auditor === definition.auditor &&
    row.snapshot_id === definition.snapshotId &&
    row.baseline_id === definition.baselineId &&
    row.query === definition.query
  );
}

function requireUuid(reportId: string): void {
  if (!UUID_PATTERN.test(reportId)) {
    throw new AppError('INVALID_INPUT', `"${reportId}" is not a report ID; report IDs are UUIDs. List them with \`posture-workbench reports\`.`);
  }
}

/** Raises the search module's USAGE error, prefixed with the query, unless `query` parses. */
export function validateReportQuery(query: string): void {
  try {
    parseQuery(query);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw new AppError(error.code, `The report query "${query}" is invalid: ${error.message}`, { cause: error });
  }
}

/**
 * Checks the definition: a title, a query the search language accepts, and snapshots
 * that exist, are complete, and differ from each other.
 */
function validateDefinition(store: Store, definition: ReportDefinition): void {
  if (definition.title.trim() === '') throw new AppError('INVALID_INPUT', 'A report title cannot be empty; give --title.');
  if (definition.query !== null) validateReportQuery(definition.query);
  const snapshot = requireCompleteSnapshot(store, definition.snapshotId);
  if (snapshot.contentSha256 === null) {
    throw new AppError('DATA', `Snapshot ${definition.snapshotId} has no content hash, so a report on it could not be verified later.`);
  }
  if (definition.baselineId === null) return;
  if (definition.baselineId === definition.snapshotId) {
    throw new AppError('INVALID_INPUT', `The baseline must be another snapshot than ${definition.snapshotId}; give a different --baseline.`);
  }
  const baseline = requireCompleteSnapshot(store, definition.baselineId);
  if (baseline.contentSha256 === null) {
    throw new AppError('DATA', `Baseline snapshot ${definition.baselineId} has no content hash, so a report on it could not be verified later.`);
  }
}

/** Inserts revision `revision` of report `reportId`, hashed with the snapshots' stored content hashes. */
function insertRevision(sqlite: Database.Database, reportId: string, revision: number, definition: ReportDefinition): ReportRevision {
  const contentSha256 = computeReportSha256(reportId, revision, definition, (snapshotId) => storedContentSha256(sqlite, snapshotId));
  const inserted = sqlite
    .prepare(
      `INSERT INTO reports (report_id, revision, title, client, site, auditor, snapshot_id, baseline_id, query, created_at, content_sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      reportId,
      revision,
      definition.title,
      definition.client,
      definition.site,
      definition.auditor,
      definition.snapshotId,
      definition.baselineId,
      definition.query,
      new Date().toISOString(),
      contentSha256,
    );
  const row = sqlite.prepare('SELECT * FROM reports WHERE id = ?').get(inserted.lastInsertRowid) as ReportRow;
  return toRevision(sqlite, row);
}

/**
 * Returns the revision for `definition`: the latest revision of `reportId` when nothing
 * changed, else a new revision (revision 1 of a new UUID when `reportId` is absent).
 */
export function saveReportRevision(store: Store, definition: ReportDefinition, reportId?: string): ReportRevision {
  validateDefinition(store, definition);
  const sqlite = store.sqlite;
  // IMMEDIATE: the transaction reads before it writes, and a deferred one would fail
  // with SQLITE_BUSY at once, without waiting, if another process wrote in between.
  return sqlite
    .transaction(() => {
      if (reportId === undefined) return insertRevision(sqlite, randomUUID(), 1, definition);
      requireUuid(reportId);
      const latest = sqlite
        .prepare('SELECT * FROM reports WHERE report_id = ? ORDER BY revision DESC LIMIT 1')
        .get(reportId) as ReportRow | undefined;
      if (!latest) throw new AppError('NOT_FOUND', `Report ${reportId} does not exist. List reports with \`posture-workbench reports\`.`);
      if (sameDefinition(latest, definition)) return toRevision(sqlite, latest);
      return insertRevision(sqlite, reportId, latest.revision + 1, definition);
    })
    .immediate();
}

/**
 * Returns the revision of any report whose definition equals `definition`, preferring
 * a signed-off revision and then the newest, or saves revision 1 of a new report when
 * none matches. So the same options name the same report, and the one signed off.
 */
export function saveOrReuseReport(store: Store, definition: ReportDefinition): { report: ReportRevision; reused: boolean } {
  validateDefinition(store, definition);
  const sqlite = store.sqlite;
  return sqlite
    .transaction(() => {
      const existing = sqlite
        .prepare(
          `SELECT r.* FROM reports r
            WHERE r.title = ? AND r.client = ? AND r.site = ? AND r.auditor = ? AND r.snapshot_id = ?
              AND r.baseline_id IS ? AND r.query IS ?
            ORDER BY EXISTS (SELECT 1 FROM signoffs s WHERE s.report_row_id = r.id) DESC, r.created_at DESC, r.id DESC
            LIMIT 1`,
        )
        .get(
          definition.title,
          definition.client,
          definition.site,
          definition.auditor,
          definition.snapshotId,
          definition.baselineId,
          definition.query,
        ) as ReportRow | undefined;
      if (existing) return { report: toRevision(sqlite, existing), reused: true };
      return { report: insertRevision(sqlite, randomUUID(), 1, definition), reused: false };
    })
    .immediate();
}

/** Returns one revision of a report (the latest when `revision` is absent). */
export function getReport(store: Store, reportId: string, revision?: number): ReportRevision {
  requireUuid(reportId);
  const row = (
    revision === undefined
      ? store.sqlite.prepare('SELECT * FROM reports WHERE report_id = ? ORDER BY revision DESC LIMIT 1').get(reportId)
      : store.sqlite.prepare('SELECT * FROM reports WHERE report_id = ? AND revision = ?').get(reportId, revision)
  ) as ReportRow | undefined;
  if (!row) {
    const which = revision === undefined ? `Report ${reportId}` : `Revision ${revision} of report ${reportId}`;
    throw new AppError('NOT_FOUND', `${which} does not exist. List reports with \`posture-workbench reports\`.`);
  }
  return toRevision(store.sqlite, row);
}

/** Lists every revision of every report, newest first. */
export function listReports(store: Store): ReportRevision[] {
  const rows = store.sqlite.prepare('SELECT * FROM reports ORDER BY created_at DESC, id DESC').all() as ReportRow[];
  return rows.map((row) => toRevision(store.sqlite, row));
}

/** Records the SHA-256 of a PDF just exported for a revision. */
/**
 * Lists the report revisions without a sign-off whose snapshot or baseline is
 * `snapshotId`: deleting that snapshot leaves them unable to export or verify.
 */
export function unsignedReportsUsing(store: Store, snapshotId: number): { reportId: string; revision: number; title: string }[] {
  return store.sqlite
    .prepare(
      `SELECT report_id AS reportId, revision, title FROM reports
        WHERE (snapshot_id = ? OR baseline_id = ?) AND id NOT IN (SELECT report_row_id FROM signoffs)
        ORDER BY created_at, revision`,
    )
    .all(snapshotId, snapshotId) as { reportId: string; revision: number; title: string }[];
}

export function recordPdfExport(store: Store, rowId: number, pdfSha256: string, exportedAt = new Date().toISOString()): void {
  store.sqlite.prepare('UPDATE reports SET pdf_sha256 = ?, pdf_exported_at = ? WHERE id = ?').run(pdfSha256, exportedAt, rowId);
}

/**
 * Recomputes a revision's report hash from the snapshots' current content. Returns the
 * hash and, for each snapshot whose recomputed content no longer matches its stored
 * hash, a message naming it.
 */
export function recomputeReportSha256(store: Store, report: ReportRevision): { sha256: string; problems: string[] } {
  const problems: string[] = [];
  const sha256 = computeReportSha256(report.reportId, report.revision, report, (snapshotId) => {
    const stored = storedContentSha256(store.sqlite, snapshotId);
    if (stored === null) {
      problems.push(`snapshot ${snapshotId} is missing from the store or has no content hash`);
      return null;
    }
    const recomputed = computeContentSha256(store.sqlite, snapshotId);
    if (recomputed !== stored) {
      problems.push(`the content of snapshot ${snapshotId} no longer matches its stored SHA-256 (stored ${stored}, now ${recomputed})`);
    }
    return recomputed;
  });
  return { sha256, problems };
}

function requireText(value: string, flag: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new AppError('INVALID_INPUT', `The sign-off needs a non-empty ${flag}.`);
  return trimmed;
}

function normaliseSignedAt(value: string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(time)) {
    throw new AppError('INVALID_INPUT', `"${value}" is not an ISO-8601 time with a zone, e.g. 2025-06-30T14:00:00Z.`);
  }
  return new Date(time).toISOString();
}

/**
 * Signs off one revision: checks that its snapshots still match their hashes, stores
 * the sign-off with the report hash and locks the snapshots it covers.
 */
export function signOffReport(store: Store, reportId: string, revision: number | undefined, input: SignoffInput): Signoff {
  const signoff = {
    name: requireText(input.name, '--name'),
    role: requireText(input.role, '--role'),
    organisation: requireText(input.organisation, '--organisation'),
    statement: requireText(input.statement, '--statement'),
    signedAt: normaliseSignedAt(input.signedAt),
  };
  const report = getReport(store, reportId, revision);

  // A sign-off time is the auditor's statement of when they signed: not before the
  // revision existed, and not in the future (beyond five minutes of clock difference).
  if (signoff.signedAt < report.createdAt) {
    throw new AppError(
      'INVALID_INPUT',
      `The sign-off time ${signoff.signedAt} is before revision ${report.revision} of the report was created (${report.createdAt}); give the time the revision was actually signed.`,
    );
  }
  if (Date.parse(signoff.signedAt) > Date.now() + 5 * 60_000) {
    throw new AppError('INVALID_INPUT', `The sign-off time ${signoff.signedAt} is in the future; give the time the revision was signed, or leave --time out for now.`);
  }

  // Signing data that no longer matches its hash would certify something else.
  const { sha256, problems } = recomputeReportSha256(store, report);
  if (problems.length > 0 || sha256 !== report.contentSha256) {
    const reason = problems.length > 0 ? problems.join('; ') : 'its recomputed hash differs from the stored one';
    throw new AppError('VERIFY_FAILED', `Report ${reportId} revision ${report.revision} cannot be signed off: ${reason}.`);
  }

  const sqlite = store.sqlite;
  return sqlite
    .transaction(() => {
      // 1. The sign-off row.
      const inserted = sqlite
        .prepare(
          `INSERT INTO signoffs (report_row_id, report_id, revision, name, role, organisation, statement, signed_at, report_sha256)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          report.rowId,
          report.reportId,
          report.revision,
          signoff.name,
          signoff.role,
          signoff.organisation,
          signoff.statement,
          signoff.signedAt,
          report.contentSha256,
        );
      const signoffId = Number(inserted.lastInsertRowid);

      // 2. Lock the snapshot and the baseline.
      const lock = sqlite.prepare('INSERT OR IGNORE INTO signoff_snapshots (signoff_id, snapshot_id) VALUES (?, ?)');
      lock.run(signoffId, report.snapshotId);
      if (report.baselineId !== null) lock.run(signoffId, report.baselineId);

      const row = sqlite.prepare('SELECT * FROM signoffs WHERE id = ?').get(signoffId) as SignoffRow;
      return toSignoff(sqlite, row);
    })
    .immediate();
}
