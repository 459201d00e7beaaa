import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ComplaintActivities, ComplaintMailKind, ComplaintMailTarget } from '../activities/complaint';
import { complaintTimers, escalationLevelOf, illegalComplaintTransition, type ComplaintCommand, type ComplaintOpened } from '../domain/complaint';
import type { DeadlineTimer } from '../domain/deadlines';
import { ItsmDueAt, ItsmEscalationLevel, ItsmState } from '../temporal-config/search-attributes';
import { assignComplaintUpdate, closeComplaintUpdate, complaintStatusQuery, type ComplaintStatus } from './complaint.messages';
import { untilDone } from './deadline-loop';
import { ILLEGAL_TRANSITION, NOT_ALLOWED } from './refusals';
import { searchAttributeSync } from './search-attribute-sync';
import { serialQueue } from './serial-queue';

const { openComplaintRecord, recordComplaint, sendComplaintMail } = proxyActivities<ComplaintActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/**
 * One service complaint (ISO/IEC 20000-1 clause 8.3.2), from logging to its formal close: the complainant is
 * told it was received and, at the close, the outcome and resolution; the handler is reminded before the
 * target; past it the managers are told, and later the administrators as the higher management.
 */
export async function complaintHandling(opened: ComplaintOpened): Promise<ComplaintStatus> {
  const { complaintId } = opened;
  const status: ComplaintStatus = { state: opened.handlerId ? 'investigating' : 'received', handlerId: opened.handlerId, dueAt: opened.dueAt, escalationLevel: 0, outcome: null };
  const queue = serialQueue();
  let seq = 0;

  const upsertChanged = searchAttributeSync();
  const sync = () =>
    upsertChanged([
      [ItsmState, status.state],
      [ItsmEscalationLevel, status.escalationLevel],
      [ItsmDueAt, new Date(Date.parse(opened.dueAt))],
    ]);
  const mail = (kind: ComplaintMailKind, to: ComplaintMailTarget[], level?: number) => {
    const key = `${complaintId}:${++seq}:${kind}`;
    void queue.run(() => sendComplaintMail({ key, complaintId, kind, to, level }));
  };
  /** Writes the record's new columns with the event that explains them. */
  const record = (type: string, actorId: string | null, patch: Parameters<ComplaintActivities['recordComplaint']>[0]['patch'], data: Record<string, unknown> = {}) => {
    sync();
    const event = { id: `${complaintId}:${++seq}:${type}`, type, actorId, at: new Date(Date.now()).toISOString(), data };
    return queue.run(() => recordComplaint({ complaintId, patch, event }));
  };

  const refuse = (type: string, command: ComplaintCommand, message: string): never => {
    throw ApplicationFailure.create({ type, message, details: [{ state: status.state, command }], nonRetryable: true });
  };
  const guard = (command: ComplaintCommand) => {
    const problem = illegalComplaintTransition(command, status.state);
    if (problem) refuse(ILLEGAL_TRANSITION, command, problem);
  };

  // The opening write heads the queue, so every later write (from an Update or a timer) lands after it. Handlers
  // change `status` before their first await: the next Update's validator then sees the state they left.
  void queue.run(() => openComplaintRecord(opened));

  setHandler(complaintStatusQuery, () => ({ ...status }));
  setHandler(
    assignComplaintUpdate,
    async ({ actorId, handlerId }) => {
      status.handlerId = handlerId;
      status.state = 'investigating';
      await record('assigned', actorId, { state: status.state, handlerId }, { handlerId });
      mail('complaint-assigned', ['handler']);
      return { ...status };
    },
    { validator: (_input) => guard('assign') },
  );
  setHandler(
    closeComplaintUpdate,
    async ({ actorId, outcome, resolution }) => {
      status.state = 'closed';
      status.outcome = outcome;
      await record('closed', actorId, { state: 'closed', outcome, resolution, closedAt: new Date(Date.now()).toISOString(), closedById: actorId }, { outcome, resolution });
      mail('complaint-closed', ['complainant']);
      return { ...status };
    },
    {
      validator: ({ actorId, isManager }) => {
        guard('close');
        if (!isManager && actorId !== status.handlerId) refuse(NOT_ALLOWED, 'close', "only the complaint's handler or a manager closes it");
      },
    },
  );

  sync();
  mail('complaint-received', ['complainant']);
  mail('complaint-assigned', ['handler']);

  await untilDone(
    () => status.state === 'closed',
    () => complaintTimers(opened),
    async (timer: DeadlineTimer) => {
      // A close accepted in the same activation as the timer wins: a closed complaint is not escalated.
      if (status.state === 'closed') return;
      if (timer.kind === 'reminder') {
        mail('complaint-reminder', ['handler']);
        await record('reminder', null, {}, { key: timer.key });
        return;
      }
      const level = escalationLevelOf(timer);
      status.escalationLevel = level;
      mail('complaint-escalation', level === 1 ? ['managers', 'handler'] : ['admins'], level);
      await record('escalated', null, { escalationLevel: level }, { level });
    },
  );
  // A close that ended the wait may still be writing, and its mail still queued.
  await condition(allHandlersFinished);
  await queue.drained();
  return { ...status };
}
