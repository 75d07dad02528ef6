/**
 * Control and host revisions held in memory for ranking and facet labels. Both tables are
 * small (one row per distinct control or host attribute set) and only grow by import, so
 * one copy per connection is reloaded when their row count or highest id changes.
 */
import type Database from 'better-sqlite3';

export interface ControlInfo {
  id: number;
  controlId: number;
  criticalityValue: number | null;
  criticalityLabel: string | null;
  technologyId: number | null;
  technologyName: string | null;
  category: string | null;
  subCategory: string | null;
}

export interface HostInfo {
  id: number;
  hostId: number;
  ip: string | null;
  dns: string | null;
  netbios: string | null;
  trackingMethod: string | null;
  networkId: number | null;
  networkName: string | null;
}

export interface Catalog {
  controls: Map<number, ControlInfo>;
  hosts: Map<number, HostInfo>;
  /** Host revision ids in host order: address (numeric for IPv4), DNS name, host ID. */
  hostOrder: number[];
}

const cache = new WeakMap<Database.Database, { key: string; catalog: Catalog }>();

/** Sort key for an address: IPv4 octets zero-padded so 10.20.0.9 sorts before 10.20.0.10. */
export function addressSortKey(ip: string | null): string {
  if (ip === null) return '\uffff';
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/u.exec(ip);
  if (!octets) return `~${ip.toLowerCase()}`;
  return octets.slice(1).map((octet) => octet.padStart(3, '0')).join('.');
}

function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function load(sqlite: Database.Database): Catalog {
  const controls = new Map<number, ControlInfo>();
  const controlRows = sqlite
    .prepare(
      `SELECT id, control_id AS controlId, criticality_value AS criticalityValue, criticality_label AS criticalityLabel,
              technology_id AS technologyId, technology_name AS technologyName, category, sub_category AS subCategory
         FROM control_revisions`,
    )
    .all() as ControlInfo[];
  for (const row of controlRows) controls.set(row.id, row);

  const hosts = new Map<number, HostInfo>();
  const hostRows = sqlite
    .prepare(
      `SELECT id, host_id AS hostId, ip, dns, netbios, tracking_method AS trackingMethod, network_id AS networkId,
              network_name AS networkName
         FROM host_revisions`,
    )
    .all() as HostInfo[];
  for (const row of hostRows) hosts.set(row.id, row);

  const keyed = hostRows.map((row) => ({ row, key: addressSortKey(row.ip) }));
  keyed.sort(
    (a, b) =>
      compareText(a.key, b.key) ||
      compareText(a.row.dns, b.row.dns) ||
      a.row.hostId - b.row.hostId ||
      a.row.id - b.row.id,
  );
  return { controls, hosts, hostOrder: keyed.map((entry) => entry.row.id) };
}

/** Returns the catalog for this connection, reloading it when an import or a deletion changed the revisions. */
export function getCatalog(sqlite: Database.Database): Catalog {
  const stamp = sqlite
    .prepare(
      `SELECT (SELECT count(*) FROM control_revisions) || '/' || (SELECT coalesce(max(id), 0) FROM control_revisions) || '/' ||
              (SELECT count(*) FROM host_revisions) || '/' || (SELECT coalesce(max(id), 0) FROM host_revisions) AS key`,
    )
    .get() as { key: string };
  const cached = cache.get(sqlite);
  if (cached && cached.key === stamp.key) return cached.catalog;
  const catalog = load(sqlite);
  cache.set(sqlite, { key: stamp.key, catalog });
  return catalog;
}
