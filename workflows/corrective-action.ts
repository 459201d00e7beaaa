import { proxyActivities } from '@temporalio/workflow';
import type { AuditActivities } from '../activities/audit';
import type { ActionOffer } from '../domain/action-links';
import { CORRECTIVE_ACTION_TRANSITIONS, type CorrectiveActionCommand, type CorrectiveActionOpened, type CorrectiveActionState } from '../domain/corrective-action';
import { deadlineTimers, type DeadlineTimer } from '../domain/deadlines';
import { completeActionUpdate, correctiveActionStatusQuery, type CorrectiveActionStatus } from './corrective-action.messages';
import { sendGovernanceMail } from './governance-mail';
import { RecordProcess } from './record-process';
import { NOT_ALLOWED } from './refusals';

const { recordCorrectiveAction } = proxyActivities<AuditActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/** The owner can record the action done straight from the mail that assigns it or reminds them of it. */
const COMPLETE: ActionOffer = { step: 'corrective-action.complete' };

/**
 * One corrective action (ISO/IEC 20000-1 clause 10.1): its owner is reminded before the due date and the
 * managers are told when it passes; it ends when the owner (or a manager) records it done.
 */
export async function correctiveAction(input: CorrectiveActionOpened): Promise<CorrectiveActionStatus> {
  const action = new RecordProcess<CorrectiveActionState, CorrectiveActionCommand>({ table: CORRECTIVE_ACTION_TRANSITIONS, keyPrefix: input.actionId });
  let escalated = false;
  const status = (): CorrectiveActionStatus => ({ state: action.state, dueAt: input.dueAt, escalated });
  const mail = (kind: string, to: string[] | 'managers', subject: string, offer?: ActionOffer) =>
    action.send(kind, (key) => sendGovernanceMail({ key, kind, toUserIds: to, subject, text: `Corrective action "${input.title}" is due ${input.dueAt}.`, headers: { 'X-Itsm-Corrective-Action-Id': input.actionId }, offer }));

  action.query(correctiveActionStatusQuery, status);
  action.update(
    completeActionUpdate,
    'complete',
    async ({ notes }) => {
      action.transition('complete');
      await action.write(() => recordCorrectiveAction({ actionId: input.actionId, patch: { state: 'done', notes, completedAt: new Date(Date.now()).toISOString() } }));
      return status();
    },
    ({ actorId, mayComplete }) => {
      if (!mayComplete && actorId !== input.ownerId) action.refuse(NOT_ALLOWED, 'complete', 'only its owner or a manager records a corrective action done');
    },
  );

  mail('corrective-action-assigned', [input.ownerId], `Corrective action assigned to you: ${input.title}`, COMPLETE);
  await action.untilDone(
    () => action.state === 'done',
    () => deadlineTimers(Date.parse(input.dueAt), input.remindBeforeSeconds),
    async (timer: DeadlineTimer) => {
      action.transition(timer.kind === 'reminder' ? 'remind' : 'escalate');
      if (timer.kind === 'reminder') return mail('corrective-action-reminder', [input.ownerId], `Reminder: "${input.title}" is due ${input.dueAt}`, COMPLETE);
      escalated = true;
      mail('corrective-action-overdue', 'managers', `ESCALATED: corrective action overdue: ${input.title}`);
      await action.write(() => recordCorrectiveAction({ actionId: input.actionId, patch: { escalated: true } }));
    },
  );
  // A completion that ended the wait may still be writing.
  await action.drain();
  return status();
}
