import { PRIORITIES } from '../../domain/priority';
import { readInbox, type CapturedMail } from '../../scripts/mail-catcher';
import { changeBody, changeTestService, standardChange, waitForChangeState } from './change-fixtures';
import { eventually, type Harness } from './harness';

/** Every priority's problem policy on second-scale deadlines, with the manager as coordinator, through the API. */
export async function secondScaleProblemPolicies(h: Harness, policy: { rcaSeconds: number; remindBeforeSeconds: number[]; escalateAfterSeconds: number; effectivenessSeconds: number }) {
  for (const priority of PRIORITIES) {
    const response = await h.http.put(`/api/problem-policies/${priority}`).set(h.as('manager')).send({ ...policy, coordinatorId: h.userIds.manager });
    if (response.status !== 200) throw new Error(`policy ${priority}: ${response.status} ${JSON.stringify(response.body)}`);
  }
}

let ciCounter = 0;

/** A CI of the test's own, so trends on it are the test's alone. */
export function problemTestCi(h: Harness) {
  return h.db.prisma.configurationItem.create({ data: { code: `ci-${process.pid}-${++ciCounter}-${Date.now().toString(36)}`, name: `Test CI ${ciCounter}`, type: 'other' } });
}

export async function raiseIncidentOn(h: Harness, serviceId: string, ciCode: string | null, title = `Incident ${Date.now()}`) {
  const response = await h.http.post('/api/incidents').set(h.as('requester')).send({ title, impact: 'low', urgency: 'low', serviceId, cis: ciCode ? [ciCode] : [] });
  if (response.status !== 201) throw new Error(`incident: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; workflowId: string };
}

export async function waitForProblemState(h: Harness, problemId: string, state: string) {
  return eventually(async () => {
    const problem = await h.db.prisma.problem.findUniqueOrThrow({ where: { id: problemId } });
    if (problem.state !== state) throw new Error(`problem is ${problem.state}, waiting for ${state}`);
    return problem;
  }, 30_000);
}

export async function problemMails(problemId: string): Promise<CapturedMail[]> {
  const inbox = await readInbox(process.env.ITSM_TEST_MAIL_INBOX!);
  return inbox.filter((mail) => mail.headers['x-itsm-problem-id'] === problemId);
}

/**
 * Raises a problem's permanent fix as a standard change (pre-approved by a template of its own) and takes it
 * through scheduling around now, start and completion, which closes it.
 */
export async function raiseAndCloseFix(h: Harness, problemId: string, overrides: Record<string, unknown> = {}) {
  const service = await changeTestService(h);
  const raised = await h.http.post(`/api/problems/${problemId}/fix`).set(h.as('agent')).send(changeBody(service.id, { ...(await standardChange(h, service.id)), ...overrides }));
  if (raised.status !== 200) throw new Error(`fix: ${raised.status} ${JSON.stringify(raised.body)}`);
  const change = await h.db.prisma.changeRequest.findFirstOrThrow({ where: { problemId }, orderBy: { number: 'desc' } });
  await waitForChangeState(h, change.id, 'approved');
  const now = Date.now();
  const steps: [string, object][] = [
    ['schedule', { plannedStart: new Date(now - 60_000).toISOString(), plannedEnd: new Date(now + 1_800_000).toISOString() }],
    ['start', {}],
    ['complete', { notes: 'Fix in place' }],
  ];
  for (const [verb, body] of steps) {
    const response = await h.http.post(`/api/changes/${change.id}/${verb}`).set(h.as('agent')).send(body);
    if (response.status !== 200) throw new Error(`${verb}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return { raised: raised.body as { state: string }, change: await h.db.prisma.changeRequest.findUniqueOrThrow({ where: { id: change.id } }) };
}
