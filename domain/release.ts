import type { TransitionTable } from './transitions';

// The release's lifecycle (ISO/IEC 20000-1 clause 8.5.3): built, tested, authorised, deployed environment by
// environment, verified, and backed out in reverse order when a verification fails or the release is aborted.

export const RELEASE_STATES = ['planned', 'building', 'testing', 'deploying', 'awaiting_authorisation', 'verifying', 'released', 'rolled_back', 'failed', 'aborted'] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];
export const FINAL_RELEASE_STATES: readonly ReleaseState[] = ['released', 'rolled_back', 'failed', 'aborted'];

export const RELEASE_STEPS = ['build', 'test', 'deploy', 'verify', 'rollback'] as const;
export type ReleaseStep = (typeof RELEASE_STEPS)[number];

/** People's commands, and the steps the release takes itself as its build, tests and deployments report back. */
export type ReleaseCommand = 'start' | 'authorise' | 'confirm' | 'abort' | 'build' | 'test' | 'deploy' | 'gate' | 'clear' | 'verify' | 'escalate' | 'release' | 'back-out';

const ACTIVE: readonly ReleaseState[] = ['building', 'testing', 'deploying', 'awaiting_authorisation', 'verifying'];

export const RELEASE_TRANSITIONS: TransitionTable<ReleaseState, ReleaseCommand> = {
  noun: 'release',
  states: RELEASE_STATES,
  initial: 'planned',
  final: FINAL_RELEASE_STATES,
  rules: {
    // Starting and aborting are requests: the release moves when its work gets there (or is cancelled).
    start: { from: ['planned'], to: [], by: 'person' },
    // Production may be authorised ahead, while the earlier environments are still going.
    authorise: { from: ACTIVE, to: [], by: 'person' },
    confirm: { from: ['deploying', 'verifying'], to: [], by: 'person' },
    abort: { from: ['planned', ...ACTIVE], to: [], by: 'person' },
    build: { from: ['planned'], to: ['building'], by: 'process' },
    test: { from: ['building'], to: ['testing'], by: 'process' },
    deploy: { from: ['testing'], to: ['deploying'], by: 'process' },
    // Before each production environment: it waits for its own authorisation, then for its gate to clear.
    gate: { from: ['deploying', 'verifying'], to: ['awaiting_authorisation'], by: 'process' },
    clear: { from: ['awaiting_authorisation'], to: ['deploying'], by: 'process' },
    // The last environment's automatic verification has begun.
    verify: { from: ['deploying'], to: ['verifying'], by: 'process' },
    // A smoke test nobody confirmed in time.
    escalate: { from: ACTIVE, to: [], by: 'timer' },
    release: { from: ['deploying', 'verifying'], to: ['released'], by: 'process' },
    // Every environment touched is rolled back first; nothing touched ends as failed, an abort as aborted.
    'back-out': { from: ['planned', ...ACTIVE], to: ['aborted', 'rolled_back', 'failed'], by: 'process' },
  },
};

export interface ReleaseOpened {
  releaseId: string;
  number: number;
  version: string;
  environments: string[];
  /**
   * The environments that were flagged production on the adapter when the release was planned: each is gated.
   * Absent from releases started before environments were records; those gate their last environment.
   */
  production: string[];
  confirmIn: string[];
  confirmSeconds: number;
  productionStart: string | null;
  requesterId: string;
  /** What the Temporal UI shows of it; absent from releases started before the workflow carried them. */
  title?: string;
  /** The release's API address, for its environments' details. */
  apiUrl?: string;
}

export function releaseWorkflowId(releaseId: string): string {
  return `release-${releaseId}`;
}

export function releaseReference(number: number): string {
  return `REL-${String(number).padStart(6, '0')}`;
}

/** One run of one step; `run` counts repeats of the same step (none today but a rollback after a retry). */
export function stepKey(releaseId: string, environment: string | null, step: ReleaseStep, run = 1): string {
  return `${releaseId}:${environment ?? '-'}:${step}:${run}`;
}

/**
 * Why production may not be deployed now: the release's production window has closed, no change is linked, or a
 * linked change is not approved and scheduled in a window that contains now.
 */
export function productionBlockers(
  changes: { reference: string; state: string; scheduledStart: number | null; scheduledEnd: number | null }[],
  productionEnd: number | null,
  now: number,
): string[] {
  const reasons: string[] = productionEnd !== null && now >= productionEnd ? [`the release's production window closed at ${new Date(productionEnd).toISOString()}`] : [];
  if (changes.length === 0) reasons.push('no linked change: production needs at least one approved and scheduled change');
  for (const change of changes) {
    if (!['scheduled', 'implementing'].includes(change.state)) {
      reasons.push(`${change.reference} is ${change.state}: it must be approved and scheduled`);
    } else if (change.scheduledStart === null || change.scheduledEnd === null || now < change.scheduledStart || now >= change.scheduledEnd) {
      const window = change.scheduledStart === null ? 'no window' : `${new Date(change.scheduledStart).toISOString()} – ${new Date(change.scheduledEnd!).toISOString()}`;
      reasons.push(`${change.reference} is scheduled for ${window}, which does not contain now`);
    }
  }
  return reasons;
}
