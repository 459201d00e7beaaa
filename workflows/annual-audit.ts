import { allHandlersFinished, ApplicationFailure, condition, ParentClosePolicy, proxyActivities, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { AuditActivities } from '../activities/audit';
import { sendGovernanceMail } from './governance-mail';
import { deadlineTimers, type DeadlineTimer } from '../domain/deadlines';
import { correctiveAction } from './corrective-action';
import { untilDone } from './deadline-loop';
import { assignAuditorUpdate, auditStatusQuery, finishFieldworkUpdate, recordFindingUpdate, signOffAuditUpdate, type AuditStatus } from './governance.messages';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';
import { serialQueue } from './serial-queue';

const { openAudit, checkAuditor, recordAudit, recordFinding } = proxyActivities<AuditActivities>({ startToCloseTimeout: '2 minutes', retry: { maximumInterval: '1 minute' } });

export interface AnnualAuditInput {
  /** How long the management review may take after the fieldwork, and reminders before that. */
  reviewSeconds?: number;
  remindBeforeSeconds?: number[];
}

/**
 * The yearly internal audit (ISO/IEC 20000-1 clauses 9.2 and 9.3), run by its Schedule: the evidence per clause
 * is compiled from the live records; an independent auditor is assigned (one involved in the audited services is
 * refused); each finding becomes a corrective action with its own workflow; a manager signs off the management
 * review by its deadline.
 */
export async function annualAudit(input: AnnualAuditInput = {}): Promise<AuditStatus> {
  const reviewSeconds = input.reviewSeconds ?? 14 * 86_400;
  const status: AuditStatus = { auditId: null, state: 'opening', auditorId: null, findings: 0, reviewDueAt: null, escalated: false };
  const queue = serialQueue();
  let seq = 0;
  const refuse = (type: string, command: string, message: string): never => {
    throw ApplicationFailure.create({ type, message, details: [{ state: status.state, command }], nonRetryable: true });
  };
  const inState = (command: string, state: AuditStatus['state']) => {
    if (status.state !== state) refuse(ILLEGAL_TRANSITION, command, `${command} is not allowed while the audit is ${status.state} (allowed in: ${state})`);
  };
  const byAuditor = (command: string, actorId: string) => {
    if (actorId !== status.auditorId) refuse(NOT_ALLOWED, command, 'only the assigned auditor does that');
  };
  const mail = (kind: string, to: string[] | 'managers', subject: string, text: string) => {
    const key = `${workflowInfo().workflowId}:${++seq}:${kind}`;
    void queue.run(() => sendGovernanceMail({ key, kind, toUserIds: to, subject, text, headers: { 'X-Itsm-Audit-Id': status.auditId! } }));
  };

  setHandler(auditStatusQuery, () => ({ ...status }));

  setHandler(
    assignAuditorUpdate,
    async ({ auditorId }) => {
      // Checked again here, against the records as they are now: the API's check may be a moment old.
      const conflicts = await checkAuditor({ auditId: status.auditId!, auditorId });
      if (conflicts.length > 0) refuse(ILLEGAL_TRANSITION, 'assignAuditor', `the auditor is not independent of the audited services: ${conflicts.join('; ')}`);
      status.auditorId = auditorId;
      status.state = 'fieldwork';
      await queue.run(() => recordAudit({ auditId: status.auditId!, patch: { auditorId, state: 'fieldwork' } }));
      return { ...status };
    },
    { validator: (_input) => inState('assignAuditor', 'awaiting_auditor') },
  );

  setHandler(
    recordFindingUpdate,
    async (finding) => {
      const actionId = uuid4();
      const findingId = uuid4();
      const dueAt = new Date(Date.now() + finding.dueInSeconds * 1000).toISOString();
      const workflowId = `corrective-action-${actionId}`;
      await queue.run(() => recordFinding({ auditId: status.auditId!, findingId, actionId, workflowId, clause: finding.clause, title: finding.title, severity: finding.severity, description: finding.description, ownerId: finding.ownerId, dueAt }));
      // The action outlives the audit: it is closed when it is done, not when the audit is.
      await startChild(correctiveAction, {
        workflowId,
        args: [{ actionId, title: finding.title, ownerId: finding.ownerId, dueAt, remindBeforeSeconds: input.remindBeforeSeconds ?? [Math.round(finding.dueInSeconds / 4)] }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      status.findings++;
      return { ...status };
    },
    {
      validator: ({ actorId }) => {
        inState('recordFinding', 'fieldwork');
        byAuditor('recordFinding', actorId);
      },
    },
  );

  setHandler(
    finishFieldworkUpdate,
    async () => {
      status.state = 'management_review';
      status.reviewDueAt = new Date(Date.now() + reviewSeconds * 1000).toISOString();
      await queue.run(() => recordAudit({ auditId: status.auditId!, patch: { state: status.state, reviewDueAt: status.reviewDueAt! } }));
      mail('audit-review-request', 'managers', 'Management review: the internal audit report is ready', `Review the audit report and sign it off by ${status.reviewDueAt}.`);
      return { ...status };
    },
    {
      validator: ({ actorId }) => {
        inState('finishFieldwork', 'fieldwork');
        byAuditor('finishFieldwork', actorId);
      },
    },
  );

  setHandler(
    signOffAuditUpdate,
    async ({ actorId }) => {
      status.state = 'closed';
      await queue.run(() => recordAudit({ auditId: status.auditId!, patch: { state: 'closed', signedOffById: actorId, signedOffAt: new Date(Date.now()).toISOString() } }));
      return { ...status };
    },
    {
      validator: ({ actorId, isManager }) => {
        inState('signOffAudit', 'management_review');
        if (!isManager) refuse(NOT_ALLOWED, 'signOffAudit', 'the management review is signed off by a manager');
        if (actorId === status.auditorId) refuse(NOT_ALLOWED, 'signOffAudit', 'the auditor does not sign off their own audit');
      },
    },
  );

  const opened = await openAudit({ workflowId: workflowInfo().workflowId, at: new Date(Date.now()).toISOString() });
  status.auditId = opened.auditId;
  status.state = 'awaiting_auditor';
  mail('audit-opened', 'managers', 'The yearly internal audit is open', 'Its evidence is compiled; assign an auditor who is independent of the audited services.');

  await untilDone(
    () => status.state === 'closed',
    () => (status.reviewDueAt ? deadlineTimers(Date.parse(status.reviewDueAt), (input.remindBeforeSeconds ?? [3 * 86_400]).filter((s) => s < reviewSeconds), 'review:') : []),
    async (timer: DeadlineTimer) => {
      if (timer.kind === 'reminder') return mail('audit-review-reminder', 'managers', 'Reminder: management review of the internal audit', `Sign it off by ${status.reviewDueAt}.`);
      status.escalated = true;
      mail('audit-review-overdue', 'managers', 'ESCALATED: management review of the internal audit is overdue', `It was due by ${status.reviewDueAt}.`);
      await queue.run(() => recordAudit({ auditId: status.auditId!, patch: { escalated: true } }));
    },
  );
  // An Update that ended the wait may still be finishing its work.
  await condition(allHandlersFinished);
  await queue.drained();
  return { ...status };
}
