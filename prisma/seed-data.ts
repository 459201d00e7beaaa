import type { Priority } from '../domain/priority';

const HOUR = 3_600;

// 2026 public holidays in mainland China per the State Council's notice, and the weekend days worked in
// exchange (调休). Both are needed: a holiday Monday is off, a make-up Saturday is a full working day.
export const CN_2026_HOLIDAYS = [
  '2026-01-01', '2026-01-02', '2026-01-03',
  '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23',
  '2026-04-04', '2026-04-05', '2026-04-06',
  '2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05',
  '2026-06-19', '2026-06-20', '2026-06-21',
  '2026-09-25', '2026-09-26', '2026-09-27',
  '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07',
];
export const CN_2026_MAKEUP_WORKING_DAYS = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

const OFFICE_DAY: [string, string][] = [['09:00', '12:00'], ['13:30', '18:00']];

export const DEMO_CALENDARS = [
  {
    name: 'CN-Shanghai',
    timeZone: 'Asia/Shanghai',
    weekly: { mon: OFFICE_DAY, tue: OFFICE_DAY, wed: OFFICE_DAY, thu: OFFICE_DAY, fri: OFFICE_DAY },
    alwaysOpen: false,
    holidays: CN_2026_HOLIDAYS,
    holidayPresets: [] as string[],
    extraWorkingDays: CN_2026_MAKEUP_WORKING_DAYS,
  },
  { name: '24x7', timeZone: 'UTC', weekly: {}, alwaysOpen: true, holidays: [], holidayPresets: [], extraWorkingDays: [] },
];

export const DEMO_USERS = [
  { key: 'admin', email: 'admin@itsm.local', name: 'Ada Admin', locale: 'en', roles: ['admin'] },
  { key: 'agent', email: 'mei.chen@itsm.local', name: '陈美 Mei Chen', locale: 'zh-CN', roles: ['agent'] },
  { key: 'agent2', email: 'sam.taylor@itsm.local', name: 'Sam Taylor', locale: 'en', roles: ['agent'] },
  { key: 'manager', email: 'li.wei@itsm.local', name: '李伟 Li Wei', locale: 'zh-CN', roles: ['manager', 'cab'] },
  { key: 'requester', email: 'riley.requester@itsm.local', name: 'Riley Requester', locale: 'en', roles: ['requester'] },
  { key: 'cab1', email: 'wang.fang@itsm.local', name: '王芳 Wang Fang', locale: 'zh-CN', roles: ['cab'] },
  { key: 'cab2', email: 'omar.haddad@itsm.local', name: 'Omar Haddad', locale: 'en', roles: ['cab'] },
] as const;

export const DEMO_GROUPS = [
  { name: 'Service Desk', email: 'servicedesk@itsm.local', lead: 'agent', members: ['agent', 'agent2'] },
  { name: 'Network Operations', email: 'netops@itsm.local', lead: 'agent2', members: ['agent2'] },
  { name: 'Application Support', email: 'appsupport@itsm.local', lead: 'manager', members: ['agent', 'manager'] },
] as const;

export const DEMO_SERVICES = [
  { code: 'EMAIL', name: 'Corporate e-mail', description: 'Mailboxes, calendars and mobile mail', owner: 'manager' },
  { code: 'ERP', name: 'ERP and finance', description: 'General ledger, purchasing, payroll', owner: 'manager' },
  { code: 'NET', name: 'Network and VPN', description: 'Office LAN, Wi-Fi, site links and remote access', owner: 'agent2' },
  { code: 'DESK', name: 'End-user computing', description: 'Laptops, printers, accounts and software requests', owner: 'agent' },
] as const;

/** Targets per priority: P1 runs round the clock, the others on Shanghai office hours. */
export const DEMO_SLA_TARGETS: Record<Priority, { calendar: string; response: number; resolution: number; progressEvery: number | null }> = {
  P1: { calendar: '24x7', response: 0.25 * HOUR, resolution: 4 * HOUR, progressEvery: 1 * HOUR },
  P2: { calendar: 'CN-Shanghai', response: 0.5 * HOUR, resolution: 8 * HOUR, progressEvery: 2 * HOUR },
  P3: { calendar: 'CN-Shanghai', response: 4 * HOUR, resolution: 24 * HOUR, progressEvery: null },
  P4: { calendar: 'CN-Shanghai', response: 8 * HOUR, resolution: 40 * HOUR, progressEvery: null },
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
