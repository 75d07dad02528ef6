/**
 * CSV export of postures, diffs and roll-ups.
 *
 * Format (RFC 4180): UTF-8, comma separator, CRLF line ends, a header row, and a cell
 * quoted with doubled quotes when it contains a comma, a quote, CR or LF. Dates are
 * ISO-8601 in UTC as stored. JSON evidence (current values, cause of failure) is written
 * as compact JSON text. An optional byte order mark lets Excel detect UTF-8.
 *
 * Formula injection: a text cell that starts with `=`, `+`, `-`, `@`, tab or carriage
 * return gets a leading apostrophe, so a spreadsheet shows it as text instead of
 * evaluating it. Numbers are written as numbers and never prefixed.
 *
 * Rows stream from the store in pages of posture ids and are written behind the output
 * stream's backpressure, so memory stays flat at any row count.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type Database from 'better-sqlite3';
import type { DiffRow } from '../../db/diff.js';
import { mergeLabelRows } from '../../db/diff-rollups.js';
import type { Store } from '../../db/store.js';
import { AppError } from '../../db/errors.js';
import { iterateDiffRows } from './report-diff.js';
import type { PostureScope } from './scope.js';

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
const CHUNK_CHARS = 256 * 1024;

/** Encodes one cell: neutralises formula starts, then quotes when RFC 4180 requires it. */
export function encodeCsvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function encodeCsvRow(values: readonly CsvValue[]): string {
  let line = '';
  for (let index = 0; index < values.length; index++) {
    if (index > 0) line += ',';
    line += encodeCsvCell(values[index]);
  }
  return line + '\r\n';
}

export interface CsvOptions {
  /** Writes a UTF-8 byte order mark first, for Excel. */
  bom?: boolean;
  /** Receives the number of rows written so far, each time a chunk goes to the stream. */
  onRows?: (rows: number) => void;
  /** Stops the export with CANCELLED at the next chunk. */
  signal?: AbortSignal;
}

/** Buffers rows into large chunks and waits for `drain` when the stream is full. */
export class CsvWriter {
  private buffer = '';
  private rowCount = 0;

  constructor(
    private readonly out: Writable,
    columns: readonly string[],
    private readonly options: CsvOptions = {},
  ) {
    if (options.bom) this.buffer = '\uFEFF';
    this.buffer += encodeCsvRow(columns);
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Adds a row; resolves at once unless the buffered chunk had to wait for the stream. */
  async write(values: readonly CsvValue[]): Promise<void> {
    this.buffer += encodeCsvRow(values);
    this.rowCount++;
    if (this.buffer.length >= CHUNK_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.options.signal?.aborted) {
      throw new AppError('CANCELLED', `The CSV export was cancelled after ${this.rowCount.toLocaleString('en-US')} rows; no file was written.`);
    }
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.out.write(chunk, 'utf8')) await once(this.out, 'drain');
    this.options.onRows?.(this.rowCount);
  }

  /** Flushes the rest and ends the stream; resolves when the stream has finished. */
  async end(): Promise<void> {
    await this.flush();
    const finished = once(this.out, 'finish');
    this.out.end();
    await finished;
  }
}

// ---- Postures -------------------------------------------------------------------------

/** Columns of the postures CSV, in order. Part of the public export format. */
export const POSTURE_COLUMNS = [
  'snapshot_id',
  'policy_id',
  'policy_title',
  'host_id',
  'ip',
  'dns',
  'netbios',
  'os',
  'control_id',
  'instance',
  'control_statement',
  'category',
  'sub_category',
  'technology',
  'criticality_value',
  'criticality_label',
  'status',
  'status_class',
  'is_exception',
  'previous_status',
  'first_fail_date',
  'last_fail_date',
  'first_pass_date',
  'last_pass_date',
  'posture_modified_date',
  'last_evaluated_date',
  'last_scan_date',
  'expected_values',
  'current_values',
  'actual_values',
  'extended_evidence',
  'cause_of_failure',
] as const;

const PAGE_SIZE = 2000;

function postureSelect(scope: PostureScope | null, where: string): string {
  const filter = scope ? `AND m.posture_id IN (SELECT posture_id FROM ${scope.table})` : '';
  return `SELECT m.posture_id,
            m.snapshot_id, p.policy_id, s.policy_title, p.host_id, h.ip, h.dns, h.netbios, h.os,
            p.control_id, p.instance, st.body, c.category, c.sub_category, c.technology_name,
            c.criticality_value, c.criticality_label, s.status, s.status_class, s.is_exception,
            s.previous_status, s.first_fail_date, s.last_fail_date, s.first_pass_date, s.last_pass_date,
            s.posture_modified_date, s.last_evaluated_date, s.last_scan_date,
            ex.body, s.current_values, s.actual_values, xt.body, s.cause_of_failure
       FROM snapshot_members m
       JOIN postures p ON p.id = m.posture_id
       JOIN posture_states s ON s.id = m.state_id
       JOIN control_revisions c ON c.id = s.control_revision_id
       JOIN host_revisions h ON h.id = s.host_revision_id
       LEFT JOIN texts st ON st.id = c.statement_text_id
       LEFT JOIN texts ex ON ex.id = s.expected_text_id
       LEFT JOIN texts xt ON xt.id = s.extended_text_id
      WHERE m.snapshot_id = ? ${where} ${filter}`;
}

const EXCEPTION_INDEX = POSTURE_COLUMNS.indexOf('is_exception');
// JSON columns store a JSON null as the text `null`; the CSV leaves those cells empty.
const JSON_INDEXES = (['current_values', 'actual_values', 'cause_of_failure'] as const).map((name) => POSTURE_COLUMNS.indexOf(name));

/** Converts a posture row (posture id first) to CSV values. */
function postureValues(row: unknown[]): CsvValue[] {
  const values = row.slice(1) as CsvValue[];
  values[EXCEPTION_INDEX] = row[EXCEPTION_INDEX + 1] === 1;
  for (const index of JSON_INDEXES) {
    if (values[index] === 'null') values[index] = null;
  }
  return values;
}

/** Writes every posture of a snapshot (or of its scope) in posture id order; returns the row count. */
export async function writePosturesCsv(
  sqlite: Database.Database,
  snapshotId: number,
  out: Writable,
  options: CsvOptions & { scope?: PostureScope | null } = {},
): Promise<number> {
  const scope = options.scope ?? null;
  const page = sqlite.prepare(`${postureSelect(scope, 'AND m.posture_id > ?')} ORDER BY m.posture_id LIMIT ?`).raw();
  const writer = new CsvWriter(out, POSTURE_COLUMNS, options);
  let cursor = -1;
  for (;;) {
    const rows = page.all(snapshotId, cursor, PAGE_SIZE) as unknown[][];
    for (const row of rows) await writer.write(postureValues(row));
    if (rows.length < PAGE_SIZE) break;
    cursor = rows[rows.length - 1]![0] as number;
  }
  await writer.end();
  return writer.rows;
}

// ---- Diff -----------------------------------------------------------------------------

/**
 * Columns of the diff CSV, in order. `change` is the store's diff class (db/diff.ts, as
 * `posture-workbench diff` prints it); unchanged postures are not listed. The posture's
 * attributes come from the snapshot's state, or from the baseline's for a posture the
 * snapshot no longer has.
 */
export const DIFF_COLUMNS = [
  'baseline_snapshot_id',
  'snapshot_id',
  'change',
  'policy_id',
  'host_id',
  'ip',
  'dns',
  'control_id',
  'instance',
  'control_statement',
  'criticality_value',
  'criticality_label',
  'status_before',
  'status_after',
  'last_evaluated_before',
  'last_evaluated_after',
] as const;

/** Reads the last evaluation date of every state the page refers to, in one query. */
function evaluationDates(sqlite: Database.Database, rows: readonly DiffRow[]): Map<number, string | null> {
  const ids = rows.flatMap((row) => [row.stateIdA, row.stateIdB]).filter((id): id is number => id !== null);
  const found = sqlite
    .prepare('SELECT id, last_evaluated_date AS date FROM posture_states WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(ids)) as { id: number; date: string | null }[];
  return new Map(found.map((row) => [row.id, row.date]));
}

/** Writes the changed postures from `baselineId` to `snapshotId` in posture id order; returns the row count. */
export async function writeDiffCsv(
  store: Store,
  baselineId: number,
  snapshotId: number,
  out: Writable,
  options: CsvOptions & { scope?: PostureScope | null } = {},
): Promise<number> {
  const writer = new CsvWriter(out, DIFF_COLUMNS, options);
  for (const page of iterateDiffRows(store, baselineId, snapshotId, options.scope ?? null)) {
    const dates = evaluationDates(store.sqlite, page);
    for (const row of page) {
      await writer.write([
        baselineId,
        snapshotId,
        row.class,
        row.policyId,
        row.hostId,
        row.ip,
        row.dns,
        row.controlId,
        row.instance,
        row.controlStatement,
        row.criticalityValue,
        row.criticalityLabel,
        row.statusA,
        row.statusB,
        row.stateIdA === null ? null : dates.get(row.stateIdA),
        row.stateIdB === null ? null : dates.get(row.stateIdB),
      ]);
    }
  }
  await writer.end();
  return writer.rows;
}

// ---- Roll-ups -------------------------------------------------------------------------

/** Columns of the roll-ups CSV: one row per policy, criticality, control, technology and host. */
export const ROLLUP_COLUMNS = [
  'snapshot_id',
  'dimension',
  'key',
  'label',
  'total',
  'passed',
  'failed',
  'error',
  'exception',
  'other',
  'pass_rate',
] as const;

export type RollupDimension = 'policy' | 'criticality' | 'control' | 'technology' | 'host';

export interface RollupRow {
  dimension: RollupDimension;
  key: string;
  label: string;
  total: number;
  passed: number;
  failed: number;
  error: number;
  exception: number;
  other: number;
  /** (passed + exception) / total, null when there are no postures. */
  passRate: number | null;
}

const ROLLUP_GROUPS: Record<RollupDimension, { key: string; label: string }> = {
  policy: { key: 'p.policy_id', label: 'max(s.policy_title)' },
  // Grouped by value and label, then merged (mergeLabelRows), so every label shows.
  criticality: { key: 'c.criticality_value', label: 'c.criticality_label' },
  control: { key: 'p.control_id', label: 'max(st.body)' },
  technology: { key: 'c.technology_id', label: 'max(c.technology_name)' },
  host: { key: 'p.host_id', label: "max(coalesce(h.dns, h.netbios, h.ip, ''))" },
};

export const ROLLUP_DIMENSIONS = Object.keys(ROLLUP_GROUPS) as RollupDimension[];

/**
 * Pass rate as the store defines it (db/history.ts `passRateTrend`, db/diff-rollups.ts):
 * (passed + exception) / total, so an approved exception passes and every other status,
 * unknown ones included, does not. Null when there are no postures.
 */
export function passRate(counts: { passed: number; exception: number; total: number }): number | null {
  return counts.total > 0 ? (counts.passed + counts.exception) / counts.total : null;
}

/** Computes the roll-ups of one dimension for a snapshot (or its scope). */
export function computeRollups(
  sqlite: Database.Database,
  snapshotId: number,
  dimension: RollupDimension,
  scope: PostureScope | null = null,
): RollupRow[] {
  const group = ROLLUP_GROUPS[dimension];
  const filter = scope ? `AND m.posture_id IN (SELECT posture_id FROM ${scope.table})` : '';
  const rows = sqlite
    .prepare(
      `SELECT ${group.key} AS key, ${group.label} AS label, count(*) AS total,
              sum(s.status_class = 'pass') AS passed, sum(s.status_class = 'fail') AS failed,
              sum(s.status_class = 'error') AS error, sum(s.status_class = 'exception') AS exception,
              sum(s.status_class = 'other') AS other
         FROM snapshot_members m
         JOIN postures p ON p.id = m.posture_id
         JOIN posture_states s ON s.id = m.state_id
         JOIN control_revisions c ON c.id = s.control_revision_id
         ${dimension === 'host' ? 'JOIN host_revisions h ON h.id = s.host_revision_id' : ''}
         ${dimension === 'control' ? 'LEFT JOIN texts st ON st.id = c.statement_text_id' : ''}
        WHERE m.snapshot_id = ? ${filter}
        GROUP BY ${group.key}${dimension === 'criticality' ? ', c.criticality_label' : ''}
        ORDER BY ${group.key}`,
    )
    .all(snapshotId) as {
    key: number | null;
    label: string | null;
    total: number;
    passed: number;
    failed: number;
    error: number;
    exception: number;
    other: number;
  }[];
  return mergeLabelRows(rows).map((row) => ({
    dimension,
    key: row.key === null ? '' : String(row.key),
    label: row.label ?? '',
    total: row.total,
    passed: row.passed,
    failed: row.failed,
    error: row.error,
    exception: row.exception,
    other: row.other,
    passRate: passRate(row),
  }));
}

/** Writes the roll-ups of every dimension; returns the row count. */
export async function writeRollupsCsv(
  sqlite: Database.Database,
  snapshotId: number,
  out: Writable,
  options: CsvOptions & { scope?: PostureScope | null } = {},
): Promise<number> {
  const writer = new CsvWriter(out, ROLLUP_COLUMNS, options);
  for (const dimension of ROLLUP_DIMENSIONS) {
    for (const row of computeRollups(sqlite, snapshotId, dimension, options.scope ?? null)) {
      await writer.write([
        snapshotId,
        row.dimension,
        row.key,
        row.label,
        row.total,
        row.passed,
        row.failed,
        row.error,
        row.exception,
        row.other,
        row.passRate === null ? null : Number(row.passRate.toFixed(6)),
      ]);
    }
  }
  await writer.end();
  return writer.rows;
}
