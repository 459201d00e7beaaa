// Corrective actions (ISO/IEC 20000-1 clause 10.1): something to put right, raised by an audit finding or a
// failed continuity test, with an owner and a due date.
import type { TransitionTable } from './transitions';

export const CORRECTIVE_ACTION_STATES = ['open', 'done'] as const;
export type CorrectiveActionState = (typeof CORRECTIVE_ACTION_STATES)[number];
export type CorrectiveActionCommand = 'complete' | 'remind' | 'escalate';

export interface CorrectiveActionOpened {
  actionId: string;
  title: string;
  ownerId: string;
  dueAt: string;
  remindBeforeSeconds: number[];
  /**
   * What the Temporal UI shows of it (absent from actions raised before): where it comes from (`finding 8.6.1`,
   * `continuity test DESK: Fail over`), its owner's name, and the API record it belongs to.
   */
  source?: string;
  ownerName?: string;
  apiUrl?: string;
}

export const CORRECTIVE_ACTION_TRANSITIONS: TransitionTable<CorrectiveActionState, CorrectiveActionCommand> = {
  noun: 'corrective action',
  states: CORRECTIVE_ACTION_STATES,
  initial: 'open',
  final: ['done'],
  rules: {
    complete: { from: ['open'], to: ['done'], by: 'person' },
    // Reminders to the owner and the escalation to the managers leave the action open.
    remind: { from: ['open'], to: [], by: 'timer' },
    escalate: { from: ['open'], to: [], by: 'timer' },
  },
};
