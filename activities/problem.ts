import type { Client } from '@temporalio/client';
import type { ActionOffer } from '../domain/action-links';
import { isOpen, type IncidentState } from '../domain/incident';
import { problemReference, type ProblemOpened, type ProblemPolicySnapshot, type ProblemState } from '../domain/problem';
import type { Db } from '../prisma/database';
import type { Prisma } from '../prisma/generated/client';
import { addNoteUpdate } from '../workflows/incident.messages';
import { articleReference, createArticle, saveArticleVersion } from '../records/knowledge';
import type { ActionLinkKey } from '../records/mail/action-tokens';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, recipientSet } from '../records/mail/deliveries';
import { offeredLinks } from '../records/mail/offered-links';
import { renderProblemMail } from '../records/mail/problem-mail';
import { writeProblemRecord } from '../records/problems';

export interface ProblemActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  actionSecret: ActionLinkKey;
  /** Posts workaround notes to incidents through their workflows. */
  temporal: Client;
}

/** The record's workflow-owned columns, written whole on every change so a retry is harmless. */
export interface ProblemSnapshot {
  state: ProblemState;
  ownerId: string | null;
  rcaDueAt: string | null;
  escalationLevel: number;
  rootCause: string | null;
  workaround: string | null;
  resolvedAt: string | null;
  reviewUntil: string | null;
  closedAt: string | null;
  closeReason: string | null;
}

export interface ProblemEventRecord {
  eventKey: string;
  type: string;
  actorId: string | null;
  at: string;
  fromState: ProblemState;
  toState: ProblemState;
  data: Record<string, unknown>;
}

const date = (value: string | null) => (value === null ? null : new Date(value));

export function createProblemActivities({ prisma, mailer, publicUrl, actionSecret, temporal }: ProblemActivityDeps) {
  /**
   * The workaround as a public note on each open incident, sent as the incident workflow's own addNote Update
   * with an id derived from `key`: Temporal runs an Update id once, so a retry does not post the note twice.
   */
  async function noteWorkaround(problemId: string, key: string, incidentIds: string[], actorId: string | null): Promise<string[]> {
    const problem = await prisma.problem.findUniqueOrThrow({ where: { id: problemId }, include: { knownError: { include: { article: true } } } });
    const knownError = problem.knownError;
    if (!knownError || !actorId) return [];
    const incidents = await prisma.incident.findMany({ where: { id: { in: incidentIds } } });
    const article = knownError.article;
    const body = [
      `Known error ${problemReference(problem.number)}: ${knownError.title}`,
      `Workaround: ${knownError.workaround}`,
      ...(article ? [`Knowledge article ${articleReference(article.number)}: ${publicUrl}/api/articles/${article.id}`] : []),
    ].join('\n');
    const notified: string[] = [];
    for (const incident of incidents.filter((i) => isOpen(i.state as IncidentState))) {
      try {
        await temporal.workflow.getHandle(incident.workflowId).executeUpdate(addNoteUpdate, {
          args: [{ actorId, body, visibility: 'public', author: 'agent' }],
          updateId: `${key}:${incident.id}`,
        });
        notified.push(incident.id);
      } catch (error) {
        // Resolved or closed since it was read: it no longer needs the workaround.
        if ((error as Error).name !== 'WorkflowUpdateFailedError' && (error as Error).name !== 'WorkflowNotFoundError') throw error;
      }
    }
    return notified;
  }

  return {
    async openProblemRecord(opened: ProblemOpened): Promise<ProblemPolicySnapshot> {
      await writeProblemRecord(prisma, opened, opened.source);
      const policy = await prisma.problemPolicy.findUnique({ where: { priority: opened.priority } });
      if (!policy) throw new Error(`no problem policy for ${opened.priority}; add one with PUT /api/problem-policies/${opened.priority}`);
      return {
        rcaSeconds: policy.rcaSeconds,
        remindBeforeSeconds: [...policy.remindBeforeSeconds],
        escalateAfterSeconds: policy.escalateAfterSeconds,
        coordinatorId: policy.coordinatorId,
        effectivenessSeconds: policy.effectivenessSeconds,
      };
    },

    /** One audit event (keyed, so written once) and the record's snapshot, in one transaction. */
    async recordProblemChange({ problemId, event, snapshot }: { problemId: string; event: ProblemEventRecord; snapshot: ProblemSnapshot }): Promise<void> {
      await prisma.$transaction([
        prisma.problemEvent.upsert({ where: { eventKey: event.eventKey }, update: {}, create: { ...event, problemId, at: new Date(event.at), data: event.data as Prisma.InputJsonValue } }),
        prisma.problem.update({
          where: { id: problemId },
          data: { ...snapshot, rcaDueAt: date(snapshot.rcaDueAt), resolvedAt: date(snapshot.resolvedAt), reviewUntil: date(snapshot.reviewUntil), closedAt: date(snapshot.closedAt) },
        }),
      ]);
    },

    async linkProblemIncidents({ problemId, incidentIds, linkedBy }: { problemId: string; incidentIds: string[]; linkedBy: string }): Promise<void> {
      await prisma.problemIncident.createMany({ data: incidentIds.map((incidentId) => ({ problemId, incidentId, linkedBy })), skipDuplicates: true });
    },

    /**
     * Publishes the known error and its knowledge article (created, or a new version when the text moved), then
     * gives the workaround to the linked open incidents.
     */
    async publishKnownError(input: { problemId: string; key: string; actorId: string; title: string; rootCause: string; workaround: string; language: string; incidentIds: string[] }) {
      const article = await prisma.$transaction(async (tx) => {
        const problem = await tx.problem.findUniqueOrThrow({ where: { id: input.problemId } });
        const fields = { title: input.title, rootCause: input.rootCause, workaround: input.workaround, status: 'published' };
        const knownError = await tx.knownError.upsert({ where: { problemId: problem.id }, update: fields, create: { ...fields, problemId: problem.id, publishedAt: new Date() }, include: { article: true } });
        const content = {
          title: input.title,
          body: `## Symptoms\n\n${problem.description}\n\n## Root cause\n\n${input.rootCause}\n\n## Workaround\n\n${input.workaround}\n`,
          tags: ['known-error', problemReference(problem.number)],
          status: 'published' as const,
        };
        if (knownError.article) return saveArticleVersion(tx, knownError.article.id, content, input.actorId);
        return createArticle(tx, { ...content, language: input.language, authorId: input.actorId, knownErrorId: knownError.id, ciIds: problem.ciId ? [problem.ciId] : [] });
      });
      const notifiedIncidentIds = await noteWorkaround(input.problemId, input.key, input.incidentIds, input.actorId);
      return { articleId: article.id, notifiedIncidentIds };
    },

    async postWorkaround({ problemId, key, incidentIds, actorId }: { problemId: string; key: string; incidentIds: string[]; actorId: string | null }) {
      return noteWorkaround(problemId, key, incidentIds, actorId);
    },

    /** With an offer, each recipient also gets their own link to take the step. */
    async sendProblemNotification({ key, problemId, kind, toUserIds, context, offer }: { key: string; problemId: string; kind: string; toUserIds: string[]; context: Record<string, string>; offer?: ActionOffer }) {
      const problem = await prisma.problem.findUniqueOrThrow({ where: { id: problemId } });
      const users = await prisma.user.findMany({ where: { id: { in: toUserIds } } });
      const recipients = recipientSet();
      for (const id of toUserIds) recipients.add(users.find((u) => u.id === id));
      const linkFor = offeredLinks({ actionSecret, publicUrl }, offer, users);
      const reference = problemReference(problem.number);
      let sent = 0;
      for (const recipient of recipients.values()) {
        const idempotencyKey = `${key}:${recipient.email}`;
        const mail = renderProblemMail(kind, recipient, { ...context, reference, title: problem.title, priority: problem.priority, link: `${publicUrl}/api/problems/${problem.id}` });
        const text = `${mail.text.trimEnd()}${await linkFor(recipient, idempotencyKey)}\n`;
        const outcome = await deliverOnce(prisma, mailer, { idempotencyKey, recipient, kind, subject: mail.subject, text, headers: { 'X-Itsm-Problem': reference, 'X-Itsm-Problem-Id': problem.id }, problemId: problem.id });
        if (outcome === 'sent') sent++;
      }
      return { sent };
    },
  };
}

export type ProblemActivities = ReturnType<typeof createProblemActivities>;
