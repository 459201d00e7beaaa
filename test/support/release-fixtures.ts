import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { changeBody, changeTestService, standardChange, waitForChangeState } from './change-fixtures';
import { eventually, type DemoRole, type Harness } from './harness';

const STEP_SCRIPT = path.resolve(__dirname, '../release-scripts/step.sh');
let counter = 0;

/** test, staging and production, the last flagged production. */
export const STANDARD_ENVIRONMENTS = [
  { name: 'test', production: false },
  { name: 'staging', production: false },
  { name: 'production', production: true },
];

/** A shell adapter running test/release-scripts/step.sh for every step, logging to a file of its own. */
export async function shellAdapter(h: Harness, env: Record<string, string> = {}, environments = STANDARD_ENVIRONMENTS) {
  const log = path.join(mkdtempSync(path.join(process.env.ITSM_TEST_RUN_DIR!, 'release-')), 'steps.log');
  const command = `bash ${STEP_SCRIPT}`;
  const name = `shell-${process.pid}-${++counter}`;
  const response = await h.http
    .post('/api/deployment-adapters')
    .set(h.as('admin'))
    .send({ name, kind: 'shell', environments, config: { commands: { build: command, test: command, deploy: command, verify: command, rollback: command }, env: { RELEASE_LOG: log, ...env }, timeoutSeconds: 120 } });
  if (response.status !== 201) throw new Error(`adapter: ${response.status} ${JSON.stringify(response.body)}`);
  return { name, log, lines: () => readFileSync(log, 'utf8').trim().split('\n') };
}

/** A standard change, approved and scheduled from a minute ago for half an hour: production's gate lets it through. */
export async function changeInWindow(h: Harness) {
  const service = await changeTestService(h);
  const raised = await h.http.post('/api/changes').set(h.as('requester')).send(changeBody(service.id, await standardChange(h, service.id)));
  if (raised.status !== 201) throw new Error(`change: ${raised.status} ${JSON.stringify(raised.body)}`);
  await waitForChangeState(h, raised.body.id, 'approved');
  await scheduleAroundNow(h, raised.body.id);
  return raised.body as { id: string; reference: string };
}

export async function scheduleAroundNow(h: Harness, changeId: string) {
  const now = Date.now();
  const scheduled = await h.http.post(`/api/changes/${changeId}/schedule`).set(h.as('agent')).send({ plannedStart: new Date(now - 60_000).toISOString(), plannedEnd: new Date(now + 1_800_000).toISOString() });
  if (scheduled.status !== 200) throw new Error(`schedule: ${scheduled.status} ${JSON.stringify(scheduled.body)}`);
}

export async function planRelease(h: Harness, adapter: string, overrides: Record<string, unknown> = {}, role: DemoRole = 'agent') {
  const response = await h.http.post('/api/releases').set(h.as(role)).send({ version: `2.${++counter}.0`, title: 'Payroll module upgrade', type: 'minor', adapter, ...overrides });
  if (response.status !== 201) throw new Error(`release: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; workflowId: string; reference: string };
}

export async function releaseAction(h: Harness, id: string, verb: string, body: object = {}, role: DemoRole = 'agent') {
  return h.http.post(`/api/releases/${id}/${verb}`).set(h.as(role)).send(body);
}

export async function waitForReleaseState(h: Harness, id: string, state: string, timeoutMs = 60_000) {
  return eventually(async () => {
    const release = await h.db.prisma.release.findUniqueOrThrow({ where: { id } });
    if (release.state !== state) throw new Error(`release is ${release.state}, waiting for ${state}`);
    return release;
  }, timeoutMs);
}

/** Waits for production's gate, authorises it as the manager, and waits for the end. */
export async function authoriseAndFinish(h: Harness, id: string, state = 'released') {
  await waitForReleaseState(h, id, 'awaiting_authorisation');
  const authorised = await releaseAction(h, id, 'authorise', {}, 'manager');
  if (authorised.status !== 200) throw new Error(`authorise: ${authorised.status} ${JSON.stringify(authorised.body)}`);
  return waitForReleaseState(h, id, state);
}
