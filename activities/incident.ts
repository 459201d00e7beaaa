import { ApplicationFailure } from '@temporalio/activity';
import { incidentReference, incidentWorkflowId, openingColumns, type IncidentOpened, type IncidentState } from '../domain/incident';
import type { IncidentSnapshot, NotificationRequest } from '../domain/incident-record';
import type { Priority } from '../domain/priority';
import { dueAt, startClock, type EscalationLevel, type SlaPolicySnapshot } from '../domain/sla';
import type { Db } from '../prisma/database';
import { calendarFromRecord } from '../records/calendars';
import { renderMail } from '../records/mail/templates';
import type { Mailer } from '../records/mail/mailer';
import { GROUP_PEOPLE, incidentRecipients } from '../records/mail/incident-recipients';
import { deliverOnce } from '../records/mail/deliveries';
import { operatorLog } from '../config/logger';
import { observeSlaLateness } from '../workers/metrics';

export interface IncidentActivityDeps {
  prisma: Db;
  mailer: Mailer;
  /** Base URL for links in mail. */
  publicUrl: string;
}

export interface IncidentEventRecord {
  eventKey: string;
  type: string;
  actorId: string | null;
  at: string;
  fromState: IncidentState;
  toState: IncidentState;
  visibility: 'public' | 'internal';
  data: Record<string, unknown>;
}

/** The SLA events an operator acts on, as one short line naming the incident (never a person); null for the others. */
function slaLine(incidentId: string, { type, data }: IncidentEventRecord): string | null {
  const { clock, fraction, level } = data as { clock?: string; fraction?: number; level?: number };
  if (type === 'sla.warning') return `SLA warning: incident ${incidentId}, ${clock} clock at ${Math.round((fraction ?? 0) * 100)}%`;
  if (type === 'sla.breach') return `SLA breached: incident ${incidentId}, ${clock} target missed`;
  if (type === 'sla.escalation') return `SLA escalation: incident ${incidentId} escalated to level ${level}`;
  return null;
}

const date = (value: string | null) => (value === null ? null : new Date(value));

export function createIncidentActivities({ prisma, mailer, publicUrl }: IncidentActivityDeps) {
  async function slaPolicy(serviceId: string, priority: Priority): Promise<SlaPolicySnapshot> {
    const policy = await prisma.slaPolicy.findUnique({ where: { serviceId_priority: { serviceId, priority } }, include: { calendar: true } });
    if (!policy) throw ApplicationFailure.retryable(`no SLA policy for service ${serviceId} at ${priority}; add one with PUT /api/sla-policies`, 'MissingSlaPolicy');
    return {
      policyId: policy.id,
      priority,
      responseTargetSeconds: policy.responseTargetSeconds,
      resolutionTargetSeconds: policy.resolutionTargetSeconds,
      warningThresholds: [...policy.warningThresholds].sort((a, b) => a - b),
      escalationChain: (policy.escalationChain as unknown as EscalationLevel[]).slice().sort((a, b) => a.level - b.level),
      progressUpdateEverySeconds: policy.progressUpdateEverySeconds,
      autoCloseAfterSeconds: policy.autoCloseAfterSeconds,
      reopenWindowSeconds: policy.reopenWindowSeconds,
      holdNotificationsOutsideHours: policy.holdNotificationsOutsideHours,
      unassignedAlertSeconds: policy.unassignedAlertSeconds,
      version: policy.version,
      calendar: calendarFromRecord(policy.calendar, Date.now()),
    };
  }

  /** The record (as the workflow input has it) and its opening event in one transaction; keyed, so a retry writes nothing twice. */
  function openingWrites(opened: IncidentOpened, deadlines: { responseDueAt?: Date; resolutionDueAt?: Date; slaPolicyId?: string; slaPolicyVersion?: number }) {
    const openedAt = new Date(opened.openedAt);
    return prisma.$transaction([
      prisma.incident.upsert({
        where: { id: opened.incidentId },
        update: deadlines,
        create: {
          id: opened.incidentId,
          number: opened.number,
          workflowId: incidentWorkflowId(opened.incidentId),
          title: opened.title,
          description: opened.description,
          impact: opened.impact,
          urgency: opened.urgency,
          priority: opened.priority,
          serviceId: opened.serviceId,
          requesterId: opened.requesterId,
          category: opened.category ?? null,
          ...openingColumns(opened),
          channel: opened.channel,
          loggedById: opened.loggedById ?? null,
          createdAt: openedAt,
          ...deadlines,
        },
      }),
      prisma.incidentCi.createMany({ data: (opened.ciIds ?? []).map((ciId) => ({ incidentId: opened.incidentId, ciId })), skipDuplicates: true }),
      prisma.incidentEvent.upsert({
        where: { eventKey: `${opened.incidentId}:opened` },
        update: {},
        create: {
          eventKey: `${opened.incidentId}:opened`,
          incidentId: opened.incidentId,
          type: 'opened',
          actorId: opened.requesterId,
          at: openedAt,
          toState: openingColumns(opened).state,
          visibility: 'public',
          data: { priority: opened.priority, impact: opened.impact, urgency: opened.urgency, groupId: opened.groupId ?? null, assigneeId: opened.assigneeId ?? null, channel: opened.channel ?? null, loggedById: opened.loggedById ?? null },
        },
      }),
    ]);
  }

  async function recordChanges(incidentId: string, events: IncidentEventRecord[], snapshot: IncidentSnapshot): Promise<void> {
    const update = prisma.incident.update({
      where: { id: incidentId },
      data: {
        ...snapshot,
        responseDueAt: date(snapshot.responseDueAt),
        resolutionDueAt: date(snapshot.resolutionDueAt),
        respondedAt: date(snapshot.respondedAt),
        resolvedAt: date(snapshot.resolvedAt),
        closedAt: date(snapshot.closedAt),
      },
    });
    if (events.length === 0) {
      await update;
      return;
    }
    const upserts = events.map((event) =>
      prisma.incidentEvent.upsert({
        where: { eventKey: event.eventKey },
        update: {},
        create: { ...event, incidentId, at: new Date(event.at), data: event.data as object },
        select: { recordedAt: true },
      }),
    );
    const written = (await prisma.$transaction([...upserts, update])).slice(0, events.length) as { recordedAt: Date }[];
    events.forEach((event, i) => {
      // Lateness is measured from when the row was written (the database's clock), not when the workflow task
      // decided it; a retry finds the first write's time.
      if (event.type.startsWith('sla.')) observeSlaLateness(event.type, event.data.dueAt, written[i].recordedAt);
      const line = slaLine(incidentId, event);
      if (line) operatorLog().info({ incidentId, event: event.type }, line);
    });
  }

  return {
    /**
     * Writes the 'opened' audit event. The row is normally already there (the API writes it right after starting
     * this workflow); the upsert recreates it from the workflow input if it is not.
     */
    async recordIncidentOpened(opened: IncidentOpened): Promise<void> {
      await openingWrites(opened, {});
    },

    /**
     * The whole opening in one transaction: the record (recreated from the input if missing), its first audit
     * event and its first deadlines, plus the policy the workflow runs on. One round trip instead of three per
     * new incident, which is what a burst of intake costs the worker.
     */
    async openIncidentRecord(opened: IncidentOpened): Promise<SlaPolicySnapshot> {
      const policy = await slaPolicy(opened.serviceId, opened.priority);
      const openedAt = Date.parse(opened.openedAt);
      const deadline = (target: number) => new Date(dueAt(startClock(target, openedAt), policy.calendar)!);
      await openingWrites(opened, {
        responseDueAt: deadline(policy.responseTargetSeconds),
        resolutionDueAt: deadline(policy.resolutionTargetSeconds),
        slaPolicyId: policy.policyId,
        slaPolicyVersion: policy.version,
      });
      return policy;
    },

    /** The policy for a service and priority, with its calendar resolved; retried until an administrator adds one. */
    async loadSlaPolicy({ serviceId, priority }: { serviceId: string; priority: Priority }): Promise<SlaPolicySnapshot> {
      return slaPolicy(serviceId, priority);
    },

    /** One audit event (keyed, so written once) and the record's new snapshot, in one transaction. */
    async recordIncidentChange({ incidentId, event, snapshot }: { incidentId: string; event: IncidentEventRecord | null; snapshot: IncidentSnapshot }): Promise<void> {
      await recordChanges(incidentId, event ? [event] : [], snapshot);
    },

    /**
     * Every SLA event one instant fired (keyed, so a retry writes none twice) and the record as the last of them
     * leaves it, in one transaction: the deadline loop waits for one round trip, however many fell due together.
     */
    async recordIncidentChanges({ incidentId, events, snapshot }: { incidentId: string; events: IncidentEventRecord[]; snapshot: IncidentSnapshot }): Promise<void> {
      await recordChanges(incidentId, events, snapshot);
    },

    /**
     * Sends one notification to each resolved recipient, each (notification, recipient) pair at most once.
     */
    async sendIncidentNotification(request: NotificationRequest): Promise<{ sent: number; skipped: number }> {
      const incident = await prisma.incident.findUniqueOrThrow({
        where: { id: request.incidentId },
        include: { requester: true, assignee: true, group: { include: GROUP_PEOPLE }, service: { include: { owner: true } } },
      });
      const reference = incidentReference(incident.number);
      let sent = 0;
      let skipped = 0;
      for (const recipient of await incidentRecipients(prisma, incident, request.to)) {
        const mail = renderMail(request.kind, recipient, {
          ...request.context,
          reference,
          title: incident.title,
          priority: String(request.context.priority ?? incident.priority),
          state: String(request.context.state ?? incident.state),
          serviceName: incident.service.name,
          groupName: incident.group?.name ?? null,
          assigneeName: incident.assignee?.name ?? null,
          link: `${publicUrl}/api/incidents/${incident.id}`,
        });
        const outcome = await deliverOnce(prisma, mailer, {
          idempotencyKey: `${request.key}:${recipient.email}`,
          recipient,
          kind: request.kind,
          subject: mail.subject,
          text: mail.text,
          headers: { 'X-Itsm-Incident': reference, 'X-Itsm-Incident-Id': incident.id },
          incidentId: incident.id,
        });
        if (outcome === 'sent') sent++;
        else skipped++;
      }
      return { sent, skipped };
    },
  };
}

export type IncidentActivities = ReturnType<typeof createIncidentActivities>;
