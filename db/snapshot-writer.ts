/**
 * Writes one snapshot: the only code that inserts postures. Records arrive one by one
 * (from a file import or a pull) and are committed in batches. The snapshot stays in
 * state 'building', invisible to readers, until `finish` marks it complete.
 *
 * The hot path uses Drizzle prepared statements with placeholders, and caches the ids of
 * texts and revisions it has seen, because one control text repeats on every host.
 */
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { AppError } from './errors.js';
import {
  controlRevisions,
  hostRevisions,
  policies,
  postureStates,
  postures,
  snapshotHosts,
  snapshotMembers,
  snapshotPolicies,
  snapshots,
  texts,
  type Watermarks,
} from './schema.js';
import { collectGarbageAbove, readWatermarks } from './garbage.js';
import { ensureStatusCounts } from './history.js';
import { computeContentSha256 } from './snapshots.js';
import type { Store } from './store.js';
import type { NormalisedPosture } from '../electron/ingest/normalise.js';
import { encodeRaw, LiteralCache, type TextReference } from './raw.js';
import { SearchIndexWriter, storedJson } from './search/maintain.js';

export interface SnapshotStart {
  label: string;
  note?: string;
  sourceKind: 'file' | 'pull';
  source: string;
  apiVersion?: string | null;
  params?: Record<string, unknown> | null;
  baseSnapshotId?: number | null;
  /** Scope of a pull, known before the first record; a file's scope comes from its records. */
  policyScope?: readonly number[];
  hostScope?: readonly { policyId: number; hostId: number }[];
}

export interface IncomingRecord {
  posture: NormalisedPosture;
  /** The record's bytes exactly as received. */
  bytes: Buffer;
}

export interface SnapshotSummary {
  snapshotId: number;
  records: number;
  duplicates: number;
  rejected: number;
  statusCounts: Record<string, number>;
}

/**
 * Records that are committed or dropped together, such as one slice of a pull: a slice cut
 * off mid-stream must leave no member rows behind, even after some of its records were
 * flushed in a batch.
 */
export interface RecordGroup {
  readonly id: number;
}

interface GroupState {
  /** Postures this group made members of the snapshot (first occurrences only). */
  postureIds: number[];
  duplicates: number;
}

interface PendingRecord {
  record: IncomingRecord;
  group: RecordGroup | undefined;
}

export interface DuplicateReport {
  policyId: number;
  hostId: number;
  controlId: number;
  instance: string;
}

const BATCH_SIZE = 2000;
const CACHE_LIMIT = 50_000;

function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** A Map that is cleared when it reaches its limit: cheap, and enough for repeated texts. */
class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
  }
}

/** A growable bit set over posture ids, to spot a posture seen twice in one import. */
class IdBitSet {
  private bits = new Uint8Array(1 << 16);
  has(id: number): boolean {
    const byte = id >>> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (id & 7))) !== 0;
  }
  delete(id: number): void {
    const byte = id >>> 3;
    if (byte < this.bits.length) this.bits[byte]! &= ~(1 << (id & 7));
  }
  add(id: number): void {
    const byte = id >>> 3;
    if (byte >= this.bits.length) {
      let size = this.bits.length;
      while (size <= byte) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (id & 7);
  }
}

function prepareStatements(store: Store) {
  const orm = store.orm;
  const p = sql.placeholder;
  return {
    textBySha: orm.select({ id: texts.id }).from(texts).where(eq(texts.sha256, p('sha256'))).prepare(),
    insertText: orm
      .insert(texts)
      .values({ sha256: p('sha256'), body: p('body') })
      .prepare(),
    controlBySha: orm
      .select({ id: controlRevisions.id })
      .from(controlRevisions)
      .where(eq(controlRevisions.sha256, p('sha256')))
      .prepare(),
    insertControl: orm
      .insert(controlRevisions)
      .values({
        sha256: p('sha256'),
        controlId: p('controlId'),
        statementTextId: p('statementTextId'),
        rationaleTextId: p('rationaleTextId'),
        remediationTextId: p('remediationTextId'),
        category: p('category'),
        subCategory: p('subCategory'),
        controlReference: p('controlReference'),
        technologyId: p('technologyId'),
        technologyName: p('technologyName'),
        criticalityValue: p('criticalityValue'),
        criticalityLabel: p('criticalityLabel'),
      })
      .prepare(),
    hostBySha: orm
      .select({ id: hostRevisions.id })
      .from(hostRevisions)
      .where(eq(hostRevisions.sha256, p('sha256')))
      .prepare(),
    insertHost: orm
      .insert(hostRevisions)
      .values({
        sha256: p('sha256'),
        hostId: p('hostId'),
        ip: p('ip'),
        dns: p('dns'),
        netbios: p('netbios'),
        domainName: p('domainName'),
        os: p('os'),
        osCpe: p('osCpe'),
        trackingMethod: p('trackingMethod'),
        networkId: p('networkId'),
        networkName: p('networkName'),
        qgHostId: p('qgHostId'),
        assetId: p('assetId'),
        customerUuid: p('customerUuid'),
        customerId: p('customerId'),
        cloudResourceId: p('cloudResourceId'),
        cloudProvider: p('cloudProvider'),
        cloud: p('cloud'),
      })
      .prepare(),
    postureByIdentity: orm
      .select({ id: postures.id })
      .from(postures)
      .where(
        and(
          eq(postures.policyId, p('policyId')),
          eq(postures.hostId, p('hostId')),
          eq(postures.controlId, p('controlId')),
          eq(postures.instance, p('instance')),
        ),
      )
      .prepare(),
    insertPosture: orm
      .insert(postures)
      .values({ policyId: p('policyId'), hostId: p('hostId'), controlId: p('controlId'), instance: p('instance') })
      .onConflictDoNothing()
      .prepare(),
    stateBySha: orm
      .select({ id: postureStates.id })
      .from(postureStates)
      .where(eq(postureStates.sha256, p('sha256')))
      .prepare(),
    insertState: orm
      .insert(postureStates)
      .values({
        sha256: p('sha256'),
        postureId: p('postureId'),
        recordId: p('recordId'),
        policyTitle: p('policyTitle'),
        status: p('status'),
        previousStatus: p('previousStatus'),
        statusClass: p('statusClass'),
        isException: p('isException'),
        firstFailDate: p('firstFailDate'),
        lastFailDate: p('lastFailDate'),
        firstPassDate: p('firstPassDate'),
        lastPassDate: p('lastPassDate'),
        postureModifiedDate: p('postureModifiedDate'),
        lastEvaluatedDate: p('lastEvaluatedDate'),
        createdDate: p('createdDate'),
        lastScanDate: p('lastScanDate'),
        controlRevisionId: p('controlRevisionId'),
        hostRevisionId: p('hostRevisionId'),
        evidenceSha256: p('evidenceSha256'),
        expectedTextId: p('expectedTextId'),
        currentValues: p('currentValues'),
        actualValues: p('actualValues'),
        extendedTextId: p('extendedTextId'),
        descriptionTextId: p('descriptionTextId'),
        evidenceUpdated: p('evidenceUpdated'),
        causeOfFailure: p('causeOfFailure'),
        dataSizeKb: p('dataSizeKb'),
        raw: p('raw'),
      })
      .onConflictDoNothing()
      .prepare(),
    upsertMember: orm
      .insert(snapshotMembers)
      .values({ snapshotId: p('snapshotId'), postureId: p('postureId'), stateId: p('stateId') })
      .onConflictDoUpdate({
        target: [snapshotMembers.snapshotId, snapshotMembers.postureId],
        set: { stateId: sql`excluded.state_id` },
      })
      .prepare(),
    upsertPolicy: orm
      .insert(policies)
      .values({ id: p('id'), title: p('title') })
      .onConflictDoUpdate({ target: policies.id, set: { title: sql`coalesce(excluded.title, ${policies.title})` } })
      .prepare(),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

function copyBase(store: Store, snapshotId: number, baseSnapshotId: number): void {
  const sqlite = store.sqlite;
  const base = sqlite
    .prepare('SELECT state, host_scope_known AS hostScopeKnown FROM snapshots WHERE id = ?')
    .get(baseSnapshotId) as { state: string; hostScopeKnown: number } | undefined;
  if (!base || base.state !== 'complete') {
    throw new AppError(
      'NOT_FOUND',
      `Base snapshot ${baseSnapshotId} does not exist or is not complete. List snapshots with \`posture-workbench snapshots\`.`,
    );
  }
  sqlite
    .prepare(
      'INSERT INTO snapshot_members (snapshot_id, posture_id, state_id) SELECT ?, posture_id, state_id FROM snapshot_members WHERE snapshot_id = ?',
    )
    .run(snapshotId, baseSnapshotId);
  sqlite
    .prepare('INSERT INTO snapshot_policies (snapshot_id, policy_id) SELECT ?, policy_id FROM snapshot_policies WHERE snapshot_id = ?')
    .run(snapshotId, baseSnapshotId);
  if (base.hostScopeKnown) {
    sqlite
      .prepare(
        'INSERT INTO snapshot_hosts (snapshot_id, policy_id, host_id) SELECT ?, policy_id, host_id FROM snapshot_hosts WHERE snapshot_id = ?',
      )
      .run(snapshotId, baseSnapshotId);
    sqlite.prepare('UPDATE snapshots SET host_scope_known = 1 WHERE id = ?').run(snapshotId);
  }
}

export class SnapshotWriter {
  readonly snapshotId: number;
  private readonly statements: Statements;
  private readonly search: SearchIndexWriter;
  private readonly textIds = new BoundedCache<number>(CACHE_LIMIT);
  private readonly controlIds = new BoundedCache<number>(CACHE_LIMIT);
  private readonly hostIds = new BoundedCache<number>(CACHE_LIMIT);
  private readonly seen = new IdBitSet();
  private readonly literals = new LiteralCache();
  private readonly policyTitles = new Map<number, string | null>();
  private readonly watermarks: Watermarks;
  /** True when the store held no postures when the snapshot began (a first import). */
  private readonly startedEmpty: boolean;
  private pending: PendingRecord[] = [];
  private readonly groups = new Map<number, GroupState>();
  private nextGroupId = 1;
  private added = 0;
  private duplicateCount = 0;
  private closed = false;
  readonly duplicates: DuplicateReport[] = [];

  private constructor(
    private readonly store: Store,
    snapshotId: number,
    watermarks: Watermarks,
  ) {
    this.statements = prepareStatements(store);
    this.search = new SearchIndexWriter(store.sqlite);
    this.snapshotId = snapshotId;
    this.watermarks = watermarks;
    this.startedEmpty = watermarks.postures === 0 && watermarks.postureStates === 0;
  }

  /** Creates a snapshot in state 'building' and returns its writer. */
  static begin(store: Store, start: SnapshotStart): SnapshotWriter {
    const sqlite = store.sqlite;
    const watermarks = readWatermarks(sqlite);

    const create = sqlite.transaction(() => {
      // 1. The snapshot row, in state 'building' so no reader sees it yet.
      const [row] = store.orm
        .insert(snapshots)
        .values({
          label: start.label,
          note: start.note ?? '',
          createdAt: new Date().toISOString(),
          state: 'building',
          ownerPid: process.pid,
          sourceKind: start.sourceKind,
          source: start.source,
          apiVersion: start.apiVersion ?? null,
          params: start.params ?? null,
          baseSnapshotId: start.baseSnapshotId ?? null,
          hostScopeKnown: (start.hostScope?.length ?? 0) > 0,
          watermarks,
        })
        .returning({ id: snapshots.id })
        .all();
      const id = row!.id;

      // 2. An incremental snapshot starts as a copy of its base's members and scope.
      if (start.baseSnapshotId != null) copyBase(store, id, start.baseSnapshotId);

      // 3. A pull's scope is known up front.
      for (const policyId of start.policyScope ?? []) {
        store.orm.insert(snapshotPolicies).values({ snapshotId: id, policyId }).onConflictDoNothing().run();
      }
      for (const host of start.hostScope ?? []) {
        store.orm
          .insert(snapshotHosts)
          .values({ snapshotId: id, policyId: host.policyId, hostId: host.hostId })
          .onConflictDoNothing()
          .run();
      }
      return id;
    });
    return new SnapshotWriter(store, create.immediate(), watermarks);
  }

  /** Reopens a 'building' snapshot (a pull being resumed) for more records. */
  static resume(store: Store, snapshotId: number): SnapshotWriter {
    const row = store.sqlite
      .prepare('SELECT state, watermarks FROM snapshots WHERE id = ?')
      .get(snapshotId) as { state: string; watermarks: string | null } | undefined;
    if (!row) throw new AppError('NOT_FOUND', `Snapshot ${snapshotId} does not exist.`);
    if (row.state !== 'building') {
      throw new AppError('CONFLICT', `Snapshot ${snapshotId} is already complete; there is nothing to resume.`);
    }
    store.sqlite.prepare('UPDATE snapshots SET owner_pid = ? WHERE id = ?').run(process.pid, snapshotId);
    const watermarks = row.watermarks ? (JSON.parse(row.watermarks) as Watermarks) : readWatermarks(store.sqlite);
    return new SnapshotWriter(store, snapshotId, watermarks);
  }

  /** Records accepted so far (duplicates included). */
  get recordCount(): number {
    return this.added + this.pending.length;
  }

  /** Buffers a record; with a group, the record can be dropped again until the group is closed. */
  add(record: IncomingRecord, group?: RecordGroup): void {
    if (this.closed) throw new AppError('INTERNAL', `Snapshot ${this.snapshotId} is already closed.`);
    if (group !== undefined && !this.groups.has(group.id)) {
      throw new AppError('INTERNAL', `Record group ${group.id} of snapshot ${this.snapshotId} is not open.`);
    }
    this.pending.push({ record, group });
    if (this.pending.length >= BATCH_SIZE) this.flush();
  }

  /** Opens a group of records that `dropGroup` can remove as a whole. */
  openGroup(): RecordGroup {
    const group = { id: this.nextGroupId++ };
    this.groups.set(group.id, { postureIds: [], duplicates: 0 });
    return group;
  }

  /**
   * Removes everything a group added: its buffered records, and the member rows its flushed
   * records created. States and texts it wrote stay; they are content-addressed, so a retry
   * reuses them, and `abort` or `collectOrphans` removes them if nothing does.
   */
  dropGroup(group: RecordGroup): void {
    const state = this.groups.get(group.id);
    if (!state) return;
    this.groups.delete(group.id);
    this.pending = this.pending.filter((entry) => entry.group !== group);
    if (state.postureIds.length > 0) {
      const remove = this.store.sqlite.prepare('DELETE FROM snapshot_members WHERE snapshot_id = ? AND posture_id = ?');
      this.store.sqlite.transaction(() => {
        for (const postureId of state.postureIds) remove.run(this.snapshotId, postureId);
      }).immediate();
    }
    for (const postureId of state.postureIds) this.seen.delete(postureId);
    this.added -= state.postureIds.length + state.duplicates;
    this.duplicateCount -= state.duplicates;
  }

  /** Forgets a group's bookkeeping once its records are committed for good. */
  closeGroup(group: RecordGroup): void {
    this.groups.delete(group.id);
  }

  /** Commits the buffered records in one transaction. */
  flush(): void {
    if (this.pending.length === 0) return;
    this.writeBatch(() => {});
  }

  /**
   * Runs `work` inside one transaction with a flush of everything buffered, so a pull can
   * commit a slice's records and mark the slice done atomically.
   */
  commit(work: () => void = () => {}): void {
    this.writeBatch(work);
  }

  /** Writes the buffered records and runs `work` in one write transaction. */
  private writeBatch(work: () => void): void {
    const batch = this.pending;
    this.pending = [];
    this.search.transaction(() => {
      for (const entry of batch) this.write(entry.record, entry.group);
      work();
    });
    this.added += batch.length;
  }

  private textId(body: string | null): number | null {
    if (body === null) return null;
    const cached = this.textIds.get(body);
    if (cached !== undefined) return cached;
    const digest = sha256(body);
    const found = this.statements.textBySha.values({ sha256: digest })[0];
    const id = found ? (found[0] as number) : Number(this.statements.insertText.run({ sha256: digest, body }).lastInsertRowid);
    this.textIds.set(body, id);
    return id;
  }

  private controlRevisionId(posture: NormalisedPosture, references: TextReference[]): number {
    const control = posture.control;
    const statementTextId = this.textId(control.statement);
    const rationaleTextId = this.textId(control.rationale);
    const remediationTextId = this.textId(control.remediation);
    if (statementTextId !== null) references.push({ id: statementTextId, body: control.statement! });
    if (rationaleTextId !== null) references.push({ id: rationaleTextId, body: control.rationale! });
    if (remediationTextId !== null) references.push({ id: remediationTextId, body: control.remediation! });
    const values = {
      controlId: control.controlId,
      statementTextId,
      rationaleTextId,
      remediationTextId,
      category: control.category,
      subCategory: control.subCategory,
      controlReference: control.controlReference,
      technologyId: control.technologyId,
      technologyName: control.technologyName,
      criticalityValue: control.criticalityValue,
      criticalityLabel: control.criticalityLabel,
    };
    const key = JSON.stringify(Object.values(values));
    const cached = this.controlIds.get(key);
    if (cached !== undefined) return cached;
    const digest = sha256(key);
    const found = this.statements.controlBySha.values({ sha256: digest })[0];
    const id = found ? (found[0] as number) : Number(this.statements.insertControl.run({ sha256: digest, ...values }).lastInsertRowid);
    this.controlIds.set(key, id);
    return id;
  }

  private hostRevisionId(posture: NormalisedPosture): number {
    const host = posture.host;
    const values = {
      hostId: host.hostId,
      ip: host.ip,
      dns: host.dns,
      netbios: host.netbios,
      domainName: host.domainName,
      os: host.os,
      osCpe: host.osCpe,
      trackingMethod: host.trackingMethod,
      networkId: host.networkId,
      networkName: host.networkName,
      qgHostId: host.qgHostId,
      assetId: host.assetId,
      customerUuid: host.customerUuid,
      customerId: host.customerId,
      cloudResourceId: host.cloudResourceId,
      cloudProvider: host.cloud?.provider ?? null,
      cloud: host.cloud as Record<string, unknown> | null,
    };
    const key = JSON.stringify(Object.values(values));
    const cached = this.hostIds.get(key);
    if (cached !== undefined) return cached;
    const digest = sha256(key);
    const found = this.statements.hostBySha.values({ sha256: digest })[0];
    const id = found ? (found[0] as number) : Number(this.statements.insertHost.run({ sha256: digest, ...values }).lastInsertRowid);
    this.hostIds.set(key, id);
    return id;
  }

  private write(record: IncomingRecord, group: RecordGroup | undefined): void {
    const { posture } = record;
    const s = this.statements;

    // 1. Identity.
    const identity = {
      policyId: posture.policyId,
      hostId: posture.hostId,
      controlId: posture.controlId,
      instance: posture.instance,
    };
    const postureId = this.findOrInsertPosture(identity);

    if (posture.policyTitle !== null || !this.policyTitles.has(posture.policyId)) {
      if (this.policyTitles.get(posture.policyId) !== posture.policyTitle) {
        this.policyTitles.set(posture.policyId, posture.policyTitle);
        s.upsertPolicy.run({ id: posture.policyId, title: posture.policyTitle });
      }
    }

    // 2. State: an identical record seen before (any snapshot) is reused as is.
    const digest = sha256(record.bytes);
    const stateId = this.findOrInsertState(record, postureId, digest);

    // 3. Membership; a posture seen twice in one input keeps its later record.
    const groupState = group === undefined ? undefined : this.groups.get(group.id);
    if (this.seen.has(postureId)) {
      this.duplicateCount++;
      if (groupState) groupState.duplicates++;
      if (this.duplicates.length < 1000) this.duplicates.push(identity);
    } else {
      this.seen.add(postureId);
      groupState?.postureIds.push(postureId);
    }
    s.upsertMember.run({ snapshotId: this.snapshotId, postureId, stateId });
  }

  // In a store that was empty when the snapshot began nearly every posture and state is
  // new, so inserting first and looking up only on a conflict saves a query per record.
  // Elsewhere most records repeat an earlier pull, so looking up first is cheaper.
  private findOrInsertPosture(identity: { policyId: number; hostId: number; controlId: number; instance: string }): number {
    const s = this.statements;
    if (!this.startedEmpty) {
      const existing = s.postureByIdentity.values(identity)[0];
      if (existing) return existing[0] as number;
    }
    const inserted = s.insertPosture.run(identity);
    if (inserted.changes > 0) return Number(inserted.lastInsertRowid);
    return s.postureByIdentity.values(identity)[0]![0] as number;
  }

  private findOrInsertState(record: IncomingRecord, postureId: number, digest: Buffer): number {
    const s = this.statements;
    if (!this.startedEmpty) {
      const existing = s.stateBySha.values({ sha256: digest })[0];
      if (existing) return existing[0] as number;
    }
    const inserted = this.insertState(record, postureId, digest);
    if (inserted !== null) return inserted;
    return s.stateBySha.values({ sha256: digest })[0]![0] as number;
  }

  /** Inserts a new state; returns null when a state with the same bytes already exists. */
  private insertState(record: IncomingRecord, postureId: number, digest: Buffer): number | null {
    const { posture } = record;
    const references: TextReference[] = [];
    const controlRevisionId = this.controlRevisionId(posture, references);
    const hostRevisionId = this.hostRevisionId(posture);
    const evidence = posture.evidence;
    let expectedTextId: number | null = null;
    let extendedTextId: number | null = null;
    let descriptionTextId: number | null = null;
    let evidenceSha256: Buffer | null = null;
    if (evidence) {
      expectedTextId = this.textId(evidence.expected);
      extendedTextId = this.textId(evidence.extended);
      descriptionTextId = this.textId(evidence.description);
      if (expectedTextId !== null) references.push({ id: expectedTextId, body: evidence.expected! });
      if (extendedTextId !== null) references.push({ id: extendedTextId, body: evidence.extended! });
      if (descriptionTextId !== null) references.push({ id: descriptionTextId, body: evidence.description! });
      evidenceSha256 = sha256(
        JSON.stringify([evidence.expected, evidence.current, evidence.actual, evidence.extended, evidence.causeOfFailure]),
      );
    }
    const inserted = this.statements.insertState.run({
      sha256: digest,
      postureId,
      recordId: posture.recordId,
      policyTitle: posture.policyTitle,
      status: posture.status,
      previousStatus: posture.previousStatus,
      statusClass: posture.statusClass,
      isException: posture.isException,
      firstFailDate: posture.firstFailDate,
      lastFailDate: posture.lastFailDate,
      firstPassDate: posture.firstPassDate,
      lastPassDate: posture.lastPassDate,
      postureModifiedDate: posture.postureModifiedDate,
      lastEvaluatedDate: posture.lastEvaluatedDate,
      createdDate: posture.createdDate,
      lastScanDate: posture.lastScanDate,
      controlRevisionId,
      hostRevisionId,
      evidenceSha256,
      expectedTextId,
      currentValues: evidence?.current ?? null,
      actualValues: evidence?.actual ?? null,
      extendedTextId,
      descriptionTextId,
      evidenceUpdated: evidence?.lastUpdated ?? null,
      causeOfFailure: evidence?.causeOfFailure ?? null,
      dataSizeKb: posture.dataSizeKb,
      raw: encodeRaw(record.bytes, references, this.literals),
    });
    if (inserted.changes === 0) return null;
    const stateId = Number(inserted.lastInsertRowid);
    this.search.stateValues(stateId, storedJson(evidence?.current), storedJson(evidence?.causeOfFailure));
    return stateId;
  }

  /**
   * Commits what is left and makes the snapshot visible. `filePolicies` is the scope of a
   * file import (the policies seen in its records), added to any scope set at begin.
   */
  finish(details: {
    inputSha256?: string | null;
    inputBytes?: number | null;
    rejected?: number;
    filePolicies?: Iterable<number>;
  }): SnapshotSummary {
    this.flush();
    const sqlite = this.store.sqlite;
    const id = this.snapshotId;
    const summary = sqlite.transaction(() => {
      // 1. Scope from the records, for file imports.
      const addPolicy = sqlite.prepare('INSERT OR IGNORE INTO snapshot_policies (snapshot_id, policy_id) VALUES (?, ?)');
      for (const policyId of details.filePolicies ?? []) addPolicy.run(id, policyId);

      // 2. Counts by verbatim status.
      const rows = sqlite
        .prepare(
          'SELECT s.status AS status, count(*) AS count FROM snapshot_members m JOIN posture_states s ON s.id = m.state_id WHERE m.snapshot_id = ? GROUP BY s.status',
        )
        .all(id) as { status: string; count: number }[];
      const statusCounts: Record<string, number> = {};
      let records = 0;
      for (const row of rows) {
        statusCounts[row.status] = row.count;
        records += row.count;
      }

      // 3. Content hash and completion.
      const contentSha256 = computeContentSha256(sqlite, id);
      sqlite
        .prepare(
          `UPDATE snapshots SET state = 'complete', completed_at = ?, owner_pid = NULL, record_count = ?,
             status_counts = ?, duplicates = duplicates + ?, rejected = rejected + ?, input_sha256 = coalesce(?, input_sha256),
             input_bytes = coalesce(?, input_bytes), content_sha256 = ? WHERE id = ?`,
        )
        .run(
          new Date().toISOString(),
          records,
          JSON.stringify(statusCounts),
          this.duplicateCount,
          details.rejected ?? 0,
          details.inputSha256 ?? null,
          details.inputBytes ?? null,
          contentSha256,
          id,
        );
      return { snapshotId: id, records, duplicates: this.duplicateCount, rejected: details.rejected ?? 0, statusCounts };
    }).immediate();
    this.closed = true;

    // Pass-rate counts per policy and host, so trend charts never scan a whole snapshot.
    ensureStatusCounts(this.store, id);
    return summary;
  }

  /** Saves the duplicate count so far on a snapshot that stays 'building' (a paused pull). */
  suspend(): void {
    this.flush();
    this.store.sqlite
      .prepare('UPDATE snapshots SET duplicates = duplicates + ?, owner_pid = NULL WHERE id = ?')
      .run(this.duplicateCount, this.snapshotId);
    this.duplicateCount = 0;
    this.closed = true;
  }

  /** Removes the unfinished snapshot and every row it alone added. */
  abort(): void {
    this.pending = [];
    this.groups.clear();
    this.closed = true;
    const sqlite = this.store.sqlite;
    sqlite.transaction(() => collectGarbageAbove(sqlite, this.snapshotId, this.watermarks)).immediate();
  }
}
