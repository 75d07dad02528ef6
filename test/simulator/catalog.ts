// Fixed catalog of technologies and control texts that the seeded data set draws from.
// The texts are written for this simulator. They read like real policy controls, so search,
// reports and the UI have realistic content to work with.

export type Family = 'linux' | 'windows' | 'mssql' | 'oracle';

export interface Technology {
  id: number;
  name: string;
  family: Family;
  osCpe: string | null;
  os: string;
}

export const TECHNOLOGIES: readonly Technology[] = [
  { id: 80, name: 'CentOS 7.x', family: 'linux', osCpe: 'cpe:/o:centos:centos:7:::', os: 'CentOS Linux 7.9.2009' },
  { id: 317, name: 'Red Hat Enterprise Linux 8.x', family: 'linux', osCpe: 'cpe:/o:redhat:enterprise_linux:8.6:::', os: 'Red Hat Enterprise Linux 8.6' },
  { id: 346, name: 'Debian GNU/Linux 11.x', family: 'linux', osCpe: null, os: 'Debian Linux 11.1' },
  { id: 401, name: 'Ubuntu 22.04 LTS', family: 'linux', osCpe: 'cpe:/o:canonical:ubuntu_linux:22.04:::', os: 'Ubuntu Linux 22.04.3' },
  { id: 91, name: 'Windows Server 2016', family: 'windows', osCpe: 'cpe:/o:microsoft:windows_server_2016:-::x64:', os: 'Windows Server 2016 Datacenter 64 bit Edition' },
  { id: 353, name: 'Windows Server 2019', family: 'windows', osCpe: 'cpe:/o:microsoft:windows_server_2019:-::x64:', os: 'Windows Server 2019 Standard 64 bit Edition' },
  { id: 412, name: 'Windows Server 2022', family: 'windows', osCpe: null, os: 'Windows Server 2022 Standard 64 bit Edition' },
];

export const DB_TECHNOLOGIES: Record<'mssql' | 'oracle', Technology> = {
  mssql: { id: 291, name: 'Microsoft SQL Server 2016', family: 'mssql', osCpe: null, os: 'Microsoft SQL Server 2016' },
  oracle: { id: 312, name: 'Oracle 19c Multitenant', family: 'oracle', osCpe: null, os: 'Oracle Database 19c' },
};

/** Standard criticality labels by value. Customers may rename them per subscription. */
export const CRITICALITY_LABELS = ['UNDEFINED', 'MINIMAL', 'MEDIUM', 'SERIOUS', 'CRITICAL', 'URGENT'] as const;

export interface ControlTemplate {
  cid: number;
  family: Family;
  criticality: number;
  category: string;
  subCategory: string;
  statement: string;
  rationale: string;
  remediation: string;
  /** Expected-value text as the vendor formats it: alternatives separated by an OR line. */
  expected: string;
  passValues: string[];
  failValues: string[];
  /** Header and the fixed leading cells of the extended-evidence table. */
  extendedHeader: string;
  extendedPrefix: string;
  description: string;
}

const OR = '\n------------ OR ------------\n';

const ACCESS = 'Access Control Requirements';
const PASSWORDS = 'Authentication/Passwords';
const SERVICES = 'Services';
const AUDIT = 'Auditing and Logging';
const NETWORK = 'Network Settings';
const FILES = 'File Permissions';

export const CONTROLS: readonly ControlTemplate[] = [
  // Linux
  {
    cid: 1071, family: 'linux', criticality: 5, category: ACCESS, subCategory: PASSWORDS,
    statement: "Status of the 'Minimum Password Length' setting (PASS_MIN_LEN)",
    rationale: 'Short passwords fall quickly to brute-force and dictionary attacks. A minimum length applied to new passwords raises the cost of guessing for every local account.',
    remediation: 'Edit /etc/login.defs and set:\n\nPASS_MIN_LEN 14\n\nThe value applies to passwords set after the change; existing passwords keep their length until they expire.',
    expected: '\ngreater than or equal to\n14',
    passValues: ['14', '16'], failValues: ['5', '8'],
    extendedHeader: 'File name,Setting,Value', extendedPrefix: '/etc/login.defs,PASS_MIN_LEN',
    description: 'The integer value shows the PASS_MIN_LEN setting read from /etc/login.defs.',
  },
  {
    cid: 1072, family: 'linux', criticality: 3, category: ACCESS, subCategory: PASSWORDS,
    statement: "Status of the 'Maximum Password Age' setting (PASS_MAX_DAYS)",
    rationale: 'Passwords that never expire stay useful to an attacker long after they leak. A maximum age forces a rotation within a known period.',
    remediation: 'Edit /etc/login.defs and set PASS_MAX_DAYS 90, then run chage --maxdays 90 for each existing interactive account.',
    expected: '\nless than or equal to\n90',
    passValues: ['60', '90'], failValues: ['99999', '365'],
    extendedHeader: 'File name,Setting,Value', extendedPrefix: '/etc/login.defs,PASS_MAX_DAYS',
    description: 'The integer value shows the PASS_MAX_DAYS setting read from /etc/login.defs.',
  },
  {
    cid: 1073, family: 'linux', criticality: 2, category: ACCESS, subCategory: PASSWORDS,
    statement: "Status of the 'Minimum Password Age' setting (PASS_MIN_DAYS)",
    rationale: 'Without a minimum age a user can cycle through the password history in minutes and return to a known password.',
    remediation: 'Edit /etc/login.defs and set PASS_MIN_DAYS 1.',
    expected: '\ngreater than or equal to\n1',
    passValues: ['1', '7'], failValues: ['0'],
    extendedHeader: 'File name,Setting,Value', extendedPrefix: '/etc/login.defs,PASS_MIN_DAYS',
    description: 'The integer value shows the PASS_MIN_DAYS setting read from /etc/login.defs.',
  },
  {
    cid: 2229, family: 'linux', criticality: 4, category: ACCESS, subCategory: 'Remote Access',
    statement: "Status of the 'PermitRootLogin' setting in the SSH daemon configuration",
    rationale: 'Direct root logins over SSH leave no record of which administrator acted and expose the most privileged account to password guessing from the network.',
    remediation: 'Set "PermitRootLogin no" in /etc/ssh/sshd_config and restart sshd. Administrators log in with their own accounts and use sudo.',
    expected: '\nno' + OR + 'prohibit-password',
    passValues: ['no'], failValues: ['yes', 'Setting not found'],
    extendedHeader: 'File name,Setting,Value', extendedPrefix: '/etc/ssh/sshd_config,PermitRootLogin',
    description: 'The string value shows the PermitRootLogin keyword read from /etc/ssh/sshd_config.',
  },
  {
    cid: 2230, family: 'linux', criticality: 3, category: ACCESS, subCategory: 'Remote Access',
    statement: "Status of the 'Protocol' and 'PasswordAuthentication' settings for SSH",
    rationale: 'Password authentication over SSH invites credential stuffing; key-based authentication ties access to a managed key.',
    remediation: 'Set "PasswordAuthentication no" in /etc/ssh/sshd_config after keys are deployed, then reload sshd.',
    expected: '\nno',
    passValues: ['no'], failValues: ['yes'],
    extendedHeader: 'File name,Setting,Value', extendedPrefix: '/etc/ssh/sshd_config,PasswordAuthentication',
    description: 'The string value shows the PasswordAuthentication keyword read from /etc/ssh/sshd_config.',
  },
  {
    cid: 2231, family: 'linux', criticality: 2, category: ACCESS, subCategory: 'Remote Access',
    statement: "Status of the 'MaxAuthTries' setting for SSH",
    rationale: 'A low limit of authentication attempts per connection slows down online guessing and makes it visible in the logs.',
    remediation: 'Set "MaxAuthTries 4" in /etc/ssh/sshd_config and reload sshd.',
    expected: '\nless than or equal to\n4',
    passValues: ['3', '4'], failValues: ['6', 'Setting not found'],
    extendedHeader: 'File name,Setting,Value', extendedPrefix: '/etc/ssh/sshd_config,MaxAuthTries',
    description: 'The integer value shows the MaxAuthTries keyword read from /etc/ssh/sshd_config.',
  },
  {
    cid: 1130, family: 'linux', criticality: 4, category: SERVICES, subCategory: 'Guidelines/Procedures (Services)',
    statement: "Status of the 'telnet' service",
    rationale: 'Telnet sends user names, passwords and the whole session in clear text, so anyone on the path can read or replay it.',
    remediation: 'Disable and remove the service: systemctl disable --now telnet.socket; then remove the telnet-server package.',
    expected: '\nDisabled' + OR + 'Service not found',
    passValues: ['Service not found', 'Disabled'], failValues: ['Enabled'],
    extendedHeader: 'Service,State', extendedPrefix: 'telnet.socket',
    description: 'The string value shows the state of the telnet service as reported by systemd.',
  },
  {
    cid: 1131, family: 'linux', criticality: 3, category: SERVICES, subCategory: 'Guidelines/Procedures (Services)',
    statement: "Status of the 'Trivial File Transfer Protocol (TFTP)' service",
    rationale: 'TFTP transfers files without any authentication. Outside network boot servers it has no business running.',
    remediation: 'Stop and disable tftp.socket and tftp.service, or remove the tftp-server package.',
    expected: '\nDisabled (0)' + OR + 'Setting not found' + OR + 'File not found',
    passValues: ['File not found', 'Disabled (0)'], failValues: ['Enabled (1)'],
    extendedHeader: 'Service,State', extendedPrefix: 'tftp.socket',
    description: 'The string value shows the state of the TFTP service as reported by systemd.',
  },
  {
    cid: 1132, family: 'linux', criticality: 2, category: SERVICES, subCategory: 'Guidelines/Procedures (Services)',
    statement: "Status of the 'rsh' and 'rlogin' services",
    rationale: 'The r-services trust host names and send credentials in clear text; SSH replaces them.',
    remediation: 'Remove the rsh-server package and delete any .rhosts and hosts.equiv files.',
    expected: '\nService not found',
    passValues: ['Service not found'], failValues: ['Enabled'],
    extendedHeader: 'Service,State', extendedPrefix: 'rsh.socket',
    description: 'The string value shows the state of the rsh service as reported by systemd.',
  },
  {
    cid: 3376, family: 'linux', criticality: 3, category: ACCESS, subCategory: PASSWORDS,
    statement: "Status of the password history ('remember') option in PAM",
    rationale: 'Remembering previous passwords stops users from alternating between two known passwords at every change.',
    remediation: 'Add "remember=24" to the pam_pwhistory.so (or pam_unix.so) line in /etc/pam.d/system-auth and /etc/pam.d/password-auth.',
    expected: '\ngreater than or equal to\n24',
    passValues: ['24'], failValues: ['5', 'Setting not found'],
    extendedHeader: 'File name,Module,Option', extendedPrefix: '/etc/pam.d/system-auth,pam_pwhistory.so',
    description: 'The integer value shows the remember option of pam_pwhistory.so.',
  },
  {
    cid: 3377, family: 'linux', criticality: 3, category: ACCESS, subCategory: 'Account Lockout',
    statement: "Status of the account lockout threshold ('deny') in pam_faillock",
    rationale: 'Locking an account after a few failed attempts turns online password guessing into a slow and noisy attack.',
    remediation: 'Set "deny = 5" and "unlock_time = 900" in /etc/security/faillock.conf.',
    expected: '\nless than or equal to\n5',
    passValues: ['3', '5'], failValues: ['0', '10'],
    extendedHeader: 'File name,Setting,Value', extendedPrefix: '/etc/security/faillock.conf,deny',
    description: 'The integer value shows the deny setting read from /etc/security/faillock.conf.',
  },
  {
    cid: 4501, family: 'linux', criticality: 3, category: AUDIT, subCategory: 'Audit Daemon',
    statement: "Status of the 'auditd' service",
    rationale: 'Without the audit daemon the kernel audit records are lost, and investigations lack the trail of privileged actions.',
    remediation: 'Install the audit package and run: systemctl enable --now auditd',
    expected: '\nEnabled',
    passValues: ['Enabled'], failValues: ['Disabled', 'Service not found'],
    extendedHeader: 'Service,State', extendedPrefix: 'auditd.service',
    description: 'The string value shows the state of the auditd service as reported by systemd.',
  },
  {
    cid: 4502, family: 'linux', criticality: 2, category: AUDIT, subCategory: 'Audit Rules',
    statement: 'Status of the audit rule that records changes to /etc/passwd and /etc/shadow',
    rationale: 'Changes to the account databases are a typical step of persistence; an audit rule records who made them.',
    remediation: 'Add to /etc/audit/rules.d/identity.rules:\n-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\nthen run augenrules --load.',
    expected: '\n-w /etc/passwd -p wa -k identity',
    passValues: ['-w /etc/passwd -p wa -k identity'], failValues: ['No rule found'],
    extendedHeader: 'File name,Rule', extendedPrefix: '/etc/audit/rules.d/identity.rules',
    description: 'The string list shows the loaded audit rules that watch the account files.',
  },
  {
    cid: 4503, family: 'linux', criticality: 2, category: AUDIT, subCategory: 'Log Retention',
    statement: "Status of the 'max_log_file_action' setting in auditd.conf",
    rationale: 'Rotating audit logs away without keeping them destroys evidence that investigations need.',
    remediation: 'Set "max_log_file_action = keep_logs" in /etc/audit/auditd.conf.',
    expected: '\nkeep_logs',
    passValues: ['keep_logs'], failValues: ['rotate', 'ROTATE'],
    extendedHeader: 'File name,Setting,Value', extendedPrefix: '/etc/audit/auditd.conf,max_log_file_action',
    description: 'The string value shows the max_log_file_action setting read from /etc/audit/auditd.conf.',
  },
  {
    cid: 5110, family: 'linux', criticality: 3, category: NETWORK, subCategory: 'Kernel Parameters',
    statement: "Status of the 'net.ipv4.conf.all.send_redirects' kernel parameter",
    rationale: 'A host that is not a router has no reason to send ICMP redirects; an attacker who controls one could use them to reroute traffic.',
    remediation: 'Set net.ipv4.conf.all.send_redirects = 0 in /etc/sysctl.d/60-net.conf and run sysctl --system.',
    expected: '\n0',
    passValues: ['0'], failValues: ['1'],
    extendedHeader: 'Parameter,Value', extendedPrefix: 'net.ipv4.conf.all.send_redirects',
    description: 'The integer value shows the running value of the kernel parameter.',
  },
  {
    cid: 5111, family: 'linux', criticality: 3, category: NETWORK, subCategory: 'Kernel Parameters',
    statement: "Status of the 'net.ipv4.ip_forward' kernel parameter",
    rationale: 'IP forwarding turns the host into a router between its networks and can bypass network segmentation.',
    remediation: 'Set net.ipv4.ip_forward = 0 in /etc/sysctl.d/60-net.conf unless the host is a router, and run sysctl --system.',
    expected: '\n0',
    passValues: ['0'], failValues: ['1'],
    extendedHeader: 'Parameter,Value', extendedPrefix: 'net.ipv4.ip_forward',
    description: 'The integer value shows the running value of the kernel parameter.',
  },
  {
    cid: 6001, family: 'linux', criticality: 4, category: FILES, subCategory: 'System Files',
    statement: 'Status of the permissions on /etc/shadow',
    rationale: 'The shadow file contains the password hashes of all local accounts; read access lets an attacker crack them offline.',
    remediation: 'Run: chown root:root /etc/shadow && chmod 0000 /etc/shadow',
    expected: '\nmatches\n---------- root root',
    passValues: ['---------- root root'], failValues: ['-rw-r--r-- root root', '-rw-r----- root shadow'],
    extendedHeader: 'File name,Mode,Owner,Group', extendedPrefix: '/etc/shadow',
    description: 'The string value shows the mode, owner and group of /etc/shadow.',
  },
  {
    cid: 6002, family: 'linux', criticality: 2, category: FILES, subCategory: 'System Files',
    statement: 'Status of the sticky bit on world-writable directories',
    rationale: 'Without the sticky bit any user can delete or rename the files of other users in a shared directory such as /tmp.',
    remediation: 'Run: df --local -P | awk \'NR!=1 {print $6}\' | xargs -I \'{}\' find \'{}\' -xdev -type d -perm -0002 ! -perm -1000 -exec chmod a+t \'{}\' +',
    expected: '\nNo directories found',
    passValues: ['No directories found'], failValues: ['/srv/share/upload', '/var/tmp/build'],
    extendedHeader: 'Directory,Mode', extendedPrefix: 'world-writable',
    description: 'The string list shows world-writable directories that lack the sticky bit.',
  },
  {
    cid: 6003, family: 'linux', criticality: 1, category: ACCESS, subCategory: 'Banners',
    statement: "Status of the login warning banner in '/etc/issue.net'",
    rationale: 'A warning banner states that use is monitored and restricted to authorized users, which supports legal action after misuse.',
    remediation: 'Write the approved warning text to /etc/issue.net and set "Banner /etc/issue.net" in /etc/ssh/sshd_config.',
    expected: '\ncontains\nAuthorized uses only',
    passValues: ['Authorized uses only. All activity may be monitored and reported.'], failValues: ['File not found', 'Ubuntu 22.04.3 LTS'],
    extendedHeader: 'File name,Content', extendedPrefix: '/etc/issue.net',
    description: 'The string value shows the content of /etc/issue.net.',
  },
  {
    cid: 6004, family: 'linux', criticality: 0, category: SERVICES, subCategory: 'Time Synchronization',
    statement: "Status of the 'chronyd' time synchronization service",
    rationale: 'Log correlation across hosts depends on synchronized clocks.',
    remediation: 'Install chrony, list the approved servers in /etc/chrony.conf and run: systemctl enable --now chronyd',
    expected: '\nEnabled',
    passValues: ['Enabled'], failValues: ['Disabled'],
    extendedHeader: 'Service,State', extendedPrefix: 'chronyd.service',
    description: 'The string value shows the state of chronyd as reported by systemd.',
  },
  // Windows
  {
    cid: 1086, family: 'windows', criticality: 4, category: ACCESS, subCategory: PASSWORDS,
    statement: "Status of the 'Minimum password length' setting",
    rationale: 'Longer passwords resist guessing and cracking; the domain or local policy enforces the length at every change.',
    remediation: 'Set Computer Configuration\\Windows Settings\\Security Settings\\Account Policies\\Password Policy\\Minimum password length to 14 or more characters.',
    expected: '\ngreater than or equal to\n14',
    passValues: ['14', '15'], failValues: ['0', '7'],
    extendedHeader: 'Policy,Setting,Value', extendedPrefix: 'Password Policy,MinimumPasswordLength',
    description: 'The integer value shows the effective minimum password length.',
  },
  {
    cid: 1087, family: 'windows', criticality: 3, category: ACCESS, subCategory: PASSWORDS,
    statement: "Status of the 'Enforce password history' setting",
    rationale: 'Password history stops users from reusing a recent password right after a forced change.',
    remediation: 'Set Account Policies\\Password Policy\\Enforce password history to 24 passwords remembered.',
    expected: '\ngreater than or equal to\n24',
    passValues: ['24'], failValues: ['0', '10'],
    extendedHeader: 'Policy,Setting,Value', extendedPrefix: 'Password Policy,PasswordHistorySize',
    description: 'The integer value shows the number of remembered passwords.',
  },
  {
    cid: 1088, family: 'windows', criticality: 3, category: ACCESS, subCategory: PASSWORDS,
    statement: "Status of the 'Password must meet complexity requirements' setting",
    rationale: 'Complexity rules enlarge the character set an attacker must search.',
    remediation: 'Enable Account Policies\\Password Policy\\Password must meet complexity requirements.',
    expected: '\nequal to\n1',
    passValues: ['1'], failValues: ['0', 'Unable to retrieve password policy'],
    extendedHeader: 'Policy,Setting,Value', extendedPrefix: 'Password Policy,PasswordComplexity',
    description: 'The integer value is 1 when complexity is enforced.',
  },
  {
    cid: 1089, family: 'windows', criticality: 3, category: ACCESS, subCategory: 'Account Lockout',
    statement: "Status of the 'Account lockout threshold' setting",
    rationale: 'A lockout threshold limits online password guessing against domain and local accounts.',
    remediation: 'Set Account Policies\\Account Lockout Policy\\Account lockout threshold to 5 invalid attempts or fewer, but not 0.',
    expected: '\nless than or equal to\n5' + OR + 'greater than\n0',
    passValues: ['5', '3'], failValues: ['0'],
    extendedHeader: 'Policy,Setting,Value', extendedPrefix: 'Account Lockout Policy,LockoutBadCount',
    description: 'The integer value shows the number of failed logons before lockout.',
  },
  {
    cid: 1090, family: 'windows', criticality: 5, category: ACCESS, subCategory: 'User Accounts',
    statement: "Status of the built-in 'Guest' account",
    rationale: 'The Guest account allows anonymous interactive access with a well-known name.',
    remediation: 'Set Security Options\\Accounts: Guest account status to Disabled.',
    expected: '\nDisabled',
    passValues: ['Disabled'], failValues: ['Enabled'],
    extendedHeader: 'Account,State', extendedPrefix: 'Guest',
    description: 'The string value shows whether the built-in Guest account is enabled.',
  },
  {
    cid: 1091, family: 'windows', criticality: 2, category: ACCESS, subCategory: 'User Accounts',
    statement: "Status of the 'Rename administrator account' setting",
    rationale: 'The default name of the built-in administrator is the first guess of every attack tool.',
    remediation: 'Set Security Options\\Accounts: Rename administrator account to a name that does not reveal its role.',
    expected: '\nnot equal to\nAdministrator',
    passValues: ['srv-admin-01', 'Verwalter-Zürich'], failValues: ['Administrator'],
    extendedHeader: 'Account,Name', extendedPrefix: 'BuiltinAdministrator',
    description: 'The string value shows the current name of the built-in administrator account.',
  },
  {
    cid: 3890, family: 'windows', criticality: 3, category: AUDIT, subCategory: 'Audit Policy',
    statement: "Status of the 'Audit Logon' advanced audit policy (Logon/Logoff)",
    rationale: 'Logon events show who accessed the host and when; without them a compromise cannot be traced.',
    remediation: 'Set Advanced Audit Policy Configuration\\Logon/Logoff\\Audit Logon to Success and Failure.',
    expected: '\nSuccess and Failure',
    passValues: ['Success and Failure'], failValues: ['Success', 'No Auditing'],
    extendedHeader: 'Category,Subcategory,Setting', extendedPrefix: 'Logon/Logoff,Logon',
    description: 'The string value shows the effective setting from auditpol /get.',
  },
  {
    cid: 3891, family: 'windows', criticality: 3, category: AUDIT, subCategory: 'Audit Policy',
    statement: "Status of the 'Audit Security Group Management' advanced audit policy",
    rationale: 'Changes to privileged groups are a common escalation step and must leave an audit record.',
    remediation: 'Set Advanced Audit Policy Configuration\\Account Management\\Audit Security Group Management to Success.',
    expected: '\nSuccess' + OR + 'Success and Failure',
    passValues: ['Success'], failValues: ['No Auditing'],
    extendedHeader: 'Category,Subcategory,Setting', extendedPrefix: 'Account Management,Security Group Management',
    description: 'The string value shows the effective setting from auditpol /get.',
  },
  {
    cid: 3892, family: 'windows', criticality: 2, category: AUDIT, subCategory: 'Event Log',
    statement: "Status of the maximum size of the 'Security' event log",
    rationale: 'A small Security log overwrites events within hours on a busy server.',
    remediation: 'Set Administrative Templates\\Windows Components\\Event Log Service\\Security\\Specify the maximum log file size (KB) to 196608 or more.',
    expected: '\ngreater than or equal to\n196608',
    passValues: ['196608', '1048576'], failValues: ['20480'],
    extendedHeader: 'Log,Setting,Value', extendedPrefix: 'Security,MaxSize',
    description: 'The integer value shows the maximum size of the Security log in KB.',
  },
  {
    cid: 7201, family: 'windows', criticality: 4, category: NETWORK, subCategory: 'SMB',
    statement: "Status of the 'SMB 1.0/CIFS File Sharing Support' feature",
    rationale: 'SMBv1 lacks the protections of later versions and was the entry point of several worm outbreaks.',
    remediation: 'Run: Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol, then restart.',
    expected: '\nDisabled',
    passValues: ['Disabled'], failValues: ['Enabled'],
    extendedHeader: 'Feature,State', extendedPrefix: 'SMB1Protocol',
    description: 'The string value shows the state of the SMB1Protocol optional feature.',
  },
  {
    cid: 7202, family: 'windows', criticality: 3, category: NETWORK, subCategory: 'Remote Desktop',
    statement: "Status of the 'Require user authentication for remote connections by using Network Level Authentication' setting",
    rationale: 'Network Level Authentication requires credentials before a full desktop session is created, which reduces the exposure of the RDP service.',
    remediation: 'Enable Remote Desktop Session Host\\Security\\Require user authentication for remote connections by using Network Level Authentication.',
    expected: '\nequal to\n1',
    passValues: ['1'], failValues: ['0'],
    extendedHeader: 'Registry key,Value name,Data', extendedPrefix: 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp,UserAuthentication',
    description: 'The integer value shows the UserAuthentication registry value of the RDP listener.',
  },
  {
    cid: 7203, family: 'windows', criticality: 2, category: SERVICES, subCategory: 'Windows Services',
    statement: "Status of the 'Telnet' service (TlntSvr)",
    rationale: 'The Telnet server sends credentials in clear text and has no place on a managed server.',
    remediation: 'Remove the Telnet Server feature or set the TlntSvr service start type to Disabled.',
    expected: '\nDisabled' + OR + 'Service not found',
    passValues: ['Service not found'], failValues: ['Automatic', 'Manual'],
    extendedHeader: 'Service,Start type', extendedPrefix: 'TlntSvr',
    description: 'The string value shows the start type of the TlntSvr service.',
  },
  {
    cid: 7204, family: 'windows', criticality: 1, category: ACCESS, subCategory: 'Banners',
    statement: "Status of the 'Interactive logon: Message text for users attempting to log on' setting",
    rationale: 'The logon message tells users that the system is monitored and restricted to authorized use.',
    remediation: 'Set Security Options\\Interactive logon: Message text for users attempting to log on to the approved text.',
    expected: '\ncontains\nauthorized',
    passValues: ['This system is for authorized use only.'], failValues: ['Attribute not found'],
    extendedHeader: 'Registry key,Value name,Data', extendedPrefix: 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System,LegalNoticeText',
    description: 'The string value shows the configured logon message.',
  },
  {
    cid: 7205, family: 'windows', criticality: 4, category: ACCESS, subCategory: 'User Rights',
    statement: "Status of the 'Debug programs' user right",
    rationale: 'The debug right allows reading the memory of any process, including the credentials held by LSASS.',
    remediation: 'Assign User Rights Assignment\\Debug programs to Administrators only.',
    expected: '\nequal to\nAdministrators' + OR + 'No accounts',
    passValues: ['Administrators'], failValues: ['Administrators, Users', 'Administrators, Администраторы-Тест'],
    extendedHeader: 'Right,Accounts', extendedPrefix: 'SeDebugPrivilege',
    description: 'The string list shows the accounts that hold SeDebugPrivilege.',
  },
  {
    cid: 7206, family: 'windows', criticality: 3, category: NETWORK, subCategory: 'Firewall',
    statement: "Status of the 'Windows Defender Firewall: Domain: Firewall state' setting",
    rationale: 'The host firewall limits lateral movement even inside the corporate network.',
    remediation: 'Set Windows Defender Firewall with Advanced Security\\Domain Profile\\Firewall state to On.',
    expected: '\nOn',
    passValues: ['On'], failValues: ['Off'],
    extendedHeader: 'Profile,State', extendedPrefix: 'Domain',
    description: 'The string value shows the state of the domain firewall profile.',
  },
  // Microsoft SQL Server
  {
    cid: 8101, family: 'mssql', criticality: 4, category: ACCESS, subCategory: 'Database Accounts',
    statement: "Status of the 'sa' login account",
    rationale: "The 'sa' login has full control of the instance and a well-known name, so it is the first target of password spraying.",
    remediation: 'Run: ALTER LOGIN [sa] DISABLE; and use named administrator logins instead.',
    expected: '\nDisabled',
    passValues: ['Disabled'], failValues: ['Enabled'],
    extendedHeader: 'Login,is_disabled', extendedPrefix: 'sa',
    description: 'The string value shows whether the sa login is disabled in sys.server_principals.',
  },
  {
    cid: 8102, family: 'mssql', criticality: 3, category: SERVICES, subCategory: 'Database Features',
    statement: "Status of the 'xp_cmdshell' server configuration option",
    rationale: 'xp_cmdshell lets SQL code run operating system commands with the service account privileges.',
    remediation: "Run: EXEC sp_configure 'xp_cmdshell', 0; RECONFIGURE;",
    expected: '\nequal to\n0',
    passValues: ['0'], failValues: ['1'],
    extendedHeader: 'Option,value_in_use', extendedPrefix: 'xp_cmdshell',
    description: 'The integer value shows value_in_use for xp_cmdshell in sys.configurations.',
  },
  {
    cid: 8103, family: 'mssql', criticality: 2, category: AUDIT, subCategory: 'Database Auditing',
    statement: "Status of the 'Login auditing' level",
    rationale: 'Recording failed logins shows password guessing against the instance.',
    remediation: 'Set the server property Login auditing to Failed logins only or Both failed and successful logins, then restart the service.',
    expected: '\nFailure' + OR + 'All',
    passValues: ['Failure', 'All'], failValues: ['None'],
    extendedHeader: 'Registry value,Data', extendedPrefix: 'AuditLevel',
    description: 'The string value shows the login auditing level of the instance.',
  },
  {
    cid: 8104, family: 'mssql', criticality: 3, category: ACCESS, subCategory: 'Database Accounts',
    statement: "Status of the 'CHECK_POLICY' option for SQL logins",
    rationale: 'Without CHECK_POLICY, SQL logins ignore the Windows password policy.',
    remediation: 'Run ALTER LOGIN [name] WITH CHECK_POLICY = ON; for every SQL login.',
    expected: '\nNo logins found',
    passValues: ['No logins found'], failValues: ['app_reporting', 'legacy_etl'],
    extendedHeader: 'Login,is_policy_checked', extendedPrefix: 'sql_logins',
    description: 'The string list shows SQL logins with is_policy_checked = 0.',
  },
  // Oracle
  {
    cid: 8201, family: 'oracle', criticality: 4, category: ACCESS, subCategory: 'Database Accounts',
    statement: "Status of the 'FAILED_LOGIN_ATTEMPTS' limit in the DEFAULT profile",
    rationale: 'An unlimited number of failed logins allows unbounded password guessing against database accounts.',
    remediation: 'Run: ALTER PROFILE DEFAULT LIMIT FAILED_LOGIN_ATTEMPTS 5;',
    expected: '\nless than or equal to\n5',
    passValues: ['5', '3'], failValues: ['UNLIMITED', '10'],
    extendedHeader: 'Profile,Resource,Limit', extendedPrefix: 'DEFAULT,FAILED_LOGIN_ATTEMPTS',
    description: 'The value shows the FAILED_LOGIN_ATTEMPTS limit of the DEFAULT profile in DBA_PROFILES.',
  },
  {
    cid: 8202, family: 'oracle', criticality: 3, category: ACCESS, subCategory: 'Database Privileges',
    statement: "Status of the users granted the 'DBA' role",
    rationale: 'The DBA role grants every system privilege; grants beyond the approved administrators widen the attack surface.',
    remediation: 'Review DBA_ROLE_PRIVS and revoke the DBA role from accounts that do not need it.',
    expected: '\nSet status to PASS if no data found',
    passValues: ['No data found'], failValues: ['GRANTEE|:|GRANTED_ROLE', 'APPQOSSYS|:|DBA'],
    extendedHeader: 'Grantee,Granted role', extendedPrefix: 'DBA_ROLE_PRIVS',
    description: 'The string list shows accounts other than SYS and SYSTEM that hold the DBA role.',
  },
  {
    cid: 8203, family: 'oracle', criticality: 2, category: AUDIT, subCategory: 'Database Auditing',
    statement: "Status of the 'AUDIT_TRAIL' initialization parameter",
    rationale: 'With AUDIT_TRAIL set to NONE the database records no audit events at all.',
    remediation: "Run: ALTER SYSTEM SET AUDIT_TRAIL = 'DB,EXTENDED' SCOPE = SPFILE; and restart the instance.",
    expected: '\nDB,EXTENDED' + OR + 'OS',
    passValues: ['DB,EXTENDED'], failValues: ['NONE'],
    extendedHeader: 'Parameter,Value', extendedPrefix: 'audit_trail',
    description: 'The string value shows the AUDIT_TRAIL parameter from V$PARAMETER.',
  },
  {
    cid: 8204, family: 'oracle', criticality: 3, category: ACCESS, subCategory: 'Database Privileges',
    statement: "Status of 'EXECUTE' on 'UTL_FILE' granted to PUBLIC",
    rationale: 'UTL_FILE reads and writes operating system files; a grant to PUBLIC gives that to every account.',
    remediation: 'Run: REVOKE EXECUTE ON UTL_FILE FROM PUBLIC;',
    expected: '\nNo data found',
    passValues: ['No data found'], failValues: ['PUBLIC|:|EXECUTE'],
    extendedHeader: 'Grantee,Privilege', extendedPrefix: 'UTL_FILE',
    description: 'The string list shows PUBLIC grants on UTL_FILE.',
  },
];
