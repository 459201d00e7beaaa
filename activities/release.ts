import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { signActionToken, type ActionLinkKey } from '../records/mail/action-tokens';
import { changeReference } from '../domain/change';
import { productionBlockers, releaseReference, stepKey, type ReleaseOpened, type ReleaseState, type ReleaseStep } from '../domain/release';
import type { Db } from '../prisma/database';
import type { Prisma } from '../prisma/generated/client';
import { runAdapterStep, type StepResult } from '../records/deployment/adapters';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, recipientSet } from '../records/mail/deliveries';
import { localiseInstants } from '../records/mail/reader-time';
import type { StepSandbox } from '../records/deployment/step-sandbox';

export interface ReleaseActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  /** Signs the authorisation links in the production authorisation request. */
  actionSecret: ActionLinkKey;
  /** Where shell deploy steps run (never in DATA_DIR). */
  stepSandbox: StepSandbox;
}

export interface ReleaseEventRecord {
  eventKey: string;
  type: string;
  actorId: string | null;
  at: string;
  fromState: ReleaseState;
  toState: ReleaseState;
  data: Record<string, unknown>;
}

export interface ReleaseSnapshot {
  state: ReleaseState;
  authorisedById: string | null;
  authorisedAt: string | null;
  failureReason: string | null;
  finishedAt: string | null;
}

const date = (value: string | null) => (value === null ? null : new Date(value));

/** Linked changes as the production gate reads them. */
export async function linkedChangeStates(db: Db, releaseId: string) {
  const links = await db.releaseChange.findMany({ where: { releaseId }, include: { change: true } });
  return links.map(({ change }) => ({
    reference: changeReference(change.number),
    state: change.state,
    scheduledStart: change.scheduledStart?.getTime() ?? null,
    scheduledEnd: change.scheduledEnd?.getTime() ?? null,
  }));
}

const MAIL: Record<string, (c: { reference: string; version: string; detail: string; environment?: string }) => { subject: string; text: string }> = {
  'authorisation-request': (c) => ({ subject: `[${c.reference}] ${c.environment ?? 'production'} deployment awaits your authorisation`, text: `Release ${c.version} passed its earlier environments and waits for authorisation to deploy to ${c.environment ?? 'production'}. ${c.detail}` }),
  'production-blocked': (c) => ({ subject: `[${c.reference}] production deployment refused`, text: `The authorisation of release ${c.version} cannot be used now: ${c.detail}` }),
  'confirmation-request': (c) => ({ subject: `[${c.reference}] confirm the smoke test`, text: `Release ${c.version} is deployed ${c.detail}; confirm the smoke test to go on.` }),
  'confirmation-overdue': (c) => ({ subject: `[${c.reference}] ESCALATED: smoke test not confirmed`, text: `Nobody confirmed the smoke test of release ${c.version} ${c.detail} by its deadline.` }),
  released: (c) => ({ subject: `[${c.reference}] released`, text: `Release ${c.version} is deployed and verified in every environment.` }),
  'rolled-back': (c) => ({ subject: `[${c.reference}] rolled back`, text: `Release ${c.version} was rolled back: ${c.detail}` }),
};

export function createReleaseActivities({ prisma, mailer, publicUrl, actionSecret, stepSandbox }: ReleaseActivityDeps) {
  return {
    async openReleaseRecord(opened: ReleaseOpened): Promise<void> {
      await prisma.deployment.createMany({
        data: opened.environments.map((environment, position) => ({ releaseId: opened.releaseId, environment, position })),
        skipDuplicates: true,
      });
    },

    async recordReleaseChange({ releaseId, event, snapshot }: { releaseId: string; event: ReleaseEventRecord; snapshot: ReleaseSnapshot }): Promise<void> {
      await prisma.$transaction([
        prisma.releaseEvent.upsert({ where: { eventKey: event.eventKey }, update: {}, create: { ...event, releaseId, at: new Date(event.at), data: event.data as Prisma.InputJsonValue } }),
        prisma.release.update({ where: { id: releaseId }, data: { ...snapshot, authorisedAt: date(snapshot.authorisedAt), finishedAt: date(snapshot.finishedAt) } }),
      ]);
    },

    async setDeploymentState({ releaseId, environment, state }: { releaseId: string; environment: string; state: string }): Promise<void> {
      const now = new Date();
      const stamp = state === 'deploying' ? {} : state === 'verifying' ? { deployedAt: now } : state === 'deployed' ? { verifiedAt: now } : state === 'rolled_back' ? { rolledBackAt: now } : {};
      await prisma.deployment.update({ where: { releaseId_environment: { releaseId, environment } }, data: { state, ...stamp } });
    },

    /** What stands between the release and production now: linked changes not approved and scheduled around now. */
    async releaseProductionGate({ releaseId }: { releaseId: string }): Promise<{ blockers: string[] }> {
      const release = await prisma.release.findUniqueOrThrow({ where: { id: releaseId } });
      return { blockers: productionBlockers(await linkedChangeStates(prisma, releaseId), release.productionEnd?.getTime() ?? null, Date.now()) };
    },

    /**
     * Runs one step through the release's adapter, heartbeating while it runs. A step recorded as succeeded is
     * not run again: a retry after a worker crash picks up where the release was, never repeating finished work.
     */
    async runReleaseStep({ releaseId, environment, step, run = 1 }: { releaseId: string; environment: string | null; step: ReleaseStep; run?: number }): Promise<StepResult & { reused: boolean }> {
      const key = stepKey(releaseId, environment, step, run);
      const done = await prisma.releaseStep.findUnique({ where: { stepKey: key } });
      if (done?.status === 'succeeded') return { output: done.output, exitCode: done.exitCode, httpStatus: done.httpStatus, reused: true };
      const release = await prisma.release.findUniqueOrThrow({ where: { id: releaseId }, include: { adapter: true } });
      await prisma.releaseStep.upsert({
        where: { stepKey: key },
        update: { status: 'running', attempts: { increment: 1 } },
        create: { stepKey: key, releaseId, environment, step, status: 'running', attempts: 1, startedAt: new Date() },
      });
      const context = { stepKey: key, releaseId, reference: releaseReference(release.number), version: release.version, environment, step };
      const activity = Context.current();
      const hooks = { signal: activity.cancellationSignal, progress: (detail: { outputBytes: number }) => activity.heartbeat(detail) };
      try {
        const result = await runAdapterStep(release.adapter, context, hooks, stepSandbox);
        await prisma.releaseStep.update({ where: { stepKey: key }, data: { status: 'succeeded', output: result.output, exitCode: result.exitCode, httpStatus: result.httpStatus, finishedAt: new Date() } });
        return { ...result, reused: false };
      } catch (error) {
        const details = (error instanceof ApplicationFailure ? (error.details?.[0] ?? {}) : {}) as { output?: string; exitCode?: number; httpStatus?: number };
        const status = error instanceof ApplicationFailure && !error.nonRetryable ? 'retrying' : 'failed';
        await prisma.releaseStep.update({
          where: { stepKey: key },
          data: { status, output: details.output ?? (error as Error).message, exitCode: details.exitCode ?? null, httpStatus: details.httpStatus ?? null, finishedAt: new Date() },
        });
        throw error;
      }
    },

    /** `environment`: the production environment an authorisation request is for (absent from releases started before environments were records). */
    async sendReleaseNotification({ key, releaseId, kind, toUserIds, detail, environment }: { key: string; releaseId: string; kind: string; toUserIds: string[]; detail: string; environment?: string }) {
      const release = await prisma.release.findUniqueOrThrow({ where: { id: releaseId } });
      const authorising = kind === 'authorisation-request';
      // Nobody authorises their own release, so its requester gets no authorisation link.
      const users = await prisma.user.findMany({ where: { id: { in: toUserIds.filter((id) => !authorising || id !== release.requesterId) } } });
      const recipients = recipientSet();
      for (const user of users) recipients.add(user);
      const reference = releaseReference(release.number);
      for (const recipient of recipients.values()) {
        const user = users.find((u) => u.email === recipient.email)!;
        const idempotencyKey = `${key}:${recipient.email}`;
        const link = authorising
          ? `${publicUrl}/actions/${await signActionToken(actionSecret, {
              act: 'release-authorisation',
              approverId: user.id,
              releaseId: release.id,
              environment,
              jti: createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 32),
              // Signing caps it: a window ending in 2099 still gives a link of ITSM_LINK_MAX_DAYS.
              expiresAt: release.productionEnd?.getTime() ?? Date.now() + actionSecret.maxLifetimeMs,
            })}`
          : null;
        const mail = MAIL[kind]({ reference, version: release.version, detail: localiseInstants(detail, recipient), environment });
        await deliverOnce(prisma, mailer, {
          idempotencyKey,
          recipient,
          kind,
          subject: mail.subject,
          text: `${mail.text}\n\n${link ? `Authorise: ${link}\n` : ''}${publicUrl}/api/releases/${release.id}\n`,
          headers: { 'X-Itsm-Release': reference, 'X-Itsm-Release-Id': release.id },
        });
      }
    },

    /** The environments whose deploy step began, in deployment order. */
    async deploymentsStarted({ releaseId }: { releaseId: string }): Promise<string[]> {
      const [release, steps] = await Promise.all([
        prisma.release.findUniqueOrThrow({ where: { id: releaseId } }),
        prisma.releaseStep.findMany({ where: { releaseId, step: 'deploy' }, select: { environment: true } }),
      ]);
      return release.environments.filter((env) => steps.some((s) => s.environment === env));
    },

    /** Who may authorise production: managers. */
    async releaseAuthorisers(): Promise<string[]> {
      return (await prisma.user.findMany({ where: { roles: { hasSome: ['manager'] } }, select: { id: true } })).map((u) => u.id);
    },
  };
}

export type ReleaseActivities = ReturnType<typeof createReleaseActivities>;
