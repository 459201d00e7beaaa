import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { ReleaseActivities, ReleaseEventRecord } from '../activities/release';
import { FINAL_RELEASE_STATES, illegalReleaseTransition, releaseReference, releaseWorkflowId, type ReleaseCommand, type ReleaseOpened, type ReleaseState, type ReleaseStep } from '../domain/release';
import { isoOrNull } from '../domain/instants';
import { ItsmEscalationLevel, ItsmState } from '../temporal-config/search-attributes';
import {
  abortReleaseUpdate,
  authoriseReleaseUpdate,
  confirmReleaseUpdate,
  environmentProgressSignal,
  releaseStatusQuery,
  smokeTestConfirmedSignal,
  startReleaseUpdate,
  type ReleaseStatus,
} from './release.messages';
import { releaseEnvironment } from './release-environment';
import { ILLEGAL_TRANSITION } from './refusals';
import { searchAttributeSync } from './search-attribute-sync';
import { serialQueue } from './serial-queue';

const { runReleaseStep } = proxyActivities<ReleaseActivities>({
  startToCloseTimeout: '3 hours',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});
const { openReleaseRecord, recordReleaseChange, setDeploymentState, releaseProductionGate, sendReleaseNotification, releaseAuthorisers, deploymentsStarted } = proxyActivities<ReleaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});


/**
 * One release (ISO/IEC 20000-1 clause 8.5.3): built and tested once, then deployed environment by environment
 * (each a child workflow), each production environment only when authorised for it, inside the release's window
 * and with at least one linked change, every one approved and scheduled around now. A failed step or an abort
 * rolls back every environment touched so far, in reverse order, and records why.
 */
export async function release(opened: ReleaseOpened): Promise<void> {
  const { releaseId } = opened;
  const reference = releaseReference(opened.number);
  const last = opened.environments[opened.environments.length - 1];
  // Releases started before environments were records gate their last environment, whatever its name.
  const byRecord = patched('production-by-environment-record');
  const production = byRecord ? opened.production : [last];
  let state = 'planned' as ReleaseState;
  const environments: Record<string, string> = Object.fromEntries(opened.environments.map((env) => [env, 'pending']));
  let started = false;
  let authorisedById: string | null = null;
  let authorisedAt: number | null = null;
  /** An authorisation covers one production environment: the next one to deploy when it was given. */
  let authorisedFor: string | null = null;
  const cleared: string[] = [];
  const nextProduction = () => production.find((env) => !cleared.includes(env)) ?? null;
  const awaitingAuthorisationFor = () => (authorisedFor === nextProduction() ? null : nextProduction());
  let abortRequested: { actorId: string; reason: string } | null = null;
  let failureReason: string | null = null;
  let finishedAt: number | null = null;
  let escalationLevel = 0;
  const children = new Map<string, ChildWorkflowHandle<typeof releaseEnvironment>>();
  let seq = 0;
  const queue = serialQueue();
  const serial = queue.run;
  const work = new CancellationScope();

  const upsertChanged = searchAttributeSync();
  const status = (): ReleaseStatus => ({ state, environments: { ...environments }, authorisedById, authorisedFor, awaitingAuthorisationFor: awaitingAuthorisationFor(), abortRequested: abortRequested !== null, failureReason });

  async function record(type: string, actorId: string | null, fromState: ReleaseState, data: Record<string, unknown> = {}) {
    upsertChanged([
      [ItsmState, state],
      [ItsmEscalationLevel, escalationLevel],
    ]);
    const event: ReleaseEventRecord = { eventKey: `${releaseId}:${++seq}:${type}`, type, actorId, at: isoOrNull(Date.now())!, fromState, toState: state, data };
    const snapshot = { state, authorisedById, authorisedAt: isoOrNull(authorisedAt), failureReason, finishedAt: isoOrNull(finishedAt) };
    await serial(() => recordReleaseChange({ releaseId, event, snapshot }));
    return status();
  }

  function notify(kind: string, toUserIds: (string | null)[] | 'authorisers', detail = '', environment?: string) {
    const key = `${releaseId}:${++seq}:${kind}`;
    void serial(async () => {
      const to = toUserIds === 'authorisers' ? await releaseAuthorisers() : toUserIds.filter((id): id is string => id !== null);
      if (to.length > 0) await sendReleaseNotification({ key, releaseId, kind, toUserIds: to, detail, ...(environment ? { environment } : {}) });
    });
  }

  async function moveTo(next: ReleaseState, type: string, data: Record<string, unknown> = {}) {
    const from = state;
    state = next;
    await record(type, null, from, data);
  }

  const guard = (command: ReleaseCommand) => {
    const problem = illegalReleaseTransition(command, state);
    if (problem) throw ApplicationFailure.create({ type: ILLEGAL_TRANSITION, message: `${reference}: ${problem}`, details: [{ state, command }], nonRetryable: true });
  };

  setHandler(releaseStatusQuery, status);

  setHandler(
    startReleaseUpdate,
    async ({ actorId }) => {
      started = true;
      return record('start-requested', actorId, state);
    },
    { validator: (_input) => guard('start') },
  );

  setHandler(
    authoriseReleaseUpdate,
    async ({ actorId }) => {
      authorisedById = actorId;
      authorisedAt = Date.now();
      authorisedFor = nextProduction();
      return record('authorised', actorId, state, { environment: authorisedFor });
    },
    {
      validator: ({ environment }) => {
        guard('authorise');
        if (!byRecord) return;
        const awaiting = awaitingAuthorisationFor();
        const problem =
          awaiting === null
            ? `nothing to authorise: ${nextProduction() === null ? 'no production environment is left to deploy' : `${nextProduction()} is already authorised`}`
            : environment !== undefined && environment !== awaiting
              ? `the release waits for an authorisation for ${awaiting}, not ${environment}`
              : null;
        if (problem) throw ApplicationFailure.create({ type: ILLEGAL_TRANSITION, message: `${reference}: ${problem}`, details: [{ state, command: 'authorise' }], nonRetryable: true });
      },
    },
  );

  setHandler(
    confirmReleaseUpdate,
    async ({ actorId, environment }) => {
      await children.get(environment)!.signal(smokeTestConfirmedSignal, { actorId });
      environments[environment] = 'verifying';
      return record('smoke-test-confirmed', actorId, state, { environment });
    },
    {
      validator: ({ environment }) => {
        guard('confirm');
        if (environments[environment] !== 'awaiting_confirmation') {
          throw ApplicationFailure.create({ type: ILLEGAL_TRANSITION, message: `${reference}: ${environment} is not waiting for a smoke-test confirmation (it is ${environments[environment] ?? 'not a target'})`, details: [{ state, command: 'confirm' }], nonRetryable: true });
        }
      },
    },
  );

  setHandler(
    abortReleaseUpdate,
    async ({ actorId, reason }) => {
      abortRequested = { actorId, reason };
      work.cancel();
      return record('abort-requested', actorId, state, { reason });
    },
    { validator: (_input) => guard('abort') },
  );

  setHandler(environmentProgressSignal, ({ environment, phase }) => {
    if (phase === 'confirmation-overdue') {
      escalationLevel = 1;
      notify('confirmation-overdue', 'authorisers', `in ${environment}`);
      void record('confirmation-overdue', null, state, { environment });
      return;
    }
    environments[environment] = phase;
    if (phase === 'awaiting_confirmation') notify('confirmation-request', [opened.requesterId], `in ${environment}`);
    if (phase === 'verifying' && environment === last && state === 'deploying') {
      state = 'verifying';
      void record('verifying', null, 'deploying', { environment });
    }
  });

  const step = (name: ReleaseStep, environment: string | null) => runReleaseStep({ releaseId, environment, step: name });

  /**
   * Authorised for this environment, inside the release's production window, and at least one linked change,
   * every one approved and scheduled around now. Each production environment needs its own authorisation: the
   * one given for an earlier production environment was used up by it.
   */
  async function productionGate(environment: string) {
    const from = state;
    state = 'awaiting_authorisation';
    if (authorisedFor !== environment) {
      authorisedById = null;
      authorisedAt = null;
    }
    await record('awaiting-authorisation', null, from, { environment });
    // Releases started before the patch sent no environment: their links authorise their one production environment.
    if (authorisedFor !== environment) notify('authorisation-request', 'authorisers', 'Open your authorisation link below, or use POST /api/releases/:id/authorise.', byRecord ? environment : undefined);
    for (;;) {
      await condition(() => authorisedById !== null && authorisedFor === environment);
      const opensAt = opened.productionStart ? Date.parse(opened.productionStart) : null;
      if (opensAt !== null && Date.now() < opensAt) await sleep(opensAt - Date.now());
      const { blockers } = await releaseProductionGate({ releaseId });
      if (blockers.length === 0) break;
      const refusedFor = authorisedById;
      authorisedById = null;
      authorisedAt = null;
      authorisedFor = null;
      notify('production-blocked', [opened.requesterId, refusedFor], blockers.join('; '));
      await record('production-blocked', null, state, { blockers });
    }
    cleared.push(environment);
    await moveTo('deploying', 'production-cleared', { authorisedById, environment });
  }

  async function deployEverywhere() {
    await moveTo('building', 'building');
    await step('build', null);
    await moveTo('testing', 'testing');
    await step('test', null);
    await moveTo('deploying', 'deploying');
    for (const environment of opened.environments) {
      if (production.includes(environment)) await productionGate(environment);
      const child = await startChild(releaseEnvironment, {
        workflowId: `${releaseWorkflowId(releaseId)}/${environment}`,
        args: [{ releaseId, environment, confirm: opened.confirmIn.includes(environment), confirmSeconds: opened.confirmSeconds }],
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      children.set(environment, child);
      await child.result();
      environments[environment] = 'deployed';
    }
  }

  /** Backs out every environment the release touched, last first, each once. */
  async function rollBack(reason: string) {
    // The database knows which deploy steps began, even one whose start the release has not heard of yet.
    const touched = (await deploymentsStarted({ releaseId })).reverse();
    for (const environment of touched) {
      await step('rollback', environment);
      await setDeploymentState({ releaseId, environment, state: 'rolled_back' });
      environments[environment] = 'rolled_back';
      await record('rolled-back', null, state, { environment, reason });
    }
    return touched;
  }

  await serial(() => openReleaseRecord(opened));
  await record('planned', opened.requesterId, 'planned', { environments: opened.environments });
  await condition(() => started || abortRequested !== null);
  try {
    if (abortRequested) throw new Error('aborted before it started');
    await work.run(deployEverywhere);
    finishedAt = Date.now();
    await moveTo('released', 'released');
    notify('released', [opened.requesterId]);
  } catch (error) {
    const aborted = abortRequested !== null && (isCancellation(error) || !started);
    failureReason = aborted ? `aborted: ${abortRequested!.reason}` : failureText(error);
    await CancellationScope.nonCancellable(async () => {
      const undone = await rollBack(failureReason!);
      finishedAt = Date.now();
      await moveTo(aborted ? 'aborted' : undone.length > 0 ? 'rolled_back' : 'failed', aborted ? 'aborted' : 'failed', { reason: failureReason, rolledBack: undone });
      if (undone.length > 0) notify('rolled-back', [opened.requesterId], failureReason!);
    });
  }
  await queue.drained();
  if (!FINAL_RELEASE_STATES.includes(state)) throw new Error(`release ended in ${state}`);
}

/** The innermost cause of a failed step: "verify in production failed with exit code 1: …". */
function failureText(error: unknown): string {
  let cause = error as Error & { cause?: unknown };
  while (cause?.cause) cause = cause.cause as Error & { cause?: unknown };
  return cause?.message ?? String(error);
}
