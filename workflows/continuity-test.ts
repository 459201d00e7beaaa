import { allHandlersFinished, ApplicationFailure, condition, ParentClosePolicy, proxyActivities, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { sendGovernanceMail } from './governance-mail';
import type { ContinuityActivities } from '../activities/continuity';
import { deadlineTimers, type DeadlineTimer } from '../domain/deadlines';
import { correctiveAction } from './corrective-action';
import { untilDone } from './deadline-loop';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';
import { serialQueue } from './serial-queue';
import { type ContinuityTestStatus, continuityTestStatusQuery, recordTestOutcomeUpdate } from './continuity-test.messages';

const { openContinuityTest, recordContinuityTest, openCorrectiveAction } = proxyActivities<ContinuityActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/** Corrective actions from a failed continuity test are due in 30 days. */
const ACTION_DUE_MS = 30 * 86_400_000;

/**
 * The year's test of one continuity plan (ISO/IEC 20000-1 clause 8.7.2): its owner runs it and records the
 * outcome by the deadline (reminders, then an escalation to the managers); a failure becomes a corrective action.
 */
export async function continuityTest({ planId }: { planId: string }): Promise<ContinuityTestStatus> {
  const status: ContinuityTestStatus = { testId: null, state: 'opening', dueAt: null, escalated: false, actionId: null };
  const queue = serialQueue();
  let seq = 0;
  let ownerId = '';
  let title = '';
  const mail = (kind: string, to: string[] | 'managers', subject: string) => {
    const key = `${workflowInfo().workflowId}:${++seq}:${kind}`;
    void queue.run(() => sendGovernanceMail({ key, kind, toUserIds: to, subject, text: `${subject}. Due by ${status.dueAt}.`, headers: { 'X-Itsm-Continuity-Test-Id': status.testId! } }));
  };

  setHandler(continuityTestStatusQuery, () => ({ ...status }));
  setHandler(
    recordTestOutcomeUpdate,
    async ({ actorId, outcome, notes }) => {
      status.state = outcome;
      const now = Date.now();
      if (outcome === 'failed') {
        const actionId = uuid4();
        const workflowId = `corrective-action-${actionId}`;
        const dueAt = new Date(now + ACTION_DUE_MS).toISOString();
        await queue.run(() => openCorrectiveAction({ actionId, workflowId, source: 'continuity', title: `Continuity test failed: ${title}`, ownerId, dueAt }));
        await startChild(correctiveAction, { workflowId, args: [{ actionId, title: `Continuity test failed: ${title}`, ownerId, dueAt, remindBeforeSeconds: [7 * 86_400] }], parentClosePolicy: ParentClosePolicy.ABANDON });
        status.actionId = actionId;
      }
      await queue.run(() => recordContinuityTest({ testId: status.testId!, patch: { state: outcome, notes, testedById: actorId, testedAt: new Date(now).toISOString(), ...(status.actionId ? { actionId: status.actionId } : {}) } }));
      return { ...status };
    },
    {
      validator: ({ actorId, mayRecord }) => {
        const refuse = (type: string, message: string) => {
          throw ApplicationFailure.create({ type, message, details: [{ state: status.state, command: 'recordTestOutcome' }], nonRetryable: true });
        };
        if (status.state !== 'due') refuse(ILLEGAL_TRANSITION, `the test is ${status.state}; its outcome can be recorded only while it is due`);
        if (!mayRecord && actorId !== ownerId) refuse(NOT_ALLOWED, "only the plan's owner or a manager records the outcome");
      },
    },
  );

  const opened = await openContinuityTest({ workflowId: workflowInfo().workflowId, planId, at: new Date(Date.now()).toISOString() });
  Object.assign(status, { testId: opened.testId, dueAt: opened.dueAt, state: 'due' });
  ownerId = opened.ownerId;
  title = opened.title;
  mail('continuity-test-due', [ownerId], `Yearly continuity test due: ${title}`);
  await untilDone(
    () => status.state !== 'due',
    () => deadlineTimers(Date.parse(opened.dueAt), opened.remindBeforeSeconds),
    async (timer: DeadlineTimer) => {
      if (timer.kind === 'reminder') return mail('continuity-test-reminder', [ownerId], `Reminder: continuity test of ${title}`);
      status.escalated = true;
      mail('continuity-test-overdue', 'managers', `ESCALATED: continuity test of ${title} is overdue`);
      await queue.run(() => recordContinuityTest({ testId: opened.testId, patch: { escalated: true } }));
    },
  );
  // An Update that ended the wait may still be finishing its work.
  await condition(allHandlersFinished);
  await queue.drained();
  return { ...status };
}
