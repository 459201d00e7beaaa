import { complaintFigures } from '../domain/complaint';
import { satisfactionFigures } from '../domain/satisfaction';
import type { Db } from '../prisma/database';
import type { Prisma } from '../prisma/generated/client';

export interface AuditActivityDeps {
  prisma: Db;
  /** Where the API is, for the audit's link in the Temporal UI. */
  publicUrl: string;
}

const YEAR_MS = 365 * 86_400_000;
const pct = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 100);

/**
 * Why a person may not audit these services: owning one, being assigned an incident on one, or deciding a
 * change on one within the audited period (ISO/IEC 20000-1 clause 9.2: auditors do not audit their own work).
 */
export async function auditorConflicts(prisma: Db, auditId: string, auditorId: string): Promise<string[]> {
  const audit = await prisma.audit.findUniqueOrThrow({ where: { id: auditId }, include: { services: { include: { service: true } } } });
  const serviceIds = audit.services.map((s) => s.serviceId);
  const period = { gte: audit.periodStart, lt: audit.periodEnd };
  const [incidents, approvals] = await Promise.all([
    prisma.incident.findMany({ where: { assigneeId: auditorId, serviceId: { in: serviceIds }, createdAt: period }, select: { number: true, service: { select: { code: true } } } }),
    prisma.changeApproval.findMany({ where: { approverId: auditorId, decidedAt: period, change: { services: { some: { serviceId: { in: serviceIds } } } } }, select: { change: { select: { number: true } } } }),
  ]);
  const reasons = audit.services.filter((s) => s.service.ownerId === auditorId).map((s) => `owns the audited service ${s.service.code}`);
  if (incidents.length > 0) reasons.push(`was assigned ${incidents.length} incident(s) on audited services in the period (${[...new Set(incidents.map((i) => i.service.code))].join(', ')})`);
  if (approvals.length > 0) reasons.push(`decided ${approvals.length} change approval(s) on audited services in the period`);
  return reasons;
}

/** The evidence per clause, counted from the live records of the period. */
export async function auditEvidence(prisma: Db, periodStart: Date, periodEnd: Date) {
  const period = { gte: periodStart, lt: periodEnd };
  const [incidents, services, problemsOpened, problemsClosed, knownErrors, changes, reviews, actions, competenceReviews, certificationsExpired, continuityTests, surveysSent, answers, complaints] = await Promise.all([
    prisma.incident.findMany({ where: { createdAt: period }, select: { serviceId: true, priority: true, state: true, responseBreached: true, resolutionBreached: true } }),
    prisma.service.findMany({ select: { id: true, code: true } }),
    prisma.problem.count({ where: { createdAt: period } }),
    prisma.problem.count({ where: { closedAt: period } }),
    prisma.knownError.count({ where: { publishedAt: period } }),
    prisma.changeRequest.findMany({ where: { implementedAt: period }, select: { outcome: true } }),
    prisma.supplierReview.groupBy({ by: ['outcome'], where: { decidedAt: period }, _count: true }),
    prisma.correctiveAction.findMany({ where: { state: 'open' }, select: { dueAt: true } }),
    prisma.competenceReview.findMany({ where: { createdAt: period }, select: { state: true, escalated: true } }),
    prisma.competence.count({ where: { expiresOn: period } }),
    prisma.continuityTest.findMany({ where: { createdAt: period }, select: { state: true } }),
    prisma.satisfactionSurvey.count({ where: { sentAt: period } }),
    // Answers count in the period they were given, as in the monthly reports, so a past period's figures stay put.
    prisma.satisfactionSurvey.findMany({ where: { respondedAt: period, score: { not: null } }, select: { score: true } }),
    prisma.complaint.findMany({ where: { createdAt: period }, select: { state: true, escalationLevel: true } }),
  ]);
  const successful = changes.filter((c) => c.outcome === 'successful').length;
  return {
    '8.6.1 incident management': {
      incidents: incidents.length,
      byPriority: incidents.reduce<Record<string, number>>((counts, i) => ({ ...counts, [i.priority]: (counts[i.priority] ?? 0) + 1 }), {}),
      responseBreached: incidents.filter((i) => i.responseBreached).length,
      resolutionBreached: incidents.filter((i) => i.resolutionBreached).length,
      resolutionSlaAchievedPercent: Object.fromEntries(
        services.map((s) => {
          const mine = incidents.filter((i) => i.serviceId === s.id);
          return [s.code, pct(mine.filter((i) => !i.resolutionBreached).length, mine.length)];
        }),
      ),
    },
    '8.6.3 problem management': { opened: problemsOpened, closed: problemsClosed, knownErrorsPublished: knownErrors },
    '8.3.2 business relationship management': { surveysSent, ...satisfactionFigures(answers.map((a) => a.score!)), complaints: complaintFigures(complaints) },
    '8.5.1 change management': { implemented: changes.length, successful, failed: changes.filter((c) => c.outcome === 'failed').length, successRatePercent: pct(successful, changes.length) },
    '8.2.5 supplier management': { reviews: Object.fromEntries(reviews.map((r) => [r.outcome ?? 'pending', r._count])) },
    '7.2 competence': { reviews: competenceReviews.length, done: competenceReviews.filter((r) => r.state === 'done').length, escalated: competenceReviews.filter((r) => r.escalated).length, certificationsExpired },
    '8.7.2 service continuity': { tests: continuityTests.length, passed: continuityTests.filter((t) => t.state === 'passed').length, failed: continuityTests.filter((t) => t.state === 'failed').length, notYetRecorded: continuityTests.filter((t) => t.state === 'due').length },
    '10.2 corrective action': { open: actions.length, overdue: actions.filter((a) => a.dueAt.getTime() < Date.now()).length },
  };
}

export function createAuditActivities({ prisma, publicUrl }: AuditActivityDeps) {
  return {
    /**
     * The audit of the twelve months up to `at`, over every service in the catalogue, with its evidence. Answers
     * its period and API address, which the Temporal UI shows.
     */
    async openAudit({ workflowId, at }: { workflowId: string; at: string }): Promise<{ auditId: string; periodStart: string; periodEnd: string; apiUrl: string }> {
      const opened = (audit: { id: string; periodStart: Date; periodEnd: Date }) => ({ auditId: audit.id, periodStart: audit.periodStart.toISOString(), periodEnd: audit.periodEnd.toISOString(), apiUrl: `${publicUrl}/api/audits/${audit.id}` });
      const existing = await prisma.audit.findUnique({ where: { workflowId } });
      if (existing) return opened(existing);
      const periodEnd = new Date(at);
      const periodStart = new Date(periodEnd.getTime() - YEAR_MS);
      const services = await prisma.service.findMany({ select: { id: true } });
      const evidence = await auditEvidence(prisma, periodStart, periodEnd);
      const audit = await prisma.audit.create({
        data: { workflowId, periodStart, periodEnd, evidence: evidence as unknown as Prisma.InputJsonObject, services: { create: services.map((s) => ({ serviceId: s.id })) } },
      });
      return opened(audit);
    },

    async checkAuditor({ auditId, auditorId }: { auditId: string; auditorId: string }): Promise<string[]> {
      return auditorConflicts(prisma, auditId, auditorId);
    },

    async recordAudit({ auditId, patch }: { auditId: string; patch: { state?: string; auditorId?: string; reviewDueAt?: string; escalated?: boolean; signedOffById?: string; signedOffAt?: string } }) {
      const { reviewDueAt, signedOffAt, ...rest } = patch;
      await prisma.audit.update({ where: { id: auditId }, data: { ...rest, ...(reviewDueAt ? { reviewDueAt: new Date(reviewDueAt) } : {}), ...(signedOffAt ? { signedOffAt: new Date(signedOffAt) } : {}) } });
    },

    /**
     * A finding and its corrective action, by ids the workflow chose, so a retry writes nothing twice. Answers the
     * owner's name, which the action's summary in the Temporal UI shows.
     */
    async recordFinding(input: { auditId: string; findingId: string; actionId: string; workflowId: string; clause: string; title: string; severity: string; description: string; ownerId: string; dueAt: string }): Promise<{ ownerName: string }> {
      await prisma.$transaction([
        prisma.auditFinding.upsert({ where: { id: input.findingId }, update: {}, create: { id: input.findingId, auditId: input.auditId, clause: input.clause, title: input.title, severity: input.severity, description: input.description } }),
        prisma.correctiveAction.upsert({
          where: { id: input.actionId },
          update: {},
          create: { id: input.actionId, workflowId: input.workflowId, source: 'audit', auditId: input.auditId, findingId: input.findingId, title: input.title, ownerId: input.ownerId, dueAt: new Date(input.dueAt) },
        }),
      ]);
      return { ownerName: (await prisma.user.findUniqueOrThrow({ where: { id: input.ownerId }, select: { name: true } })).name };
    },

    async recordCorrectiveAction({ actionId, patch }: { actionId: string; patch: { state?: string; escalated?: boolean; notes?: string; completedAt?: string } }) {
      const { completedAt, ...rest } = patch;
      await prisma.correctiveAction.update({ where: { id: actionId }, data: { ...rest, ...(completedAt ? { completedAt: new Date(completedAt) } : {}) } });
    },
  };
}

export type AuditActivities = ReturnType<typeof createAuditActivities>;
