import type { Priority } from '../domain/priority';

const HOUR = 3_600;

const OFFICE_DAY: [string, string][] = [['09:00', '12:00'], ['13:30', '18:00']];
const EU_OFFICE_DAY: [string, string][] = [['09:00', '17:30']];

// Holidays come from sources that know next year before it starts: China's official holidays and make-up working
// days (调休) from the chinese-days package, and the French public holidays from the date-holidays preset.
export const DEMO_CALENDARS = [
  {
    name: 'CN-Shanghai',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: OFFICE_DAY, tue: OFFICE_DAY, wed: OFFICE_DAY, thu: OFFICE_DAY, fri: OFFICE_DAY },
    alwaysOpen: false,
    holidays: [] as string[],
    holidayPresets: [] as string[],
    extraWorkingDays: [] as string[],
    chineseDays: true,
    owner: 'manager',
  },
  {
    name: 'EU-Paris',
    timeZone: 'Europe/Paris',
    weekly: { mon: EU_OFFICE_DAY, tue: EU_OFFICE_DAY, wed: EU_OFFICE_DAY, thu: EU_OFFICE_DAY, fri: EU_OFFICE_DAY },
    alwaysOpen: false,
    holidays: [] as string[],
    holidayPresets: ['FR'],
    extraWorkingDays: [] as string[],
    chineseDays: false,
    owner: 'manager',
  },
  { name: '24x7', timeZone: 'UTC', weekly: {}, alwaysOpen: true, holidays: [], holidayPresets: [], extraWorkingDays: [], chineseDays: false, owner: 'admin' },
] as const;

export const DEMO_USERS = [
  { key: 'admin', email: 'admin@itsm.local', name: 'Ada Admin', locale: 'en', timeZone: 'UTC', roles: ['admin'] },
  { key: 'agent', email: 'mei.chen@itsm.local', name: '陈美 Mei Chen', locale: 'zh-CN', timeZone: 'Asia/Shanghai', roles: ['agent'] },
  { key: 'agent2', email: 'sam.taylor@itsm.local', name: 'Sam Taylor', locale: 'en', timeZone: 'Europe/London', roles: ['agent'] },
  { key: 'manager', email: 'li.wei@itsm.local', name: '李伟 Li Wei', locale: 'zh-CN', timeZone: 'Asia/Shanghai', roles: ['manager', 'cab'] },
  { key: 'requester', email: 'riley.requester@itsm.local', name: 'Riley Requester', locale: 'en', timeZone: 'Europe/London', roles: ['requester'] },
  { key: 'cab1', email: 'wang.fang@itsm.local', name: '王芳 Wang Fang', locale: 'zh-CN', timeZone: 'Asia/Shanghai', roles: ['cab'] },
  { key: 'cab2', email: 'omar.haddad@itsm.local', name: 'Omar Haddad', locale: 'en', timeZone: 'Europe/London', roles: ['cab'] },
  { key: 'auditor', email: 'ines.moreau@itsm.local', name: 'Ines Moreau', locale: 'en', timeZone: 'Europe/Paris', roles: ['auditor'] },
] as const;

export const DEMO_GROUPS = [
  { name: 'Service Desk', email: 'servicedesk@itsm.local', lead: 'agent', members: ['agent', 'agent2'] },
  { name: 'Network Operations', email: 'netops@itsm.local', lead: 'agent2', members: ['agent2'] },
  { name: 'Application Support', email: 'appsupport@itsm.local', lead: 'manager', members: ['agent', 'manager'] },
] as const;

/**
 * Each service's default group is where its new incidents land when no assignment rule matches; mail to its address
 * opens one. Mail and the network are agreed round the clock; ERP and the desk during Shanghai office hours.
 */
export const DEMO_SERVICES = [
  { code: 'EMAIL', name: 'Corporate e-mail', description: 'Mailboxes, calendars and mobile mail', owner: 'manager', defaultGroup: 'Service Desk', serviceHours: '24x7', availabilityTarget: 99.9, mailAddress: 'email-help@itsm.local' },
  { code: 'ERP', name: 'ERP and finance', description: 'General ledger, purchasing, payroll', owner: 'manager', defaultGroup: 'Application Support', serviceHours: 'CN-Shanghai', availabilityTarget: 99.5, mailAddress: 'erp-help@itsm.local' },
  { code: 'NET', name: 'Network and VPN', description: 'Office LAN, Wi-Fi, site links and remote access', owner: 'agent2', defaultGroup: 'Network Operations', serviceHours: '24x7', availabilityTarget: 99.9, mailAddress: 'network-help@itsm.local' },
  { code: 'DESK', name: 'End-user computing', description: 'Laptops, printers, accounts and software requests', owner: 'agent', defaultGroup: 'Service Desk', serviceHours: 'CN-Shanghai', availabilityTarget: 99, mailAddress: 'desk-help@itsm.local' },
] as const;

/** Targets per priority: P1 runs round the clock, the others on Shanghai office hours; unassigned work alerts the lead at a third of the response target. */
export const DEMO_SLA_TARGETS: Record<Priority, { calendar: string; response: number; resolution: number; progressEvery: number | null; unassignedAlert: number }> = {
  P1: { calendar: '24x7', response: 0.25 * HOUR, resolution: 4 * HOUR, progressEvery: 1 * HOUR, unassignedAlert: 5 * 60 },
  P2: { calendar: 'CN-Shanghai', response: 0.5 * HOUR, resolution: 8 * HOUR, progressEvery: 2 * HOUR, unassignedAlert: 10 * 60 },
  P3: { calendar: 'CN-Shanghai', response: 4 * HOUR, resolution: 24 * HOUR, progressEvery: null, unassignedAlert: 1 * HOUR },
  P4: { calendar: 'CN-Shanghai', response: 8 * HOUR, resolution: 40 * HOUR, progressEvery: null, unassignedAlert: 2 * HOUR },
};

const OFFICE_DAY_SECONDS = 7.5 * HOUR;

/**
 * The change boards: the CAB decides normal changes by majority within two office days, with the change
 * manager as a second level for high risk or cost above 100 000; the ECAB decides emergencies round the clock
 * within four hours, any one member sufficing.
 */
export const DEMO_BOARDS = [
  {
    code: 'CAB',
    name: 'Change Advisory Board',
    chair: 'manager',
    members: ['manager', 'cab1', 'cab2'],
    quorum: { rule: 'majority' },
    calendar: 'CN-Shanghai',
    decisionSeconds: 2 * OFFICE_DAY_SECONDS,
    remindBeforeSeconds: [OFFICE_DAY_SECONDS],
    escalateBeforeSeconds: 2 * HOUR,
    reviewSeconds: 5 * OFFICE_DAY_SECONDS,
    secondLevel: { board: 'CM', costAbove: 100_000, riskAtLeast: 'high' },
  },
  {
    code: 'ECAB',
    name: 'Emergency CAB',
    chair: 'manager',
    members: ['manager', 'cab1'],
    quorum: { rule: 'any' },
    calendar: '24x7',
    decisionSeconds: 4 * HOUR,
    remindBeforeSeconds: [HOUR],
    escalateBeforeSeconds: 0.5 * HOUR,
    reviewSeconds: 2 * 24 * HOUR,
    secondLevel: null,
  },
  {
    code: 'CM',
    name: 'Change manager',
    chair: 'admin',
    members: ['admin'],
    quorum: { rule: 'any' },
    calendar: 'CN-Shanghai',
    decisionSeconds: OFFICE_DAY_SECONDS,
    remindBeforeSeconds: [2 * HOUR],
    escalateBeforeSeconds: HOUR,
    reviewSeconds: 5 * OFFICE_DAY_SECONDS,
    secondLevel: null,
  },
] as const;

export const DEMO_CHANGE_TEMPLATES = [
  {
    name: 'Restart an ERP application server',
    description: 'Rolling restart of one ERP application node behind the load balancer',
    implementationPlan: 'Drain the node in the load balancer, restart the service, check the health page, put it back.',
    backoutPlan: 'Keep the node drained and open an incident with Application Support.',
    maxCost: 0,
    maxDurationMinutes: 60,
    // What it pre-approves: ERP's application and its servers, at low risk; anything riskier goes to the CAB.
    services: ['ERP'],
    ciTypes: ['application', 'server'],
    maxRisk: 'low',
  },
] as const;

/** ERP changes go in its Saturday-night window (22:00-02:00 Shanghai), and never during the year-end close. */
export const DEMO_ERP_WINDOWS = Array.from({ length: 14 }, (_, week) => {
  const start = Date.UTC(2026, 10, 28, 14) + week * 7 * 24 * HOUR * 1000;
  return { name: 'ERP Saturday night', startsAt: new Date(start), endsAt: new Date(start + 4 * HOUR * 1000) };
});
export const DEMO_BLACKOUTS = [
  { service: 'ERP', name: 'Year-end financial close', reason: 'Finance closes the books', startsAt: new Date('2026-12-28T00:00:00+08:00'), endsAt: new Date('2027-01-06T00:00:00+08:00') },
] as const;

const DAY = 24 * HOUR;

/**
 * A small CMDB: four services, what they run on, and a core switch everything is connected to (so the graph
 * has cycles). The ERP licence is over-used and a mail server's warranty ends soon, so both alerts show.
 */
export const DEMO_CIS = [
  { code: 'svc-erp', name: 'ERP and finance (service)', type: 'service', service: 'ERP', owner: 'manager', attributes: { tier: 'gold' } },
  { code: 'svc-email', name: 'Corporate e-mail (service)', type: 'service', service: 'EMAIL', owner: 'manager', attributes: { tier: 'silver' } },
  { code: 'svc-net', name: 'Network and VPN (service)', type: 'service', service: 'NET', owner: 'agent2', attributes: { tier: 'gold' } },
  { code: 'app-erp', name: 'ERP application', type: 'application', owner: 'manager', attributes: { vendor: 'SAP', version: 'S/4HANA 2023' } },
  { code: 'db-cluster-01', name: 'ERP database cluster', type: 'database', owner: 'agent2', attributes: { engine: 'postgresql', version: '16', sizeGb: 800 } },
  { code: 'srv-db-01', name: 'Database server 1', type: 'server', owner: 'agent2', attributes: { hostname: 'db01.corp.local', os: 'Debian 12', cpus: 32, memoryGb: 256, environment: 'production' }, warrantyDays: 400 },
  { code: 'srv-db-02', name: 'Database server 2', type: 'server', owner: 'agent2', attributes: { hostname: 'db02.corp.local', os: 'Debian 12', cpus: 32, memoryGb: 256, environment: 'production' }, warrantyDays: 400 },
  { code: 'app-mail', name: 'Mail platform', type: 'application', owner: 'agent', attributes: { vendor: 'Microsoft', version: 'Exchange SE' } },
  { code: 'srv-mail-01', name: 'Mail server', type: 'server', owner: 'agent', attributes: { hostname: 'mail01.corp.local', os: 'Windows Server 2022', cpus: 16, memoryGb: 128, environment: 'production' }, warrantyDays: 20 },
  { code: 'sw-core-01', name: 'Core switch', type: 'network_device', owner: 'agent2', attributes: { model: 'Catalyst 9500', managementIp: '10.0.0.2', ports: 48 } },
  { code: 'lic-erp', name: 'ERP named-user licences', type: 'licence', owner: 'manager', attributes: { vendor: 'SAP', product: 'S/4HANA professional user', metric: 'user' }, seats: [200, 212] },
] as const;

export const DEMO_RELATIONSHIPS = [
  ['svc-erp', 'depends_on', 'app-erp'],
  ['app-erp', 'depends_on', 'db-cluster-01'],
  ['app-erp', 'depends_on', 'lic-erp'],
  ['srv-db-01', 'part_of', 'db-cluster-01'],
  ['srv-db-02', 'part_of', 'db-cluster-01'],
  ['svc-email', 'depends_on', 'app-mail'],
  ['app-mail', 'runs_on', 'srv-mail-01'],
  ['svc-net', 'depends_on', 'sw-core-01'],
  ['srv-db-01', 'connected_to', 'sw-core-01'],
  ['srv-db-02', 'connected_to', 'sw-core-01'],
  ['srv-mail-01', 'connected_to', 'sw-core-01'],
] as const;

/** Root-cause deadlines per priority (wall-clock), a reminder before each, and the effectiveness review. */
export const DEMO_PROBLEM_POLICIES: Record<Priority, { rcaSeconds: number; remindBeforeSeconds: number[]; effectivenessSeconds: number }> = {
  P1: { rcaSeconds: 2 * DAY, remindBeforeSeconds: [4 * HOUR], effectivenessSeconds: 7 * DAY },
  P2: { rcaSeconds: 5 * DAY, remindBeforeSeconds: [DAY], effectivenessSeconds: 14 * DAY },
  P3: { rcaSeconds: 10 * DAY, remindBeforeSeconds: [2 * DAY], effectivenessSeconds: 30 * DAY },
  P4: { rcaSeconds: 20 * DAY, remindBeforeSeconds: [3 * DAY], effectivenessSeconds: 30 * DAY },
};

export const DEMO_TREND_RULES = [
  { dimension: 'ci', windowSeconds: DAY, threshold: 3 },
  { dimension: 'service', windowSeconds: DAY, threshold: 5 },
  { dimension: 'category', windowSeconds: 7 * DAY, threshold: 5 },
] as const;

export const DEMO_ARTICLES = [
  {
    title: 'Reset a forgotten VPN password',
    body: 'Open the self-service portal, choose **VPN account**, then *Reset password*. The new password works after about five minutes.\n\nIf the reset fails, raise an incident on the Network and VPN service.',
    language: 'en',
    tags: ['vpn', 'password', 'self-service'],
  },
  {
    title: '邮箱无法同步到手机',
    body: '如果手机邮箱无法同步，请先在设置中删除账户，然后重新添加。仍然失败时，请在“企业邮箱”服务下提交事件。',
    language: 'zh-CN',
    tags: ['邮箱', '手机'],
  },
] as const;

/** Who approves whose requests when an item asks for the requester's manager. */
export const DEMO_MANAGERS = { requester: 'manager', agent: 'manager', agent2: 'manager' } as const;

const DAY_OF_WORK = 7.5 * HOUR;

/**
 * A handful of catalogue items: a laptop (the requester's manager approves; the desk prepares it, then network
 * operations enrols it), ERP access (the service owner approves; application support grants the role) and a
 * VPN account (no approval).
 */
export const DEMO_CATALOG_ITEMS = [
  {
    code: 'LAPTOP',
    service: 'DESK',
    name: 'New laptop',
    description: 'A standard laptop, imaged, enrolled and handed over',
    kind: 'standard' as const,
    form: {
      type: 'object',
      required: ['model', 'neededBy'],
      properties: {
        model: { type: 'string', title: 'Model', enum: ['14-inch standard', '16-inch engineering'] },
        neededBy: { type: 'string', title: 'Needed by', format: 'date' },
        forUser: { type: 'string', title: 'For (if not you)', format: 'user' },
        notes: { type: 'string', title: 'Notes', maxLength: 2_000 },
      },
    },
    approval: { kind: 'manager', decisionSeconds: 2 * DAY_OF_WORK, remindBeforeSeconds: [DAY_OF_WORK] },
    fulfilment: {
      mode: 'ordered',
      tasks: [
        { name: 'Prepare and image the laptop', group: 'Service Desk', olaSeconds: 2 * DAY_OF_WORK },
        { name: 'Enrol on the network and hand over', group: 'Network Operations', olaSeconds: DAY_OF_WORK },
      ],
    },
    calendar: 'CN-Shanghai',
    responseTargetSeconds: 4 * HOUR,
    fulfilmentTargetSeconds: 5 * DAY_OF_WORK,
  },
  {
    code: 'ERP-ACCESS',
    service: 'ERP',
    name: 'ERP access (finance user)',
    description: 'The finance-user role in the ERP application',
    kind: 'access' as const,
    ci: 'app-erp',
    accessRole: 'finance-user',
    form: { type: 'object', required: ['justification'], properties: { justification: { type: 'string', title: 'Why you need it', maxLength: 2_000 } } },
    approval: { kind: 'service_owner', decisionSeconds: 2 * DAY_OF_WORK, remindBeforeSeconds: [DAY_OF_WORK] },
    fulfilment: { mode: 'ordered', tasks: [{ name: 'Grant the ERP role', group: 'Application Support', olaSeconds: DAY_OF_WORK }] },
    calendar: 'CN-Shanghai',
    responseTargetSeconds: 4 * HOUR,
    fulfilmentTargetSeconds: 2 * DAY_OF_WORK,
  },
  {
    code: 'VPN',
    service: 'NET',
    name: 'VPN account',
    description: 'Remote access for working from home',
    kind: 'standard' as const,
    form: { type: 'object', required: [], properties: { startDate: { type: 'string', title: 'From', format: 'date' } } },
    approval: { kind: 'none', decisionSeconds: DAY_OF_WORK, remindBeforeSeconds: [] },
    fulfilment: { mode: 'parallel', tasks: [{ name: 'Create the VPN account', group: 'Network Operations', olaSeconds: 4 * HOUR }] },
    calendar: 'CN-Shanghai',
    responseTargetSeconds: 2 * HOUR,
    fulfilmentTargetSeconds: DAY_OF_WORK,
  },
];

/** Access held before the catalogue existed, for the yearly recertification demo: both through the ERP access item. */
export const DEMO_ENTITLEMENTS = [
  { user: 'agent', ci: 'app-erp', item: 'ERP-ACCESS', role: 'finance-user' },
  { user: 'agent2', ci: 'app-erp', item: 'ERP-ACCESS', role: 'finance-user' },
] as const;
