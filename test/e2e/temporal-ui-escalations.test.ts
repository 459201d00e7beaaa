import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { eventually } from '../support/harness';
import { npmStart, type NpmStart } from '../support/npm-start';
import { embeddedStackVars } from '../support/ports';
import { configureColumns, filterWorkflows, openUserMetadata, rowByColumn, section, sectionText, workflowRows } from '../support/temporal-ui';

const ADMIN_TOKEN = 'e2e-admin-token-escalations-0123456789';
// Screenshots a reviewer looks at; git-ignored.
const ARTEFACTS = path.resolve(__dirname, '../../test-artifacts/temporal-ui');
const ESCALATED = 'ItsmKind = "incident" AND ItsmEscalationLevel >= 1';

interface Incident {
  id: string;
  reference: string;
  title: string;
  workflowId: string;
}

/** The admin's API calls, read loosely as the README's curl walkthrough reads them. */
function adminApi(apiUrl: string) {
  return async (method: string, url: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${apiUrl}${url}`, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await response.json();
    if (response.status >= 300) throw new Error(`${method} ${url} -> ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/**
 * A service whose P1 incidents escalate to level 1 three seconds after they are opened (0.5 % of a ten-minute
 * resolution target), while the response and resolution clocks still run: what a manager's filter must catch.
 */
async function fastEscalatingService(admin: ReturnType<typeof adminApi>) {
  const [group] = (await admin('GET', '/api/groups')).items as { id: string; leadId: string }[];
  const calendar = ((await admin('GET', '/api/calendars')).items as { id: string; name: string }[]).find((c) => c.name === '24x7')!;
  const service = await admin('POST', '/api/services', { code: 'PAYRUN', name: 'Payroll run', ownerId: group.leadId, defaultGroupId: group.id });
  await admin('POST', '/api/sla-policies', {
    serviceId: service.id,
    priority: 'P1',
    calendarId: calendar.id,
    responseTargetSeconds: 60,
    resolutionTargetSeconds: 600,
    warningThresholds: [],
    escalationChain: [{ level: 1, atFraction: 0.005, notify: ['groupLead'] }],
    reason: 'seconds, so the test sees an escalation',
  });
  return service as { id: string; code: string; name: string };
}

async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`), fullPage: true });
}

describe('a manager watches escalations in the Temporal UI that npm start serves', () => {
  let env: Record<string, string>;
  let stack: NpmStart;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    env = { ...(await embeddedStackVars(process.env.ITSM_TEST_RUN_DIR!, 'temporal-ui-')), ITSM_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn' };
    [stack, browser] = await Promise.all([npmStart(env), launchChromium()]);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('finds the escalated incident by its search attributes and reads its summary and current details', async () => {
    const apiUrl = new URL(stack.url('API')).origin;
    const admin = adminApi(apiUrl);
    const service = await fastEscalatingService(admin);
    const escalated: Incident = await admin('POST', '/api/incidents', { title: 'Payslips stuck before the monthly run', impact: 'high', urgency: 'high', serviceId: service.id });
    // An incident on a demo service with hours-long targets: open, but nowhere near escalation.
    const net = ((await admin('GET', '/api/services')).items as { id: string; code: string }[]).find((s) => s.code === 'NET')!;
    const calm: Incident = await admin('POST', '/api/incidents', { title: 'Printer queue slow', impact: 'high', urgency: 'high', serviceId: net.id });

    const temporal = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_PORT}` });
    try {
      const client = new Client({ connection: temporal });
      await eventually(async () => {
        const count = await client.workflow.count(`WorkflowId = "${escalated.workflowId}" AND ItsmEscalationLevel >= 1`);
        if (count.count !== 1) throw new Error(`${escalated.reference} not escalated yet`);
      }, 30_000);
    } finally {
      await temporal.close();
    }

    // Tall enough that the screenshots show the whole current details.
    const page = await browser.newPage({ viewport: { width: 1920, height: 1400 } });
    await filterWorkflows(page, stack.url('Temporal UI'), ESCALATED);
    // The UI parsed the query into its filter chips: the list is what the filter says.
    await page.getByRole('button', { name: /ItsmKind\s*=\s*"incident"/ }).waitFor();
    await page.getByRole('button', { name: /ItsmEscalationLevel\s*>=\s*1/ }).waitFor();
    await page.getByRole('button', { name: 'Collapse saved views' }).click();
    await configureColumns(page, { remove: ['Run ID', 'End'], add: ['ItsmEscalationLevel', 'ItsmPriority', 'ItsmState', 'ItsmDueAt'] });
    const row = workflowRows(page, escalated.workflowId);
    await row.waitFor();
    // The unfiltered list may still be on screen for a moment; the calm incident must leave it.
    await workflowRows(page, calm.workflowId).waitFor({ state: 'detached' });
    expect(await workflowRows(page, 'incidentLifecycle').count()).toBe(1);
    expect(await rowByColumn(page, row)).toMatchObject({ 'Workflow ID': escalated.workflowId, Type: 'incidentLifecycle', ItsmEscalationLevel: '1', ItsmPriority: 'P1', ItsmState: 'new' });
    await screenshot(page, 'escalated-incidents-list');

    await openUserMetadata(page, row, escalated.workflowId);
    // The record's API answer links the very page the manager reached through the list.
    const record = await admin('GET', `/api/incidents/${escalated.id}`);
    expect(page.url().startsWith(`${record.workflow.temporalUiUrl}/`)).toBe(true);
    const summary = await sectionText(page, 'Summary', [escalated.reference, escalated.title]);
    expect(summary).toMatch(new RegExp(`^${escalated.reference} · P1 · .+ · ${escalated.title}$`, 'm'));
    await sectionText(page, 'Current Details', ['State', /Escalation level\s+1\b/, 'Response', 'Resolution']);
    await sectionText(page, 'Details', [escalated.reference, service.name]);
    expect(await section(page, 'Details').locator(`a[href="${apiUrl}/api/incidents/${escalated.id}"]`).count()).toBe(1);
    // The timeline tells the story: the escalation timer carries its own summary.
    await page.getByText(/escalation level 1/i).first().waitFor();
    await screenshot(page, 'escalated-incident-details');
  });
});
