import { condition, getExternalWorkflowHandle, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ReleaseActivities } from '../activities/release';
import { environmentProgressSignal, smokeTestConfirmedSignal, type EnvironmentProgress } from './release.messages';

export interface EnvironmentDeployment {
  releaseId: string;
  environment: string;
  /** A person confirms the smoke test before the automatic verification. */
  confirm: boolean;
  confirmSeconds: number;
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

  async function phase(name: EnvironmentProgress['phase'], recorded: string | null = name) {
    if (recorded) await setDeploymentState({ releaseId, environment, state: recorded });
    await release.signal(environmentProgressSignal, { environment, phase: name });
  }

  await phase('deploying');
  await runReleaseStep({ releaseId, environment, step: 'deploy' });
  if (input.confirm) {
    await phase('awaiting_confirmation');
    if (!(await condition(() => confirmed, input.confirmSeconds * 1000))) {
      await phase('confirmation-overdue', null);
      await condition(() => confirmed);
    }
  }
  await phase('verifying');
  await runReleaseStep({ releaseId, environment, step: 'verify' });
  await phase('deployed');
}
