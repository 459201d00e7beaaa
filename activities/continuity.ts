import type { Db } from '../prisma/database';

export interface ContinuityActivityDeps {
  prisma: Db;
  /** Where the API is, for the links the Temporal UI shows beside each test. */
  publicUrl: string;
}

/** How a test names its plan, in mail and in the Temporal UI: `DESK: Fail over to the second site`. */
const planTitle = (plan: { title: string; service: { code: string } }) => `${plan.service.code}: ${plan.title}`;

export function createContinuityActivities({ prisma, publicUrl }: ContinuityActivityDeps) {
  const planUrl = (planId: string) => `${publicUrl}/api/continuity-plans/${planId}`;
  return {
    /** Kept for runs started before `plansToTest`. */
    async continuityPlanIds(): Promise<string[]> {
      return (await prisma.continuityPlan.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } })).map((p) => p.id);
    },

    /** Every plan with what the Temporal UI shows of its test: its title and its API address. */
    async plansToTest(): Promise<{ id: string; title: string; apiUrl: string }[]> {
      const plans = await prisma.continuityPlan.findMany({ include: { service: true }, orderBy: { createdAt: 'asc' } });
      return plans.map((plan) => ({ id: plan.id, title: planTitle(plan), apiUrl: planUrl(plan.id) }));
    },

    /** The year's test of one plan, keyed by its workflow, due `testSeconds` from now. */
    async openContinuityTest({ workflowId, planId, at }: { workflowId: string; planId: string; at: string }) {
      const plan = await prisma.continuityPlan.findUniqueOrThrow({ where: { id: planId }, include: { service: true, owner: true } });
      const test = await prisma.continuityTest.upsert({ where: { workflowId }, update: {}, create: { workflowId, planId, dueAt: new Date(Date.parse(at) + plan.testSeconds * 1000) } });
      return {
        testId: test.id,
        ownerId: plan.ownerId,
        ownerName: plan.owner.name,
        title: planTitle(plan),
        apiUrl: planUrl(plan.id),
        dueAt: test.dueAt.toISOString(),
        remindBeforeSeconds: plan.remindBeforeSeconds.filter((s) => s < plan.testSeconds),
      };
    },

    async recordContinuityTest({ testId, patch }: { testId: string; patch: { state?: string; escalated?: boolean; notes?: string; testedById?: string; testedAt?: string; actionId?: string } }) {
      const { testedAt, ...rest } = patch;
      await prisma.continuityTest.update({ where: { id: testId }, data: { ...rest, ...(testedAt ? { testedAt: new Date(testedAt) } : {}) } });
    },

    /** A failed test's corrective action, by the id the workflow chose (a retry writes it once). */
    async openCorrectiveAction({ actionId, workflowId, source, title, ownerId, dueAt }: { actionId: string; workflowId: string; source: string; title: string; ownerId: string; dueAt: string }) {
      await prisma.correctiveAction.upsert({ where: { id: actionId }, update: {}, create: { id: actionId, workflowId, source, title, ownerId, dueAt: new Date(dueAt) } });
    },
  };
}

export type ContinuityActivities = ReturnType<typeof createContinuityActivities>;
