/**
 * A seeded generator of realistic posture records (v3 shape, about 2.5 KB each with
 * evidence), for import tests and the ingest benchmark. Records are produced lazily and
 * written as a stream, so a million of them never sit in memory.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';

export interface GeneratorOptions {
  records: number;
  seed?: number;
  /** Postures per host; hosts = records / controlsPerHost. */
  controlsPerHost?: number;
  policyId?: number;
  /** Changes the status of about this share of postures (0..1), seeded by `variant`. */
  statusChangeShare?: number;
  variant?: number;
}

const CONTROL_TEXTS = [
  ["Status of the 'Minimum Password Length' setting", '/etc/login.defs', 'PASS_MIN_LEN'],
  ["Status of the 'PermitRootLogin' setting in sshd_config", '/etc/ssh/sshd_config', 'PermitRootLogin'],
  ["Status of the 'telnet' service (Unix/Linux)", '/etc/inetd.conf', 'telnet'],
  ["Status of the 'Maximum Password Age' setting", '/etc/login.defs', 'PASS_MAX_DAYS'],
  ["Status of the 'net.ipv4.conf.all.send_redirects' setting", '/etc/sysctl.conf', 'send_redirects'],
  ["Status of the 'Audit Logon Events' policy", 'HKLM\\SYSTEM\\Audit', 'AuditLogon'],
] as const;

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns a stable pseudo-random number in [0, 1) for one posture and one variant. */
function hashUnit(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x165667b1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

export function generateRecord(index: number, options: GeneratorOptions): Record<string, unknown> {
  const controlsPerHost = options.controlsPerHost ?? 200;
  const hostIndex = Math.floor(index / controlsPerHost);
  const controlIndex = index % controlsPerHost;
  const random = mulberry32((options.seed ?? 1) * 1_000_003 + index);
  const text = CONTROL_TEXTS[controlIndex % CONTROL_TEXTS.length]!;
  const controlId = 1000 + controlIndex;
  const hostId = 5_000_000 + hostIndex;
  let failed = random() < 0.3;
  if (options.statusChangeShare && hashUnit(index, options.variant ?? 0) < options.statusChangeShare) failed = !failed;
  const value = failed ? 5 + Math.floor(random() * 3) : 14 + Math.floor(random() * 4);
  return {
    id: 20_000_000 + index,
    instance: 'os',
    policyId: options.policyId ?? 1455112,
    policyTitle: 'Linux baseline',
    netBios: `HOST-${hostIndex}`,
    controlId,
    controlStatement: `${text[0]} (control ${controlId})`,
    rationale:
      `Control ${controlId} limits exposure of ${text[2]}. Each weak setting widens the attack surface of the host; ` +
      'attackers routinely probe such settings first, so the value should follow the organisation\'s baseline. ' +
      'The check reads the configuration file directly and does not rely on cached agent data. '.repeat(3),
    remediation: `Edit ${text[1]} and set ${text[2]} according to the baseline, then restart the affected service.\n\nExample:\n${text[2]} 14`,
    category: 'Access Control Requirements',
    subCategory: 'Authentication/Passwords',
    controlReference: null,
    technologyId: 43,
    status: failed ? 'Failed' : 'Passed',
    previousStatus: failed ? 'Passed' : 'Passed',
    firstFailDate: failed ? '2024-11-06T10:40:30Z' : '',
    lastFailDate: failed ? '2024-11-15T01:22:58Z' : '',
    firstPassDate: failed ? '' : '2024-11-06T10:40:30Z',
    lastPassDate: failed ? '' : '2024-11-15T01:22:58Z',
    postureModifiedDate: '2024-11-06T10:40:30Z',
    lastEvaluatedDate: '2024-11-15T01:22:58Z',
    created: '2025-02-05T06:01:09Z',
    hostId,
    ip: `10.${20 + (hostIndex >> 16)}.${(hostIndex >> 8) & 255}.${hostIndex & 255}`,
    trackingMethod: hostIndex % 5 === 0 ? 'AGENT' : 'IP',
    os: 'CentOS 7.9',
    osCpe: 'cpe:/o:centos:centos:7.9:::',
    domainName: 'corp.example.test',
    dns: `host-${hostIndex}.corp.example.test`,
    qgHostid: null,
    networkId: 0,
    networkName: 'Global Default Network',
    complianceLastScanDate: '2024-11-06T10:42:29Z',
    customerUuid: 'e57ba830-15e4-714c-8243-6d1740d3577e',
    customerId: '2309240',
    assetId: 50_000_000 + hostIndex,
    technology: { id: 43, name: 'CentOS 7.x' },
    criticality: { label: ['MINIMAL', 'MEDIUM', 'SERIOUS', 'CRITICAL', 'URGENT'][controlIndex % 5], value: 1 + (controlIndex % 5) },
    evidence: {
      expectedValues: '\nSetting not found\n------------ OR ------------\nFile not found\n------------ OR ------------\ngreater than or equal to\n14',
      currentValues: [String(value)],
      actualValues: null,
      directoryFimUdc: null,
      lastUpdated: '2024-11-06T10:42:29Z',
      extendedEvidence: `Row 1:File name,Setting,Value\nRow 2:${text[1]},${text[2]},${value}\n`,
      description: `The following Integer value X indicates the current value of the ${text[2]} setting as defined within ${text[1]}.`,
    },
    causeOfFailure: failed ? { missing: { logic: null, value: ['14'] }, unexpected: { value: [String(value)] } } : null,
    userDefinedAttributesList: null,
    currentDataSizeKB: '2.45',
    totalDataSizeKB: '480.20',
    currentBatch: 1,
    totalBatches: 1,
    CLOUD_RESOURCE_ID: null,
  };
}

async function writeAll(out: Writable, options: GeneratorOptions): Promise<void> {
  out.write('[\n');
  for (let index = 0; index < options.records; index++) {
    const line = (index === 0 ? '' : ',\n') + JSON.stringify(generateRecord(index, options));
    if (!out.write(line)) await once(out, 'drain');
  }
  out.write('\n]\n');
}

/** Writes `options.records` records as one JSON array, gzip-compressed when `gzip`. */
export async function writePostureFile(path: string, options: GeneratorOptions & { gzip?: boolean }): Promise<void> {
  const file = createWriteStream(path);
  if (options.gzip) {
    const gzip = createGzip({ level: 6 });
    gzip.pipe(file);
    await writeAll(gzip, options);
    gzip.end();
  } else {
    await writeAll(file, options);
    file.end();
  }
  await once(file, 'close');
}
