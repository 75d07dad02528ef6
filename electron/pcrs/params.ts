/**
 * Parameters of Get Posture Info, versions 1.0 to 3.0, validated with the vendor's rules
 * before any request is sent, and turned into query parameters with URLSearchParams.
 *
 * Version support (from the vendor's reference page):
 * - 1.0: evidenceRequired, compressionRequired, lastEvaluationDate, lastScanDate,
 *   lastScanDateFrom, lastScanDateTo, statusChangedSince.
 * - 2.0: the above and excludeInactiveControl.
 * - 3.0: the above and cloudMetaDataRequired, status, previousStatus, criticalityValues,
 *   criticalityLabels.
 */
import { AppError } from '../../db/errors.js';

export type ApiVersion = 1 | 2 | 3;

export const API_VERSIONS: readonly ApiVersion[] = [1, 2, 3];

export const POSTURE_STATUSES = ['Passed', 'Failed', 'Error'] as const;
export type PostureStatus = (typeof POSTURE_STATUSES)[number];

export const CRITICALITY_LABELS = ['UNDEFINED', 'MINIMAL', 'MEDIUM', 'SERIOUS', 'CRITICAL', 'URGENT'] as const;

/** Filters and switches of one pull, in the API's terms; every field is optional. */
export interface PostureParams {
  evidenceRequired?: boolean;
  /** Defaults to true, as in the API; the client sniffs gzip either way. */
  compressionRequired?: boolean;
  lastEvaluationDate?: string;
  lastScanDate?: string;
  lastScanDateFrom?: string;
  lastScanDateTo?: string;
  statusChangedSince?: string;
  excludeInactiveControl?: boolean;
  cloudMetaDataRequired?: boolean;
  status?: string[];
  previousStatus?: string;
  criticalityValues?: number[];
  criticalityLabels?: string[];
}

export type ParamName = keyof PostureParams;

/** The CLI flag of each parameter, so errors name what the user typed. */
export const PARAM_FLAGS: Record<ParamName, string> = {
  evidenceRequired: '--evidence',
  compressionRequired: '--no-compression',
  lastEvaluationDate: '--last-evaluation-date',
  lastScanDate: '--last-scan-date',
  lastScanDateFrom: '--last-scan-date-from',
  lastScanDateTo: '--last-scan-date-to',
  statusChangedSince: '--status-changed-since',
  excludeInactiveControl: '--exclude-inactive-control',
  cloudMetaDataRequired: '--cloud-metadata',
  status: '--status',
  previousStatus: '--previous-status',
  criticalityValues: '--criticality-values',
  criticalityLabels: '--criticality-labels',
};

const VERSION_PARAMS: Record<ApiVersion, readonly ParamName[]> = {
  1: ['evidenceRequired', 'compressionRequired', 'lastEvaluationDate', 'lastScanDate', 'lastScanDateFrom', 'lastScanDateTo', 'statusChangedSince'],
  2: [
    'evidenceRequired',
    'compressionRequired',
    'lastEvaluationDate',
    'lastScanDate',
    'lastScanDateFrom',
    'lastScanDateTo',
    'statusChangedSince',
    'excludeInactiveControl',
  ],
  3: [
    'evidenceRequired',
    'compressionRequired',
    'lastEvaluationDate',
    'lastScanDate',
    'lastScanDateFrom',
    'lastScanDateTo',
    'statusChangedSince',
    'excludeInactiveControl',
    'cloudMetaDataRequired',
    'status',
    'previousStatus',
    'criticalityValues',
    'criticalityLabels',
  ],
};

/** Parameters documented for a version. */
export function paramsForVersion(version: ApiVersion): readonly ParamName[] {
  return VERSION_PARAMS[version];
}

/** Reads `1`, `2`, `3`, `1.0`, `2.0` or `3.0`. */
export function parseApiVersion(text: string | number): ApiVersion {
  const value = String(text).trim().replace(/\.0$/, '');
  if (value === '1' || value === '2' || value === '3') return Number(value) as ApiVersion;
  throw new AppError('USAGE', `Invalid --api "${text}". Use 1, 2 or 3 (3 is the current Get Posture Info version).`);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/**
 * Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ` (UTC), the two formats the API accepts, into
 * epoch milliseconds; a date alone is the start of that day. Returns null for anything else,
 * calendar errors such as 2025-02-30 included.
 */
export function parseApiDate(text: string): number | null {
  const match = DATE_ONLY.exec(text) ?? DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  if (hour! > 23 || minute! > 59 || second! > 59) return null;
  const ms = Date.UTC(year!, month! - 1, day!, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day) return null;
  return ms;
}

function describe(name: ParamName): string {
  return `${name} (${PARAM_FLAGS[name]})`;
}

function usage(message: string): AppError {
  return new AppError('USAGE', message);
}

function checkDate(params: PostureParams, name: 'lastEvaluationDate' | 'lastScanDate' | 'lastScanDateFrom' | 'lastScanDateTo' | 'statusChangedSince'): number | null {
  const value = params[name];
  if (value === undefined) return null;
  const ms = parseApiDate(value.trim());
  if (ms === null) {
    throw usage(`Invalid date for ${describe(name)}: "${value}". Use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), e.g. 2025-06-02 or 2025-06-02T18:00:00Z.`);
  }
  return ms;
}

function cleanList(values: readonly (string | number)[]): string[] {
  return values.map((value) => String(value).trim()).filter((value) => value.length > 0);
}

/**
 * Validates parameters for one API version and returns them normalised (trimmed dates,
 * canonical status spelling, upper-case labels). Throws a USAGE error that names the
 * parameter, its flag and the fix; nothing is sent before this passes.
 */
export function validatePostureParams(version: ApiVersion, input: PostureParams): PostureParams {
  const params: PostureParams = {};

  // 1. Parameters another version documents are rejected, not silently dropped.
  const allowed = VERSION_PARAMS[version];
  for (const [name, value] of Object.entries(input) as [ParamName, unknown][]) {
    if (value === undefined) continue;
    if (!Object.hasOwn(PARAM_FLAGS, name)) throw usage(`Unknown postureInfo parameter "${name}".`);
    if (!allowed.includes(name)) {
      const versions = API_VERSIONS.filter((v) => VERSION_PARAMS[v].includes(name)).join(' or ');
      throw usage(`${describe(name)} is not supported by postureInfo version ${version}.0; use --api ${versions}, or drop ${PARAM_FLAGS[name]}.`);
    }
  }

  // 2. Switches.
  for (const name of ['evidenceRequired', 'compressionRequired', 'excludeInactiveControl', 'cloudMetaDataRequired'] as const) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw usage(`${describe(name)} must be true or false, got ${JSON.stringify(value)}.`);
    params[name] = value;
  }

  // 3. Dates: format, then the vendor's combination rules for the scan-date range.
  const dates = ['lastEvaluationDate', 'lastScanDate', 'lastScanDateFrom', 'lastScanDateTo', 'statusChangedSince'] as const;
  const ms: Partial<Record<(typeof dates)[number], number | null>> = {};
  for (const name of dates) {
    ms[name] = checkDate(input, name);
    if (input[name] !== undefined) params[name] = input[name]!.trim();
  }
  const hasFrom = params.lastScanDateFrom !== undefined;
  const hasTo = params.lastScanDateTo !== undefined;
  if (hasFrom !== hasTo) {
    const [given, missing] = hasFrom ? (['lastScanDateFrom', 'lastScanDateTo'] as const) : (['lastScanDateTo', 'lastScanDateFrom'] as const);
    throw usage(`${describe(given)} needs ${describe(missing)}: give both dates of the scan range, or neither.`);
  }
  if (hasFrom && params.lastScanDate !== undefined) {
    throw usage(`${describe('lastScanDate')} cannot be combined with the range ${PARAM_FLAGS.lastScanDateFrom}/${PARAM_FLAGS.lastScanDateTo}; use one or the other.`);
  }
  if (hasFrom && ms.lastScanDateFrom! > ms.lastScanDateTo!) {
    throw usage(`${describe('lastScanDateFrom')} ${params.lastScanDateFrom} is later than ${describe('lastScanDateTo')} ${params.lastScanDateTo}; swap them.`);
  }

  // 4. Status filters (3.0): several current statuses, one previous status.
  if (input.status !== undefined) {
    const values = cleanList(input.status).map((value) => canonicalStatus(value, 'status'));
    if (values.length === 0) throw usage(`${describe('status')} is empty; give Passed, Failed or Error, separated by commas.`);
    params.status = [...new Set(values)];
  }
  if (input.previousStatus !== undefined) {
    const values = cleanList(input.previousStatus.split(','));
    if (values.length !== 1) {
      throw usage(`${describe('previousStatus')} takes exactly one of Passed, Failed or Error, got "${input.previousStatus}".`);
    }
    params.previousStatus = canonicalStatus(values[0]!, 'previousStatus');
  }

  // 5. Criticality (3.0): values or labels, never both.
  if (input.criticalityValues !== undefined && input.criticalityLabels !== undefined) {
    throw usage(`${describe('criticalityValues')} and ${describe('criticalityLabels')} cannot be used together; filter by values or by labels.`);
  }
  if (input.criticalityValues !== undefined) {
    const values = cleanList(input.criticalityValues);
    const invalid = values.find((value) => !/^[0-5]$/.test(value));
    if (values.length === 0 || invalid !== undefined) {
      throw usage(`Invalid ${describe('criticalityValues')} "${invalid ?? ''}": use integers from 0 (UNDEFINED) to 5 (URGENT), separated by commas.`);
    }
    params.criticalityValues = [...new Set(values.map(Number))];
  }
  if (input.criticalityLabels !== undefined) {
    const labels = cleanList(input.criticalityLabels).map((label) => label.toUpperCase());
    const invalid = labels.find((label) => !(CRITICALITY_LABELS as readonly string[]).includes(label));
    if (labels.length === 0 || invalid !== undefined) {
      throw usage(`Invalid ${describe('criticalityLabels')} "${invalid ?? ''}": use ${CRITICALITY_LABELS.join(', ')}, separated by commas.`);
    }
    params.criticalityLabels = [...new Set(labels)];
  }
  return params;
}

function canonicalStatus(value: string, name: 'status' | 'previousStatus'): PostureStatus {
  const found = POSTURE_STATUSES.find((status) => status.toLowerCase() === value.toLowerCase());
  if (!found) throw usage(`Invalid ${describe(name)} "${value}": use Passed, Failed or Error.`);
  return found;
}

function flag(value: boolean): string {
  return value ? '1' : '0';
}

/**
 * Returns the query parameters of a postureInfo request for validated parameters, in the
 * order of the reference. `evidenceRequired` and `compressionRequired` are always sent, so
 * the request does not depend on server defaults.
 */
export function postureSearchParams(params: PostureParams): URLSearchParams {
  const search = new URLSearchParams();
  search.set('evidenceRequired', flag(params.evidenceRequired ?? false));
  search.set('compressionRequired', flag(params.compressionRequired ?? true));
  for (const name of ['lastEvaluationDate', 'lastScanDate', 'lastScanDateFrom', 'lastScanDateTo', 'statusChangedSince'] as const) {
    if (params[name] !== undefined) search.set(name, params[name]!);
  }
  if (params.excludeInactiveControl !== undefined) search.set('excludeInactiveControl', flag(params.excludeInactiveControl));
  if (params.cloudMetaDataRequired !== undefined) search.set('cloudMetaDataRequired', flag(params.cloudMetaDataRequired));
  if (params.status !== undefined) search.set('status', params.status.join(','));
  if (params.previousStatus !== undefined) search.set('previousStatus', params.previousStatus);
  if (params.criticalityValues !== undefined) search.set('criticalityValues', params.criticalityValues.join(','));
  if (params.criticalityLabels !== undefined) search.set('criticalityLabels', params.criticalityLabels.join(','));
  return search;
}

/** Builds the postureInfo URL of a version under a gateway base URL. */
export function postureInfoUrl(gateway: URL, version: ApiVersion, params: PostureParams): URL {
  const url = new URL(`pcrs/${version}.0/posture/postureInfo`, gateway);
  url.search = postureSearchParams(params).toString();
  return url;
}
