/**
 * Drizzle schema of the posture store. `npm run db:generate` turns changes here into a
 * numbered SQL migration under db/migrations; the store runs them at open.
 *
 * Layout, from the inside out:
 * - `texts`: every long text (control statement, rationale, remediation, evidence) once,
 *   addressed by its SHA-256, so a control text shared by 10,000 hosts is stored once.
 * - `control_revisions` and `host_revisions`: one row per distinct set of control or host
 *   attributes. A pull that repeats yesterday's attributes reuses yesterday's row.
 * - `postures`: one row per identity (policy, host, control, instance).
 * - `posture_states`: one row per distinct record as received, keyed by the SHA-256 of
 *   its bytes, with typed columns for queries and the raw record for exact reproduction.
 * - `snapshot_members`: which state each posture had in each snapshot. A snapshot of
 *   unchanged data costs one small row per posture and nothing else.
 */
import { sql } from 'drizzle-orm';
import {
  blob,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

export interface Watermarks {
  texts: number;
  controlRevisions: number;
  hostRevisions: number;
  postures: number;
  postureStates: number;
}

export const snapshots = sqliteTable(
  'snapshots',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    label: text('label').notNull(),
    note: text('note').notNull().default(''),
    createdAt: text('created_at').notNull(),
    completedAt: text('completed_at'),
    // 'building' until the last record is committed; only 'complete' snapshots are
    // visible to search, diff and reports. A crash leaves 'building' rows that the next
    // open deletes.
    state: text('state', { enum: ['building', 'complete'] }).notNull(),
    // Process that is building the snapshot, so the cleanup at open spares an import
    // that another live process is still writing.
    ownerPid: integer('owner_pid'),
    sourceKind: text('source_kind', { enum: ['file', 'pull'] }).notNull(),
    // File names for an import, the gateway URL for a pull.
    source: text('source').notNull(),
    apiVersion: text('api_version'),
    // Query parameters of a pull as sent, or import options, as a JSON object.
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>(),
    baseSnapshotId: integer('base_snapshot_id'),
    // True when the scope names host IDs (a pull resolves them; a file does not).
    hostScopeKnown: integer('host_scope_known', { mode: 'boolean' }).notNull().default(false),
    recordCount: integer('record_count').notNull().default(0),
    // Verbatim status → count, e.g. {"Passed": 10, "Passed*": 1}.
    statusCounts: text('status_counts', { mode: 'json' }).$type<Record<string, number>>(),
    duplicates: integer('duplicates').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    // SHA-256 of the input bytes as read, so the compressed bytes for a gzip file. For a
    // pull it is the SHA-256 of its raw responses' digests, concatenated in slice order.
    inputSha256: text('input_sha256'),
    inputBytes: integer('input_bytes'),
    // SHA-256 over each member's identity and record SHA-256, in posture-id order
    // (computeContentSha256), so `verify` can prove the content is unchanged since sign-off.
    contentSha256: text('content_sha256'),
    // Highest row ids in the shared tables when the snapshot began. A failed import uses
    // them to remove exactly the rows it added and nothing an earlier snapshot uses.
    watermarks: text('watermarks', { mode: 'json' }).$type<Watermarks>(),
  },
  (table) => [index('snapshots_state_created').on(table.state, table.createdAt)],
);

export const snapshotPolicies = sqliteTable(
  'snapshot_policies',
  {
    snapshotId: integer('snapshot_id')
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    policyId: integer('policy_id').notNull(),
  },
  (table) => [primaryKey({ columns: [table.snapshotId, table.policyId] })],
);

export const snapshotHosts = sqliteTable(
  'snapshot_hosts',
  {
    snapshotId: integer('snapshot_id')
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    policyId: integer('policy_id').notNull(),
    hostId: integer('host_id').notNull(),
  },
  (table) => [primaryKey({ columns: [table.snapshotId, table.policyId, table.hostId] })],
);

export const policies = sqliteTable('policies', {
  id: integer('id').primaryKey(),
  // The latest title seen; each state keeps the title it arrived with.
  title: text('title'),
});

export const texts = sqliteTable('texts', {
  id: integer('id').primaryKey(),
  sha256: blob('sha256', { mode: 'buffer' }).notNull().unique(),
  body: text('body').notNull(),
});

export const controlRevisions = sqliteTable(
  'control_revisions',
  {
    id: integer('id').primaryKey(),
    sha256: blob('sha256', { mode: 'buffer' }).notNull().unique(),
    controlId: integer('control_id').notNull(),
    statementTextId: integer('statement_text_id').references(() => texts.id),
    rationaleTextId: integer('rationale_text_id').references(() => texts.id),
    remediationTextId: integer('remediation_text_id').references(() => texts.id),
    category: text('category'),
    subCategory: text('sub_category'),
    controlReference: text('control_reference'),
    technologyId: integer('technology_id'),
    technologyName: text('technology_name'),
    criticalityValue: integer('criticality_value'),
    criticalityLabel: text('criticality_label'),
  },
  (table) => [index('control_revisions_control').on(table.controlId)],
);

export const hostRevisions = sqliteTable(
  'host_revisions',
  {
    id: integer('id').primaryKey(),
    sha256: blob('sha256', { mode: 'buffer' }).notNull().unique(),
    hostId: integer('host_id').notNull(),
    ip: text('ip'),
    dns: text('dns'),
    netbios: text('netbios'),
    domainName: text('domain_name'),
    os: text('os'),
    osCpe: text('os_cpe'),
    trackingMethod: text('tracking_method'),
    networkId: integer('network_id'),
    networkName: text('network_name'),
    qgHostId: text('qg_host_id'),
    assetId: integer('asset_id'),
    customerUuid: text('customer_uuid'),
    customerId: text('customer_id'),
    cloudResourceId: text('cloud_resource_id'),
    cloudProvider: text('cloud_provider'),
    // The whole `cloudMetaData` object with `cloudResourceMetadata` parsed into
    // `resourceMetadata` (the original string is kept beside it).
    cloud: text('cloud', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (table) => [index('host_revisions_host').on(table.hostId), index('host_revisions_ip').on(table.ip)],
);

export const postures = sqliteTable(
  'postures',
  {
    id: integer('id').primaryKey(),
    policyId: integer('policy_id').notNull(),
    hostId: integer('host_id').notNull(),
    controlId: integer('control_id').notNull(),
    instance: text('instance').notNull(),
  },
  (table) => [
    uniqueIndex('postures_identity').on(table.policyId, table.hostId, table.controlId, table.instance),
    index('postures_host').on(table.hostId),
    index('postures_control').on(table.controlId),
  ],
);

export const postureStates = sqliteTable(
  'posture_states',
  {
    id: integer('id').primaryKey(),
    // SHA-256 of the record's bytes exactly as received.
    sha256: blob('sha256', { mode: 'buffer' }).notNull().unique(),
    postureId: integer('posture_id')
      .notNull()
      .references(() => postures.id),
    recordId: integer('record_id'),
    policyTitle: text('policy_title'),
    status: text('status').notNull(),
    previousStatus: text('previous_status'),
    // 'pass' | 'fail' | 'error' | 'exception' | 'other': the status as a class, so
    // queries need not know every verbatim spelling.
    statusClass: text('status_class', { enum: ['pass', 'fail', 'error', 'exception', 'other'] }).notNull(),
    isException: integer('is_exception', { mode: 'boolean' }).notNull(),
    firstFailDate: text('first_fail_date'),
    lastFailDate: text('last_fail_date'),
    firstPassDate: text('first_pass_date'),
    lastPassDate: text('last_pass_date'),
    postureModifiedDate: text('posture_modified_date'),
    lastEvaluatedDate: text('last_evaluated_date'),
    createdDate: text('created_date'),
    lastScanDate: text('last_scan_date'),
    controlRevisionId: integer('control_revision_id')
      .notNull()
      .references(() => controlRevisions.id),
    hostRevisionId: integer('host_revision_id')
      .notNull()
      .references(() => hostRevisions.id),
    // SHA-256 over the evidence and cause of failure, null when the record has neither:
    // lets a diff tell "evidence moved" from "nothing but dates moved" without reading it.
    evidenceSha256: blob('evidence_sha256', { mode: 'buffer' }),
    expectedTextId: integer('expected_text_id').references(() => texts.id),
    currentValues: text('current_values', { mode: 'json' }).$type<unknown>(),
    actualValues: text('actual_values', { mode: 'json' }).$type<unknown>(),
    extendedTextId: integer('extended_text_id').references(() => texts.id),
    descriptionTextId: integer('description_text_id').references(() => texts.id),
    evidenceUpdated: text('evidence_updated'),
    causeOfFailure: text('cause_of_failure', { mode: 'json' }).$type<unknown>(),
    dataSizeKb: real('data_size_kb'),
    // The record as received with its long texts replaced by references into `texts`;
    // see db/raw.ts for the exact format.
    raw: blob('raw', { mode: 'buffer' }).notNull(),
  },
  (table) => [
    index('posture_states_posture').on(table.postureId),
    // Search resolves matches on controls, hosts and evidence texts to states through these.
    index('posture_states_control_revision').on(table.controlRevisionId),
    index('posture_states_host_revision').on(table.hostRevisionId),
    index('posture_states_expected_text').on(table.expectedTextId),
    index('posture_states_extended_text').on(table.extendedTextId),
    index('posture_states_description_text').on(table.descriptionTextId),
    // Search reads these columns for every candidate state: from this narrow index they
    // come from a few cached pages instead of one page of the wide row each.
    index('posture_states_search').on(
      table.id,
      table.postureId,
      table.controlRevisionId,
      table.hostRevisionId,
      table.status,
      table.previousStatus,
      table.isException,
      table.expectedTextId,
      table.extendedTextId,
      table.descriptionTextId,
    ),
  ],
);

// Current values and cause of failure as search text: each distinct pair once, because
// the same few values ("0", "File not found") repeat on thousands of states. Triggers in
// the search migration fill both tables when a state is inserted.
export const searchValueTexts = sqliteTable(
  'search_value_texts',
  {
    id: integer('id').primaryKey(),
    // The JSON as stored on the state, '' for null.
    currentValues: text('current_values').notNull(),
    causeOfFailure: text('cause_of_failure').notNull(),
  },
  (table) => [uniqueIndex('search_value_texts_body').on(table.currentValues, table.causeOfFailure)],
);

// Which value text each state has; states with neither value have no row.
export const searchStateValues = sqliteTable(
  'search_state_values',
  {
    stateId: integer('state_id').primaryKey(),
    valueId: integer('value_id').notNull(),
  },
  (table) => [index('search_state_values_value').on(table.valueId)],
);

export const snapshotMembers = sqliteTable(
  'snapshot_members',
  {
    snapshotId: integer('snapshot_id')
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    postureId: integer('posture_id')
      .notNull()
      .references(() => postures.id),
    stateId: integer('state_id')
      .notNull()
      .references(() => postureStates.id),
  },
  // No index on state_id: each one costs bytes per posture per snapshot, and a
  // snapshot of unchanged data must stay a few bytes per posture.
  (table) => [primaryKey({ columns: [table.snapshotId, table.postureId] })],
);

// Raw API responses as received (gzip bytes when the API compressed them), kept so a
// report can be traced to the bytes Qualys sent.
export const rawResponses = sqliteTable(
  'raw_responses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    snapshotId: integer('snapshot_id')
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    sliceIndex: integer('slice_index').notNull(),
    url: text('url').notNull(),
    receivedAt: text('received_at').notNull(),
    httpStatus: integer('http_status').notNull(),
    sha256: text('sha256').notNull(),
    byteLength: integer('byte_length').notNull(),
    records: integer('records').notNull(),
    body: blob('body', { mode: 'buffer' }),
  },
  (table) => [index('raw_responses_snapshot').on(table.snapshotId, table.sliceIndex)],
);

// The plan of a pull, one row per host-ID slice, so a cancelled or crashed pull can
// resume from the first slice that is not done.
export const pullSlices = sqliteTable(
  'pull_slices',
  {
    snapshotId: integer('snapshot_id')
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    sliceIndex: integer('slice_index').notNull(),
    // The request body for this slice: [{policyId, subscriptionId, hostIds}].
    body: text('body', { mode: 'json' }).$type<unknown>().notNull(),
    state: text('state', { enum: ['pending', 'done'] }).notNull(),
    records: integer('records').notNull().default(0),
    completedAt: text('completed_at'),
  },
  (table) => [primaryKey({ columns: [table.snapshotId, table.sliceIndex] })],
);

// Keys the pull and other subsystems need across runs (e.g. the subscription ID).
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: text('updated_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

// One row per revision of an audit report. A report keeps its UUID across revisions;
// changing anything in a report that has been exported makes a new revision, and the
// old row stays, so a signed revision is never rewritten.
export const reports = sqliteTable(
  'reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reportId: text('report_id').notNull(),
    revision: integer('revision').notNull(),
    title: text('title').notNull(),
    client: text('client').notNull().default(''),
    site: text('site').notNull().default(''),
    auditor: text('auditor').notNull().default(''),
    // No foreign keys on the snapshot ids: an unsigned draft must not block deleting a
    // snapshot. A sign-off locks its snapshots through `signoff_snapshots` instead.
    snapshotId: integer('snapshot_id').notNull(),
    baselineId: integer('baseline_id'),
    query: text('query'),
    createdAt: text('created_at').notNull(),
    // SHA-256 over the revision's definition and the content hashes of its snapshots
    // (`computeReportSha256` in db/reports.ts); stable across re-renders of the PDF.
    contentSha256: text('content_sha256').notNull(),
    // SHA-256 of the last PDF exported for this revision, and when it was written.
    pdfSha256: text('pdf_sha256'),
    pdfExportedAt: text('pdf_exported_at'),
  },
  (table) => [uniqueIndex('reports_revision').on(table.reportId, table.revision)],
);

// An auditor's sign-off of one report revision. The report hash is copied so the
// sign-off states what was signed even if the revision row were tampered with.
export const signoffs = sqliteTable(
  'signoffs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reportRowId: integer('report_row_id')
      .notNull()
      .references(() => reports.id),
    reportId: text('report_id').notNull(),
    revision: integer('revision').notNull(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    organisation: text('organisation').notNull(),
    statement: text('statement').notNull(),
    signedAt: text('signed_at').notNull(),
    reportSha256: text('report_sha256').notNull(),
  },
  (table) => [index('signoffs_report').on(table.reportId, table.revision)],
);

// Snapshots a sign-off covers. Any row here locks its snapshot against deletion
// (db/snapshots.ts `lockedSnapshotIds`).
export const signoffSnapshots = sqliteTable(
  'signoff_snapshots',
  {
    signoffId: integer('signoff_id')
      .notNull()
      .references(() => signoffs.id),
    snapshotId: integer('snapshot_id')
      .notNull()
      .references(() => snapshots.id),
  },
  (table) => [primaryKey({ columns: [table.signoffId, table.snapshotId] })],
);

// Status counts of one complete snapshot per policy and host: the points of the pass-rate
// trend. db/history.ts fills them on first use and keeps them, because a complete
// snapshot never changes; deleting the snapshot deletes them.
export const snapshotStatusCounts = sqliteTable(
  'snapshot_status_counts',
  {
    snapshotId: integer('snapshot_id')
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    policyId: integer('policy_id').notNull(),
    hostId: integer('host_id').notNull(),
    passed: integer('passed').notNull(),
    failed: integer('failed').notNull(),
    error: integer('error').notNull(),
    exception: integer('exception').notNull(),
    other: integer('other').notNull(),
  },
  (table) => [primaryKey({ columns: [table.snapshotId, table.policyId, table.hostId] })],
);

// Snapshots whose `snapshot_status_counts` rows are complete. A separate marker, because
// a snapshot without postures has no count rows at all.
export const snapshotStatusCountsReady = sqliteTable('snapshot_status_counts_ready', {
  snapshotId: integer('snapshot_id')
    .primaryKey()
    .references(() => snapshots.id, { onDelete: 'cascade' }),
  computedAt: text('computed_at').notNull(),
});
