/**
 * Turns one parsed PCRS posture record (any API version) into typed fields. The record
 * itself is kept verbatim elsewhere; this only derives query columns from it.
 *
 * It handles the quirks seen in the vendor's samples:
 * - IDs as numbers or numeric strings, `""` and `null` dates, sizes as strings;
 * - `Passed*` for an approved exception, and customer-defined criticality labels;
 * - `CLOUD_RESOURCE_ID`, and `cloudMetaData` with a single-quoted dict string;
 * - `extendedEvidence` in `Row N:` form, and `\u0000` in text.
 */

export type StatusClass = 'pass' | 'fail' | 'error' | 'exception' | 'other';

export interface ControlFields {
  controlId: number;
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
}

export interface CloudFields {
  provider: string | null;
  service: string | null;
  resourceId: string | null;
  resourceType: string | null;
  accountId: string | null;
  imageId: string | null;
  /** `cloudResourceMetadata` parsed into key → value; null when absent or unparseable. */
  resourceMetadata: Record<string, string | null> | null;
  /** `cloudResourceMetadata` exactly as received. */
  resourceMetadataRaw: string | null;
}

export interface HostFields {
  hostId: number;
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
  cloud: CloudFields | null;
}

export interface ExtendedEvidenceTable {
  header: string[];
  rows: string[][];
}

export interface EvidenceFields {
  expected: string | null;
  current: unknown;
  actual: unknown;
  extended: string | null;
  extendedTable: ExtendedEvidenceTable | null;
  description: string | null;
  lastUpdated: string | null;
  causeOfFailure: unknown;
}

export interface NormalisedPosture {
  policyId: number;
  hostId: number;
  controlId: number;
  instance: string;
  recordId: number | null;
  policyTitle: string | null;
  status: string;
  previousStatus: string | null;
  statusClass: StatusClass;
  isException: boolean;
  firstFailDate: string | null;
  lastFailDate: string | null;
  firstPassDate: string | null;
  lastPassDate: string | null;
  postureModifiedDate: string | null;
  lastEvaluatedDate: string | null;
  createdDate: string | null;
  lastScanDate: string | null;
  dataSizeKb: number | null;
  control: ControlFields;
  host: HostFields;
  evidence: EvidenceFields | null;
}

/** A record that cannot be normalised; the message names the field and the value. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

const MAX_SAFE_ID = Number.MAX_SAFE_INTEGER;

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reads an ID given as a number or a numeric string; both forms give the same number. */
export function parseId(value: unknown, field: string): number {
  const id = parseOptionalId(value, field);
  if (id === null) throw new RecordError(`missing ${field}`);
  return id;
}

function parseOptionalId(value: unknown, field: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= MAX_SAFE_ID) return value;
  } else if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^\d{1,15}$/.test(trimmed)) return Number(trimmed);
  }
  throw new RecordError(`${field} must be a non-negative integer or a numeric string, got ${describe(value)}`);
}

function parseOptionalNumber(value: unknown, field: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof number === 'number' && Number.isFinite(number)) return number;
  throw new RecordError(`${field} must be a number or a numeric string, got ${describe(value)}`);
}

/** Removes NUL characters, which SQLite's text functions and FTS stop at. */
function cleanText(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

function optionalText(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return cleanText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new RecordError(`${field} must be text, got ${describe(value)}`);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

// Dates repeat heavily within a pull (one scan time per host), so validated ones are cached.
const dateCache = new Map<string, string>();
const DATE_CACHE_LIMIT = 10_000;

/** Normalises an ISO-8601 date to `YYYY-MM-DDTHH:MM:SSZ` (UTC); `""` and null become null. */
export function parseDate(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new RecordError(`${field} must be an ISO-8601 date, got ${describe(value)}`);
  const cached = dateCache.get(value);
  if (cached !== undefined) return cached;
  const normalised = parseDateUncached(value, field);
  if (normalised !== null) {
    if (dateCache.size >= DATE_CACHE_LIMIT) dateCache.clear();
    dateCache.set(value, normalised);
  }
  return normalised;
}

function parseDateUncached(value: string, field: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (!ISO_DATE.test(trimmed)) throw new RecordError(`${field} is not an ISO-8601 date: ${describe(value)}`);
  const millis = Date.parse(trimmed.length === 10 ? `${trimmed}T00:00:00Z` : /Z|[+-]\d{2}:?\d{2}$/.test(trimmed) ? trimmed : `${trimmed}Z`);
  if (Number.isNaN(millis)) throw new RecordError(`${field} is not a valid date: ${describe(value)}`);
  return new Date(millis).toISOString().replace('.000Z', 'Z');
}

export function classifyStatus(status: string): StatusClass {
  switch (status.trim().toLowerCase()) {
    case 'passed':
      return 'pass';
    case 'failed':
      return 'fail';
    case 'error':
      return 'error';
    case 'passed*':
    case 'passede':
      return 'exception';
    default:
      return 'other';
  }
}

function asObject(value: unknown, field: string): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new RecordError(`${field} must be an object, got ${describe(value)}`);
}

/**
 * Parses `{'Public IP Address':'35.224.87.179', 'Zone':'null'}` (a Python dict printed
 * with single quotes) into key → value. The literal text 'null' becomes null. Returns
 * null when the text is not in that form, so an unexpected shape never fails an import.
 */
export function parseSingleQuotedDict(text: string): Record<string, string | null> | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return null;
  const result: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
  const body = trimmed.slice(1, -1);
  let i = 0;

  const readQuoted = (): string | null => {
    while (i < body.length && /\s/.test(body[i]!)) i++;
    const quote = body[i];
    if (quote !== "'" && quote !== '"') return null;
    i++;
    let out = '';
    while (i < body.length && body[i] !== quote) {
      if (body[i] === '\\' && i + 1 < body.length) i++;
      out += body[i];
      i++;
    }
    if (i >= body.length) return null;
    i++;
    return out;
  };

  while (i < body.length) {
    const key = readQuoted();
    if (key === null) return null;
    while (i < body.length && /\s/.test(body[i]!)) i++;
    if (body[i] !== ':') return null;
    i++;
    const value = readQuoted();
    if (value === null) return null;
    result[key] = value === 'null' ? null : value;
    while (i < body.length && /\s/.test(body[i]!)) i++;
    if (i < body.length) {
      if (body[i] !== ',') return null;
      i++;
    }
  }
  return { ...result };
}

/**
 * Parses extended evidence of the form "Row 1:File name,Setting,Value\nRow 2:...". Row 1
 * is the header. Returns null for any other form; the original text is always kept.
 */
export function parseExtendedEvidence(text: string): ExtendedEvidenceTable | null {
  const lines = text.split('\n').filter((line) => line.length > 0);
  if (lines.length === 0) return null;
  const rows: string[][] = [];
  for (const line of lines) {
    const match = /^Row (\d+):(.*)$/s.exec(line);
    if (!match) {
      // A continuation line: the previous cell contained a line break.
      const last = rows[rows.length - 1];
      if (!last) return null;
      last[last.length - 1] += `\n${line}`;
      continue;
    }
    const cells = match[2]!.length === 0 ? [] : match[2]!.split(',');
    rows.push(cells);
  }
  const [header = [], ...body] = rows;
  return { header, rows: body };
}

function normaliseCloud(value: unknown): CloudFields | null {
  const cloud = asObject(value, 'cloudMetaData');
  if (!cloud) return null;
  const rawMetadata = optionalText(cloud.cloudResourceMetadata, 'cloudMetaData.cloudResourceMetadata');
  return {
    provider: optionalText(cloud.cloudProvider, 'cloudMetaData.cloudProvider'),
    service: optionalText(cloud.cloudService, 'cloudMetaData.cloudService'),
    resourceId: optionalText(cloud.cloudResourceId, 'cloudMetaData.cloudResourceId'),
    resourceType: optionalText(cloud.cloudResourceType, 'cloudMetaData.cloudResourceType'),
    accountId: optionalText(cloud.cloudAccountId, 'cloudMetaData.cloudAccountId'),
    imageId: optionalText(cloud.cloudImageId, 'cloudMetaData.cloudImageId'),
    resourceMetadata: rawMetadata === null ? null : parseSingleQuotedDict(rawMetadata),
    resourceMetadataRaw: rawMetadata,
  };
}

function normaliseEvidence(record: Record<string, unknown>): EvidenceFields | null {
  const evidence = asObject(record.evidence, 'evidence');
  const cause = record.causeOfFailure ?? null;
  if (!evidence && cause === null) return null;
  const extended = evidence ? optionalText(evidence.extendedEvidence, 'evidence.extendedEvidence') : null;
  return {
    expected: evidence ? optionalText(evidence.expectedValues, 'evidence.expectedValues') : null,
    current: evidence?.currentValues ?? null,
    actual: evidence?.actualValues ?? null,
    extended,
    extendedTable: extended === null ? null : parseExtendedEvidence(extended),
    description: evidence ? optionalText(evidence.description, 'evidence.description') : null,
    lastUpdated: evidence ? parseDate(evidence.lastUpdated, 'evidence.lastUpdated') : null,
    causeOfFailure: cause,
  };
}

/** Normalises one parsed record; throws RecordError naming the first bad field. */
export function normaliseRecord(value: unknown): NormalisedPosture {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RecordError(`a posture record must be a JSON object, got ${Array.isArray(value) ? 'an array' : describe(value)}`);
  }
  const record = value as Record<string, unknown>;

  const status = optionalText(record.status, 'status');
  if (status === null || status.trim() === '') throw new RecordError('missing status');
  const instance = optionalText(record.instance, 'instance');
  if (instance === null) throw new RecordError('missing instance');

  const policyId = parseId(record.policyId, 'policyId');
  const hostId = parseId(record.hostId, 'hostId');
  const controlId = parseId(record.controlId, 'controlId');

  const technology = asObject(record.technology, 'technology');
  const criticality = asObject(record.criticality, 'criticality');
  const statusClass = classifyStatus(status);

  const control: ControlFields = {
    controlId,
    statement: optionalText(record.controlStatement, 'controlStatement'),
    rationale: optionalText(record.rationale, 'rationale'),
    remediation: optionalText(record.remediation, 'remediation'),
    category: optionalText(record.category, 'category'),
    subCategory: optionalText(record.subCategory, 'subCategory'),
    controlReference: record.controlReference == null ? null : optionalText(
      typeof record.controlReference === 'object' ? JSON.stringify(record.controlReference) : record.controlReference,
      'controlReference',
    ),
    technologyId: parseOptionalId(technology?.id ?? record.technologyId, 'technology.id'),
    technologyName: technology ? optionalText(technology.name, 'technology.name') : null,
    criticalityValue: criticality ? parseOptionalId(criticality.value, 'criticality.value') : null,
    criticalityLabel: criticality ? optionalText(criticality.label, 'criticality.label') : null,
  };

  const cloud = normaliseCloud(record.cloudMetaData);
  const host: HostFields = {
    hostId,
    ip: optionalText(record.ip, 'ip'),
    dns: optionalText(record.dns, 'dns'),
    netbios: optionalText(record.netBios, 'netBios'),
    domainName: optionalText(record.domainName, 'domainName'),
    os: optionalText(record.os, 'os'),
    osCpe: optionalText(record.osCpe, 'osCpe'),
    trackingMethod: optionalText(record.trackingMethod, 'trackingMethod'),
    networkId: parseOptionalId(record.networkId, 'networkId'),
    networkName: optionalText(record.networkName, 'networkName'),
    qgHostId: optionalText(record.qgHostid, 'qgHostid'),
    assetId: parseOptionalId(record.assetId, 'assetId'),
    customerUuid: optionalText(record.customerUuid, 'customerUuid'),
    customerId: optionalText(record.customerId, 'customerId'),
    cloudResourceId: optionalText(record.CLOUD_RESOURCE_ID, 'CLOUD_RESOURCE_ID') ?? cloud?.resourceId ?? null,
    cloud,
  };

  return {
    policyId,
    hostId,
    controlId,
    instance,
    recordId: parseOptionalId(record.id, 'id'),
    policyTitle: optionalText(record.policyTitle, 'policyTitle'),
    status,
    previousStatus: optionalText(record.previousStatus, 'previousStatus'),
    statusClass,
    isException: statusClass === 'exception',
    firstFailDate: parseDate(record.firstFailDate, 'firstFailDate'),
    lastFailDate: parseDate(record.lastFailDate, 'lastFailDate'),
    firstPassDate: parseDate(record.firstPassDate, 'firstPassDate'),
    lastPassDate: parseDate(record.lastPassDate, 'lastPassDate'),
    postureModifiedDate: parseDate(record.postureModifiedDate, 'postureModifiedDate'),
    lastEvaluatedDate: parseDate(record.lastEvaluatedDate, 'lastEvaluatedDate'),
    createdDate: parseDate(record.created, 'created'),
    lastScanDate: parseDate(record.complianceLastScanDate, 'complianceLastScanDate'),
    dataSizeKb: parseOptionalNumber(record.currentDataSizeKB, 'currentDataSizeKB'),
    control,
    host,
    evidence: normaliseEvidence(record),
  };
}
