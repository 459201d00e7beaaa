import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Priority } from '../domain/priority';
import type { ProblemState } from '../domain/problem';

export interface Actor {
  actorId: string;
}

export interface ProblemStatus {
  state: ProblemState;
  priority: Priority;
  ownerId: string | null;
  rcaDueAt: string;
  escalationLevel: number;
  incidentIds: string[];
  knownError: { title: string; rootCause: string; workaround: string; articleId: string | null } | null;
  fixChangeId: string | null;
  reviewUntil: string | null;
  closeReason: string | null;
}

export interface InvestigateInput extends Actor {
  ownerId: string;
}
export interface KnownErrorInput extends Actor {
  title: string;
  rootCause: string;
  workaround: string;
  language: string;
}
export interface LinkFixInput extends Actor {
  changeId: string;
}
export interface LinkIncidentsInput extends Actor {
  incidentIds: string[];
}
export interface CloseProblemInput extends Actor {
  reason: string;
}
export interface FixChangeEnded {
  changeId: string;
  state: string;
  outcome: string | null;
}

export const problemStatusQuery = defineQuery<ProblemStatus>('problemStatus');
export const investigateProblemUpdate = defineUpdate<ProblemStatus, [InvestigateInput]>('investigateProblem');
export const publishKnownErrorUpdate = defineUpdate<ProblemStatus, [KnownErrorInput]>('publishKnownError');
export const linkFixUpdate = defineUpdate<ProblemStatus, [LinkFixInput]>('linkFix');
export const linkIncidentsUpdate = defineUpdate<ProblemStatus, [LinkIncidentsInput]>('linkIncidents');
export const closeProblemUpdate = defineUpdate<ProblemStatus, [CloseProblemInput]>('closeProblem');
/** From trend detection, which has already written the links. */
export const incidentsLinkedSignal = defineSignal<[{ incidentIds: string[] }]>('incidentsLinked');
/** From the fix's changeApproval workflow when it ends. */
export const fixChangeEndedSignal = defineSignal<[FixChangeEnded]>('fixChangeEnded');
