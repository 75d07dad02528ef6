import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../db/errors.js';
import { getPostureDetail } from '../../db/search/detail.js';
import { SEARCH_SORTS, search, searchFacets, searchPostures, type SearchRequest, type SearchRow } from '../../db/search/search.js';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { makeTempDir } from '../helpers/temp.js';

/**
 * Six postures designed so each field and facet has matches and non-matches:
 * host 101 (10.20.1.11, Ubuntu, DMZ, agent) fails SSH and password length;
 * host 102 (10.20.2.12, CentOS, Internal) passes both;
 * host 201 (192.168.5.20, Windows, default network) has an exception and an error.
 */
const LINUX_POLICY = 1455112;
const WINDOWS_POLICY = 1455059;

interface HostShape {
  hostId: number;
  ip: string;
  dns: string | null;
  netBios: string | null;
  os: string;
  osCpe: string | null;
  trackingMethod: string;
  networkId: number;
  networkName: string;
  technology: { id: number; name: string };
}

const HOSTS: Record<string, HostShape> = {
  web: {
    hostId: 101,
    ip: '10.20.1.11',
    dns: 'web01.dmz.example.net',
    netBios: 'WEB01',
    os: 'Ubuntu 22.04.3 LTS',
    osCpe: 'cpe:/o:canonical:ubuntu_linux:22.04',
    trackingMethod: 'AGENT',
    networkId: 11,
    networkName: 'DMZ',
    technology: { id: 372, name: 'Ubuntu 22.04 LTS' },
  },
  db: {
    hostId: 102,
    ip: '10.20.2.12',
    dns: 'db01.corp.example.net',
    netBios: 'DB01',
    os: 'CentOS Linux 7.9',
    osCpe: 'cpe:/o:centos:centos:7',
    trackingMethod: 'IP',
    networkId: 12,
    networkName: 'Internal',
    technology: { id: 80, name: 'CentOS 7.x' },
  },
  win: {
    hostId: 201,
    ip: '192.168.5.20',
    dns: null,
    netBios: 'WINSRV01',
    os: 'Windows Server 2019 Datacenter',
    osCpe: null,
    trackingMethod: 'NETBIOS',
    networkId: 0,
    networkName: 'Global Default Network',
    technology: { id: 91, name: 'Windows Server 2019' },
  },
};

interface ControlShape {
  controlId: number;
  controlStatement: string;
  rationale: string;
  remediation: string;
  category: string;
  subCategory: string;
  criticality: { value: number; label: string };
}

const CONTROLS: Record<string, ControlShape> = {
  ssh: {
    controlId: 2001,
    controlStatement: "Status of the 'PermitRootLogin' setting in sshd_config (SSH)",
    rationale: 'Direct root login over SSH lets attackers brute force the most privileged account.',
    remediation: 'Edit /etc/ssh/sshd_config and set PermitRootLogin no, then restart sshd.',
    category: 'Remote Access',
    subCategory: 'Secure Shell',
    criticality: { value: 5, label: 'URGENT' },
  },
  length: {
    controlId: 1071,
    controlStatement: "Status of the 'Minimum Password Length' setting",
    rationale: 'Each character added to the password length squares the difficulty of guessing it.',
    remediation: 'Edit /etc/login.defs and set PASS_MIN_LEN 14.',
    category: 'Access Control Requirements',
    subCategory: 'Authentication/Passwords',
    criticality: { value: 4, label: 'CRITICAL' },
  },
  audit: {
    controlId: 3001,
    controlStatement: "Status of the 'Audit Logon Events' policy",
    rationale: 'Logon events show who used which account and when.',
    remediation: 'Set Audit Logon Events to Success and Failure in the Local Security Policy.',
    category: 'Auditing and Logging',
    subCategory: 'Audit Configuration',
    criticality: { value: 2, label: 'MEDIUM' },
  },
  telnet: {
    controlId: 3002,
    controlStatement: "Status of the 'Telnet' service",
    rationale: 'Telnet sends credentials in clear text.',
    remediation: 'Disable the Telnet service.',
    category: 'Services',
    subCategory: 'Guidelines/Procedures (Services)',
    criticality: { value: 3, label: 'SERIOUS' },
  },
};

interface PostureShape {
  key: string;
  host: HostShape;
  control: ControlShape;
  policyId: number;
  status: string;
  previousStatus: string;
  expected: string;
  current: string[];
  extended: string;
  cause: unknown;
}

const POSTURES: PostureShape[] = [
  {
    key: 'r1',
    host: HOSTS.web!,
    control: CONTROLS.ssh!,
    policyId: LINUX_POLICY,
    status: 'Failed',
    previousStatus: 'Passed',
    expected: '\nno\n',
    current: ['yes'],
    extended: 'Row 1:File name,Setting,Value\nRow 2:/etc/ssh/sshd_config,PermitRootLogin,yes\n',
    cause: { missing: { logic: null, value: ['no'] }, unexpected: { value: ['yes'] } },
  },
  {
    key: 'r2',
    host: HOSTS.web!,
    control: CONTROLS.length!,
    policyId: LINUX_POLICY,
    status: 'Failed',
    previousStatus: 'Failed',
    expected: '\ngreater than or equal to\n14',
    current: ['5'],
    extended: 'Row 1:File name,Setting,Value\nRow 2:/etc/login.defs,PASS_MIN_LEN,5\n',
    cause: { missing: { logic: null, value: ['greater than or equal to', '14'] }, unexpected: { value: ['5'] } },
  },
  {
    key: 'r3',
    host: HOSTS.db!,
    control: CONTROLS.length!,
    policyId: LINUX_POLICY,
    status: 'Passed',
    previousStatus: 'Passed',
    expected: '\ngreater than or equal to\n14',
    current: ['14'],
    extended: 'Row 1:File name,Setting,Value\nRow 2:/etc/login.defs,PASS_MIN_LEN,14\n',
    cause: null,
  },
  {
    key: 'r4',
    host: HOSTS.db!,
    control: CONTROLS.ssh!,
    policyId: LINUX_POLICY,
    status: 'Passed',
    previousStatus: 'Passed',
    expected: '\nno\n',
    current: ['no'],
    extended: 'Row 1:File name,Setting,Value\nRow 2:/etc/ssh/sshd_config,PermitRootLogin,no\n',
    cause: null,
  },
  {
    key: 'r5',
    host: HOSTS.win!,
    control: CONTROLS.audit!,
    policyId: WINDOWS_POLICY,
    status: 'Passed*',
    previousStatus: 'Failed',
    expected: '\nSuccess and Failure\n',
    current: ['Success'],
    extended: 'Row 1:Category,Setting,Value\nRow 2:Audit,Logon,Success (geprüft von Müller)\n',
    cause: null,
  },
  {
    key: 'r6',
    host: HOSTS.win!,
    control: CONTROLS.telnet!,
    policyId: WINDOWS_POLICY,
    status: 'Error',
    previousStatus: 'Error',
    expected: '\nDisabled\n',
    current: ['サーバー'],
    extended: 'Row 1:\n',
    cause: null,
  },
];

function record(shape: PostureShape, index: number, overrides: Partial<PostureShape> = {}): Record<string, unknown> {
  const posture = { ...shape, ...overrides };
  return {
    id: 9_000_000 + index,
    instance: 'os',
    policyId: posture.policyId,
    policyTitle: posture.policyId === LINUX_POLICY ? 'Linux baseline 2025' : 'Windows hardening',
    netBios: posture.host.netBios,
    controlId: posture.control.controlId,
    controlStatement: posture.control.controlStatement,
    rationale: posture.control.rationale,
    remediation: posture.control.remediation,
    category: posture.control.category,
    subCategory: posture.control.subCategory,
    controlReference: null,
    technologyId: posture.host.technology.id,
    status: posture.status,
    previousStatus: posture.previousStatus,
    firstFailDate: '',
    lastFailDate: '',
    firstPassDate: '2025-06-01T10:00:00Z',
    lastPassDate: '2025-06-01T10:00:00Z',
    postureModifiedDate: '2025-06-01T10:00:00Z',
    lastEvaluatedDate: `2025-06-0${1 + (index % 5)}T10:00:00Z`,
    created: '2025-06-02T10:00:00Z',
    hostId: posture.host.hostId,
    ip: posture.host.ip,
    trackingMethod: posture.host.trackingMethod,
    os: posture.host.os,
    osCpe: posture.host.osCpe,
    domainName: null,
    dns: posture.host.dns,
    qgHostid: null,
    networkId: posture.host.networkId,
    networkName: posture.host.networkName,
    complianceLastScanDate: '2025-06-01T09:55:00Z',
    customerUuid: '6009e710-108b-f57b-83d0-1768010d577f',
    customerId: '1033824',
    assetId: 40_000_000 + posture.host.hostId,
    technology: posture.host.technology,
    criticality: posture.control.criticality,
    evidence: {
      expectedValues: posture.expected,
      currentValues: posture.current,
      actualValues: null,
      directoryFimUdc: null,
      lastUpdated: '2025-06-01T09:55:00Z',
      extendedEvidence: posture.extended,
      description: `The value of ${posture.control.controlStatement}.`,
    },
    causeOfFailure: posture.cause,
  };
}

let dir: ReturnType<typeof makeTempDir>;
let store: Store;
let snapshotId: number;

async function importRecords(records: Record<string, unknown>[], name: string): Promise<number> {
  const path = join(dir.path, name);
  writeFileSync(path, JSON.stringify(records));
  return (await importFiles(store, [path])).snapshotId;
}

beforeEach(async () => {
  dir = makeTempDir();
  store = openStore(join(dir.path, 'store.db'));
  snapshotId = await importRecords(
    POSTURES.map((posture, index) => record(posture, index)),
    'day1.json',
  );
});

afterEach(() => {
  store.close();
  dir.remove();
});

/** The designed postures a search returns, by key, sorted. */
function keysOf(rows: readonly SearchRow[]): string[] {
  const byIdentity = new Map(POSTURES.map((posture) => [`${posture.host.hostId}/${posture.control.controlId}`, posture.key]));
  return rows.map((row) => byIdentity.get(`${row.hostId}/${row.controlId}`) ?? `?${row.hostId}/${row.controlId}`).sort();
}

function find(query: string, request: SearchRequest = {}): string[] {
  return keysOf(searchPostures(store, { query, ...request }).rows);
}

describe('search fields', () => {
  const cases: [string, string[]][] = [
    ['', ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']],
    ['ssh', ['r1', 'r4']],
    ['SSH', ['r1', 'r4']],
    ['"root login"', ['r1', 'r4']],
    ['"login root"', []],
    ['sshd*', ['r1', 'r4']],
    ['PASS_MIN_LEN', ['r2', 'r3']],
    ['10.20.1.11', ['r1', 'r2']],
    ['statement:permitrootlogin', ['r1', 'r4']],
    ['statement:password', ['r2', 'r3']],
    ['rationale:brute', ['r1', 'r4']],
    ['remediation:"login.defs"', ['r2', 'r3']],
    ['category:"Remote Access"', ['r1', 'r4']],
    ['subcategory:passwords', ['r2', 'r3']],
    ['technology:ubuntu', ['r1', 'r2']],
    ['technology:80', ['r3', 'r4']],
    ['policy:"Linux baseline"', ['r1', 'r2', 'r3', 'r4']],
    [`policy:${WINDOWS_POLICY}`, ['r5', 'r6']],
    ['evidence:geprüft', ['r5']],
    ['muller', ['r5']],
    ['expected:"greater than"', ['r2', 'r3']],
    ['current:yes', ['r1']],
    ['cause:no', ['r1']],
    ['cause:14', ['r2']],
    ['unexpected', []],
    ['サーバー', ['r6']],
    ['dns:web01', ['r1', 'r2']],
    ['netbios:winsrv01', ['r5', 'r6']],
    ['os:centos', ['r3', 'r4']],
    ['cpe:canonical', ['r1', 'r2']],
    ['status:Failed', ['r1', 'r2']],
    ['status:passed', ['r3', 'r4']],
    ['status:"Passed*"', ['r5']],
    ['status:Passed*', ['r5']],
    ['status:Failed,Error', ['r1', 'r2', 'r6']],
    ['previous:Failed', ['r2', 'r5']],
    ['criticality:5', ['r1', 'r4']],
    ['criticality:urgent', ['r1', 'r4']],
    ['criticality:4,5', ['r1', 'r2', 'r3', 'r4']],
    ['control:1071', ['r2', 'r3']],
    ['control:1071,3002', ['r2', 'r3', 'r6']],
    ['host:101', ['r1', 'r2']],
    ['host:10.20.*', ['r1', 'r2', 'r3', 'r4']],
    ['host:web01*', ['r1', 'r2']],
    ['host:WINSRV01', ['r5', 'r6']],
    ['ip:192.168.*', ['r5', 'r6']],
    ['ip:10.20.1.1', []],
    ['tracking:agent', ['r1', 'r2']],
    ['network:DMZ', ['r1', 'r2']],
    ['network:11', ['r1', 'r2']],
    ['network:"Global Default*"', ['r5', 'r6']],
    ['exception:yes', ['r5']],
    ['exception:no', ['r1', 'r2', 'r3', 'r4', 'r6']],
    ['ssh status:Failed network:DMZ', ['r1']],
    ['host:10.20.1.11 status:Failed', ['r1', 'r2']],
    ['-ssh', ['r2', 'r3', 'r5', 'r6']],
    ["-status:Passed,\"Passed*\"", ["r1", "r2", "r6"]],
    ['-host:10.20.*', ['r5', 'r6']],
    ['telnet -status:Error', []],
    ['"NEAR"', []],
    ['"\'; DROP TABLE texts; --"', []],
    ['"a"" OR ""b"', []],
  ];
  for (const [query, expected] of cases) {
    it(`finds ${JSON.stringify(query)}`, () => {
      expect(find(query)).toEqual(expected);
    });
  }

  it('returns the same rows on the walk and the driven plan', () => {
    for (const [query, expected] of cases) {
      for (const strategy of ['walk', 'driven'] as const) {
        for (const sort of SEARCH_SORTS) {
          expect({ query, strategy, sort, keys: find(query, { strategy, sort }) }).toEqual({ query, strategy, sort, keys: expected });
        }
      }
    }
  });

  it('leaves the tables intact after SQL-like input', () => {
    find('"\'; DROP TABLE texts; --"');
    expect(find('ssh')).toEqual(['r1', 'r4']);
  });

  it('applies the CLI filter lists', () => {
    expect(keysOf(searchPostures(store, { statuses: ['Failed', 'Error'] }).rows)).toEqual(['r1', 'r2', 'r6']);
    expect(keysOf(searchPostures(store, { criticalities: ['5'] }).rows)).toEqual(['r1', 'r4']);
    expect(keysOf(searchPostures(store, { policies: ['Windows hardening'] }).rows)).toEqual(['r5', 'r6']);
    expect(keysOf(searchPostures(store, { query: 'ssh', statuses: ['Passed'] }).rows)).toEqual(['r4']);
  });

  it('rejects a bad CLI filter value', () => {
    expect(() => searchPostures(store, { statuses: ['Broken'] })).toThrow(/Unknown status "Broken"/);
  });
});

describe('search rows', () => {
  it('returns the fields the UI shows', () => {
    const [row] = searchPostures(store, { query: 'host:101 control:2001' }).rows;
    expect(row).toMatchObject({
      snapshotId,
      policyId: LINUX_POLICY,
      policyTitle: 'Linux baseline 2025',
      hostId: 101,
      controlId: 2001,
      instance: 'os',
      status: 'Failed',
      previousStatus: 'Passed',
      isException: false,
      criticality: { value: 5, label: 'URGENT' },
      ip: '10.20.1.11',
      dns: 'web01.dmz.example.net',
      netbios: 'WEB01',
      os: 'Ubuntu 22.04.3 LTS',
      technology: 'Ubuntu 22.04 LTS',
      category: 'Remote Access',
      subCategory: 'Secure Shell',
      controlStatement: "Status of the 'PermitRootLogin' setting in sshd_config (SSH)",
      lastEvaluatedDate: '2025-06-01T10:00:00Z',
    });
    expect(row!.postureId).toBeGreaterThan(0);
    expect(row!.stateId).toBeGreaterThan(0);
  });

  it('ranks the statement match first by relevance', () => {
    const rows = searchPostures(store, { query: 'password' }).rows;
    expect(rows.slice(0, 2).map((row) => row.controlId)).toEqual([1071, 1071]);
  });

  it('sorts by criticality, status, host, control and date', () => {
    const order = (sort: (typeof SEARCH_SORTS)[number]) => searchPostures(store, { sort }).rows;
    expect(order('criticality').map((row) => row.criticality.value)).toEqual([5, 5, 4, 4, 3, 2]);
    expect(order('status').map((row) => row.status)).toEqual(['Failed', 'Failed', 'Error', 'Passed*', 'Passed', 'Passed']);
    expect(order('host').map((row) => row.ip)).toEqual(['10.20.1.11', '10.20.1.11', '10.20.2.12', '10.20.2.12', '192.168.5.20', '192.168.5.20']);
    expect(order('control').map((row) => row.controlId)).toEqual([1071, 1071, 2001, 2001, 3001, 3002]);
    const dates = order('date').map((row) => row.lastEvaluatedDate!);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('pages through every sort without gaps or repeats', () => {
    for (const sort of SEARCH_SORTS) {
      for (const strategy of ['walk', 'driven', 'auto'] as const) {
        const all = searchPostures(store, { sort, strategy }).rows.map((row) => row.stateId);
        const paged: number[] = [];
        let cursor: string | null = null;
        do {
          const page = searchPostures(store, { sort, strategy, limit: 4, cursor });
          paged.push(...page.rows.map((row) => row.stateId));
          cursor = page.nextCursor;
        } while (cursor);
        expect({ sort, strategy, paged }).toEqual({ sort, strategy, paged: all });
      }
    }
  });

  it('rejects a cursor from another search', () => {
    const page = searchPostures(store, { query: '', limit: 2 });
    expect(page.nextCursor).not.toBeNull();
    expect(() => searchPostures(store, { query: 'ssh', limit: 2, cursor: page.nextCursor })).toThrow(/belongs to another search/);
    expect(() => searchPostures(store, { limit: 2, cursor: 'not-a-cursor' })).toThrow(/not valid/);
  });

  it('rejects a page size out of range', () => {
    expect(() => searchPostures(store, { limit: 0 })).toThrow(AppError);
    expect(() => searchPostures(store, { limit: 5000 })).toThrow(/from 1 to 1000/);
  });
});

describe('search facets', () => {
  it('counts every facet over the whole snapshot', () => {
    const { total, facets } = searchFacets(store, {});
    expect(total).toBe(6);
    const counts = (values: { value: unknown; count: number }[]) => Object.fromEntries(values.map((entry) => [String(entry.value), entry.count]));
    expect(counts(facets.status)).toEqual({ Failed: 2, Passed: 2, 'Passed*': 1, Error: 1 });
    expect(counts(facets.previousStatus)).toEqual({ Passed: 3, Failed: 2, Error: 1 });
    expect(facets.criticality).toEqual([
      { value: 5, label: 'URGENT', count: 2 },
      { value: 4, label: 'CRITICAL', count: 2 },
      { value: 3, label: 'SERIOUS', count: 1 },
      { value: 2, label: 'MEDIUM', count: 1 },
    ]);
    expect(facets.policy).toEqual([
      { value: LINUX_POLICY, label: 'Linux baseline 2025', count: 4 },
      { value: WINDOWS_POLICY, label: 'Windows hardening', count: 2 },
    ]);
    expect(counts(facets.technology)).toEqual({ 'Ubuntu 22.04 LTS': 2, 'CentOS 7.x': 2, 'Windows Server 2019': 2 });
    expect(counts(facets.category)).toEqual({
      'Remote Access': 2,
      'Access Control Requirements': 2,
      'Auditing and Logging': 1,
      Services: 1,
    });
    expect(counts(facets.subCategory)).toEqual({
      'Secure Shell': 2,
      'Authentication/Passwords': 2,
      'Audit Configuration': 1,
      'Guidelines/Procedures (Services)': 1,
    });
    expect(counts(facets.trackingMethod)).toEqual({ AGENT: 2, IP: 2, NETBIOS: 2 });
    expect(counts(facets.network)).toEqual({ DMZ: 2, Internal: 2, 'Global Default Network': 2 });
    expect(counts(facets.exception)).toEqual({ false: 5, true: 1 });
    expect(facets.host).toEqual([
      { value: 101, label: '10.20.1.11', count: 2 },
      { value: 102, label: '10.20.2.12', count: 2 },
      { value: 201, label: '192.168.5.20', count: 2 },
    ]);
  });

  it('counts only the matches of a query', () => {
    for (const strategy of ['walk', 'driven', 'auto'] as const) {
      const { total, facets, hostCount } = searchFacets(store, { query: 'ssh', strategy });
      expect(total).toBe(2);
      expect(hostCount).toBe(2);
      expect(facets.status.map((entry) => [entry.value, entry.count])).toEqual([
        ['Failed', 1],
        ['Passed', 1],
      ]);
      expect(facets.category).toEqual([{ value: 'Remote Access', count: 2 }]);
    }
  });

  it('returns total, facets and rows together', () => {
    const result = search(store, { query: 'status:Failed' });
    expect(result.total).toBe(2);
    expect(result.rows).toHaveLength(2);
    expect(result.facets.status).toEqual([{ value: 'Failed', count: 2 }]);
  });
});

describe('search scope', () => {
  async function importDayTwo(): Promise<number> {
    // Day 2: host 101 now passes the password length check; everything else repeats.
    return importRecords(
      POSTURES.map((posture, index) =>
        record(posture, index, posture.key === 'r2' ? { status: 'Passed', previousStatus: 'Failed', current: ['14'], cause: null } : {}),
      ),
      'day2.json',
    );
  }

  it('searches the latest snapshot by default', async () => {
    await importDayTwo();
    expect(find('PASS_MIN_LEN status:Failed')).toEqual([]);
    expect(find('PASS_MIN_LEN status:Failed', { snapshotId })).toEqual(['r2']);
  });

  it('lists each distinct state once across all snapshots', async () => {
    const latest = await importDayTwo();
    const rows = searchPostures(store, { query: 'control:1071', allSnapshots: true }).rows;
    expect(rows.map((row) => `${row.hostId}:${row.status}:${row.snapshotId}`).sort()).toEqual([
      `101:Failed:${snapshotId}`,
      `101:Passed:${latest}`,
      `102:Passed:${latest}`,
    ]);
    for (const strategy of ['walk', 'driven', 'auto'] as const) {
      expect(searchFacets(store, { query: 'control:1071', allSnapshots: true, strategy }).total).toBe(3);
      expect(searchFacets(store, { allSnapshots: true, strategy }).total).toBe(7);
    }
  });

  it('rejects a missing snapshot and an empty store', () => {
    expect(() => searchPostures(store, { snapshotId: 99 })).toThrow(/Snapshot 99 does not exist/);
    const empty = openStore(join(dir.path, 'empty.db'));
    try {
      expect(() => searchPostures(empty, {})).toThrow(/no complete snapshot/);
    } finally {
      empty.close();
    }
  });

  it('forgets postures of a deleted snapshot', async () => {
    const latest = await importDayTwo();
    store.sqlite.prepare('DELETE FROM snapshot_members WHERE snapshot_id = ?').run(latest);
    store.sqlite.prepare('DELETE FROM snapshots WHERE id = ?').run(latest);
    expect(find('PASS_MIN_LEN status:Failed')).toEqual(['r2']);
  });
});

describe('getPostureDetail', () => {
  it('returns the texts, evidence and host of one posture', () => {
    const [row] = searchPostures(store, { query: 'host:101 control:1071' }).rows;
    const detail = getPostureDetail(store, snapshotId, row!.postureId);
    expect(detail.control.statement).toBe("Status of the 'Minimum Password Length' setting");
    expect(detail.control.remediation).toBe('Edit /etc/login.defs and set PASS_MIN_LEN 14.');
    expect(detail.control.criticality).toEqual({ value: 4, label: 'CRITICAL' });
    expect(detail.evidence.expected).toBe('\ngreater than or equal to\n14');
    expect(detail.evidence.current).toEqual(['5']);
    expect(detail.evidence.extendedTable).toEqual({ header: ['File name', 'Setting', 'Value'], rows: [['/etc/login.defs', 'PASS_MIN_LEN', '5']] });
    expect(detail.evidence.causeOfFailure).toEqual({ missing: { logic: null, value: ['greater than or equal to', '14'] }, unexpected: { value: ['5'] } });
    expect(detail.host).toMatchObject({ ip: '10.20.1.11', trackingMethod: 'AGENT', network: { id: 11, name: 'DMZ' } });
    expect(detail.dates.lastEvaluatedDate).toBe('2025-06-02T10:00:00Z');
  });

  it('rejects a posture that is not in the snapshot', () => {
    expect(() => getPostureDetail(store, snapshotId, 12345)).toThrow(/not in snapshot/);
  });
});
