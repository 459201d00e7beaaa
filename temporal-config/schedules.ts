import { isGrpcServiceError, MONTHS, ScheduleAlreadyRunning, ScheduleOverlapPolicy, ServiceError, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { detailsMarkdown, summaryLine } from '../domain/workflow-metadata';
import type { StartMetadata } from '../domain/governance-metadata';
import { contractRenewalStart, supplierReviewStart } from '../domain/supplier-metadata';
import { ItsmKind } from './search-attributes';

export interface ScheduleSettings {
  taskQueue: string;
  /** How often trend detection runs (e.g. "1h"). */
  trendDetectionEvery: Duration;
  /** Prefixes the schedule ids, so test suites sharing one server keep theirs apart. */
  idPrefix?: string;
  /** Deadlines of the yearly audit's management review (defaults: 14 days, a reminder 3 days before). */
  audit?: { reviewSeconds: number; remindBeforeSeconds: number[] };
  /** Deadlines of the yearly competence reviews (defaults: 30 days, a reminder 7 days before). */
  competence?: { reviewSeconds: number; remindBeforeSeconds: number[] };
  /** Deadlines of the yearly access reviews (defaults: 28 days, a reminder 7 days before). */
  recertification?: { reviewSeconds: number; remindBeforeSeconds: number[] };
  /** Cron expressions (UTC) that replace a schedule's default calendar, by schedule name. */
  cron?: Partial<Record<ScheduleName, string>>;
  /** Active supplier contracts: each is reviewed yearly on the anniversary of its start. */
  contracts?: ContractSchedule[];
}

export interface ContractSchedule {
  id: string;
  reference: string;
  startsOn: Date;
  endsOn: Date;
  noticeDays: number;
  /** What the runs show in the Temporal UI (activities/supplier-review.ts `scheduledContract`). */
  title?: string;
  supplier?: string;
  owner?: string;
  /** The contract in the API, linked from each run's details. */
  apiUrl?: string;
}

export const SCHEDULE_NAMES = ['trend-detection', 'asset-alerts', 'annual-audit', 'service-reports', 'continuity-tests', 'competence-reviews', 'certification-reminders', 'calendar-holidays', 'access-recertification'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

export const DEFAULT_SCHEDULE_PREFIX = 'itsm';
export const scheduleId = (prefix: string, name: ScheduleName) => `${prefix}-${name}`;

interface Recurring {
  id: string;
  /** ItsmKind of the runs, to find them in the Temporal UI. */
  kind: string;
  workflowType: string;
  spec: ScheduleOptions['spec'];
  args?: unknown[];
  /** How late a missed run may still be made up (after downtime). */
  catchupWindow: Duration;
  description: string;
  /** The line each run shows in the Temporal UI's workflow list (`Monthly service reports`). */
  summary: string;
}

/** What each run shows beside its summary: what it does (and when, as configured) and which schedule started it. */
function runDetails({ id, workflowType, catchupWindow, description, summary }: Recurring): string {
  return detailsMarkdown(summary, [
    {
      facts: [
        ['What', description],
        ['Started by schedule', id],
        ['Workflow type', workflowType],
        ['A missed run is made up within', String(catchupWindow)],
      ],
    },
  ]);
}

/** One Temporal Schedule that starts one workflow; a run still going when the next is due makes that one skip. */
function recurring(taskQueue: string, schedule: Recurring): ScheduleOptions {
  const { id, kind, workflowType, spec, args = [], catchupWindow, description, summary } = schedule;
  return {
    scheduleId: id,
    spec,
    // Each run's id is this one plus the time it was due (Temporal appends it).
    action: {
      type: 'startWorkflow',
      workflowType,
      workflowId: id,
      taskQueue,
      args,
      typedSearchAttributes: [{ key: ItsmKind, value: kind }],
      staticSummary: summaryLine([summary]),
      staticDetails: runDetails(schedule),
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow },
    memo: { description },
  };
}

/** The recurring work of the service management system, each a Temporal Schedule visible in the UI. */
export function itsmSchedules(settings: ScheduleSettings): ScheduleOptions[] {
  const prefix = settings.idPrefix ?? DEFAULT_SCHEDULE_PREFIX;
  const schedules: (Omit<Recurring, 'id'> & { name: ScheduleName })[] = [
    { name: 'trend-detection', kind: 'trend-detection', workflowType: 'trendDetection', spec: { intervals: [{ every: settings.trendDetectionEvery }] }, args: [{}], catchupWindow: '1 hour', summary: 'Incident trend detection', description: 'Incident trend detection: opens or updates problems for recurring incidents (ISO/IEC 20000-1 8.6.3)' },
    { name: 'asset-alerts', kind: 'asset-alerts', workflowType: 'assetAlertCheck', spec: { calendars: [{ hour: 8 }] }, catchupWindow: '1 day', summary: 'Daily asset alerts: licences and warranties', description: 'Daily at 08:00 UTC: owners of over-used licences and of warranties ending within 30 days are told' },
    { name: 'annual-audit', kind: 'audit', workflowType: 'annualAudit', spec: { calendars: [{ month: 'JANUARY', dayOfMonth: 15, hour: 9 }] }, args: [settings.audit ?? {}], catchupWindow: '30 days', summary: 'Yearly internal audit · ISO/IEC 20000-1 9.2, 9.3', description: 'Yearly on 15 January: the internal audit of the service management system (ISO/IEC 20000-1 9.2, 9.3)' },
    { name: 'service-reports', kind: 'service-reports', workflowType: 'monthlyServiceReports', spec: { calendars: [{ dayOfMonth: 1, hour: 6 }] }, catchupWindow: '7 days', summary: 'Monthly service reports', description: 'Monthly on the 1st, 06:00 UTC: each service report (targets vs achieved, this month vs the last), mailed to its owner' },
    { name: 'continuity-tests', kind: 'continuity-tests', workflowType: 'continuityTests', spec: { calendars: [{ month: 'MARCH', dayOfMonth: 1, hour: 9 }] }, catchupWindow: '30 days', summary: 'Yearly continuity tests · every continuity plan', description: 'Yearly on 1 March: each service continuity plan is tested (ISO/IEC 20000-1 8.7.2)' },
    { name: 'competence-reviews', kind: 'competence-reviews', workflowType: 'competenceReviews', spec: { calendars: [{ month: 'FEBRUARY', dayOfMonth: 1, hour: 9 }] }, args: [settings.competence ?? {}], catchupWindow: '30 days', summary: 'Yearly competence reviews · all staff', description: "Yearly on 1 February: every member of staff's competence review (ISO/IEC 20000-1 7.2)" },
    { name: 'certification-reminders', kind: 'certification-reminders', workflowType: 'certificationReminders', spec: { calendars: [{ hour: 7 }] }, catchupWindow: '1 day', summary: 'Daily certification reminders', description: 'Daily at 07:00 UTC: certifications ending within 30 days are reminded to their holders' },
    { name: 'calendar-holidays', kind: 'calendar-holidays', workflowType: 'calendarHolidayRefresh', spec: { calendars: [{ hour: 5 }] }, args: [{}], catchupWindow: '1 day', summary: 'Daily holiday refresh and coverage check · business calendars', description: 'Daily at 05:00 UTC: holiday feeds and the chinese-days package are re-read into the business calendars; from 1 November a calendar without holidays for the coming year is reported to its owner and the administrators, weekly' },
    { name: 'access-recertification', kind: 'access-recertification', workflowType: 'accessRecertification', spec: { calendars: [{ month: 'APRIL', dayOfMonth: 1, hour: 9 }] }, args: [settings.recertification ?? {}], catchupWindow: '30 days', summary: 'Yearly access recertification · every system', description: "Yearly on 1 April: each system's owner confirms or revokes every access to it (ISO/IEC 20000-1 8.7.3)" },
  ];
  return schedules.map(({ name, ...schedule }) => {
    const configured = settings.cron?.[name];
    const moved = configured ? { spec: { cronExpressions: [configured] }, description: `${schedule.description} (moved by configuration to cron "${configured}", UTC)` } : {};
    return recurring(settings.taskQueue, { ...schedule, id: scheduleId(prefix, name), ...moved });
  });
}

export const contractReviewScheduleId = (prefix: string, contractId: string) => `${prefix}-supplier-review-${contractId}`;

/** A contract's run shows the contract's facts and API link, not only what the schedule does. */
function withStartMetadata(options: ScheduleOptions, start: StartMetadata): ScheduleOptions {
  return { ...options, action: { ...options.action, ...start } };
}

/** A contract's yearly supplier review, at 09:00 UTC on the anniversary of its start. */
export function contractReviewSchedule(prefix: string, taskQueue: string, contract: ContractSchedule): ScheduleOptions {
  const start = supplierReviewStart(contract, 'yearly');
  const options = recurring(taskQueue, {
    id: contractReviewScheduleId(prefix, contract.id),
    kind: 'supplier-review',
    workflowType: 'supplierReview',
    spec: { calendars: [{ month: MONTHS[contract.startsOn.getUTCMonth()], dayOfMonth: contract.startsOn.getUTCDate(), hour: 9 }] },
    args: [{ contractId: contract.id, reason: 'yearly' }],
    catchupWindow: '7 days',
    description: `Yearly supplier review of contract ${contract.reference} (ISO/IEC 20000-1 8.2.5)`,
    summary: start.staticSummary,
  });
  return withStartMetadata(options, start);
}

export const contractRenewalScheduleId = (prefix: string, contractId: string) => `${prefix}-contract-renewal-${contractId}`;

/**
 * The renewal reminder, once, at 09:00 UTC on the day the notice period starts; none when that day has passed
 * (the contract is then inside its notice period already, and its owner was told when it was recorded).
 */
export function contractRenewalSchedule(prefix: string, taskQueue: string, contract: ContractSchedule, now = Date.now()): ScheduleOptions | null {
  const noticeStarts = new Date(contract.endsOn.getTime() - contract.noticeDays * 86_400_000);
  noticeStarts.setUTCHours(9, 0, 0, 0);
  if (noticeStarts.getTime() <= now) return null;
  const start = contractRenewalStart(contract);
  const options = recurring(taskQueue, {
    id: contractRenewalScheduleId(prefix, contract.id),
    kind: 'contract-renewal',
    workflowType: 'contractRenewalReminder',
    spec: { calendars: [{ year: noticeStarts.getUTCFullYear(), month: MONTHS[noticeStarts.getUTCMonth()], dayOfMonth: noticeStarts.getUTCDate(), hour: 9 }] },
    args: [{ contractId: contract.id }],
    catchupWindow: '30 days',
    description: `Renewal reminder for contract ${contract.reference}, ${contract.noticeDays} days before it ends`,
    summary: start.staticSummary,
  });
  return withStartMetadata(options, start);
}

/** A contract's schedules: its yearly review and, while still ahead, its renewal reminder. */
export function contractSchedules(prefix: string, taskQueue: string, contract: ContractSchedule): ScheduleOptions[] {
  const renewal = contractRenewalSchedule(prefix, taskQueue, contract);
  return [contractReviewSchedule(prefix, taskQueue, contract), ...(renewal ? [renewal] : [])];
}

/** Creates the schedule, or brings an existing one in line with the configuration; never a second copy. */
export async function upsertSchedule(client: Client, options: ScheduleOptions): Promise<'created' | 'updated'> {
  try {
    await whileStarting(() => client.schedule.create(options));
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await whileStarting(() => client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: { ...previous.policies, ...options.policies } })));
    return 'updated';
  }
}

/**
 * gRPC codes a server still loading its schedules answers with ("Failed to describe schedule" right after a
 * restart) that the connection's own retries leave alone: DEADLINE_EXCEEDED, FAILED_PRECONDITION, INTERNAL.
 */
const STARTING_CODES = new Set([4, 9, 13]);
const isTransient = (error: unknown) => error instanceof ServiceError && isGrpcServiceError(error.cause) && STARTING_CODES.has(error.cause.code);

/** Retries a schedule call for about 15 s while the server answers as one that is still starting; then gives up. */
const STARTING_ATTEMPTS = 6;
async function whileStarting<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= STARTING_ATTEMPTS || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 1)));
    }
  }
}

/** Registers every schedule: safe to run at every start of every process. */
export async function registerSchedules(client: Client, settings: ScheduleSettings): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  const prefix = settings.idPrefix ?? DEFAULT_SCHEDULE_PREFIX;
  const all = [...itsmSchedules(settings), ...(settings.contracts ?? []).flatMap((contract) => contractSchedules(prefix, settings.taskQueue, contract))];
  for (const options of all) {
    ((await upsertSchedule(client, options)) === 'created' ? created : updated).push(options.scheduleId);
  }
  return { created, updated };
}
