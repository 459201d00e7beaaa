import { ParentClosePolicy, patched, proxyActivities, startChild } from '@temporalio/workflow';
import type { AuditActivities } from '../activities/audit';
import type { ActionOffer } from '../domain/action-links';
import { CORRECTIVE_ACTION_TRANSITIONS, type CorrectiveActionCommand, type CorrectiveActionOpened, type CorrectiveActionState } from '../domain/corrective-action';
import { deadlineTimers, type DeadlineTimer } from '../domain/deadlines';
import { correctiveActionDetails, correctiveActionStart, deadlineTimerSummary, ESCALATION_LEVEL } from '../domain/governance-metadata';
import { mailLabel } from '../domain/workflow-metadata';
import { ItsmDueAt, ItsmEscalationLevel, ItsmKind, ItsmState } from '../domain/search-attributes';
import { completeActionUpdate, correctiveActionStatusQuery, type CorrectiveActionStatus } from './corrective-action.messages';
import { sendGovernanceMail } from './governance-mail';
import { RecordProcess } from './record-process';
import { NOT_ALLOWED } from './refusals';

const { recordCorrectiveAction } = proxyActivities<AuditActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/** The owner can record the action done straight from the mail that assigns it or reminds them of it. */
const COMPLETE: ActionOffer = { step: 'corrective-action.complete' };

/** Guards the action's state, escalation level and due date as search attributes: actions raised before set none. */
export const CORRECTIVE_ACTION_SEARCH_ATTRIBUTES_PATCH = 'corrective-action-search-attributes';

/**
 * One corrective action (ISO/IEC 20000-1 clause 10.1): its owner is reminded before the due date and the
 * managers are told when it passes; it ends when the owner (or a manager) records it done.
 */
export async function correctiveAction(input: CorrectiveActionOpened): Promise<CorrectiveActionStatus> {
  const dueAt = Date.parse(input.dueAt);
  const timers = () => deadlineTimers(dueAt, input.remindBeforeSeconds);
  const fired = new Set<string>();
  let escalatedAt: number | null = null;
  const action: RecordProcess<CorrectiveActionState, CorrectiveActionCommand> = new RecordProcess({
    table: CORRECTIVE_ACTION_TRANSITIONS,
    keyPrefix: input.actionId,
    searchAttributes: patched(CORRECTIVE_ACTION_SEARCH_ATTRIBUTES_PATCH)
      ? () => [
          [ItsmState, action.state],
          [ItsmEscalationLevel, escalatedAt === null ? 0 : ESCALATION_LEVEL],
          [ItsmDueAt, new Date(dueAt)],
        ]
      : undefined,
    details: () =>
      correctiveActionDetails(
        { title: input.title, owner: input.ownerName ?? input.ownerId, state: action.state, apiUrl: input.apiUrl },
        { dueAt: input.dueAt, escalatedAt, next: action.state === 'done' ? null : (timers().find((timer) => !fired.has(timer.key)) ?? null), now: Date.now() },
      ),
  });
  const status = (): CorrectiveActionStatus => ({ state: action.state, dueAt: input.dueAt, escalated: escalatedAt !== null });
  const mail = (kind: string, to: string[] | 'managers', subject: string, offer?: ActionOffer) =>
    action.send(kind, (key) =>
      sendGovernanceMail.executeWithOptions({ summary: mailLabel(kind, to === 'managers' ? to : 'owner') }, [
        { key, kind, toUserIds: to, subject, text: `Corrective action "${input.title}" is due ${input.dueAt}.`, headers: { 'X-Itsm-Corrective-Action-Id': input.actionId }, offer },
      ]),
    );
  const record = (summary: string, patch: Parameters<AuditActivities['recordCorrectiveAction']>[0]['patch']) =>
    action.write(() => recordCorrectiveAction.executeWithOptions({ summary }, [{ actionId: input.actionId, patch }]));

  action.query(correctiveActionStatusQuery, status);
  action.update(
    completeActionUpdate,
    'complete',
    async ({ notes }) => {
      action.transition('complete');
      await record('record: corrective action done', { state: 'done', notes, completedAt: new Date(Date.now()).toISOString() });
      return status();
    },
    ({ actorId, mayComplete }) => {
      if (!mayComplete && actorId !== input.ownerId) action.refuse(NOT_ALLOWED, 'complete', 'only its owner or a manager records a corrective action done');
    },
  );

  // Level 0 and the due date from the start, so the managers' filters see the action before it escalates.
  action.sync();
  mail('corrective-action-assigned', [input.ownerId], `Corrective action assigned to you: ${input.title}`, COMPLETE);
  await action.untilDone(
    () => action.state === 'done',
    timers,
    async (timer: DeadlineTimer) => {
      if (timer.kind === 'escalation') escalatedAt = Date.now();
      action.transition(timer.kind === 'reminder' ? 'remind' : 'escalate');
      if (timer.kind === 'reminder') return mail('corrective-action-reminder', [input.ownerId], `Reminder: "${input.title}" is due ${input.dueAt}`, COMPLETE);
      mail('corrective-action-overdue', 'managers', `ESCALATED: corrective action overdue: ${input.title}`);
      await record('record: corrective action escalated', { escalated: true });
    },
    fired,
    (timer) => deadlineTimerSummary('corrective action', timer),
  );
  // A completion that ended the wait may still be writing.
  await action.drain();
  return status();
}

/**
 * Starts `opened` as its own workflow, which outlives whoever raised it (an audit, a continuity test): it is
 * closed when it is done. Its ItsmKind and summary let managers find it in the Temporal UI.
 */
export async function startCorrectiveAction(workflowId: string, opened: CorrectiveActionOpened): Promise<void> {
  const metadata = correctiveActionStart({ source: opened.source ?? 'corrective action', title: opened.title, owner: opened.ownerName ?? opened.ownerId, dueAt: opened.dueAt, apiUrl: opened.apiUrl });
  await startChild(correctiveAction, { workflowId, args: [opened], parentClosePolicy: ParentClosePolicy.ABANDON, typedSearchAttributes: [{ key: ItsmKind, value: 'corrective-action' }], ...metadata });
}
