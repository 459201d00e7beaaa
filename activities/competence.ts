import type { Db } from '../prisma/database';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce } from '../records/mail/deliveries';

export interface CompetenceActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
}

/** Certifications are reminded this many days before they expire. */
export const CERTIFICATION_NOTICE_DAYS = 30;

export function createCompetenceActivities({ prisma, mailer, publicUrl }: CompetenceActivityDeps) {
  const staff = () => prisma.user.findMany({ where: { roles: { hasSome: ['agent', 'manager', 'cab', 'auditor', 'admin'] }, deactivatedAt: null }, select: { id: true, name: true }, orderBy: { email: 'asc' } });
  return {
    /** Everyone who delivers the services: staff, approvers and auditors, not requesters. Kept for runs started before `staffToReview`. */
    async staffIds(): Promise<string[]> {
      return (await staff()).map((u) => u.id);
    },

    /** The staff with their names and their competences in the API, which the Temporal UI shows of each review. */
    async staffToReview(): Promise<{ id: string; name: string; apiUrl: string }[]> {
      return (await staff()).map((u) => ({ id: u.id, name: u.name, apiUrl: `${publicUrl}/api/users/${u.id}/competences` }));
    },

    async openCompetenceReview({ workflowId, userId, at, reviewSeconds }: { workflowId: string; userId: string; at: string; reviewSeconds: number }) {
      const review = await prisma.competenceReview.upsert({ where: { workflowId }, update: {}, create: { workflowId, userId, year: new Date(at).getUTCFullYear(), dueAt: new Date(Date.parse(at) + reviewSeconds * 1000) } });
      return { reviewId: review.id, dueAt: review.dueAt.toISOString() };
    },

    async recordCompetenceReview({ reviewId, patch }: { reviewId: string; patch: { state?: string; escalated?: boolean; reviewerId?: string; summary?: string; doneAt?: string } }) {
      const { doneAt, ...rest } = patch;
      await prisma.competenceReview.update({ where: { id: reviewId }, data: { ...rest, ...(doneAt ? { doneAt: new Date(doneAt) } : {}) } });
    },

    /** Each certification ending within 30 days, told to its holder once per expiry date. */
    async sendCertificationReminders({ at }: { at: string }): Promise<{ expiring: number; sent: number }> {
      const now = Date.parse(at);
      const expiring = await prisma.competence.findMany({
        where: { expiresOn: { gte: new Date(now), lte: new Date(now + CERTIFICATION_NOTICE_DAYS * 86_400_000) } },
        include: { user: true },
      });
      let sent = 0;
      for (const competence of expiring) {
        const ends = competence.expiresOn!.toISOString().slice(0, 10);
        const outcome = await deliverOnce(prisma, mailer, {
          idempotencyKey: `certification:${competence.id}:${ends}:${competence.user.email}`,
          recipient: competence.user,
          kind: 'certification-expiring',
          subject: `Your ${competence.certification ?? competence.skill} certification expires on ${ends}`,
          text: `Renew ${competence.certification ?? competence.skill} before ${ends}.\n\n${publicUrl}/api/users/${competence.userId}/competences\n`,
          headers: { 'X-Itsm-Competence-Id': competence.id },
        });
        if (outcome === 'sent') sent++;
      }
      return { expiring: expiring.length, sent };
    },
  };
}

export type CompetenceActivities = ReturnType<typeof createCompetenceActivities>;
