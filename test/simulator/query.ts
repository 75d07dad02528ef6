// Parsing and validation of the query parameters of the posture endpoints, per API version.

import { CRITICALITY_LABELS } from './catalog.js';
import type { RawStatus } from './dataset.js';

export type ApiVersion = 1 | 2 | 3;

export interface PostureQuery {
  version: ApiVersion;
  evidence: boolean;
  compression: boolean;
  /** Lower bounds and ranges in epoch milliseconds, all inclusive. */
  lastEvaluationDate?: number;
  lastScanDate?: number;
  lastScanDateFrom?: number;
  lastScanDateTo?: number;
  statusChangedSince?: number;
  excludeInactiveControl: boolean;
  cloudMetaData: boolean;
  status?: ReadonlySet<RawStatus>;
  previousStatus?: RawStatus;
  /** Criticality values (0 to 5) to keep. Labels are mapped to their standard values. */
  criticality?: ReadonlySet<number>;
}

/** A rejected request: the HTTP status and the JSON body to send. */
export interface QueryError {
  status: number;
  body: unknown;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: QueryError };

const STATUSES: readonly RawStatus[] = ['Passed', 'Failed', 'Error'];

/** Parameters each version accepts. A parameter documented only for another version is rejected. */
const VERSION_PARAMETERS: Record<ApiVersion, readonly string[]> = {
  1: ['evidenceRequired', 'compressionRequired', 'lastEvaluationDate', 'lastScanDate', 'lastScanDateFrom', 'lastScanDateTo', 'statusChangedSince'],
  2: ['evidenceRequired', 'compressionRequired', 'lastEvaluationDate', 'lastScanDate', 'lastScanDateFrom', 'lastScanDateTo', 'statusChangedSince', 'excludeInactiveControl'],
  3: [
    'evidenceRequired', 'compressionRequired', 'lastEvaluationDate', 'lastScanDate', 'lastScanDateFrom', 'lastScanDateTo',
    'statusChangedSince', 'excludeInactiveControl', 'cloudMetaDataRequired', 'status', 'previousStatus', 'criticalityValues', 'criticalityLabels',
  ],
};
const ALL_DOCUMENTED = new Set(VERSION_PARAMETERS[3]);

export function badRequest(message: string, parameter?: string): QueryError {
  return { status: 400, body: { status: 400, error: 'Bad Request', message, ...(parameter ? { parameter } : {}) } };
}

/** The vendor rejects an out-of-range 0/1 flag with 404 and this body. */
const INVALID_FLAG: QueryError = { status: 404, body: { message: 'Invalid input Parameter.' } };

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/**
 * Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ` (UTC) into epoch milliseconds. A date without
 * time stands for the start of that day, or its last second when `endOfDay` is set, so that an
 * inclusive upper bound covers the whole day.
 */
export function parseApiDate(text: string, endOfDay = false): number | null {
  const dateOnly = DATE_ONLY.exec(text);
  const dateTime = dateOnly ? null : DATE_TIME.exec(text);
  const match = dateOnly ?? dateTime;
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  const ms = Date.UTC(year!, month! - 1, day!, hour ?? 0, minute ?? 0, second ?? 0);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day) return null;
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return null;
  return dateOnly && endOfDay ? ms + 86_399_000 : ms;
}

/** Reads a date parameter, which is undefined when absent and an error when malformed. */
export function readDate(params: URLSearchParams, name: string, endOfDay = false): ParseResult<number | undefined> {
  const text = params.get(name);
  if (text === null) return { ok: true, value: undefined };
  const value = parseApiDate(text.trim(), endOfDay);
  if (value === null) {
    return { ok: false, error: badRequest(`Invalid date for ${name}: '${text}'. Use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.`, name) };
  }
  return { ok: true, value };
}

function readFlag(params: URLSearchParams, name: string, fallback: boolean, invalid: QueryError): ParseResult<boolean> {
  const text = params.get(name);
  if (text === null) return { ok: true, value: fallback };
  if (text === '0') return { ok: true, value: false };
  if (text === '1') return { ok: true, value: true };
  return { ok: false, error: invalid };
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Parses the postureInfo query string of one API version and applies the vendor's rules. */
export function parsePostureQuery(version: ApiVersion, params: URLSearchParams): ParseResult<PostureQuery> {
  for (const name of new Set(params.keys())) {
    if (ALL_DOCUMENTED.has(name) && !VERSION_PARAMETERS[version].includes(name)) {
      return { ok: false, error: badRequest(`Parameter ${name} is not supported by version ${version}.0 of postureInfo.`, name) };
    }
  }

  const evidence = readFlag(params, 'evidenceRequired', false, INVALID_FLAG);
  if (!evidence.ok) return evidence;
  const compression = readFlag(params, 'compressionRequired', true, INVALID_FLAG);
  if (!compression.ok) return compression;
  const excludeInactive = readFlag(params, 'excludeInactiveControl', false, badRequest('excludeInactiveControl must be 0 or 1.', 'excludeInactiveControl'));
  if (!excludeInactive.ok) return excludeInactive;
  const cloud = readFlag(params, 'cloudMetaDataRequired', false, badRequest('cloudMetaDataRequired must be 0 or 1.', 'cloudMetaDataRequired'));
  if (!cloud.ok) return cloud;

  const query: PostureQuery = {
    version,
    evidence: evidence.value,
    compression: compression.value,
    excludeInactiveControl: excludeInactive.value,
    cloudMetaData: cloud.value,
  };

  for (const name of ['lastEvaluationDate', 'lastScanDate', 'lastScanDateFrom', 'statusChangedSince'] as const) {
    const date = readDate(params, name);
    if (!date.ok) return date;
    if (date.value !== undefined) query[name] = date.value;
  }
  const to = readDate(params, 'lastScanDateTo', true);
  if (!to.ok) return to;
  if (to.value !== undefined) query.lastScanDateTo = to.value;

  const hasFrom = query.lastScanDateFrom !== undefined;
  const hasTo = query.lastScanDateTo !== undefined;
  if (hasFrom !== hasTo) {
    const missing = hasFrom ? 'lastScanDateTo' : 'lastScanDateFrom';
    return { ok: false, error: badRequest(`lastScanDateFrom and lastScanDateTo must be given together; ${missing} is missing.`, missing) };
  }
  if (hasFrom && query.lastScanDate !== undefined) {
    return { ok: false, error: badRequest('lastScanDate cannot be combined with lastScanDateFrom and lastScanDateTo.', 'lastScanDate') };
  }
  if (hasFrom && query.lastScanDateFrom! > query.lastScanDateTo!) {
    return { ok: false, error: badRequest('lastScanDateFrom must not be later than lastScanDateTo.', 'lastScanDateFrom') };
  }

  const statusText = params.get('status');
  if (statusText !== null) {
    const values = list(statusText);
    const invalid = values.find((v) => !STATUSES.includes(v as RawStatus));
    if (values.length === 0 || invalid !== undefined) {
      return { ok: false, error: badRequest(`Invalid status '${invalid ?? statusText}'. Use Passed, Failed or Error, separated by commas.`, 'status') };
    }
    query.status = new Set(values as RawStatus[]);
  }

  const previousText = params.get('previousStatus');
  if (previousText !== null) {
    const value = previousText.trim();
    if (!STATUSES.includes(value as RawStatus)) {
      return { ok: false, error: badRequest(`Invalid previousStatus '${previousText}'. Give one of Passed, Failed or Error.`, 'previousStatus') };
    }
    query.previousStatus = value as RawStatus;
  }

  const valuesText = params.get('criticalityValues');
  const labelsText = params.get('criticalityLabels');
  if (valuesText !== null && labelsText !== null) {
    return { ok: false, error: badRequest('criticalityValues and criticalityLabels cannot be used together.', 'criticalityLabels') };
  }
  if (valuesText !== null) {
    const values = list(valuesText);
    const invalid = values.find((v) => !/^[0-5]$/.test(v));
    if (values.length === 0 || invalid !== undefined) {
      return { ok: false, error: badRequest(`Invalid criticalityValues '${invalid ?? valuesText}'. Use integers from 0 to 5.`, 'criticalityValues') };
    }
    query.criticality = new Set(values.map(Number));
  }
  if (labelsText !== null) {
    const labels = list(labelsText).map((l) => l.toUpperCase());
    const invalid = labels.find((l) => !(CRITICALITY_LABELS as readonly string[]).includes(l));
    if (labels.length === 0 || invalid !== undefined) {
      return { ok: false, error: badRequest(`Invalid criticalityLabels '${invalid ?? labelsText}'. Use ${CRITICALITY_LABELS.join(', ')}.`, 'criticalityLabels') };
    }
    query.criticality = new Set(labels.map((l) => (CRITICALITY_LABELS as readonly string[]).indexOf(l)));
  }
  return { ok: true, value: query };
}

/** Maps the version segment of the path (`1.0`, `2.0`, `3.0`) to a version number. */
export function parseVersion(segment: string): ApiVersion | null {
  if (segment === '1.0') return 1;
  if (segment === '2.0') return 2;
  if (segment === '3.0') return 3;
  return null;
}
