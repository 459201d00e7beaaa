import { patched, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { ContinuityActivities } from '../activities/continuity';
import type { ActionOffer } from '../domain/action-links';
import { CONTINUITY_TEST_TRANSITIONS, continuityCorrectiveAction } from '../domain/continuity';
import type { CorrectiveActionOpened } from '../domain/corrective-action';
import { deadlineTimers } from '../domain/deadlines';
import { continuityTestDetails } from '../domain/governance-metadata';
import { type ContinuityTestStatus, continuityTestStatusQuery, recordTestOutcomeUpdate } from './continuity-test.messages';
import { startCorrectiveAction } from './corrective-action';
import { DUTY_SEARCH_ATTRIBUTES_PATCH, governanceDuty } from './governance-duty';
import { NOT_ALLOWED } from './refusals';

const { openContinuityTest, recordContinuityTest, openCorrectiveAction } = proxyActivities<ContinuityActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/** The plan's owner can record the outcome straight from the mail that says the test is due, or the reminder. */
const RECORD_OUTCOME: ActionOffer = { step: 'continuity-test.record-outcome' };

/**
 * The year's test of one continuity plan (ISO/IEC 20000-1 clause 8.7.2): its owner runs it and records the
 * outcome by the deadline (reminders, then an escalation to the managers); a failure becomes a corrective action.
 */
export async function continuityTest({ planId }: { planId: string }): Promise<ContinuityTestStatus> {
  let testId: string | null = null;
  let ownerId = '';
  let ownerName: string | undefined;
  let title = '';
  let apiUrl: string | undefined;
  let actionId: string | null = null;
  const test = governanceDuty(CONTINUITY_TEST_TRANSITIONS, {
    searchAttributes: patched(DUTY_SEARCH_ATTRIBUTES_PATCH),
    details: (duty) => continuityTestDetails({ plan: title || planId, owner: ownerName ?? ownerId, state: duty.state, correctiveActionId: actionId, apiUrl }, duty.deadline()),
  });
  const status = (): ContinuityTestStatus => ({ testId, state: test.state, dueAt: test.dueAt, escalated: test.escalated, actionId });
  const mail = test.governanceMail(() => ({ 'X-Itsm-Continuity-Test-Id': testId! }), 'plan owner');
  const record = (summary: string, patch: Parameters<ContinuityActivities['recordContinuityTest']>[0]['patch']) => recordContinuityTest.executeWithOptions({ summary }, [{ testId: testId!, patch }]);
  /** A failed test's corrective action (clause 10.1): its record first, then its own workflow, which outlives the test. */
  const raiseCorrectiveAction = async (action: Omit<CorrectiveActionOpened, 'actionId'>): Promise<string> => {
    const id = uuid4();
    const workflowId = `corrective-action-${id}`;
    await test.write(() =>
      openCorrectiveAction.executeWithOptions({ summary: 'record: corrective action raised' }, [{ actionId: id, workflowId, source: 'continuity', title: action.title, ownerId: action.ownerId, dueAt: action.dueAt }]),
    );
    await startCorrectiveAction(workflowId, { actionId: id, ...action, source: `continuity test ${title}`, ownerName, apiUrl });
    return id;
  };

  test.query(continuityTestStatusQuery, status);
  test.update(
    recordTestOutcomeUpdate,
    'recordOutcome',
    async ({ actorId, outcome, notes }) => {
      test.transition('recordOutcome', outcome);
      const testedAt = Date.now();
      if (outcome === 'failed') {
        actionId = await raiseCorrectiveAction(continuityCorrectiveAction(title, ownerId, testedAt));
        // The details name the action; the search attributes did not move, so nothing is upserted.
        test.sync();
      }
      await test.write(() => record(`record: test ${outcome}`, { state: outcome, notes, testedById: actorId, testedAt: new Date(testedAt).toISOString(), ...(actionId ? { actionId } : {}) }));
      return status();
    },
    ({ actorId, mayRecord }) => {
      if (!mayRecord && actorId !== ownerId) test.refuse(NOT_ALLOWED, 'recordOutcome', "only the plan's owner or a manager records the outcome");
    },
  );

  const opened = await openContinuityTest.executeWithOptions({ summary: 'record: continuity test opened' }, [{ workflowId: workflowInfo().workflowId, planId, at: new Date(Date.now()).toISOString() }]);
  testId = opened.testId;
  ownerId = opened.ownerId;
  // Absent from tests opened before the Temporal UI showed them.
  ownerName = opened.ownerName;
  apiUrl = opened.apiUrl;
  title = opened.title;
  test.open(opened.dueAt);
  await test.followUp({
    timers: () => deadlineTimers(Date.parse(opened.dueAt), opened.remindBeforeSeconds),
    request: () => mail('continuity-test-due', [ownerId], `Yearly continuity test due: ${title}`, RECORD_OUTCOME),
    remind: () => mail('continuity-test-reminder', [ownerId], `Reminder: continuity test of ${title}`, RECORD_OUTCOME),
    escalate: () => mail('continuity-test-overdue', 'managers', `ESCALATED: continuity test of ${title} is overdue`),
    recordEscalation: () => record('record: continuity test escalated', { escalated: true }),
  });
  return status();
}
