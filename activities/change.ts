import { createHash } from 'node:crypto';
import { changeReference, planApprovals, standardFit, type ApprovalPlan, type BoardSnapshot, type ChangeOpened, type ChangeState, type QuorumRule, type RiskAnswers, type RiskAssessment, type RiskLevel } from '../domain/change';
import type { Conflict } from '../domain/change-schedule';
import type { ChangeSnapshot } from '../domain/change-progress';
import type { Db } from '../prisma/database';
import { Prisma } from '../prisma/generated/client';
import { signActionToken, type ActionLinkKey } from '../records/mail/action-tokens';
import { calendarFromRecord } from '../records/calendars';
import { formatChangeWindow, renderChangeMail } from '../records/mail/change-mail';
import { CHANGE_SCOPE, changeScope, conflictsFor, writeChangeRecord } from '../records/changes';
import { changeRisk } from '../records/change-risk';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, recipientSet } from '../records/mail/deliveries';
import { standardTemplate } from '../records/standard-templates';

export interface ChangeActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  /** Signs the action links in approval mail. */
  actionSecret: ActionLinkKey;
}

export type { ChangeSnapshot } from '../domain/change-progress';

export interface ChangeEventRecord {
  eventKey: string;
  type: string;
  actorId: string | null;
  at: string;
  fromState: ChangeState;
  toState: ChangeState;
  data: Record<string, unknown>;
}

export interface ApprovalRecord {
  level: number;
  board: string;
  approverId: string;
  decision: 'approve' | 'reject';
  comment: string;
  via: 'api' | 'link';
  decidedAt: string;
}

export interface ChangeNotificationRequest {
  /** Unique per notification; with the recipient it forms the idempotency key. */
  key: string;
  changeId: string;
  kind: string;
  toUserIds: string[];
  context: { board?: string; deadline?: string; reason?: string; decisions?: string };
  /** Approval requests and reminders carry each approver's own link to decide this level until it expires. */
  action?: { level: number; expiresAt: number };
}

const date = (value: string | null) => (value === null ? null : new Date(value));
const json = (value: object | null) => (value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue));

function snapshotColumns(s: ChangeSnapshot) {
  return {
    ...s,
    approvalDueAt: date(s.approvalDueAt),
    costApprovedAt: date(s.costApprovedAt),
    scheduledStart: date(s.scheduledStart),
    scheduledEnd: date(s.scheduledEnd),
    implementationStartedAt: date(s.implementationStartedAt),
    implementedAt: date(s.implementedAt),
    reviewDueAt: date(s.reviewDueAt),
    closedAt: date(s.closedAt),
    conflictOverride: json(s.conflictOverride),
    backout: json(s.backout),
    review: json(s.review),
  };
}

export function createChangeActivities({ prisma, mailer, publicUrl, actionSecret }: ChangeActivityDeps) {
  async function boardSnapshots(now: number): Promise<Record<string, BoardSnapshot>> {
    const boards = await prisma.approvalBoard.findMany({ include: { members: { where: { user: { deactivatedAt: null } } }, calendar: true } });
    return Object.fromEntries(
      boards.map((board) => [
        board.code,
        {
          code: board.code,
          name: board.name,
          chairId: board.chairId,
          memberIds: board.members.map((m) => m.userId).sort(),
          quorum: board.quorum as unknown as QuorumRule,
          calendar: calendarFromRecord(board.calendar, now),
          decisionSeconds: board.decisionSeconds,
          remindBeforeSeconds: [...board.remindBeforeSeconds].sort((a, b) => b - a),
          escalateBeforeSeconds: board.escalateBeforeSeconds,
          reviewSeconds: board.reviewSeconds,
          secondLevel: board.secondLevelBoard
            ? { board: board.secondLevelBoard, costAbove: board.secondLevelCostAbove === null ? null : Number(board.secondLevelCostAbove), riskAtLeast: board.secondLevelRiskAtLeast as RiskLevel | null }
            : null,
        } satisfies BoardSnapshot,
      ]),
    );
  }

  return {
    async openChangeRecord(opened: ChangeOpened): Promise<void> {
      await writeChangeRecord(prisma, opened);
    },

    /**
     * Risk from the questionnaire and the breadth of the change, and the approval stages the boards' current
     * rules give it; both are kept on the record, so later edits to a board do not change a running approval.
     * A standard change is held to its template: outside its scope or limits it cannot be approved, and
     * riskier than the template allows it goes to the CAB and is recorded as the normal change it has become.
     */
    async assessChange({ changeId }: { changeId: string }): Promise<{ risk: RiskAssessment; plan: ApprovalPlan }> {
      const change = await prisma.changeRequest.findUniqueOrThrow({
        where: { id: changeId },
        include: { services: { include: { service: { select: { id: true, code: true } } } }, cis: { include: { ci: { select: { code: true, type: true } } } }, template: { include: { services: true } } },
      });
      const risk = await changeRisk(prisma, change.riskAnswers as unknown as RiskAnswers, change.services.map((s) => s.serviceId), change.cis.map((c) => c.ciId));
      const estimatedCost = Number(change.estimatedCost);
      // Only standard changes cite a template (the intake sees to it); on a retry this one may already read normal.
      const type = change.templateId ? 'standard' : change.type;
      const templateFit = type === 'standard'
        ? standardFit(change.template && standardTemplate(change.template), {
            services: change.services.map((s) => s.service),
            cis: change.cis.map((c) => c.ci),
            estimatedCost,
            minutes: (change.plannedEnd.getTime() - change.plannedStart.getTime()) / 60_000,
            risk: risk.level,
          })
        : undefined;
      const plan = planApprovals({ type, requesterId: change.requesterId, estimatedCost, risk: risk.level, templateFit }, await boardSnapshots(Date.now()));
      await prisma.changeRequest.update({ where: { id: changeId }, data: { type: plan.approvedAs, riskScore: risk.score, riskLevel: risk.level, approvalPlan: plan as unknown as Prisma.InputJsonValue } });
      return { risk, plan };
    },

    /** One audit event (keyed, so written once), a decision if there is one, and the record's snapshot, in one transaction. */
    async recordChangeChange({ changeId, event, snapshot, approval }: { changeId: string; event: ChangeEventRecord; snapshot: ChangeSnapshot; approval?: ApprovalRecord }): Promise<void> {
      await prisma.$transaction([
        prisma.changeEvent.upsert({ where: { eventKey: event.eventKey }, update: {}, create: { ...event, changeId, at: new Date(event.at), data: event.data as Prisma.InputJsonValue } }),
        ...(approval
          ? [
              prisma.changeApproval.upsert({
                where: { changeId_level_approverId: { changeId, level: approval.level, approverId: approval.approverId } },
                update: {},
                create: { ...approval, changeId, decision: approval.decision === 'approve' ? 'approved' : 'rejected', decidedAt: new Date(approval.decidedAt) },
              }),
            ]
          : []),
        prisma.changeRequest.update({ where: { id: changeId }, data: snapshotColumns(snapshot) }),
      ]);
    },

    /**
     * Checks the window and, when it is clear (or a manager accepted its conflicts), records the schedule. The
     * check and the write share a transaction under one advisory lock, so two changes cannot both take a slot
     * that only one of them may have.
     */
    async scheduleChange(input: { changeId: string; window: { start: number; end: number }; overrideAccepted: boolean; event: ChangeEventRecord; snapshot: ChangeSnapshot }): Promise<{ scheduled: boolean; conflicts: Conflict[] }> {
      return prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('itsm:change-schedule'))`;
        const change = await tx.changeRequest.findUniqueOrThrow({ where: { id: input.changeId }, include: CHANGE_SCOPE });
        if (change.state === input.snapshot.state && change.scheduledStart?.getTime() === input.window.start && change.scheduledEnd?.getTime() === input.window.end) {
          return { scheduled: true, conflicts: (input.snapshot.conflictOverride?.conflicts ?? []) as Conflict[] };
        }
        const conflicts = await conflictsFor(tx, input.window, changeScope(change), change.id);
        if (conflicts.length > 0 && !input.overrideAccepted) return { scheduled: false, conflicts };
        const snapshot = { ...input.snapshot, conflictOverride: conflicts.length > 0 ? { ...input.snapshot.conflictOverride!, conflicts } : null };
        const event = { ...input.event, data: { ...input.event.data, conflicts } };
        await tx.changeEvent.upsert({ where: { eventKey: event.eventKey }, update: {}, create: { ...event, changeId: change.id, at: new Date(event.at), data: event.data as object as Prisma.InputJsonValue } });
        await tx.changeRequest.update({ where: { id: change.id }, data: snapshotColumns(snapshot) });
        return { scheduled: true, conflicts };
      });
    },

    /** One mail per recipient, each at most once; approvers get their own signed link to decide. */
    async sendChangeNotification(request: ChangeNotificationRequest): Promise<{ sent: number; skipped: number }> {
      const change = await prisma.changeRequest.findUniqueOrThrow({ where: { id: request.changeId }, include: { requester: true, services: { include: { service: true } } } });
      const users = await prisma.user.findMany({ where: { id: { in: request.toUserIds } } });
      const recipients = recipientSet();
      for (const id of request.toUserIds) recipients.add(users.find((u) => u.id === id));
      const reference = changeReference(change.number);
      let sent = 0;
      let skipped = 0;
      for (const recipient of recipients.values()) {
        const user = users.find((u) => u.email === recipient.email)!;
        const idempotencyKey = `${request.key}:${recipient.email}`;
        const actionUrl = request.action
          ? `${publicUrl}/actions/${await signActionToken(actionSecret, {
              act: 'change-decision',
              approverId: user.id,
              changeId: change.id,
              level: request.action.level,
              // The same link on a retry: its id comes from the notification it belongs to.
              jti: createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 32),
              expiresAt: request.action.expiresAt,
            })}`
          : undefined;
        const mail = renderChangeMail(request.kind, recipient, {
          ...request.context,
          reference,
          title: change.title,
          type: change.type,
          risk: change.riskLevel ?? 'unassessed',
          window: formatChangeWindow(change, recipient),
          services: change.services.map((s) => s.service.name).join(', '),
          requester: change.requester.name,
          actionUrl,
          recordUrl: `${publicUrl}/api/changes/${change.id}`,
        });
        const outcome = await deliverOnce(prisma, mailer, {
          idempotencyKey,
          recipient,
          kind: request.kind,
          ...mail,
          headers: { 'X-Itsm-Change': reference, 'X-Itsm-Change-Id': change.id },
          changeId: change.id,
        });
        if (outcome === 'sent') sent++;
        else skipped++;
      }
      return { sent, skipped };
    },
  };
}

export type ChangeActivities = ReturnType<typeof createChangeActivities>;
