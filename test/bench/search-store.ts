/**
 * Builds a large posture store for the search benchmark directly with SQL, with the text
 * variety search depends on: hundreds of controls with distinct statements, rationales
 * and remediations, thousands of hosts in several networks, per-posture extended
 * evidence, and current values. The search triggers fire on these inserts as they do on
 * an import, so the full-text indexes are built along the way.
 *
 * Snapshot 1 contains every posture. Snapshot 2 (the latest) shares 95% of the states with
 * snapshot 1 and has a new state for the other 5%, as a daily pull would.
 */
import { createHash } from 'node:crypto';
import { SearchIndexWriter } from '../../db/search/maintain.js';
import type Database from 'better-sqlite3';
import type { Store } from '../../db/store.js';

export interface SearchStoreShape {
  hosts: number;
  /** Postures per host: half in each of two policies. */
  controlsPerHost: number;
  /** Bytes of the stored raw record per state; real records are 1 to 3 KB. */
  rawBytes: number;
}

export interface SearchStoreResult {
  postures: number;
  states: number;
  snapshots: [number, number];
  controlRevisions: number;
  hostRevisions: number;
  texts: number;
}

const TECHNOLOGIES = [
  { id: 80, name: 'CentOS 7.x', family: 'linux', os: 'CentOS Linux 7.9', cpe: 'cpe:/o:centos:centos:7' },
  { id: 243, name: 'Red Hat Enterprise Linux 8.x', family: 'linux', os: 'Red Hat Enterprise Linux 8.6', cpe: 'cpe:/o:redhat:enterprise_linux:8' },
  { id: 346, name: 'Debian GNU/Linux 11.x', family: 'linux', os: 'Debian Linux 11.1', cpe: 'cpe:/o:debian:debian_linux:11' },
  { id: 372, name: 'Ubuntu 22.04 LTS', family: 'linux', os: 'Ubuntu 22.04.3 LTS', cpe: 'cpe:/o:canonical:ubuntu_linux:22.04' },
  { id: 91, name: 'Windows Server 2019', family: 'windows', os: 'Windows Server 2019 Datacenter', cpe: 'cpe:/o:microsoft:windows_server_2019' },
  { id: 73, name: 'Windows Server 2016', family: 'windows', os: 'Windows Server 2016 Standard', cpe: 'cpe:/o:microsoft:windows_server_2016' },
  { id: 410, name: 'Oracle 19c Multitenant', family: 'database', os: 'Oracle Linux 8.7', cpe: 'cpe:/a:oracle:database_server:19c' },
  { id: 502, name: 'Cisco IOS 15.x', family: 'network', os: 'Cisco IOS 15.2', cpe: 'cpe:/o:cisco:ios:15.2' },
] as const;

const SETTINGS = {
  linux: [
    ['PASS_MIN_LEN', '/etc/login.defs', 'Minimum Password Length', 'password'],
    ['PASS_MAX_DAYS', '/etc/login.defs', 'Maximum Password Age', 'password'],
    ['PASS_MIN_DAYS', '/etc/login.defs', 'Minimum Password Age', 'password'],
    ['PermitRootLogin', '/etc/ssh/sshd_config', 'Permit Root Login over SSH', 'ssh'],
    ['X11Forwarding', '/etc/ssh/sshd_config', 'SSH X11 Forwarding', 'ssh'],
    ['MaxAuthTries', '/etc/ssh/sshd_config', 'SSH Maximum Authentication Tries', 'ssh'],
    ['Protocol', '/etc/ssh/sshd_config', 'SSH Protocol Version', 'ssh'],
    ['net.ipv4.ip_forward', '/etc/sysctl.conf', 'IPv4 forwarding kernel parameter', 'kernel'],
    ['net.ipv4.conf.all.send_redirects', '/etc/sysctl.conf', 'Send ICMP redirects kernel parameter', 'kernel'],
    ['kernel.randomize_va_space', '/etc/sysctl.conf', 'Address space layout randomisation', 'kernel'],
    ['telnet', '/etc/inetd.conf', 'Telnet service', 'service'],
    ['tftp', '/etc/inetd.conf', 'Trivial File Transfer Protocol service', 'service'],
    ['auditd', '/etc/audit/auditd.conf', 'Audit daemon', 'audit'],
    ['max_log_file', '/etc/audit/auditd.conf', 'Maximum audit log file size', 'audit'],
    ['umask', '/etc/profile', 'Default umask for users', 'permissions'],
    ['/etc/shadow', '/etc/shadow', 'Permissions on the shadow password file', 'permissions'],
  ],
  windows: [
    ['MinimumPasswordLength', 'Security Policy', 'Minimum password length', 'password'],
    ['PasswordComplexity', 'Security Policy', 'Password must meet complexity requirements', 'password'],
    ['LockoutBadCount', 'Security Policy', 'Account lockout threshold', 'account'],
    ['AuditLogonEvents', 'Audit Policy', 'Audit logon events', 'audit'],
    ['AuditPolicyChange', 'Audit Policy', 'Audit policy change', 'audit'],
    ['RemoteRegistry', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteRegistry', 'Remote Registry service', 'service'],
    ['SMB1', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMBv1 server protocol', 'network'],
    ['EnableLUA', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System', 'User Account Control', 'account'],
    ['NoLMHash', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa', 'Do not store LAN Manager hash', 'password'],
    ['RestrictAnonymous', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa', 'Restrict anonymous enumeration', 'network'],
  ],
  database: [
    ['REMOTE_LOGIN_PASSWORDFILE', 'init.ora', 'Remote login password file', 'password'],
    ['AUDIT_TRAIL', 'init.ora', 'Database audit trail', 'audit'],
    ['SEC_MAX_FAILED_LOGIN_ATTEMPTS', 'init.ora', 'Maximum failed login attempts', 'account'],
    ['GRANTEE', 'DBA_ROLE_PRIVS', 'Grantees of the DBA role', 'permissions'],
  ],
  network: [
    ['service password-encryption', 'running-config', 'Password encryption service', 'password'],
    ['ip ssh version', 'running-config', 'SSH version on the device', 'ssh'],
    ['logging buffered', 'running-config', 'Buffered logging', 'audit'],
    ['snmp-server community', 'running-config', 'SNMP community strings', 'network'],
  ],
} as const;

const CATEGORIES = [
  ['Access Control Requirements', 'Authentication/Passwords'],
  ['Access Control Requirements', 'Account Lockout'],
  ['Auditing and Logging', 'Audit Configuration'],
  ['Network Settings', 'Kernel Parameters'],
  ['Services', 'Guidelines/Procedures (Services)'],
  ['File Permissions', 'System Files'],
  ['OS Security Settings', 'Registry Settings'],
  ['Remote Access', 'Secure Shell'],
] as const;

const HOST_PREFIX = { windows: 'win', linux: 'lnx', database: 'ora', network: 'rtr' } as const;
const TOPIC_CATEGORY: Record<string, number> = { password: 0, account: 1, audit: 2, kernel: 3, service: 4, permissions: 5, network: 6, ssh: 7 };
const LABELS = ['MINIMAL', 'MEDIUM', 'SERIOUS', 'CRITICAL', 'URGENT'];
const NETWORKS = [
  [0, 'Global Default Network'],
  [11, 'DMZ'],
  [12, 'Internal'],
  [13, 'Datacenter East'],
] as const;
const RATIONALE_WORDS = [
  'attackers', 'exposure', 'baseline', 'hardening', 'compromise', 'lateral', 'movement', 'privilege', 'escalation', 'integrity',
  'confidentiality', 'availability', 'brute', 'force', 'default', 'configuration', 'weakens', 'protects', 'accounts', 'sessions',
  'encryption', 'plaintext', 'interception', 'monitoring', 'forensic', 'retention', 'regulatory', 'unauthorised', 'changes', 'service',
];

/** Returns a deterministic pseudo-random number in [0, 1) for a pair of integers. */
function unit(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x165667b1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

interface ControlSpec {
  controlId: number;
  technologyIndex: number;
  setting: string;
  file: string;
  title: string;
  topic: string;
  criticality: number;
  expected: string;
}

/** Controls: every technology gets its family's settings, repeated with variants up to `perTechnology`. */
function controlSpecs(perTechnology: number): ControlSpec[] {
  const specs: ControlSpec[] = [];
  TECHNOLOGIES.forEach((technology, technologyIndex) => {
    const settings = SETTINGS[technology.family];
    for (let i = 0; i < perTechnology; i++) {
      const [setting, file, title, topic] = settings[i % settings.length]!;
      const variant = Math.floor(i / settings.length);
      const name = variant === 0 ? setting : `${setting}.${variant}`;
      // Control IDs are shared by the technologies of one family, as in the vendor's library.
      const familyOffset = ['linux', 'windows', 'database', 'network'].indexOf(technology.family) * 10_000;
      const controlId = 1000 + familyOffset + i;
      const criticality = 1 + Math.floor(unit(controlId, 7) * 5);
      specs.push({ controlId, technologyIndex, setting: name, file, title: variant === 0 ? title : `${title} (variant ${variant})`, topic, criticality, expected: `\ngreater than or equal to\n${8 + (i % 7)}` });
    }
  });
  return specs;
}

function rationaleFor(spec: ControlSpec): string {
  const words: string[] = [];
  for (let i = 0; i < 40; i++) words.push(RATIONALE_WORDS[Math.floor(unit(spec.controlId * 31 + spec.technologyIndex, i) * RATIONALE_WORDS.length)]!);
  return `The ${spec.title} setting (${spec.setting}) limits ${spec.topic} risks. ${words.join(' ')}.`;
}

/** Fills an empty store; returns what it inserted. */
export function buildSearchStore(store: Store, shape: SearchStoreShape): SearchStoreResult {
  const sqlite = store.sqlite;
  const perTechnology = shape.controlsPerHost;
  const specs = controlSpecs(perTechnology);
  const raw = Buffer.alloc(shape.rawBytes, 0x20);
  raw[0] = 0x00;

  const insertText = sqlite.prepare('INSERT INTO texts (sha256, body) VALUES (?, ?) ON CONFLICT (sha256) DO UPDATE SET sha256 = sha256 RETURNING id');
  const textIds = new Map<string, number>();
  const textId = (body: string): number => {
    const known = textIds.get(body);
    if (known !== undefined) return known;
    const id = (insertText.get(digest(body), body) as { id: number }).id;
    if (textIds.size < 100_000) textIds.set(body, id);
    return id;
  };

  // The snapshot writer's search maintenance: value pairs per state, and the full-text
  // indexes of new texts and values at the end of each transaction that adds them.
  const search = new SearchIndexWriter(sqlite);

  let snapshots: [number, number] = [0, 0];
  let postureCount = 0;
  let stateCount = 0;
  sqlite.transaction(() => {
    // 1. Policies and the two snapshots.
    sqlite.prepare('INSERT INTO policies (id, title) VALUES (?, ?)').run(1455112, 'Linux baseline 2025');
    sqlite.prepare('INSERT INTO policies (id, title) VALUES (?, ?)').run(1455059, 'Windows Server hardening');
    sqlite.prepare('INSERT INTO policies (id, title) VALUES (?, ?)').run(725886, 'CIS Benchmark Servers');
    sqlite.prepare('INSERT INTO policies (id, title) VALUES (?, ?)').run(5561690, 'Oracle Database and Network Devices');
    const snapshot = sqlite.prepare(
      `INSERT INTO snapshots (label, created_at, completed_at, state, source_kind, source, host_scope_known, status_counts)
       VALUES (?, ?, ?, 'complete', 'file', 'bench', 0, ?)`,
    );
    const counts = JSON.stringify({ Passed: 1, Failed: 1, Error: 1, 'Passed*': 1 });
    snapshots = [
      Number(snapshot.run('Bench day 1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', counts).lastInsertRowid),
      Number(snapshot.run('Bench day 2', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z', counts).lastInsertRowid),
    ];
  })();

  // 2. Control revisions, one per control and technology.
  const controlRevision = new Map<string, number>();
  const descriptions = new Map<number, number>();
  search.transaction(() => {
    const insert = sqlite.prepare(
      `INSERT INTO control_revisions (sha256, control_id, statement_text_id, rationale_text_id, remediation_text_id, category, sub_category,
                                      technology_id, technology_name, criticality_value, criticality_label)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    for (const spec of specs) {
      const technology = TECHNOLOGIES[spec.technologyIndex]!;
      const statement = `Status of the '${spec.title}' setting (${spec.setting})`;
      const remediation = `Edit ${spec.file} and set ${spec.setting} as the baseline requires, then restart the affected service.\n\nExample:\n${spec.setting} 14`;
      const [category, subCategory] = CATEGORIES[TOPIC_CATEGORY[spec.topic] ?? 0]!;
      const id = (
        insert.get(
          digest(`${spec.controlId}/${technology.id}`),
          spec.controlId,
          textId(statement),
          textId(rationaleFor(spec)),
          textId(remediation),
          category,
          subCategory,
          technology.id,
          technology.name,
          spec.criticality,
          LABELS[spec.criticality - 1],
        ) as { id: number }
      ).id;
      controlRevision.set(`${spec.controlId}/${spec.technologyIndex}`, id);
      descriptions.set(id, textId(`The value shows the ${spec.setting} setting read from ${spec.file} on the host.`));
    }
  });

  // 3. Host revisions.
  const hostRevision: number[] = [];
  sqlite.transaction(() => {
    const insert = sqlite.prepare(
      `INSERT INTO host_revisions (sha256, host_id, ip, dns, netbios, domain_name, os, os_cpe, tracking_method, network_id, network_name)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    for (let h = 0; h < shape.hosts; h++) {
      const technology = TECHNOLOGIES[h % TECHNOLOGIES.length]!;
      const [networkId, networkName] = NETWORKS[Math.floor(unit(h, 3) * NETWORKS.length)]!;
      const ip = `10.20.${Math.floor(h / 250)}.${(h % 250) + 1}`;
      const role = ['app', 'web', 'db', 'mail', 'dc', 'fs'][h % 6]!;
      const prefix = HOST_PREFIX[technology.family];
      const name = `${prefix}-${role}-${String(h).padStart(4, '0')}`;
      const zone = networkName === 'DMZ' ? 'dmz.example.net' : 'corp.example.net';
      const tracking = ['IP', 'AGENT', 'DNS'][h % 3]!;
      const id = (
        insert.get(digest(`host/${h}`), 6_000_000 + h, ip, `${name}.${zone}`, name.toUpperCase(), zone, technology.os, technology.cpe, tracking, networkId, networkName) as {
          id: number;
        }
      ).id;
      hostRevision.push(id);
    }
  })();

  // 4. Postures, states and members, in batches so one transaction stays bounded.
  const insertPosture = sqlite.prepare('INSERT INTO postures (policy_id, host_id, control_id, instance) VALUES (?, ?, ?, ?) RETURNING id');
  const insertState = sqlite.prepare(
    `INSERT INTO posture_states (sha256, posture_id, policy_title, status, previous_status, status_class, is_exception, last_evaluated_date,
                                 control_revision_id, host_revision_id, evidence_sha256, expected_text_id, current_values, extended_text_id,
                                 description_text_id, cause_of_failure, raw)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertMember = sqlite.prepare('INSERT INTO snapshot_members (snapshot_id, posture_id, state_id) VALUES (?, ?, ?)');
  const policyOf = (family: string, half: number): [number, string] => {
    if (family === 'linux') return half === 0 ? [1455112, 'Linux baseline 2025'] : [725886, 'CIS Benchmark Servers'];
    if (family === 'windows') return half === 0 ? [1455059, 'Windows Server hardening'] : [725886, 'CIS Benchmark Servers'];
    return [5561690, 'Oracle Database and Network Devices'];
  };

  const writeState = (postureId: number, spec: ControlSpec, h: number, k: number, day: number): number => {
    const roll = unit(h * 1009 + k, day === 1 ? 11 : 13);
    const status = roll < 0.62 ? 'Passed' : roll < 0.87 ? 'Failed' : roll < 0.96 ? 'Error' : 'Passed*';
    const value = status === 'Failed' ? String(Math.floor(unit(h, k) * 8)) : String(8 + Math.floor(unit(k, h) * 8));
    const date = `2026-01-0${day}T${String(h % 24).padStart(2, '0')}:${String(k % 60).padStart(2, '0')}:00Z`;
    const extended = `Row 1:File name,Setting,Value\nRow 2:${spec.file},${spec.setting},${value}\nRow 3:Collected,${date}\n`;
    const crev = controlRevision.get(`${spec.controlId}/${spec.technologyIndex}`)!;
    const cause =
      status === 'Failed'
        ? JSON.stringify({ missing: { logic: null, value: ['greater than or equal to', String(8 + (k % 7))] }, unexpected: { value: [value] } })
        : 'null';
    const [, title] = policyOf(TECHNOLOGIES[spec.technologyIndex]!.family, k < shape.controlsPerHost / 2 ? 0 : 1);
    const row = insertState.get(
      digest(`${postureId}/${day}/${status}`),
      postureId,
      title,
      status,
      unit(h, k + day) < 0.8 ? status : 'Passed',
      status === 'Passed' ? 'pass' : status === 'Failed' ? 'fail' : status === 'Error' ? 'error' : 'exception',
      status === 'Passed*' ? 1 : 0,
      date,
      crev,
      hostRevision[h],
      digest(extended),
      textId(spec.expected),
      JSON.stringify([value]),
      textId(extended),
      descriptions.get(crev),
      cause,
      raw,
    ) as { id: number };
    search.stateValues(row.id, JSON.stringify([value]), cause);
    stateCount++;
    return row.id;
  };

  const batchHosts = 50;
  for (let start = 0; start < shape.hosts; start += batchHosts) {
    search.transaction(() => {
      for (let h = start; h < Math.min(shape.hosts, start + batchHosts); h++) {
        const technologyIndex = h % TECHNOLOGIES.length;
        const family = TECHNOLOGIES[technologyIndex]!.family;
        for (let k = 0; k < shape.controlsPerHost; k++) {
          const spec = specs[technologyIndex * perTechnology + k]!;
          const [policyId] = policyOf(family, k < shape.controlsPerHost / 2 ? 0 : 1);
          const postureId = (insertPosture.get(policyId, 6_000_000 + h, spec.controlId, 'os') as { id: number }).id;
          postureCount++;
          const first = writeState(postureId, spec, h, k, 1);
          insertMember.run(snapshots[0], postureId, first);
          // 5% of the postures change between the two days.
          const second = unit(postureId, 17) < 0.05 ? writeState(postureId, spec, h, k, 2) : first;
          insertMember.run(snapshots[1], postureId, second);
        }
      }
    });
  }

  const count = (table: string) => (sqlite.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number }).count;
  return {
    postures: postureCount,
    states: stateCount,
    snapshots,
    controlRevisions: count('control_revisions'),
    hostRevisions: count('host_revisions'),
    texts: count('texts'),
  };
}

/** The indexes on posture_states that only search uses. */
export const SEARCH_INDEXES = [
  'posture_states_control_revision',
  'posture_states_host_revision',
  'posture_states_expected_text',
  'posture_states_extended_text',
  'posture_states_description_text',
  'posture_states_search',
];

/**
 * Turns a new, empty store into one without search: no search triggers, no search
 * indexes on posture_states, and views that discard rows in place of the search tables
 * the snapshot writer fills, so its search statements cost next to nothing. The baseline
 * of the import-overhead measurement.
 */
export function removeSearch(sqlite: Database.Database): void {
  const objects = sqlite
    .prepare(
      `SELECT type, name FROM sqlite_master
        WHERE (type = 'trigger' AND name LIKE 'search%')
           OR (type = 'index' AND name IN (SELECT value FROM json_each(?)))`,
    )
    .all(JSON.stringify(SEARCH_INDEXES)) as { type: string; name: string }[];
  for (const object of objects) sqlite.exec(`DROP ${object.type.toUpperCase()} "${object.name}"`);
  const discard = (table: string, columns: string[]) =>
    sqlite.exec(
      `DROP TABLE ${table};
       CREATE VIEW ${table} (${columns.join(', ')}) AS SELECT ${columns.map(() => 'NULL').join(', ')} WHERE 0;
       CREATE TRIGGER ${table}_discard INSTEAD OF INSERT ON ${table} BEGIN SELECT 1; END;`,
    );
  discard('search_texts', ['rowid', 'body']);
  discard('search_values', ['rowid', 'current_values', 'cause_of_failure']);
  discard('search_value_texts', ['id', 'current_values', 'cause_of_failure']);
  discard('search_state_values', ['state_id', 'value_id']);
}
