import { condition, getExternalWorkflowHandle, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ReleaseActivities } from '../activities/release';
import { releaseReference } from '../domain/release';
import { environmentCurrentDetails, releaseStepSummary } from '../domain/release-metadata';
import { environmentProgressSignal, smokeTestConfirmedSignal, type EnvironmentProgress } from './release.messages';

export interface EnvironmentDeployment {
  releaseId: string;
  environment: string;
  /** A person confirms the smoke test before the automatic verification. */
  confirm: boolean;
  confirmSeconds: number;
  /** The release's number, for the details; absent from children started before they were told it. */
  number?: number;
}

const { runReleaseStep } = proxyActivities<ReleaseActivities>({
  startToCloseTimeout: '3 hours',
  // A worker that dies mid-step stops heartbeating: the step is retried elsewhere within seconds.
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});
const { setDeploymentState } = proxyActivities<ReleaseActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumInterval: '10 seconds' } });

/**
 * One environment of a release (a child of its `release` workflow): deploy, a person's smoke-test confirmation
 * where asked (a deadline, then an escalation), and the automatic verification. A failed step fails this
 * workflow; the release then rolls back.
 */
export async function releaseEnvironment(input: EnvironmentDeployment): Promise<void> {
  const { releaseId, environment } = input;
  const release = getExternalWorkflowHandle(workflowInfo().parent!.workflowId);
  let confirmed = false;
  setHandler(smokeTestConfirmedSignal, () => {
    confirmed = true;
  });
  const now = { reference: input.number === undefined ? releaseId : releaseReference(input.number), environment, phase: 'deploying', confirmationDue: null as number | null, overdue: false };

  async function phase(name: EnvironmentProgress['phase'], recorded: string | null = name) {
    if (name === 'confirmation-overdue') now.overdue = true;
    else now.phase = name;
    setCurrentDetails(environmentCurrentDetails(now));
    if (recorded) await setDeploymentState.executeWithOptions({ summary: `record: ${environment} ${recorded}` }, [{ releaseId, environment, state: recorded }]);
    await release.signal(environmentProgressSignal, { environment, phase: name });
  }

  const step = (name: 'deploy' | 'verify') => runReleaseStep.executeWithOptions({ summary: releaseStepSummary(name, environment) }, [{ releaseId, environment, step: name }]);

  await phase('deploying');
  await step('deploy');
  if (input.confirm) {
    now.confirmationDue = Date.now() + input.confirmSeconds * 1000;
    await phase('awaiting_confirmation');
    if (!(await condition(() => confirmed, input.confirmSeconds * 1000, { summary: `smoke-test confirmation in ${environment}` }))) {
      await phase('confirmation-overdue', null);
      await condition(() => confirmed);
    }
  }
  await phase('verifying');
  await step('verify');
  await phase('deployed');
}
