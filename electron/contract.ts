/**
 * The one contract between the renderer and the main process: the input schema of every
 * method, the shape of every result, and the events main pushes to the page.
 *
 * Main validates every input against these schemas before a handler runs; the renderer
 * imports this file for its types only. Every method resolves to a `Result`, never rejects.
 */
import { z } from 'zod';
import type { ErrorCode, ErrorInfo, Result } from '../db/errors.js';

export type { ErrorCode, ErrorInfo, Result };

/** Prefix of every IPC channel; `invoke` channels are `workbench:<method>`. */
export const CHANNEL_PREFIX = 'workbench:';
export const EVENT_CHANNEL = 'workbench-event';

const id = z.number().int().positive();
const text = (max: number) => z.string().max(max);

// ---------------------------------------------------------------------------
// Input schemas, one per method. Methods without input take `undefined`.
// ---------------------------------------------------------------------------

const noInput = z.undefined();

export const connectionDraftSchema = z
  .object({
    /** Absent for a new connection. */
    id: z.string().min(1).max(64).optional(),
    name: z.string().trim().min(1, 'Give the connection a name.').max(100),
    /** A platform key from `listPlatforms`, or 'custom' with `gatewayUrl`. */
    platform: z.string().min(1).max(40),
    gatewayUrl: z.string().max(500).optional(),
    username: z.string().trim().min(1, 'Enter the API user name.').max(200),
    /** Absent keeps the saved password (when editing); empty string clears it. */
    password: z.string().max(500).optional(),
    savePassword: z.boolean(),
    proxyUrl: z.string().max(500).optional(),
    caFile: z.string().max(1000).optional(),
  })
  .superRefine((draft, context) => {
    if (draft.platform === 'custom') {
      if (!draft.gatewayUrl || !isHttpUrl(draft.gatewayUrl)) {
        context.addIssue({ code: 'custom', path: ['gatewayUrl'], message: 'Enter the gateway URL, starting with https:// (or http:// for a local gateway).' });
      }
    }
    if (draft.proxyUrl && !isHttpUrl(draft.proxyUrl)) {
      context.addIssue({ code: 'custom', path: ['proxyUrl'], message: 'Enter the proxy as a URL, for example http://proxy.example.com:3128.' });
    }
  });

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** A connection to test: a saved one by id, or a draft that is not saved yet. */
export const connectionRefSchema = z.union([
  z.object({ connectionId: z.string().min(1).max(64), password: z.string().max(500).optional() }),
  z.object({ draft: connectionDraftSchema }),
]);

export const snapshotListSchema = z.object({ includeBuilding: z.boolean().optional() }).optional();
export const snapshotIdSchema = z.object({ id });
export const snapshotUpdateSchema = z
  .object({ id, label: z.string().max(200).optional(), note: text(10_000).optional() })
  .refine((value) => value.label !== undefined || value.note !== undefined, 'Change the label or the note.');

export const importSchema = z.object({
  paths: z.array(z.string().min(1).max(4096)).min(1, 'Choose at least one JSON or gzip file.').max(100),
  label: z.string().max(200).optional(),
  note: text(10_000).optional(),
  lenient: z.boolean().optional(),
});

export const jobIdSchema = z.object({ jobId: z.string().min(1).max(64) });

export const saveDialogSchema = z.object({
  title: z.string().max(200),
  defaultName: z.string().max(255),
  /** File type filters, as Electron's dialog takes them. */
  filters: z.array(z.object({ name: z.string().max(100), extensions: z.array(z.string().max(20)).max(10) })).max(10),
});

export const pathSchema = z.object({ path: z.string().min(1).max(4096) });

const dateText = z.string().trim().max(40).optional();

/** Get Posture Info parameters as the form sends them; main checks them with the client's rules. */
export const pullParamsSchema = z.object({
  evidenceRequired: z.boolean().optional(),
  compressionRequired: z.boolean().optional(),
  lastEvaluationDate: dateText,
  lastScanDate: dateText,
  lastScanDateFrom: dateText,
  lastScanDateTo: dateText,
  statusChangedSince: dateText,
  excludeInactiveControl: z.boolean().optional(),
  cloudMetaDataRequired: z.boolean().optional(),
  status: z.array(z.string().max(20)).max(3).optional(),
  previousStatus: z.string().max(20).optional(),
  criticalityValues: z.array(z.number().int()).max(6).optional(),
  criticalityLabels: z.array(z.string().max(20)).max(6).optional(),
});

export const apiVersionSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);

export const pullValidateSchema = z.object({ api: apiVersionSchema, params: pullParamsSchema });

const connectionChoice = {
  connectionId: z.string().min(1).max(64),
  /** Typed for this run when no password is saved; never stored. */
  password: z.string().max(500).optional(),
};

export const policyListSchema = z.object(connectionChoice);

export const pullStartSchema = z
  .object({
    ...connectionChoice,
    api: apiVersionSchema,
    policyIds: z.array(id).max(10_000),
    allPolicies: z.boolean(),
    params: pullParamsSchema,
    label: z.string().max(200).optional(),
    note: text(10_000).optional(),
  })
  .refine((value) => value.allPolicies || value.policyIds.length > 0, { message: 'Choose at least one policy, or "All policies".', path: ['policyIds'] });

export const DIFF_CLASS_NAMES = ['added', 'removed', 'regressed', 'fixed', 'exception', 'statusChanged', 'evidenceChanged', 'metadataChanged', 'outOfScope'] as const;

const diffFilters = {
  policyIds: z.array(id).max(1000).optional(),
  hostIds: z.array(id).max(10_000).optional(),
  criticality: z.array(z.number().int().min(0).max(5)).max(6).optional(),
};

const diffPair = { a: id, b: id };

export const diffSummarySchema = z.object({ ...diffPair, ...diffFilters });
export const diffRowsSchema = z.object({
  ...diffPair,
  ...diffFilters,
  classes: z.array(z.enum(DIFF_CLASS_NAMES)).max(DIFF_CLASS_NAMES.length).optional(),
  order: z.enum(['posture', 'criticality']).optional(),
  after: z.string().max(200).nullable().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});
export const diffDetailSchema = z.object({ ...diffPair, postureId: id });
export const diffExportSchema = z.object({ ...diffPair, ...diffFilters, classes: diffRowsSchema.shape.classes });
export const trendSchema = z.object({ policyId: id.optional(), hostId: id.optional() });

export const reportDefinitionSchema = z.object({
  /** Absent for a new report; present to save a new revision of it. */
  reportId: z.string().min(1).max(64).optional(),
  title: z.string().trim().min(1, 'Give the report a title.').max(200),
  client: z.string().trim().max(200),
  site: z.string().trim().max(200),
  auditor: z.string().trim().min(1, 'Name the auditor.').max(200),
  snapshotId: id,
  baselineId: id.nullable(),
  query: z.string().max(2000).nullable(),
});

export const signOffSchema = z.object({
  reportId: z.string().min(1).max(64),
  revision: z.number().int().positive(),
  name: z.string().trim().min(1, 'Enter the name of the person signing off.').max(200),
  role: z.string().trim().min(1, 'Enter the role of the person signing off.').max(200),
  organisation: z.string().trim().min(1, 'Enter the organisation of the person signing off.').max(200),
  statement: z.string().trim().min(1, 'Enter the sign-off statement.').max(5000),
});

export const reportExportSchema = z.object({
  reportId: z.string().min(1).max(64),
  revision: z.number().int().positive(),
  format: z.enum(['pdf', 'csv', 'package']),
  csvKind: z.enum(['postures', 'diff', 'rollups']).optional(),
  /** PKCS#12 file and password to sign the PDF or package; unsigned without it. */
  p12Path: z.string().max(4096).optional(),
  p12Password: z.string().max(500).optional(),
});

export const verifySchema = z.object({ path: z.string().min(1).max(4096).optional() });

export const SEARCH_SORT_NAMES = ['relevance', 'criticality', 'status', 'host', 'control', 'date'] as const;

const facetValues = z.array(z.string().max(200)).max(100).optional();

export const searchSchema = z.object({
  query: z.string().max(2000),
  snapshotId: id.nullable().optional(),
  statuses: facetValues,
  criticalities: facetValues,
  policies: facetValues,
  sort: z.enum(SEARCH_SORT_NAMES).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(500).nullable().optional(),
  /** Also count the matches per facet (slower; only for the first page). */
  withFacets: z.boolean().optional(),
});

export const historySchema = z.object({ hostId: id, controlId: id, policyId: id.optional(), instance: z.string().max(2000).optional() });

export const postureDetailSchema = z.object({ snapshotId: id, postureId: id });

export const pullResumeSchema = z.object({ ...connectionChoice, snapshotId: id });

// ---------------------------------------------------------------------------
// Result shapes.
// ---------------------------------------------------------------------------

export interface AppInfo {
  version: string;
  dbPath: string;
  logDir: string;
  /** Availability of each core-backed screen in this build; an unavailable screen shows a notice. */
  features: Record<FeatureName, boolean>;
  /** The embedded simulator, when it runs (the default connection). */
  demo: { url: string; username: string; password: string } | null;
  /** Whether passwords can be saved encrypted (the OS keychain is available). */
  canSavePasswords: boolean;
  platform: string;
}

export type FeatureName = 'pull' | 'search' | 'diff' | 'trends' | 'reports';

export interface PlatformInfo {
  key: string;
  label: string;
  url: string;
}

export interface ConnectionInfo {
  id: string;
  name: string;
  platform: string;
  baseUrl: string;
  username: string;
  hasSavedPassword: boolean;
  proxyUrl: string | null;
  caFile: string | null;
  /** The embedded simulator connection: cannot be edited or deleted. */
  builtIn: boolean;
}

export interface ConnectionTestResult {
  baseUrl: string;
  policyCount: number;
  elapsedMs: number;
}

// Result types below are copies of core types, because the sandboxed renderer type-checks
// against this file alone and must not reach the Node modules behind db/.
// test/unit/contract-types.test.ts fails in `tsc` when a copy and its core type drift apart.

/** Mirrors `SnapshotInfo` in db/snapshots.ts; handlers pass it through unchanged. */
export interface SnapshotInfo {
  id: number;
  label: string;
  note: string;
  createdAt: string;
  completedAt: string | null;
  state: 'building' | 'complete';
  sourceKind: 'file' | 'pull';
  source: string;
  apiVersion: string | null;
  params: Record<string, unknown> | null;
  baseSnapshotId: number | null;
  hostScopeKnown: boolean;
  scopePolicyIds: number[];
  scopeHostCount: number;
  records: number;
  byStatus: Record<string, number>;
  duplicates: number;
  rejected: number;
  inputSha256: string | null;
  inputBytes: number | null;
  contentSha256: string | null;
  locked: boolean;
  /** True for an unfinished snapshot that a live process is still writing. */
  running: boolean;
}

export interface SnapshotDetails extends SnapshotInfo {
  byCriticality: { value: number | null; label: string | null; count: number }[];
  byPolicy: { policyId: number; title: string | null; count: number; byStatus: Record<string, number> }[];
}

export type JobKind = 'import' | 'pull' | 'report';

export type DiffClass = (typeof DIFF_CLASS_NAMES)[number];
export type DiffCounts = Record<DiffClass, number>;

/** Mirrors `DiffRow` in db/diff.ts. */
export interface DiffRow {
  postureId: number;
  policyId: number;
  policyTitle: string | null;
  hostId: number;
  controlId: number;
  instance: string;
  class: DiffClass;
  statusA: string | null;
  statusB: string | null;
  stateIdA: number | null;
  stateIdB: number | null;
  criticalityValue: number | null;
  criticalityLabel: string | null;
  technologyName: string | null;
  ip: string | null;
  dns: string | null;
  controlStatement: string | null;
}

export interface DiffPage {
  rows: DiffRow[];
  nextCursor: string | null;
}

export interface SideTotals {
  total: number;
  passed: number;
  failed: number;
  error: number;
  exception: number;
  other: number;
  passRate: number | null;
}

export interface RollupGroup {
  key: number | null;
  label: string | null;
  a: SideTotals;
  b: SideTotals;
  passRateDelta: number | null;
  counts: DiffCounts;
}

export interface DiffSummary {
  counts: DiffCounts;
  rollups: { policy: RollupGroup[]; host: RollupGroup[]; criticality: RollupGroup[] };
}

/** Mirrors `PostureDiffDetail` in db/diff-detail.ts. */
export interface PostureDiffDetail {
  postureId: number;
  policyId: number;
  hostId: number;
  controlId: number;
  instance: string;
  class: DiffClass | 'unchanged';
  statusA: string | null;
  statusB: string | null;
  changes: { field: string; group: string; a: string | null; b: string | null; lines?: { op: 'equal' | 'removed' | 'added'; text: string }[] }[];
}

/** Mirrors `SearchRow` in db/search/search.ts. */
export interface SearchRow {
  snapshotId: number;
  postureId: number;
  stateId: number;
  policyId: number;
  policyTitle: string | null;
  hostId: number;
  controlId: number;
  instance: string;
  status: string;
  previousStatus: string | null;
  isException: boolean;
  criticality: { value: number | null; label: string | null };
  ip: string | null;
  dns: string | null;
  netbios: string | null;
  os: string | null;
  technology: string | null;
  category: string | null;
  subCategory: string | null;
  controlStatement: string | null;
  lastEvaluatedDate: string | null;
}

export interface FacetValue {
  value: string | number | boolean | null;
  label?: string | null;
  count: number;
}

export interface SearchResult {
  sort: string;
  snapshotIds: number[];
  rows: SearchRow[];
  nextCursor: string | null;
  /** Match count and facets, when requested with `withFacets`. */
  total: number | null;
  hostCount: number | null;
  facets: Record<string, FacetValue[]> | null;
}

export interface SearchHelp {
  textFields: string[];
  filterFields: string[];
  statuses: string[];
}

/** Mirrors `PostureHistory` in db/history.ts: one posture across every snapshot covering it. */
export interface PostureHistoryInfo {
  postureId: number;
  policyId: number;
  hostId: number;
  controlId: number;
  instance: string;
  entries: {
    snapshotId: number;
    label: string;
    createdAt: string;
    present: boolean;
    status: string | null;
    lastEvaluatedDate: string | null;
    postureModifiedDate: string | null;
    evidence: { expected: string | null; current: unknown; actual: unknown; extended: string | null; causeOfFailure: unknown } | null;
    change: string | null;
  }[];
  changes: { snapshotId: number; createdAt: string; class: string; statusFrom: string | null; statusTo: string | null }[];
}

/** Mirrors `PostureDetail` in db/search/detail.ts: one posture as one snapshot holds it. */
export interface PostureDetailInfo {
  snapshotId: number;
  postureId: number;
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
    /** The record's cloud metadata (provider, service, resourceId, resourceType, accountId, imageId, resourceMetadata parsed into keys); null without one. */
    cloud: Record<string, unknown> | null;
  };
  evidence: {
    expected: string | null;
    current: unknown;
    actual: unknown;
    extended: string | null;
    /** `extended` parsed from its `Row N:` form into a header and rows; null for any other form. */
    extendedTable: { header: string[]; rows: string[][] } | null;
    description: string | null;
    causeOfFailure: unknown;
    dataSizeKb: number | null;
  };
}

/** A posture's detail in one snapshot, with its status across every snapshot for the timeline. */
export interface PostureDetailView {
  detail: PostureDetailInfo;
  history: PostureHistoryInfo;
}

/** Mirrors `Signoff` in db/reports.ts. */
export interface SignoffInfo {
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

/** Mirrors `ReportRevision` in db/reports.ts. */
export interface ReportInfo {
  rowId: number;
  reportId: string;
  revision: number;
  title: string;
  client: string;
  site: string;
  auditor: string;
  snapshotId: number;
  baselineId: number | null;
  query: string | null;
  createdAt: string;
  contentSha256: string;
  pdfSha256: string | null;
  pdfExportedAt: string | null;
  signoffs: SignoffInfo[];
}

/** Mirrors `VerifyResult` in electron/report/verify.ts. */
export interface VerifyInfo {
  file: string;
  kind: 'pdf' | 'package';
  ok: boolean;
  reportId: string | null;
  revision: number | null;
  signed: boolean;
  checks: { check: string; ok: boolean; message: string }[];
}

/** Mirrors `TrendPoint` in db/history.ts: status counts of one snapshot after the filter. */
export interface TrendPoint {
  snapshotId: number;
  label: string;
  createdAt: string;
  total: number;
  passed: number;
  failed: number;
  error: number;
  exception: number;
  other: number;
  passRate: number;
}

export interface PolicySummary {
  id: number;
  title: string | null;
  status: string | null;
  lastEvaluatedDate: string | null;
}

export type PullParams = z.output<typeof pullParamsSchema>;

/** Outcome of checking pull parameters: valid (normalised) or the first problem, with its field. */
export type PullValidation = { valid: true; params: PullParams } | { valid: false; field: keyof PullParams | null; message: string };
export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  /** A short phase name from the core ('import', 'finish', 'fetch', …). */
  phase: string;
  records: number;
  bytes: number;
  /** Known for file imports; null while a pull cannot know its size. */
  totalBytes: number | null;
  totalRecords: number | null;
  recordsPerSecond: number;
  /** Estimated seconds left, or null when nothing allows an estimate. */
  etaSeconds: number | null;
  /** Share done from 0 to 1 when the core reports it (pull slices), else null. */
  fraction: number | null;
  /** One line of detail: slices done, retries, the last retry's reason. */
  detail: string | null;
}

export interface JobInfo {
  id: string;
  kind: JobKind;
  title: string;
  state: JobState;
  startedAt: string;
  progress: JobProgress;
  /** The snapshot or file the job produced, once done. */
  snapshotId: number | null;
  outputPath: string | null;
  summary: string | null;
  error: ErrorInfo | null;
}

/** Events main pushes to the page. */
export type WorkbenchEvent =
  | { type: 'job'; job: JobInfo }
  | { type: 'snapshots-changed' }
  | { type: 'navigate'; screen: ScreenName };

export type ScreenName = 'connections' | 'pull' | 'snapshots' | 'search' | 'diff' | 'trends' | 'reports';

// ---------------------------------------------------------------------------
// The API: one entry per method, with its input schema; `WorkbenchApi` is derived.
// ---------------------------------------------------------------------------

interface Method<I extends z.ZodType, O> {
  input: I;
  /** Phantom field carrying the result type; never set at run time. */
  output?: O;
}

function method<O>() {
  return <I extends z.ZodType>(input: I): Method<I, O> => ({ input });
}

export const METHODS = {
  appInfo: method<AppInfo>()(noInput),
  openLogFolder: method<null>()(noInput),

  listPlatforms: method<PlatformInfo[]>()(noInput),
  listConnections: method<ConnectionInfo[]>()(noInput),
  saveConnection: method<ConnectionInfo>()(connectionDraftSchema),
  deleteConnection: method<null>()(z.object({ id: z.string().min(1).max(64) })),
  testConnection: method<ConnectionTestResult>()(connectionRefSchema),

  listPolicies: method<PolicySummary[]>()(policyListSchema),
  validatePull: method<PullValidation>()(pullValidateSchema),
  startPull: method<JobInfo>()(pullStartSchema),
  resumePull: method<JobInfo>()(pullResumeSchema),

  listSnapshots: method<SnapshotInfo[]>()(snapshotListSchema),
  getSnapshot: method<SnapshotDetails>()(snapshotIdSchema),
  updateSnapshot: method<SnapshotInfo>()(snapshotUpdateSchema),
  deleteSnapshot: method<null>()(snapshotIdSchema),

  chooseImportFiles: method<string[]>()(noInput),
  importFiles: method<JobInfo>()(importSchema),
  listJobs: method<JobInfo[]>()(noInput),
  cancelJob: method<JobInfo>()(jobIdSchema),

  searchHelp: method<SearchHelp>()(noInput),
  search: method<SearchResult>()(searchSchema),
  postureHistory: method<PostureHistoryInfo[]>()(historySchema),
  postureDetail: method<PostureDetailView>()(postureDetailSchema),

  defaultBaseline: method<number | null>()(snapshotIdSchema),
  diffSummary: method<DiffSummary>()(diffSummarySchema),
  diffRows: method<DiffPage>()(diffRowsSchema),
  diffDetail: method<PostureDiffDetail>()(diffDetailSchema),
  exportDiffCsv: method<{ path: string; rows: number } | null>()(diffExportSchema),
  passRateTrend: method<TrendPoint[]>()(trendSchema),

  listReports: method<ReportInfo[]>()(noInput),
  saveReport: method<ReportInfo>()(reportDefinitionSchema),
  signOff: method<SignoffInfo>()(signOffSchema),
  exportReport: method<JobInfo | null>()(reportExportSchema),
  verifyFile: method<VerifyInfo | null>()(verifySchema),

  chooseSavePath: method<string | null>()(saveDialogSchema),
  chooseOpenFile: method<string | null>()(saveDialogSchema),
} as const;

export type MethodName = keyof typeof METHODS;
export type MethodInput<M extends MethodName> = z.input<(typeof METHODS)[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<(typeof METHODS)[M]['input']>;
export type MethodOutput<M extends MethodName> = Exclude<(typeof METHODS)[M]['output'], undefined>;

/** The API of `window.workbench`, implemented by the preload and by the end-to-end test shim. */
export type WorkbenchApi = {
  [M in MethodName]: undefined extends MethodInput<M>
    ? (input?: MethodInput<M>) => Promise<Result<MethodOutput<M>>>
    : (input: MethodInput<M>) => Promise<Result<MethodOutput<M>>>;
} & {
  /** Subscribes to events from main; returns the function that unsubscribes. */
  onEvent(listener: (event: WorkbenchEvent) => void): () => void;
  /** The file-system path of a file dropped on the page, or '' when it has none. */
  pathForFile(file: File): string;
};

/** Validates one method's input; returns the parsed value or an INVALID_INPUT error. */
export function parseInput<M extends MethodName>(name: M, input: unknown): Result<ParsedInput<M>> {
  const parsed = METHODS[name].input.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data as ParsedInput<M> };
  const first = parsed.error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return { ok: false, error: { code: 'INVALID_INPUT', message: `${where}${first?.message ?? 'Invalid input.'}` } };
}

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(METHODS, name);
}
