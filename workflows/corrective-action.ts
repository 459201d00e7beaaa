import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { AuditActivities } from '../activities/audit';
import { sendGovernanceMail } from './governance-mail';
import { deadlineTimers, type DeadlineTimer } from '../domain/deadlines';
import { untilDone } from './deadline-loop';
import { completeActionUpdate, correctiveActionStatusQuery, type CorrectiveActionStatus } from './governance.messages';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';
import { serialQueue } from './serial-queue';

const { recordCorrectiveAction } = proxyActivities<AuditActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

export interface CorrectiveActionInput {
  actionId: string;
  title: string;
  ownerId: string;
  dueAt: string;
  remindBeforeSeconds: number[];
}

/**
 * One corrective action (ISO/IEC 20000-1 clause 10.1): its owner is reminded before the due date and the
 * managers are told when it passes; it ends when the owner (or a manager) records it done.
 */
export async function correctiveAction(input: CorrectiveActionInput): Promise<CorrectiveActionStatus> {
  const status: CorrectiveActionStatus = { state: 'open', dueAt: input.dueAt, escalated: false };
  const queue = serialQueue();
  let seq = 0;
  const mail = (kind: string, to: string[] | 'managers', subject: string) => {
    const key = `${input.actionId}:${++seq}:${kind}`;
    void queue.run(() => sendGovernanceMail({ key, kind, toUserIds: to, subject, text: `Corrective action "${input.title}" is due ${input.dueAt}.`, headers: { 'X-Itsm-Corrective-Action-Id': input.actionId } }));
  };

  setHandler(correctiveActionStatusQuery, () => ({ ...status }));
  setHandler(
    completeActionUpdate,
    async ({ notes }) => {
      status.state = 'done';
      await queue.run(() => recordCorrectiveAction({ actionId: input.actionId, patch: { state: 'done', notes, completedAt: new Date(Date.now()).toISOString() } }));
      return { ...status };
    },
    {
      validator: ({ actorId, mayComplete }) => {
        const refuse = (type: string, message: string) => {
          throw ApplicationFailure.create({ type, message, details: [{ state: status.state, command: 'complete' }], nonRetryable: true });
        };
        if (status.state !== 'open') refuse(ILLEGAL_TRANSITION, 'the corrective action is already done');
        if (!mayComplete && actorId !== input.ownerId) refuse(NOT_ALLOWED, 'only its owner or a manager records a corrective action done');
      },
    },
  );

  mail('corrective-action-assigned', [input.ownerId], `Corrective action assigned to you: ${input.title}`);
  await untilDone(
    () => status.state === 'done',
    () => deadlineTimers(Date.parse(input.dueAt), input.remindBeforeSeconds),
    async (timer: DeadlineTimer) => {
      if (timer.kind === 'reminder') return mail('corrective-action-reminder', [input.ownerId], `Reminder: "${input.title}" is due ${input.dueAt}`);
      status.escalated = true;
      mail('corrective-action-overdue', 'managers', `ESCALATED: corrective action overdue: ${input.title}`);
      await queue.run(() => recordCorrectiveAction({ actionId: input.actionId, patch: { escalated: true } }));
    },
  );
  // An Update that ended the wait may still be finishing its work.
  await condition(allHandlersFinished);
  await queue.drained();
  return { ...status };
}
