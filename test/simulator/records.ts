// Selection and rendering of posture records for a postureInfo request.

import { displayStatus, isoSeconds, postureId, postureState } from './dataset.js';
import type { DataSet, Host, Policy, PolicyControl, PostureState, RawStatus } from './dataset.js';
import { Salt, hash32, unit } from './hash.js';
import { badRequest } from './query.js';
import type { ParseResult, PostureQuery } from './query.js';

/** One element of the Resolve Host IDs output, as clients send it back to postureInfo. */
export interface HostIdsElement {
  policyId: string | number;
  subscriptionId?: string | number;
  hostIds: Array<string | number>;
}

/** A request body element after validation. */
export interface RequestItem {
  policyId: number;
  hostIds: number[];
}

const NUMERIC_ID = /^\d{1,15}$/;

function toId(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && NUMERIC_ID.test(value.trim())) return Number(value.trim());
  return null;
}

/** Validates a postureInfo request body: a JSON array of `{policyId, subscriptionId, hostIds}`. */
export function parseRequestBody(body: unknown): ParseResult<RequestItem[]> {
  const shapeError = badRequest('The request body must be a JSON array of {policyId, subscriptionId, hostIds} elements, as returned by /pcrs/1.0/posture/hostids.');
  if (!Array.isArray(body)) return { ok: false, error: shapeError };
  const items: RequestItem[] = [];
  for (const element of body as unknown[]) {
    if (typeof element !== 'object' || element === null || !Array.isArray((element as HostIdsElement).hostIds)) {
      return { ok: false, error: shapeError };
    }
    const { policyId, hostIds } = element as HostIdsElement;
    const policy = toId(policyId);
    if (policy === null) return { ok: false, error: badRequest(`Invalid policyId in request body: ${JSON.stringify(policyId)}.`, 'policyId') };
    const ids: number[] = [];
    for (const hostId of hostIds) {
      const id = toId(hostId);
      if (id === null) return { ok: false, error: badRequest(`Invalid host ID in request body: ${JSON.stringify(hostId)}.`, 'hostIds') };
      ids.push(id);
    }
    items.push({ policyId: policy, hostIds: ids });
  }
  return { ok: true, value: items };
}

/** A posture selected for a response, before rendering. */
export interface SelectedPosture {
  policy: Policy;
  host: Host;
  control: PolicyControl;
  state: PostureState;
  /** Controls of this policy on this host, for the data size fields. */
  hostControlCount: number;
  /** Position of the control among the host's controls in the policy. */
  hostControlPosition: number;
  currentBatch: number;
  totalBatches: number;
}

/** Milliseconds after the host scan at which a control's result is published. */
function evaluationOffsetMs(control: PolicyControl): number {
  return (300 + control.index * 7) * 1000;
}

/**
 * Yields the postures a request selects, in response order: body elements in order, hosts in
 * the order given (duplicates once), controls in policy order. Unknown policies and hosts, and
 * hosts outside a policy, are skipped, as the API does.
 */
export function* selectPostures(data: DataSet, query: PostureQuery, items: RequestItem[], day: number): Generator<SelectedPosture> {
  const options = data.options;
  for (const item of items) {
    const policy = data.policyById(item.policyId);
    if (!policy) continue;
    const hostIndexes: number[] = [];
    const seen = new Set<number>();
    for (const id of item.hostIds) {
      const index = data.hostIndexOf(id);
      if (index < 0 || seen.has(index) || !data.isMember(policy, index)) continue;
      seen.add(index);
      hostIndexes.push(index);
    }
    const totalBatches = Math.max(1, Math.ceil(hostIndexes.length / options.batchHosts));

    for (let position = 0; position < hostIndexes.length; position++) {
      const host = data.host(hostIndexes[position]!);
      const scanMs = data.scanMs(host, day);
      // NOTE: lastScanDate keeps hosts scanned at or after the given time. The vendor's wording
      // ("on the date on which an asset was last scanned") may also mean that exact day only.
      if (query.lastScanDate !== undefined && scanMs < query.lastScanDate) continue;
      if (query.lastScanDateFrom !== undefined && (scanMs < query.lastScanDateFrom || scanMs > query.lastScanDateTo!)) continue;

      const controls = data.controlsFor(policy, host);
      for (let k = 0; k < controls.length; k++) {
        const control = controls[k]!;
        if (query.excludeInactiveControl && control.inactive) continue;
        if (query.criticality && !query.criticality.has(control.template.criticality)) continue;
        if (query.lastEvaluationDate !== undefined && scanMs + evaluationOffsetMs(control) < query.lastEvaluationDate) continue;

        const state = postureState(options, policy.index, host.index, control.index, day);
        if (query.statusChangedSince !== undefined && data.scanMs(host, state.statusSince) + evaluationOffsetMs(control) < query.statusChangedSince) continue;
        // NOTE: a `Passed*` exception matches status=Passed here, but the vendor does not document
        // how the status filter treats exceptions.
        if (query.status && !query.status.has(state.exception ? 'Passed' : state.rawStatus)) continue;
        if (query.previousStatus !== undefined && state.previousStatus !== query.previousStatus) continue;

        yield {
          policy, host, control, state,
          hostControlCount: controls.length,
          hostControlPosition: k,
          currentBatch: Math.floor(position / options.batchHosts) + 1,
          totalBatches,
        };
      }
    }
  }
}

const ERROR_VALUES = ['Unable to retrieve the setting: access denied', 'Error: command timed out'];

function evidenceValue(data: DataSet, selected: SelectedPosture): string {
  const { policy, host, control, state } = selected;
  const template = control.template;
  let values = ERROR_VALUES;
  if (state.rawStatus === 'Passed') values = template.passValues;
  else if (state.rawStatus === 'Failed') values = template.failValues;
  const index = hash32(data.options.seed, Salt.evidenceValue, policy.index, host.index, control.index, state.evidenceRevision) % values.length;
  return values[index]!;
}

/** Builds the extended-evidence table text, `Row N:` lines as the vendor formats it. */
function extendedEvidence(data: DataSet, selected: SelectedPosture, value: string, collected: string): string {
  const template = selected.control.template;
  let text = `Row 1:${template.extendedHeader}\nRow 2:${template.extendedPrefix},${value}\nRow 3:Collected,${collected}\n`;
  if (isBigEvidence(data, selected)) {
    const targetLength = data.options.bigEvidenceMb * 1024 * 1024;
    const rows: string[] = [text];
    let length = text.length;
    for (let row = 4; length < targetLength; row++) {
      const line = `Row ${row}:${template.extendedPrefix}/entry-${row},${value},checked\n`;
      rows.push(line);
      length += line.length;
    }
    text = rows.join('');
  }
  return text;
}

function isBigEvidence(data: DataSet, selected: SelectedPosture): boolean {
  return data.options.bigEvidenceHost === selected.host.index && selected.hostControlPosition === 0;
}

function historyDates(data: DataSet, selected: SelectedPosture, day: number, evalMs: (d: number) => number) {
  const { state, policy, host, control } = selected;
  // Some postures report an empty history as null, most as "", as real responses mix both.
  const empty = unit(data.options.seed, Salt.nullDate, policy.index, host.index, control.index) < 0.05 ? null : '';
  const current = { first: isoSeconds(evalMs(state.statusSince)), last: isoSeconds(evalMs(day)) };
  const previous = { first: isoSeconds(evalMs(state.statusSince - state.statusPeriod)), last: isoSeconds(evalMs(state.statusSince - 1)) };
  const datesFor = (status: RawStatus) => {
    if (state.rawStatus === status) return current;
    if (state.otherStatus === status) return previous;
    return { first: empty, last: empty };
  };
  const pass = datesFor('Passed');
  const fail = datesFor('Failed');
  return { firstFailDate: fail.first, lastFailDate: fail.last, firstPassDate: pass.first, lastPassDate: pass.last };
}

/** Renders one posture record as the given API version returns it. */
export function renderRecord(data: DataSet, query: PostureQuery, selected: SelectedPosture, day: number): Record<string, unknown> {
  const { policy, host, control, state } = selected;
  const seed = data.options.seed;
  const template = control.template;
  const version = query.version;
  const evalMs = (d: number) => data.scanMs(host, d) + evaluationOffsetMs(control);
  const onDatabase = template.family === 'mssql' || template.family === 'oracle';
  const technology = onDatabase && host.database ? host.database.technology : host.technology;
  // Version 1.0 sends several IDs as strings in some records and as numbers in others.
  const stringIds = version === 1 && unit(seed, Salt.stringIds, policy.index, host.index) < 0.5;
  const id = (value: number) => (stringIds ? String(value) : value);

  const value = evidenceValue(data, selected);
  const lastUpdated = isoSeconds(data.scanMs(host, state.evidenceSince));
  let evidence: Record<string, unknown> | null = null;
  if (query.evidence) {
    const withNul = unit(seed, Salt.nulByte, policy.index, host.index, control.index) < 0.01;
    const shown = withNul ? `${value.slice(0, 1)}\u0000${value.slice(1)}` : value;
    const bigRowsInValues = version === 1 && isBigEvidence(data, selected);
    evidence = {
      expectedValues: template.expected,
      currentValues: bigRowsInValues ? extendedEvidence(data, selected, shown, lastUpdated).split('\n') : [shown],
      actualValues: null,
      directoryFimUdc: null,
    };
    if (version >= 2) {
      evidence.lastUpdated = lastUpdated;
      evidence.extendedEvidence = extendedEvidence(data, selected, shown, lastUpdated);
    }
    if (version === 3) evidence.description = template.description;
  }

  const causeOfFailure = state.rawStatus === 'Failed'
    ? {
        missing: { logic: null, value: template.expected.split('\n').filter((line) => line.length > 0 && !line.includes('------------ OR')) },
        unexpected: { value: [value] },
      }
    : null;

  const record: Record<string, unknown> = { id: postureId(data.options, policy.index, host.index, control.index), instance: onDatabase && host.database ? host.database.instance : 'os', policyId: id(policy.id) };
  if (version >= 2) {
    record.policyTitle = policy.title;
    record.netBios = host.netBios;
  }
  record.controlId = id(control.cid);
  record.controlStatement = control.statement;
  record.rationale = template.rationale;
  record.remediation = template.remediation;
  if (version >= 2) {
    record.category = template.category;
    record.subCategory = template.subCategory;
  }
  record.controlReference = null;
  record.technologyId = id(technology.id);
  record.status = version === 1 ? state.rawStatus : displayStatus(state);
  record.previousStatus = state.previousStatus;
  Object.assign(record, historyDates(data, selected, day, evalMs));
  record.postureModifiedDate = isoSeconds(evalMs(state.statusSince));
  record.lastEvaluatedDate = isoSeconds(evalMs(day));
  record.created = isoSeconds(evalMs(day) + 3_600_000);
  record.hostId = id(host.id);
  record.ip = host.ip;
  record.trackingMethod = host.trackingMethod;
  record.os = host.trackingMethod === 'AGENT' || host.trackingMethod === 'EC2' ? technology.os : null;
  record.osCpe = technology.osCpe;
  if (version >= 2) record.domainName = host.domainName;
  record.dns = host.dns;
  record.qgHostid = host.qgHostid;
  record.networkId = stringIds ? '0' : 0;
  record.networkName = 'Global Default Network';
  record.complianceLastScanDate = isoSeconds(data.scanMs(host, day));
  record.customerUuid = data.subscription.customerUuid;
  record.customerId = data.subscription.customerId;
  record.assetId = id(host.assetId);
  record.technology = { id: technology.id, name: technology.name };
  record.criticality = { label: control.criticalityLabel, value: template.criticality };
  record.evidence = evidence;
  record.causeOfFailure = causeOfFailure;
  if (version >= 2) {
    record.userDefinedAttributesList = null;
    // NOTE: the vendor does not define these sizes. This estimate only keeps them plausible
    // and deterministic without serializing each record twice.
    const extendedLength = typeof evidence?.extendedEvidence === 'string' ? evidence.extendedEvidence.length : 0;
    const sizeKb = (900 + template.rationale.length + template.remediation.length + control.statement.length + extendedLength) / 1024;
    record.currentDataSizeKB = sizeKb.toFixed(2);
    record.totalDataSizeKB = (sizeKb * selected.hostControlCount).toFixed(2);
  }
  record.currentBatch = selected.currentBatch;
  record.totalBatches = selected.totalBatches;
  if (version === 3 && query.cloudMetaData) {
    const cloud = host.cloud;
    record.cloudMetaData = cloud
      ? {
          cloudProvider: cloud.provider,
          cloudService: cloud.service,
          cloudResourceId: cloud.resourceId,
          cloudResourceType: cloud.resourceType,
          cloudAccountId: cloud.accountId,
          cloudImageId: cloud.imageId,
          cloudResourceMetadata: cloud.resourceMetadata,
        }
      : null;
  }
  if (version >= 2) record.CLOUD_RESOURCE_ID = host.cloud?.resourceId ?? null;
  return record;
}

/** Yields the JSON text of each record a request returns. */
export function* recordTexts(data: DataSet, query: PostureQuery, items: RequestItem[], day: number): Generator<string> {
  for (const selected of selectPostures(data, query, items, day)) {
    yield JSON.stringify(renderRecord(data, query, selected, day));
  }
}
