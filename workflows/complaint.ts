import { proxyActivities } from '@temporalio/workflow';
import type { ComplaintActivities, ComplaintMailKind } from '../activities/complaint';
import type { ActionOffer } from '../domain/action-links';
import { COMPLAINT_TRANSITIONS, complaintTimers, escalationLevelOf, type ComplaintCommand, type ComplaintOpened, type ComplaintState } from '../domain/complaint';
import { complaintCurrentDetails, complaintEscalationAudience, complaintMailLabel, complaintTimerLabel, type ComplaintAudience } from '../domain/complaint-metadata';
import type { DeadlineTimer } from '../domain/deadlines';
import { ItsmDueAt, ItsmEscalationLevel, ItsmState } from '../domain/search-attributes';
import { assignComplaintUpdate, closeComplaintUpdate, complaintStatusQuery, type ComplaintStatus } from './complaint.messages';
import { RecordProcess } from './record-process';
import { NOT_ALLOWED } from './refusals';

const { openComplaintRecord, recordComplaint, sendComplaintMail } = proxyActivities<ComplaintActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

type RecordPatch = Parameters<ComplaintActivities['recordComplaint']>[0]['patch'];

/** Whoever a mail asks to act (the handler, or the managers above them) may close the complaint from it. */
const CLOSE: ActionOffer = { step: 'complaint.close' };

/**
 * One service complaint (ISO/IEC 20000-1 clause 8.3.2), from logging to its formal close: the complainant is
 * told it was received and, at the close, the outcome and resolution; the handler is reminded before the
 * target; past it the managers are told, and later the administrators as the higher management.
 */
export async function complaintHandling(opened: ComplaintOpened): Promise<ComplaintStatus> {
  const { complaintId } = opened;
  const complaint: RecordProcess<ComplaintState, ComplaintCommand> = new RecordProcess({
    table: COMPLAINT_TRANSITIONS,
    state: opened.handlerId ? 'investigating' : 'received',
    keyPrefix: complaintId,
    searchAttributes: () => [
      [ItsmState, complaint.state],
      [ItsmEscalationLevel, escalationLevel],
      [ItsmDueAt, new Date(Date.parse(opened.dueAt))],
    ],
    details: () => {
      const next = timers().find((timer) => !fired.has(timer.key));
      return complaintCurrentDetails({ state: complaint.state, handlerId, dueAt: Date.parse(opened.dueAt), escalationLevel, outcome, next: next ? { label: complaintTimerLabel(next), at: next.at } : null }, Date.now());
    },
  });
  const timers = () => complaintTimers(opened);
  const fired = new Set<string>();
  let handlerId = opened.handlerId;
  let escalationLevel = 0;
  let outcome: ComplaintStatus['outcome'] = null;
  const status = (): ComplaintStatus => ({ state: complaint.state, handlerId, dueAt: opened.dueAt, escalationLevel, outcome });

  const mail = (kind: ComplaintMailKind, to: ComplaintAudience[], extra: { level?: number; offer?: ActionOffer } = {}) =>
    complaint.send(kind, (key) => sendComplaintMail.executeWithOptions({ summary: complaintMailLabel(kind, to) }, [{ key, complaintId, kind, to, ...extra }]));
  /** Writes the record's new columns with the event that explains them. */
  const record = (type: string, actorId: string | null, patch: RecordPatch, data: Record<string, unknown> = {}) => {
    complaint.sync();
    const event = { id: complaint.key(type), type, actorId, at: new Date(Date.now()).toISOString(), data };
    return complaint.write(() => recordComplaint.executeWithOptions({ summary: `record: ${type}` }, [{ complaintId, patch, event }]));
  };

  // The opening write heads the queue, so every later write (from an Update or a timer) lands after it.
  void complaint.write(() => openComplaintRecord.executeWithOptions({ summary: 'record: complaint received' }, [opened]));

  complaint.query(complaintStatusQuery, status);
  complaint.update(assignComplaintUpdate, 'assign', async ({ actorId, handlerId: to }) => {
    handlerId = to;
    complaint.transition('assign');
    await record('assigned', actorId, { state: complaint.state, handlerId: to }, { handlerId: to });
    mail('complaint-assigned', ['handler'], { offer: CLOSE });
    return status();
  });
  complaint.update(
    closeComplaintUpdate,
    'close',
    async ({ actorId, outcome: decided, resolution }) => {
      complaint.transition('close');
      outcome = decided;
      await record('closed', actorId, { state: 'closed', outcome: decided, resolution, closedAt: new Date(Date.now()).toISOString(), closedById: actorId }, { outcome: decided, resolution });
      mail('complaint-closed', ['complainant']);
      return status();
    },
    ({ actorId, isManager }) => {
      if (!isManager && actorId !== handlerId) complaint.refuse(NOT_ALLOWED, 'close', "only the complaint's handler or a manager closes it");
    },
  );

  complaint.sync();
  mail('complaint-received', ['complainant']);
  mail('complaint-assigned', ['handler'], { offer: CLOSE });

  await complaint.untilDone(
    () => complaint.state === 'closed',
    timers,
    async (timer: DeadlineTimer) => {
      // A close accepted in the same activation as the timer wins: a closed complaint is not escalated.
      if (!complaint.allows('escalate')) return;
      if (timer.kind === 'reminder') {
        mail('complaint-reminder', ['handler'], { offer: CLOSE });
        await record('reminder', null, {}, { key: timer.key });
        return;
      }
      escalationLevel = escalationLevelOf(timer);
      mail('complaint-escalation', complaintEscalationAudience(escalationLevel), { level: escalationLevel, offer: CLOSE });
      await record('escalated', null, { escalationLevel }, { level: escalationLevel });
    },
    fired,
    complaintTimerLabel,
  );
  // A close that ended the wait may still be writing, and its mail still queued.
  await complaint.drain();
  return status();
}
