// The seeded data set: subscription, policies, hosts and the state of each posture on any day.
// Every value is a pure function of (seed, indexes, day), so a posture's state on day D is
// computed in O(1) without generating the days before it.

import { CONTROLS, CRITICALITY_LABELS, DB_TECHNOLOGIES, TECHNOLOGIES } from './catalog.js';
import type { ControlTemplate, Family, Technology } from './catalog.js';
import { Salt, hash32, mod, pick, unit } from './hash.js';

export interface DataOptions {
  /** Seed of every generated value (integer). */
  seed?: number;
  /** Number of hosts in the subscription. */
  hosts?: number;
  /** Number of policies. */
  policies?: number;
  /** Controls in each policy. A host receives only those of its own technology. */
  controlsPerPolicy?: number;
  /** Day of the simulated timeline, where day 0 is 2025-06-02 UTC. */
  day?: number;
  /** Share of postures whose status changes from one day to the next (0 to 1). */
  statusChangeRate?: number;
  /** Share of postures whose evidence changes from one day to the next (0 to 1). */
  evidenceChangeRate?: number;
  /** Index (0-based) of a host whose first control per policy carries a huge extended evidence. */
  bigEvidenceHost?: number | null;
  /** Size of that evidence in MiB. */
  bigEvidenceMb?: number;
  /** Hosts per batch for the currentBatch and totalBatches record fields. */
  batchHosts?: number;
}

export type ResolvedDataOptions = Required<DataOptions>;

export const DEFAULT_DATA_OPTIONS: ResolvedDataOptions = {
  seed: 1,
  hosts: 60,
  policies: 3,
  controlsPerPolicy: 40,
  day: 0,
  statusChangeRate: 0.05,
  evidenceChangeRate: 0.01,
  bigEvidenceHost: null,
  bigEvidenceMb: 4,
  batchHosts: 250,
};

export function resolveDataOptions(options: DataOptions = {}): ResolvedDataOptions {
  const resolved = { ...DEFAULT_DATA_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && key in resolved) (resolved as Record<string, unknown>)[key] = value;
  }
  for (const key of ['seed', 'hosts', 'policies', 'controlsPerPolicy', 'day', 'batchHosts'] as const) {
    if (!Number.isInteger(resolved[key])) throw new RangeError(`Invalid simulator option ${key}: ${resolved[key]} is not an integer.`);
  }
  if (resolved.hosts < 0 || resolved.policies < 0 || resolved.controlsPerPolicy < 1 || resolved.batchHosts < 1) {
    throw new RangeError('Invalid simulator options: hosts and policies must be >= 0, controlsPerPolicy and batchHosts >= 1.');
  }
  for (const key of ['statusChangeRate', 'evidenceChangeRate'] as const) {
    if (!(resolved[key] > 0 && resolved[key] <= 1)) throw new RangeError(`Invalid simulator option ${key}: ${resolved[key]} must be in (0, 1].`);
  }
  return resolved;
}

export const DAY_MS = 86_400_000;
/** Start of day 0 of the timeline. */
export const DAY_ZERO_MS = Date.UTC(2025, 5, 2);

export function dayStartMs(day: number): number {
  return DAY_ZERO_MS + day * DAY_MS;
}

/** Formats epoch milliseconds the way the API does: seconds precision, `Z` suffix. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface Subscription {
  subscriptionId: number;
  customerId: string;
  customerUuid: string;
}

export interface CloudInfo {
  provider: 'AWS' | 'Azure' | 'GCP';
  service: string;
  resourceId: string;
  resourceType: string;
  accountId: string;
  imageId: string | null;
  /** Metadata as the API sends it: a single-quoted, Python-style dict in a string. */
  resourceMetadata: string;
}

export interface Host {
  index: number;
  id: number;
  assetId: number;
  ip: string;
  dns: string | null;
  netBios: string | null;
  domainName: string | null;
  trackingMethod: 'IP' | 'DNS' | 'AGENT' | 'EC2';
  qgHostid: string | null;
  technology: Technology;
  /** Database instance on the host, if any, with the instance string used in records. */
  database: { technology: Technology; instance: string } | null;
  cloud: CloudInfo | null;
  /** Seconds after midnight UTC at which the host is scanned every day. */
  scanSecond: number;
}

export interface PolicyControl {
  /** Position in the policy, used in posture keys and IDs. */
  index: number;
  template: ControlTemplate;
  /** Control ID. Templates reused past the catalog size get IDs from 100000 up. */
  cid: number;
  statement: string;
  inactive: boolean;
  criticalityLabel: string;
}

export interface Policy {
  index: number;
  id: number;
  title: string;
  status: 'active' | 'inactive';
  locked: 0 | 1;
  controls: PolicyControl[];
  controlsByFamily: Record<Family, PolicyControl[]>;
}

const POLICY_TITLES = [
  'CIS Benchmark Servers - Linux and Windows',
  'Corporate Hardening Baseline 2025',
  'PCI DSS 4.0 Cardholder Data Environment',
  'ISO 27001 Annex A Technical Controls',
  'Database Security Standard',
  'NIST 800-53 Moderate Baseline',
];

/** Computes all derived, day-independent parts of a data set once. */
export class DataSet {
  readonly options: ResolvedDataOptions;
  readonly subscription: Subscription;
  readonly policies: Policy[];
  private readonly policyIndexById = new Map<number, number>();

  constructor(options: DataOptions = {}) {
    this.options = resolveDataOptions(options);
    const seed = this.options.seed;
    const uuidHex = [0, 1, 2, 3].map((i) => hash32(seed, 900, i).toString(16).padStart(8, '0')).join('');
    this.subscription = {
      subscriptionId: 4_000_000 + pick(1_000_000, seed, 901),
      customerId: String(1_000_000 + pick(1_000_000, seed, 902)),
      customerUuid: `${uuidHex.slice(0, 8)}-${uuidHex.slice(8, 12)}-${uuidHex.slice(12, 16)}-${uuidHex.slice(16, 20)}-${uuidHex.slice(20, 32)}`,
    };
    this.policies = [];
    for (let p = 0; p < this.options.policies; p++) {
      const policy = this.buildPolicy(p);
      this.policies.push(policy);
      this.policyIndexById.set(policy.id, p);
    }
  }

  private buildPolicy(p: number): Policy {
    const seed = this.options.seed;
    // Seeded Fisher-Yates shuffle of the catalog. Controls past the catalog size reuse templates
    // under new IDs, as customer-defined copies of vendor controls do.
    const order = CONTROLS.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = pick(i + 1, seed, Salt.policyControls, p, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const controls: PolicyControl[] = [];
    const byFamily: Record<Family, PolicyControl[]> = { linux: [], windows: [], mssql: [], oracle: [] };
    for (let c = 0; c < this.options.controlsPerPolicy; c++) {
      const template = CONTROLS[order[c % order.length]!]!;
      const copy = Math.floor(c / order.length);
      const criticalityLabel = p % 2 === 1 && template.criticality === 5 ? 'high updated' : CRITICALITY_LABELS[template.criticality]!;
      const control: PolicyControl = {
        index: c,
        template,
        cid: copy === 0 ? template.cid : 100_000 + copy * 1000 + (order[c % order.length] ?? 0),
        statement: copy === 0 ? template.statement : `${template.statement} (custom check ${copy})`,
        inactive: unit(seed, Salt.inactive, p, c) < 0.08,
        criticalityLabel,
      };
      controls.push(control);
      byFamily[template.family].push(control);
    }
    const title = POLICY_TITLES[p % POLICY_TITLES.length]!;
    return {
      index: p,
      id: 1_438_000 + p * 1117 + pick(1000, seed, 903),
      title: p < POLICY_TITLES.length ? title : `${title} (${Math.floor(p / POLICY_TITLES.length) + 1})`,
      status: p % 5 === 4 ? 'inactive' : 'active',
      locked: p % 3 === 0 ? 1 : 0,
      controls,
      controlsByFamily: byFamily,
    };
  }

  policyById(id: number): Policy | undefined {
    const index = this.policyIndexById.get(id);
    return index === undefined ? undefined : this.policies[index];
  }

  hostIdOf(index: number): number {
    return 6_000_000 + index * 7;
  }

  /** Returns the host index for a host ID, or -1 when no host has that ID. */
  hostIndexOf(id: number): number {
    const offset = id - 6_000_000;
    if (!Number.isInteger(offset) || offset < 0 || offset % 7 !== 0) return -1;
    const index = offset / 7;
    return index < this.options.hosts ? index : -1;
  }

  /** Tells whether a policy covers a host. The first policy covers every host. */
  isMember(policy: Policy, hostIndex: number): boolean {
    return policy.index === 0 || unit(this.options.seed, Salt.policyMember, policy.index, hostIndex) < 0.85;
  }

  /** Returns the controls of a policy that apply to a host, in policy order. */
  controlsFor(policy: Policy, host: Host): PolicyControl[] {
    const own = policy.controlsByFamily[host.technology.family];
    if (!host.database) return own;
    return [...own, ...policy.controlsByFamily[host.database.technology.family as Family]].sort((a, b) => a.index - b.index);
  }

  host(index: number): Host {
    return buildHost(this.options.seed, index, this.hostIdOf(index));
  }

  /** Epoch milliseconds of the host's compliance scan on a day. */
  scanMs(host: Host, day: number): number {
    return dayStartMs(day) + host.scanSecond * 1000;
  }
}

const CITY_NAMES = ['Zürich-DC-01', 'サーバー', 'São-Paulo-App', 'Kraków-DB'];

function buildHost(seed: number, index: number, id: number): Host {
  const isWindows = unit(seed, Salt.hostTech, index) < 0.45;
  const family: Family = isWindows ? 'windows' : 'linux';
  const familyTechs = TECHNOLOGIES.filter((t) => t.family === family);
  const technology = familyTechs[pick(familyTechs.length, seed, Salt.hostTech, index, 1)]!;

  const number = String(index + 1).padStart(4, '0');
  // A fixed share of hosts carries non-ASCII names, placed by index so that small data sets have them too.
  const special = index % 29 === 3 ? CITY_NAMES[Math.floor(index / 29) % CITY_NAMES.length]! : null;
  const shortName = special ?? (isWindows ? `WIN-SRV-${number}` : `lnx-app-${number}`);
  const domainName = unit(seed, Salt.hostName, index) < 0.12 ? null : 'corp.example.com';
  const dns = unit(seed, Salt.hostName, index, 1) < 0.08 ? null : `${shortName.toLowerCase()}.${domainName ?? 'example.net'}`;
  const netBios = isWindows || special ? shortName.toUpperCase().slice(0, 15) : null;

  const cloudRoll = unit(seed, Salt.hostCloud, index);
  let cloud: CloudInfo | null = null;
  let trackingMethod: Host['trackingMethod'];
  let qgHostid: string | null = null;
  const ip = `10.${20 + Math.floor(index / 65_024)}.${Math.floor(index / 254) % 256}.${(index % 254) + 1}`;
  if (cloudRoll < 0.12) {
    cloud = buildCloud(seed, index, ip);
    trackingMethod = cloud.provider === 'AWS' ? 'EC2' : 'AGENT';
  } else {
    const roll = unit(seed, Salt.hostTracking, index);
    if (roll < 0.5) trackingMethod = 'IP';
    else if (roll < 0.7) trackingMethod = 'DNS';
    else trackingMethod = 'AGENT';
  }
  if (trackingMethod === 'AGENT') {
    const h = [0, 1, 2, 3].map((i) => hash32(seed, Salt.host, index, i).toString(16).padStart(8, '0')).join('');
    qgHostid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  let database: Host['database'] = null;
  if (unit(seed, Salt.hostDb, index) < 0.1) {
    database = isWindows
      ? { technology: DB_TECHNOLOGIES.mssql, instance: 'MSSQL 2016:1:1433:MSSQLSERVER:DB' }
      : { technology: DB_TECHNOLOGIES.oracle, instance: `oracle19cdb:1:1521:orcl${number}` };
  }

  return {
    index,
    id,
    assetId: 40_000_000 + index * 3 + 1,
    ip,
    dns,
    netBios,
    domainName: trackingMethod === 'AGENT' || trackingMethod === 'DNS' ? domainName : null,
    trackingMethod,
    qgHostid,
    technology,
    database,
    cloud,
    scanSecond: 3600 + pick(68_400, seed, Salt.scanTime, index),
  };
}

function buildCloud(seed: number, index: number, ip: string): CloudInfo {
  const providerRoll = pick(3, seed, Salt.hostCloud, index, 1);
  const digits = (n: number, salt: number) => String(hash32(seed, Salt.hostCloud, index, salt)).padStart(10, '0').slice(0, n);
  const publicIp = `203.0.113.${(index % 250) + 1}`;
  if (providerRoll === 0) {
    const resourceId = `i-0${hash32(seed, Salt.hostCloud, index, 2).toString(16).padStart(8, '0')}${hash32(seed, Salt.hostCloud, index, 3).toString(16).padStart(8, '0')}`;
    return {
      provider: 'AWS', service: 'EC2', resourceId, resourceType: 'Instance',
      accountId: `4${digits(10, 4)}1`, imageId: `ami-0${hash32(seed, Salt.hostCloud, index, 5).toString(16).padStart(8, '0')}`,
      resourceMetadata: `{'Public IP Address':'${publicIp}', 'Private IP Address':'${ip}', 'Instance Type':'m5.large', 'Region':'eu-central-1', 'Availability Zone':'eu-central-1a', 'State':'running', 'VPC ID':'vpc-0a1b2c3d'}`,
    };
  }
  if (providerRoll === 1) {
    return {
      provider: 'Azure', service: 'Virtual Machine', resourceId: `/subscriptions/${digits(8, 6)}-0000-4000-8000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/vm-${index}`,
      resourceType: 'Virtual Machine', accountId: `${digits(8, 6)}-0000-4000-8000-000000000000`, imageId: null,
      resourceMetadata: `{'Public IP Address':'${publicIp}', 'Private IP Address':'${ip}', 'VM Size':'Standard_D2s_v5', 'Location':'westeurope', 'State':'VM running', 'MAC Address':'null'}`,
    };
  }
  const resourceId = `${digits(10, 7)}${digits(9, 8)}`;
  return {
    provider: 'GCP', service: 'Compute Engine', resourceId, resourceType: 'Instance',
    accountId: digits(10, 9) + '44', imageId: null,
    resourceMetadata: `{'Public IP Address':'${publicIp}', 'Private IP Address':'${ip}', 'Machine Type':'e2-medium', 'Zone':'null', 'ProjectId':'compliance-demo', 'State':'RUNNING', 'Network':'N/A', 'MAC Address':'null'}`,
  };
}

export type RawStatus = 'Passed' | 'Failed' | 'Error';

/** The day-dependent state of one posture (policy, host, control). */
export interface PostureState {
  /** Status before exceptions, because `Passed*` applies on top of a Failed status. */
  rawStatus: RawStatus;
  /** Failed with an approved exception on this day. */
  exception: boolean;
  /** Status on the previous day (without exceptions). */
  previousStatus: RawStatus;
  /** First day of the current status period. */
  statusSince: number;
  /** Status of the previous period, which ended on statusSince - 1. */
  otherStatus: RawStatus;
  /** Length of a status period in days. */
  statusPeriod: number;
  /** Evidence revision number, which changes once per evidence period. */
  evidenceRevision: number;
  /** First day on which the current evidence was collected. */
  evidenceSince: number;
}

/**
 * Computes a posture's state on a day. Each posture alternates between a base status and an
 * alternative one in periods of 1/statusChangeRate days, with a per-posture phase, so that the
 * share of postures changing from one day to the next is statusChangeRate.
 */
export function postureState(options: ResolvedDataOptions, p: number, h: number, c: number, day: number): PostureState {
  const seed = options.seed;
  const period = Math.max(1, Math.round(1 / options.statusChangeRate));
  const phase = pick(period, seed, Salt.statusPhase, p, h, c);
  const base = baseStatus(unit(seed, Salt.statusBase, p, h, c));
  const alt = altStatus(base, unit(seed, Salt.statusAlt, p, h, c));

  const statusAt = (d: number): RawStatus => (Math.floor((d + phase) / period) % 2 === 0 ? base : alt);
  const rawStatus = statusAt(day);
  const statusSince = day - mod(day + phase, period);

  const evidencePeriod = Math.max(1, Math.round(1 / options.evidenceChangeRate));
  const evidencePhase = pick(evidencePeriod, seed, Salt.evidencePhase, p, h, c);
  const evidenceRevision = Math.floor((day + evidencePhase) / evidencePeriod);
  const evidencePeriodStart = day - mod(day + evidencePhase, evidencePeriod);

  let exception = false;
  if (rawStatus === 'Failed' && unit(seed, Salt.exception, p, h, c) < 0.05) {
    // Approval days start before day 0, so that a few exceptions exist from the start.
    exception = day >= pick(40, seed, Salt.exceptionDay, p, h, c) - 10;
  }

  return {
    rawStatus,
    exception,
    previousStatus: statusAt(day - 1),
    statusSince,
    otherStatus: rawStatus === base ? alt : base,
    statusPeriod: period,
    evidenceRevision,
    evidenceSince: Math.max(statusSince, evidencePeriodStart),
  };
}

function baseStatus(roll: number): RawStatus {
  if (roll < 0.62) return 'Passed';
  if (roll < 0.95) return 'Failed';
  return 'Error';
}

function altStatus(base: RawStatus, roll: number): RawStatus {
  if (base === 'Passed') return roll < 0.85 ? 'Failed' : 'Error';
  if (base === 'Failed') return roll < 0.9 ? 'Passed' : 'Error';
  return roll < 0.6 ? 'Passed' : 'Failed';
}

/** Status as versions 2.0 and 3.0 show it: `Passed*` for a Failed posture with an approved exception. */
export function displayStatus(state: PostureState): string {
  return state.exception ? 'Passed*' : state.rawStatus;
}

/** Unique, stable record ID of a posture. */
export function postureId(options: ResolvedDataOptions, p: number, h: number, c: number): number {
  return 10_000_000 + (p * options.hosts + h) * options.controlsPerPolicy + c;
}
