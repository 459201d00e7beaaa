import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { incidentWorkflowId, openingColumns, type IncidentOpened } from '../domain/incident';
import { incidentOpeningDetails, incidentSummary, type OpeningTargets } from '../domain/incident-metadata';
import type { AssignmentRuleDefinition, IntakeChannel } from '../domain/routing';
import { priorityFor, type Level } from '../domain/priority';
import type { Db } from '../prisma/database';
import type { Incident, Prisma, Priority } from '../prisma/generated/client';
import { ItsmAssignee, ItsmPriority, ItsmService } from '../temporal-config/search-attributes';
import type { incidentLifecycle } from '../workflows/incident';
import { resolveCis } from './ci-references';
import type { ApiDeps } from './deps';
import { applicableRulesSql, routeNewIncident } from './incident-routing';
import { httpErrors } from './problem-details';
import { recordApiUrl } from './workflow-links';
import { startRecordWorkflow } from './workflow-start';

export interface IncidentIntake {
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  serviceId: string;
  category?: string;
  cis?: string[];
}

/** Who the incident is for, who wrote it down, and how it reached the service desk. */
export interface IntakeOrigin {
  requesterId: string;
  loggedById: string | null;
  channel: IntakeChannel;
}

/** What intake decides on, read in one statement: the service, its policies, routing, and the incident's number. */
interface IntakeContext {
  id: string;
  code: string;
  name: string;
  priorityMatrix: Prisma.JsonValue;
  retiredAt: Date | null;
  /** The service's SLA policies by priority: their targets open the workflow's details in the Temporal UI. */
  policies: Partial<Record<Priority, OpeningTargets>>;
  activeDefaultGroupId: string | null;
  rules: AssignmentRuleDefinition[];
  /** Names of the active groups routing can pick (by id), so the Temporal UI names the group, not its id. */
  groupNames: Record<string, string>;
  /** Drawn only for a service that takes incidents; a refusal for a missing policy still leaves a gap. */
  number: number | null;
}

function readIntakeContext(prisma: Db, serviceId: string) {
  return prisma.$queryRaw<IntakeContext[]>`
    SELECT s.id, s.code, s.name, s."priorityMatrix", s."retiredAt",
           (SELECT COALESCE(json_object_agg(p.priority, json_build_object(
                     'responseTargetSeconds', p."responseTargetSeconds", 'resolutionTargetSeconds', p."resolutionTargetSeconds",
                     'calendar', c.name, 'alwaysOpen', c."alwaysOpen")), '{}'::json)
              FROM "SlaPolicy" p JOIN "BusinessCalendar" c ON c.id = p."calendarId" WHERE p."serviceId" = s.id) AS policies,
           (SELECT g.id FROM "Group" g WHERE g.id = s."defaultGroupId" AND g."deactivatedAt" IS NULL) AS "activeDefaultGroupId",
           ${applicableRulesSql(serviceId)} AS rules,
           (SELECT COALESCE(json_object_agg(g.id, g.name), '{}'::json) FROM "Group" g
             WHERE g."deactivatedAt" IS NULL
               AND (g.id = s."defaultGroupId" OR g.id IN (SELECT r."groupId" FROM "AssignmentRule" r WHERE r.active AND (r."serviceId" IS NULL OR r."serviceId" = s.id)))) AS "groupNames",
           CASE WHEN s."retiredAt" IS NULL THEN nextval(pg_get_serial_sequence('"Incident"', 'number'))::int END AS number
      FROM "Service" s
     WHERE s.id = ${serviceId}::uuid`;
}

/**
 * Starts the incident's workflow first, with the whole record in its input, and writes the row after. The
 * workflow's first activity upserts the same row from that input, so an API that dies between the two steps
 * still leaves a complete incident, and a refused start leaves nothing. No database transaction is held across
 * the call to Temporal, which on single-connection PGlite would stall every other query while it waits.
 * Without CIs or a member strategy that is two statements: the read above and the insert; the answer is the
 * row as written, not read back.
 */
export async function openIncident(deps: { prisma: Db; temporal: Client; taskQueue: string } & Pick<ApiDeps, 'publicUrl'>, intake: IncidentIntake, origin: IntakeOrigin): Promise<Incident> {
  const { requesterId } = origin;
  const [service] = await readIntakeContext(deps.prisma, intake.serviceId);
  if (!service) {
    throw httpErrors.validation([{ location: 'body', field: 'serviceId', message: `no service with id ${intake.serviceId}`, code: 'unknown_reference' }]);
  }
  if (service.retiredAt) {
    throw httpErrors.conflict(`service ${service.code} was retired on ${service.retiredAt.toISOString().slice(0, 10)} and takes no new incidents`, { currentState: 'retired' });
  }
  const cis = await resolveCis(deps.prisma, intake.cis ?? [], 'cis');
  const priority = priorityFor(intake.impact, intake.urgency, service.priorityMatrix);
  // Without a policy the incident would have no clock at all: refuse it while the caller can still act.
  const targets = service.policies[priority];
  if (!targets) {
    throw httpErrors.conflict(`service ${service.code} has no SLA policy for ${priority}; a manager or administrator adds one with POST /api/sla-policies`, { serviceId: service.id, priority });
  }
  const category = intake.category ?? null;
  const routed = await routeNewIncident(deps.prisma, service.rules, { serviceId: service.id, category, ciTypes: [...new Set(cis.map((ci) => ci.type))] }, service.activeDefaultGroupId);
  const id = randomUUID();
  const workflowId = incidentWorkflowId(id);
  const number = service.number!;
  const openedAt = new Date();
  const opened: IncidentOpened = {
    incidentId: id,
    number,
    title: intake.title,
    description: intake.description,
    impact: intake.impact,
    urgency: intake.urgency,
    priority,
    serviceId: service.id,
    serviceCode: service.code,
    requesterId,
    openedAt: openedAt.toISOString(),
    category,
    ciIds: cis.map((ci) => ci.id),
    groupId: routed?.groupId ?? null,
    groupName: routed ? (service.groupNames[routed.groupId] ?? null) : null,
    assigneeId: routed?.assignee?.id ?? null,
    assigneeEmail: routed?.assignee?.email ?? null,
    channel: origin.channel,
    loggedById: origin.loggedById,
  };
  await startRecordWorkflow<typeof incidentLifecycle>(deps, 'incidentLifecycle', {
    workflowId,
    args: [opened],
    kind: 'incident',
    state: openingColumns(opened).state,
    searchAttributes: [{ key: ItsmPriority, value: priority }, { key: ItsmService, value: service.code }, ...(routed?.assignee ? [{ key: ItsmAssignee, value: routed.assignee.email }] : [])],
    summary: incidentSummary({ number, title: intake.title, priority, serviceName: service.name }),
    details: incidentOpeningDetails({
      number,
      title: intake.title,
      priority,
      impact: intake.impact,
      urgency: intake.urgency,
      serviceName: service.name,
      serviceCode: service.code,
      channel: origin.channel,
      groupName: opened.groupName ?? null,
      assigneeEmail: routed?.assignee?.email ?? null,
      openedAt: openedAt.getTime(),
      targets,
      apiUrl: recordApiUrl(deps, `/api/incidents/${id}`),
    }),
  });
  // Every column is written, so the row as written is the answer (the workflow fills the SLA columns later).
  const incident: Incident = {
    ...UNSET_COLUMNS,
    id,
    number,
    workflowId,
    title: intake.title,
    description: intake.description,
    impact: intake.impact,
    urgency: intake.urgency,
    priority,
    ...openingColumns(opened),
    serviceId: service.id,
    requesterId,
    loggedById: origin.loggedById,
    channel: origin.channel,
    category,
    createdAt: openedAt,
    updatedAt: openedAt,
  };
  // The workflow's first activity writes the same row, maybe at this very moment: an insert that skips an
  // existing row cannot collide with it, where an upsert (read, then insert) can.
  const row = deps.prisma.incident.createMany({ data: [{ ...incident, olaSeconds: {} }], skipDuplicates: true });
  if (opened.ciIds!.length === 0) await row;
  else await deps.prisma.$transaction([row, deps.prisma.incidentCi.createMany({ data: opened.ciIds!.map((ciId) => ({ incidentId: id, ciId })), skipDuplicates: true })]);
  return incident;
}

/** The columns a new incident starts without: no SLA policy or deadlines yet, nothing breached, escalated or resolved. */
const UNSET_COLUMNS = {
  major: false,
  slaPolicyId: null,
  slaPolicyVersion: null,
  responseDueAt: null,
  resolutionDueAt: null,
  respondedAt: null,
  resolvedAt: null,
  closedAt: null,
  responseBreached: false,
  resolutionBreached: false,
  escalationLevel: 0,
  resolutionCode: null,
  resolutionSummary: null,
  olaSeconds: {},
} satisfies Partial<Incident>;
