import { ParentClosePolicy, proxyActivities, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { AuditActivities } from '../activities/audit';
import type { ActionOffer } from '../domain/action-links';
import { AUDIT_TRANSITIONS, auditReviewTimers, DEFAULT_AUDIT_REVIEW, type AuditCommand, type AuditState } from '../domain/audit';
import type { DeadlineTimer } from '../domain/deadlines';
import { assignAuditorUpdate, auditStatusQuery, finishFieldworkUpdate, recordFindingUpdate, signOffAuditUpdate, type AuditStatus } from './annual-audit.messages';
import { correctiveAction } from './corrective-action';
import { sendGovernanceMail } from './governance-mail';
import { RecordProcess } from './record-process';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';

const { openAudit, checkAuditor, recordAudit, recordFinding } = proxyActivities<AuditActivities>({ startToCloseTimeout: '2 minutes', retry: { maximumInterval: '1 minute' } });

/** The managers can sign off the management review from the mails that ask for it. */
const SIGN_OFF: ActionOffer = { step: 'audit.sign-off' };

type AuditPatch = Parameters<AuditActivities['recordAudit']>[0]['patch'];

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
  const review = { reviewSeconds: input.reviewSeconds ?? DEFAULT_AUDIT_REVIEW.reviewSeconds, remindBeforeSeconds: input.remindBeforeSeconds ?? DEFAULT_AUDIT_REVIEW.remindBeforeSeconds };
  const audit = new RecordProcess<AuditState, AuditCommand>({ table: AUDIT_TRANSITIONS, keyPrefix: workflowInfo().workflowId });
  let auditId: string | null = null;
  let auditorId: string | null = null;
  let findings = 0;
  let reviewDueAt: string | null = null;
  let escalated = false;
  const status = (): AuditStatus => ({ auditId, state: audit.state, auditorId, findings, reviewDueAt, escalated });

  const save = (patch: AuditPatch) => audit.write(() => recordAudit({ auditId: auditId!, patch }));
  const mail = (kind: string, subject: string, text: string, offer?: ActionOffer) =>
    audit.send(kind, (key) => sendGovernanceMail({ key, kind, toUserIds: 'managers', subject, text, headers: { 'X-Itsm-Audit-Id': auditId! }, offer }));
  const byAuditor = (command: AuditCommand, actorId: string) => {
    if (actorId !== auditorId) audit.refuse(NOT_ALLOWED, command, 'only the assigned auditor does that');
  };

  audit.query(auditStatusQuery, status);

  audit.update(assignAuditorUpdate, 'assignAuditor', async ({ auditorId: candidate }) => {
    // Checked again here, against the records as they are now: the API's check may be a moment old. While it
    // runs the audit takes no other command, so a second assignment is refused instead of racing this one.
    await audit.decided('assignAuditor', async () => {
      const conflicts = await checkAuditor({ auditId: auditId!, auditorId: candidate });
      if (conflicts.length > 0) audit.refuse(ILLEGAL_TRANSITION, 'assignAuditor', `the auditor is not independent of the audited services: ${conflicts.join('; ')}`);
    });
    auditorId = candidate;
    await save({ auditorId: candidate, state: audit.state });
    return status();
  });

  audit.update(
    recordFindingUpdate,
    'recordFinding',
    async (finding) => {
      audit.transition('recordFinding');
      const actionId = uuid4();
      const findingId = uuid4();
      const dueAt = new Date(Date.now() + finding.dueInSeconds * 1000).toISOString();
      const workflowId = `corrective-action-${actionId}`;
      await audit.write(() => recordFinding({ auditId: auditId!, findingId, actionId, workflowId, clause: finding.clause, title: finding.title, severity: finding.severity, description: finding.description, ownerId: finding.ownerId, dueAt }));
      // The action outlives the audit: it is closed when it is done, not when the audit is.
      await startChild(correctiveAction, {
        workflowId,
        args: [{ actionId, title: finding.title, ownerId: finding.ownerId, dueAt, remindBeforeSeconds: input.remindBeforeSeconds ?? [Math.round(finding.dueInSeconds / 4)] }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      findings++;
      return status();
    },
    ({ actorId }) => byAuditor('recordFinding', actorId),
  );

  audit.update(
    finishFieldworkUpdate,
    'finishFieldwork',
    async () => {
      audit.transition('finishFieldwork');
      reviewDueAt = new Date(Date.now() + review.reviewSeconds * 1000).toISOString();
      await save({ state: audit.state, reviewDueAt });
      mail('audit-review-request', 'Management review: the internal audit report is ready', `Review the audit report and sign it off by ${reviewDueAt}.`, SIGN_OFF);
      return status();
    },
    ({ actorId }) => byAuditor('finishFieldwork', actorId),
  );

  audit.update(
    signOffAuditUpdate,
    'signOffAudit',
    async ({ actorId }) => {
      audit.transition('signOffAudit');
      await save({ state: audit.state, signedOffById: actorId, signedOffAt: new Date(Date.now()).toISOString() });
      return status();
    },
    ({ actorId, isManager }) => {
      if (!isManager) audit.refuse(NOT_ALLOWED, 'signOffAudit', 'the management review is signed off by a manager');
      if (actorId === auditorId) audit.refuse(NOT_ALLOWED, 'signOffAudit', 'the auditor does not sign off their own audit');
    },
  );

  auditId = (await openAudit({ workflowId: workflowInfo().workflowId, at: new Date(Date.now()).toISOString() })).auditId;
  audit.transition('open');
  mail('audit-opened', 'The yearly internal audit is open', 'Its evidence is compiled; assign an auditor who is independent of the audited services.');

  await audit.untilDone(
    () => audit.state === 'closed',
    () => auditReviewTimers(reviewDueAt, review),
    async (timer: DeadlineTimer) => {
      if (timer.kind === 'reminder') {
        audit.transition('remind');
        return mail('audit-review-reminder', 'Reminder: management review of the internal audit', `Sign it off by ${reviewDueAt}.`, SIGN_OFF);
      }
      audit.transition('escalate');
      escalated = true;
      mail('audit-review-overdue', 'ESCALATED: management review of the internal audit is overdue', `It was due by ${reviewDueAt}.`, SIGN_OFF);
      await save({ escalated: true });
    },
  );
  // An Update that ended the wait may still be finishing its work.
  await audit.drain();
  return status();
}
