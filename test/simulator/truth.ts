// Ground truth for tests: the records the API returns for a request, computed without HTTP.

import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Transform } from 'node:stream';

import { DataSet, displayStatus, postureId, postureState } from './dataset.js';
import type { DataOptions } from './dataset.js';
import { parsePostureQuery } from './query.js';
import type { ApiVersion, PostureQuery } from './query.js';
import { parseRequestBody, recordTexts, selectPostures } from './records.js';
import type { HostIdsElement, RequestItem } from './records.js';
import { jsonArrayChunks } from './stream.js';

export interface ExpectedQuery {
  version: ApiVersion;
  /** Request body as a client sends it. When absent, every policy with all of its hosts. */
  body?: HostIdsElement[];
  /** Query parameters of the postureInfo URL. */
  params?: Record<string, string> | URLSearchParams;
  /** Day of the timeline, or the data options' day when absent. */
  day?: number;
}

interface Prepared {
  data: DataSet;
  query: PostureQuery;
  items: RequestItem[];
  day: number;
}

/** Builds the body that covers every policy and every host in it, as the hostids API lists them. */
export function fullRequestBody(data: DataSet): RequestItem[] {
  return data.policies.map((policy) => {
    const hostIds: number[] = [];
    for (let h = 0; h < data.options.hosts; h++) {
      if (data.isMember(policy, h)) hostIds.push(data.hostIdOf(h));
    }
    return { policyId: policy.id, hostIds };
  });
}

function prepare(options: DataOptions | DataSet, request: ExpectedQuery): Prepared {
  const data = options instanceof DataSet ? options : new DataSet(options);
  const params = request.params instanceof URLSearchParams ? request.params : new URLSearchParams(request.params ?? {});
  const query = parsePostureQuery(request.version, params);
  if (!query.ok) throw new Error(`The simulator would reject these parameters with HTTP ${query.error.status}: ${JSON.stringify(query.error.body)}`);
  let items: RequestItem[];
  if (request.body === undefined) {
    items = fullRequestBody(data);
  } else {
    const parsed = parseRequestBody(request.body);
    if (!parsed.ok) throw new Error(`The simulator would reject this body: ${JSON.stringify(parsed.error.body)}`);
    items = parsed.value;
  }
  return { data, query: query.value, items, day: request.day ?? data.options.day };
}

/** Returns the exact records, parsed, that postureInfo returns for the request on that day. */
export function expectedRecords(options: DataOptions | DataSet, request: ExpectedQuery): Record<string, unknown>[] {
  const { data, query, items, day } = prepare(options, request);
  const records: Record<string, unknown>[] = [];
  for (const text of recordTexts(data, query, items, day)) records.push(JSON.parse(text) as Record<string, unknown>);
  return records;
}

/** Counts the records of a request without rendering them. */
export function expectedCount(options: DataOptions | DataSet, request: ExpectedQuery): number {
  const { data, query, items, day } = prepare(options, request);
  const postures = selectPostures(data, query, items, day);
  let count = 0;
  while (!postures.next().done) count++;
  return count;
}

export interface PostureChange {
  postureId: number;
  policyId: number;
  hostId: number;
  controlId: number;
  /** Status as versions 2.0 and 3.0 show it, `Passed*` included. */
  statusBefore: string;
  statusAfter: string;
  statusChanged: boolean;
  /** The evidence of versions 2.0 and 3.0 (values, lastUpdated, extended evidence) differs. */
  evidenceChanged: boolean;
}

/** Lists the postures whose status or evidence differs between two days, in response order. */
export function postureChanges(options: DataOptions | DataSet, dayBefore: number, dayAfter: number): PostureChange[] {
  const data = options instanceof DataSet ? options : new DataSet(options);
  const changes: PostureChange[] = [];
  for (const policy of data.policies) {
    for (let h = 0; h < data.options.hosts; h++) {
      if (!data.isMember(policy, h)) continue;
      const host = data.host(h);
      for (const control of data.controlsFor(policy, host)) {
        const before = postureState(data.options, policy.index, h, control.index, dayBefore);
        const after = postureState(data.options, policy.index, h, control.index, dayAfter);
        const statusBefore = displayStatus(before);
        const statusAfter = displayStatus(after);
        // Evidence records when it was collected, so it differs exactly when its start day does.
        const evidenceChanged = before.evidenceSince !== after.evidenceSince;
        if (statusBefore === statusAfter && !evidenceChanged) continue;
        changes.push({
          postureId: postureId(data.options, policy.index, h, control.index),
          policyId: policy.id,
          hostId: host.id,
          controlId: control.cid,
          statusBefore,
          statusAfter,
          statusChanged: statusBefore !== statusAfter,
          evidenceChanged,
        });
      }
    }
  }
  return changes;
}

export interface GenerateFileOptions {
  version: ApiVersion;
  gzip?: boolean;
  evidence?: boolean;
  /** Further postureInfo parameters (filters); evidence and compression come from the fields above. */
  params?: Record<string, string>;
  day?: number;
}

export interface GeneratedFile {
  records: number;
  /** Bytes written to the file (compressed size when gzip is on). */
  bytes: number;
}

/**
 * Streams every posture of the data set to a file as one JSON array, optionally gzipped.
 * Memory stays flat because records are generated one at a time behind stream backpressure.
 */
export async function generateFile(options: DataOptions | DataSet, path: string, file: GenerateFileOptions): Promise<GeneratedFile> {
  const params = { ...file.params, evidenceRequired: file.evidence ? '1' : '0', compressionRequired: '0' };
  const { data, query, items, day } = prepare(options, { version: file.version, params, ...(file.day === undefined ? {} : { day: file.day }) });
  let records = 0;
  function* counted(): Generator<string> {
    for (const text of recordTexts(data, query, items, day)) {
      records++;
      yield text;
    }
  }
  const output = createWriteStream(path);
  const stages: Array<Readable | Transform> = [Readable.from(jsonArrayChunks(counted()))];
  if (file.gzip) stages.push(createGzip());
  await pipeline([...stages, output]);
  return { records, bytes: output.bytesWritten };
}
