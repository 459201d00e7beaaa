import { CancellationScope, ChildWorkflowCancellationType, condition, isCancellation, ParentClosePolicy, patched, proxyActivities, setHandler, sleep, startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { ReleaseActivities, ReleaseEventRecord } from '../activities/release';
import { RELEASE_TRANSITIONS, releaseReference, releaseWorkflowId, type ReleaseCommand, type ReleaseOpened, type ReleaseState, type ReleaseStep } from '../domain/release';
import { isoOrNull } from '../domain/instants';
import { isFinal } from '../domain/transitions';
import { mailSummary, type MailNotice } from '../domain/mail-notices';
import { environmentStartDetails, environmentSummary, releaseAudience, releaseCurrentDetails, releaseDueAt, releaseStepSummary } from '../domain/release-metadata';
import { ItsmDueAt, ItsmEscalationLevel, ItsmState } from '../domain/search-attributes';
import { abortReleaseUpdate, authoriseReleaseUpdate, confirmReleaseUpdate, environmentProgressSignal, releaseStatusQuery, smokeTestConfirmedSignal, startReleaseUpdate, type ReleaseStatus } from './release.messages';
import { releaseEnvironment } from './release-environment';
import { RecordProcess, type SearchAttributePair } from './record-process';
import { ILLEGAL_TRANSITION } from './refusals';

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
  const last = opened.environments[opened.environments.length - 1];
  // Releases started before environments were records gate their last environment, whatever its name.
  const byRecord = patched('production-by-environment-record');
  const production = byRecord ? opened.production : [last];
  // Releases started before it never told managers when a smoke-test confirmation was due.
  const dueAtSynced = patched('release-due-at');
  let escalationLevel = 0;
  const environments: Record<string, string> = Object.fromEntries(opened.environments.map((env) => [env, 'pending']));
  /** When each awaited smoke-test confirmation is due, and the mail sent by role: for managers in the Temporal UI. */
  const confirmationDue: Record<string, number> = {};
  const notices: MailNotice[] = [];
  const dueAt = () => {
    const due = releaseDueAt({ environments, confirmationDue });
    return due === null ? null : new Date(due);
  };
  const lifecycle: RecordProcess<ReleaseState, ReleaseCommand> = new RecordProcess({
    table: RELEASE_TRANSITIONS,
    keyPrefix: releaseId,
    refusalPrefix: releaseReference(opened.number),
    searchAttributes: () => {
      const pairs: SearchAttributePair[] = [
        [ItsmState, lifecycle.state],
        [ItsmEscalationLevel, escalationLevel],
      ];
      return dueAtSynced ? [...pairs, [ItsmDueAt, dueAt()]] : pairs;
    },
    details: () =>
      releaseCurrentDetails({
        ...opened,
        state: lifecycle.state,
        environments,
        production,
        confirmationDue,
        awaitingAuthorisationFor: awaitingAuthorisationFor(),
        authorisedFor,
        escalationLevel,
        failureReason,
        notices,
      }),
  });
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
  const children = new Map<string, ChildWorkflowHandle<typeof releaseEnvironment>>();
  const work = new CancellationScope();

  const status = (): ReleaseStatus => ({
    state: lifecycle.state,
    environments: { ...environments },
    authorisedById,
    authorisedFor,
    awaitingAuthorisationFor: awaitingAuthorisationFor(),
    abortRequested: abortRequested !== null,
    failureReason,
  });

  async function record(type: string, actorId: string | null, fromState: ReleaseState, data: Record<string, unknown> = {}) {
    lifecycle.touch();
    const event: ReleaseEventRecord = { eventKey: lifecycle.key(type), type, actorId, at: isoOrNull(Date.now())!, fromState, toState: lifecycle.state, data };
    const snapshot = { state: lifecycle.state, authorisedById, authorisedAt: isoOrNull(authorisedAt), failureReason, finishedAt: isoOrNull(finishedAt) };
    await lifecycle.write(() => recordReleaseChange.executeWithOptions({ summary: `record: ${type}` }, [{ releaseId, event, snapshot }]));
    return status();
  }

  function notify(kind: string, toUserIds: (string | null)[] | 'authorisers', detail = '', environment?: string) {
    const notice = { at: Date.now(), kind, audience: releaseAudience(toUserIds, opened.requesterId) };
    notices.push(notice);
    lifecycle.send(kind, async (key) => {
      const to = toUserIds === 'authorisers' ? await releaseAuthorisers.executeWithOptions({ summary: 'find the release authorisers' }, []) : toUserIds.filter((id): id is string => id !== null);
      if (to.length > 0) await sendReleaseNotification.executeWithOptions({ summary: mailSummary(notice) }, [{ key, releaseId, kind, toUserIds: to, detail, ...(environment ? { environment } : {}) }]);
    });
  }

  async function moveTo(command: ReleaseCommand, type: string, data: Record<string, unknown> = {}, to?: ReleaseState) {
    const { from } = lifecycle.transition(command, to);
    await record(type, null, from, data);
  }

  lifecycle.query(releaseStatusQuery, status);

  lifecycle.update(
    startReleaseUpdate,
    'start',
    async ({ actorId }) => {
      started = true;
      return record('start-requested', actorId, lifecycle.state);
    },
    () => {
      if (started || abortRequested) lifecycle.refuse(ILLEGAL_TRANSITION, 'start', started ? 'it has already been started' : 'it is being aborted');
    },
  );

  lifecycle.update(
    authoriseReleaseUpdate,
    'authorise',
    async ({ actorId }) => {
      authorisedById = actorId;
      authorisedAt = Date.now();
      authorisedFor = nextProduction();
      return record('authorised', actorId, lifecycle.state, { environment: authorisedFor });
    },
    ({ environment }) => {
      if (!byRecord) return;
      const awaiting = awaitingAuthorisationFor();
      if (awaiting === null) {
        lifecycle.refuse(ILLEGAL_TRANSITION, 'authorise', `nothing to authorise: ${nextProduction() === null ? 'no production environment is left to deploy' : `${nextProduction()} is already authorised`}`);
      }
      if (environment !== undefined && environment !== awaiting) lifecycle.refuse(ILLEGAL_TRANSITION, 'authorise', `the release waits for an authorisation for ${awaiting}, not ${environment}`);
    },
  );

  lifecycle.update(
    confirmReleaseUpdate,
    'confirm',
    async ({ actorId, environment }) => {
      // Marked before the signal goes out, so a second confirmation in the same instant is refused.
      environments[environment] = 'verifying';
      await children.get(environment)!.signal(smokeTestConfirmedSignal, { actorId });
      return record('smoke-test-confirmed', actorId, lifecycle.state, { environment });
    },
    ({ environment }) => {
      if (environments[environment] !== 'awaiting_confirmation') {
        lifecycle.refuse(ILLEGAL_TRANSITION, 'confirm', `${environment} is not waiting for a smoke-test confirmation (it is ${environments[environment] ?? 'not a target'})`);
      }
    },
  );

  lifecycle.update(
    abortReleaseUpdate,
    'abort',
    async ({ actorId, reason }) => {
      abortRequested = { actorId, reason };
      work.cancel();
      return record('abort-requested', actorId, lifecycle.state, { reason });
    },
    () => {
      if (abortRequested) lifecycle.refuse(ILLEGAL_TRANSITION, 'abort', `it is already being aborted (${abortRequested.reason})`);
    },
  );

  setHandler(environmentProgressSignal, ({ environment, phase }) => {
    if (phase === 'confirmation-overdue') {
      escalationLevel = 1;
      notify('confirmation-overdue', 'authorisers', `in ${environment}`);
      void record('confirmation-overdue', null, lifecycle.state, { environment });
      return;
    }
    environments[environment] = phase;
    if (phase === 'awaiting_confirmation') {
      confirmationDue[environment] = Date.now() + opened.confirmSeconds * 1000;
      notify('confirmation-request', [opened.requesterId], `in ${environment}`);
    }
    // Only ItsmDueAt can have moved (guarded above): state and escalation are synced where they change.
    lifecycle.sync();
    if (phase === 'verifying' && environment === last && lifecycle.allows('verify')) void moveTo('verify', 'verifying', { environment });
  });

  const step = (name: ReleaseStep, environment: string | null) => runReleaseStep.executeWithOptions({ summary: releaseStepSummary(name, environment) }, [{ releaseId, environment, step: name }]);

  /**
   * Authorised for this environment, inside the release's production window, and at least one linked change,
   * every one approved and scheduled around now. Each production environment needs its own authorisation: the
   * one given for an earlier production environment was used up by it.
   */
  async function productionGate(environment: string) {
    if (authorisedFor !== environment) {
      authorisedById = null;
      authorisedAt = null;
    }
    await moveTo('gate', 'awaiting-authorisation', { environment });
    // Releases started before the patch sent no environment: their links authorise their one production environment.
    if (authorisedFor !== environment) notify('authorisation-request', 'authorisers', 'Open your authorisation link below, or use POST /api/releases/:id/authorise.', byRecord ? environment : undefined);
    for (;;) {
      await condition(() => authorisedById !== null && authorisedFor === environment);
      const opensAt = opened.productionStart ? Date.parse(opened.productionStart) : null;
      if (opensAt !== null && Date.now() < opensAt) await sleep(opensAt - Date.now(), { summary: `production window opens (${environment})` });
      const { blockers } = await releaseProductionGate.executeWithOptions({ summary: `production gate: linked changes for ${environment}` }, [{ releaseId }]);
      if (blockers.length === 0) break;
      const refusedFor = authorisedById;
      authorisedById = null;
      authorisedAt = null;
      authorisedFor = null;
      notify('production-blocked', [opened.requesterId, refusedFor], blockers.join('; '));
      await record('production-blocked', null, lifecycle.state, { blockers });
    }
    cleared.push(environment);
    await moveTo('clear', 'production-cleared', { authorisedById, environment });
  }

  async function deployEverywhere() {
    await moveTo('build', 'building');
    await step('build', null);
    await moveTo('test', 'testing');
    await step('test', null);
    await moveTo('deploy', 'deploying');
    for (const environment of opened.environments) {
      if (production.includes(environment)) await productionGate(environment);
      const confirm = opened.confirmIn.includes(environment);
      const child = await startChild(releaseEnvironment, {
        workflowId: `${releaseWorkflowId(releaseId)}/${environment}`,
        args: [{ releaseId, environment, confirm, confirmSeconds: opened.confirmSeconds, number: opened.number }],
        staticSummary: environmentSummary(opened.number, environment),
        staticDetails: environmentStartDetails({ ...opened, environment, production: production.includes(environment), confirm }),
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      children.set(environment, child);
      await child.result();
      environments[environment] = 'deployed';
      lifecycle.sync();
    }
  }

  /** Backs out every environment the release touched, last first, each once. */
  async function rollBack(reason: string) {
    // The database knows which deploy steps began, even one whose start the release has not heard of yet.
    const touched = (await deploymentsStarted.executeWithOptions({ summary: 'find the environments to roll back' }, [{ releaseId }])).reverse();
    for (const environment of touched) {
      await step('rollback', environment);
      await setDeploymentState.executeWithOptions({ summary: `record: ${environment} rolled_back` }, [{ releaseId, environment, state: 'rolled_back' }]);
      environments[environment] = 'rolled_back';
      await record('rolled-back', null, lifecycle.state, { environment, reason });
    }
    return touched;
  }

  await lifecycle.write(() => openReleaseRecord.executeWithOptions({ summary: 'record: opened' }, [opened]));
  await record('planned', opened.requesterId, 'planned', { environments: opened.environments });
  await condition(() => started || abortRequested !== null);
  try {
    if (abortRequested) throw new Error('aborted before it started');
    await work.run(deployEverywhere);
    finishedAt = Date.now();
    await moveTo('release', 'released');
    notify('released', [opened.requesterId]);
  } catch (error) {
    const aborted = abortRequested !== null && (isCancellation(error) || !started);
    failureReason = aborted ? `aborted: ${abortRequested!.reason}` : failureText(error);
    await CancellationScope.nonCancellable(async () => {
      const undone = await rollBack(failureReason!);
      finishedAt = Date.now();
      await moveTo('back-out', aborted ? 'aborted' : 'failed', { reason: failureReason, rolledBack: undone }, aborted ? 'aborted' : undone.length > 0 ? 'rolled_back' : 'failed');
      if (undone.length > 0) notify('rolled-back', [opened.requesterId], failureReason!);
    });
  }
  await lifecycle.drain();
  if (!isFinal(RELEASE_TRANSITIONS, lifecycle.state)) throw new Error(`release ended in ${lifecycle.state}`);
}

/** The innermost cause of a failed step: "verify in production failed with exit code 1: …". */
function failureText(error: unknown): string {
  let cause = error as Error & { cause?: unknown };
  while (cause?.cause) cause = cause.cause as Error & { cause?: unknown };
  return cause?.message ?? String(error);
}
