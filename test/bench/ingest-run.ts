/**
 * One measured import run, in its own process so its peak RSS is its own. Prints one JSON
 * line: {records, seconds, maxRssMb, dbBytes}.
 *
 *   ours FILE DB      the streaming pipeline (importFiles)
 *   baseline FILE DB  whole-file read + JSON.parse + plain prepared better-sqlite3 inserts
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { normaliseRecord, type NormalisedPosture } from '../../electron/ingest/normalise.js';

const [mode, file, dbPath] = process.argv.slice(2);
if (!mode || !file || !dbPath) throw new Error('usage: ingest-run.ts ours|baseline FILE DB');

function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Imports the naive way: the whole file in memory, then one prepared statement per table. */
function baselineImport(store: Store, path: string): number {
  const compressed = readFileSync(path);
  const text = (compressed[0] === 0x1f && compressed[1] === 0x8b ? gunzipSync(compressed) : compressed).toString('utf8');
  const records = JSON.parse(text) as unknown[];
  const db = store.sqlite;
  const now = new Date().toISOString();
  const snapshotId = Number(
    db
      .prepare("INSERT INTO snapshots (label, created_at, state, source_kind, source) VALUES ('baseline', ?, 'building', 'file', ?)")
      .run(now, path).lastInsertRowid,
  );
  const textBySha = db.prepare('SELECT id FROM texts WHERE sha256 = ?').pluck();
  const insertText = db.prepare('INSERT INTO texts (sha256, body) VALUES (?, ?)');
  const controlBySha = db.prepare('SELECT id FROM control_revisions WHERE sha256 = ?').pluck();
  const insertControl = db.prepare(
    `INSERT INTO control_revisions (sha256, control_id, statement_text_id, rationale_text_id, remediation_text_id, category,
       sub_category, control_reference, technology_id, technology_name, criticality_value, criticality_label)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const hostBySha = db.prepare('SELECT id FROM host_revisions WHERE sha256 = ?').pluck();
  const insertHost = db.prepare(
    `INSERT INTO host_revisions (sha256, host_id, ip, dns, netbios, domain_name, os, os_cpe, tracking_method, network_id,
       network_name, qg_host_id, asset_id, customer_uuid, customer_id, cloud_resource_id, cloud_provider, cloud)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const postureByIdentity = db
    .prepare('SELECT id FROM postures WHERE policy_id = ? AND host_id = ? AND control_id = ? AND instance = ?')
    .pluck();
  const insertPosture = db.prepare('INSERT INTO postures (policy_id, host_id, control_id, instance) VALUES (?, ?, ?, ?)');
  const stateBySha = db.prepare('SELECT id FROM posture_states WHERE sha256 = ?').pluck();
  const insertState = db.prepare(
    `INSERT INTO posture_states (sha256, posture_id, record_id, policy_title, status, previous_status, status_class,
       is_exception, first_fail_date, last_fail_date, first_pass_date, last_pass_date, posture_modified_date,
       last_evaluated_date, created_date, last_scan_date, control_revision_id, host_revision_id, evidence_sha256,
       expected_text_id, current_values, actual_values, extended_text_id, description_text_id, evidence_updated,
       cause_of_failure, data_size_kb, raw)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertMember = db.prepare(
    'INSERT INTO snapshot_members (snapshot_id, posture_id, state_id) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET state_id = excluded.state_id',
  );

  const textId = (body: string | null): number | null => {
    if (body === null) return null;
    const digest = sha256(body);
    return (textBySha.get(digest) as number | undefined) ?? Number(insertText.run(digest, body).lastInsertRowid);
  };
  const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

  const write = (posture: NormalisedPosture, raw: Buffer) => {
    const control = posture.control;
    const controlValues = [
      control.controlId,
      textId(control.statement),
      textId(control.rationale),
      textId(control.remediation),
      control.category,
      control.subCategory,
      control.controlReference,
      control.technologyId,
      control.technologyName,
      control.criticalityValue,
      control.criticalityLabel,
    ];
    const controlSha = sha256(JSON.stringify(controlValues));
    const controlId = (controlBySha.get(controlSha) as number | undefined) ?? Number(insertControl.run(controlSha, ...controlValues).lastInsertRowid);
    const host = posture.host;
    const hostValues = [
      host.hostId, host.ip, host.dns, host.netbios, host.domainName, host.os, host.osCpe, host.trackingMethod, host.networkId,
      host.networkName, host.qgHostId, host.assetId, host.customerUuid, host.customerId, host.cloudResourceId,
      host.cloud?.provider ?? null, json(host.cloud),
    ];
    const hostSha = sha256(JSON.stringify(hostValues));
    const hostId = (hostBySha.get(hostSha) as number | undefined) ?? Number(insertHost.run(hostSha, ...hostValues).lastInsertRowid);
    const identity = [posture.policyId, posture.hostId, posture.controlId, posture.instance];
    const postureId = (postureByIdentity.get(...identity) as number | undefined) ?? Number(insertPosture.run(...identity).lastInsertRowid);
    const stateSha = sha256(raw);
    let stateId = stateBySha.get(stateSha) as number | undefined;
    if (stateId === undefined) {
      const evidence = posture.evidence;
      stateId = Number(
        insertState.run(
          stateSha, postureId, posture.recordId, posture.policyTitle, posture.status, posture.previousStatus, posture.statusClass,
          posture.isException ? 1 : 0, posture.firstFailDate, posture.lastFailDate, posture.firstPassDate, posture.lastPassDate,
          posture.postureModifiedDate, posture.lastEvaluatedDate, posture.createdDate, posture.lastScanDate, controlId, hostId,
          evidence ? sha256(JSON.stringify([evidence.expected, evidence.current, evidence.actual, evidence.extended, evidence.causeOfFailure])) : null,
          textId(evidence?.expected ?? null), json(evidence?.current), json(evidence?.actual), textId(evidence?.extended ?? null),
          textId(evidence?.description ?? null), evidence?.lastUpdated ?? null, json(evidence?.causeOfFailure), posture.dataSizeKb, raw,
        ).lastInsertRowid,
      );
    }
    insertMember.run(snapshotId, postureId, stateId);
  };

  const batch = db.transaction((slice: unknown[]) => {
    for (const record of slice) write(normaliseRecord(record), Buffer.from(JSON.stringify(record)));
  });
  for (let start = 0; start < records.length; start += 2000) batch(records.slice(start, start + 2000));
  db.prepare("UPDATE snapshots SET state = 'complete', record_count = ? WHERE id = ?").run(records.length, snapshotId);
  return records.length;
}

const store = openStore(dbPath);
const started = performance.now();
let records: number;
if (mode === 'ours') {
  records = (await importFiles(store, [file])).records;
} else if (mode === 'baseline') {
  records = baselineImport(store, file);
} else {
  throw new Error(`unknown mode ${mode}`);
}
const seconds = (performance.now() - started) / 1000;
store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
store.close();
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ records, seconds, maxRssMb, dbBytes: statSync(dbPath).size }) + '\n');
