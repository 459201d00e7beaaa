import { ItsmEscalationLevel, ItsmSlaBreached } from '../../domain/search-attributes';
import { eventually, startHarness, type Harness } from '../support/harness';
import { createSecondScaleService } from '../support/sla-fixtures';
import { timeline, uiView } from '../support/ui-metadata';

/** The README's saved queries for incidents, without the suite's own scope. */
const OPEN_ESCALATIONS = 'ItsmKind = "incident" AND ItsmEscalationLevel >= 1 AND ExecutionStatus = "Running"';
const BREACHED_P1_P2 = 'ItsmKind = "incident" AND ItsmSlaBreached = true AND ItsmPriority IN ("P1","P2")';

type Level = 'high' | 'medium' | 'low';

describe('incidents as a manager watches them in the Temporal UI', () => {
  let h: Harness;
  let service: { id: string; name: string };
  let serviceDeskId: string;
  const handle = (workflowId: string) => h.temporal.workflow.getHandle(workflowId);
  const agent2Email = async () => (await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.agent2 } })).email;
  /** Running workflows the suite leaves behind are ended at its close. */
  const opened: string[] = [];

  beforeAll(async () => {
    h = await startHarness('pglite');
    serviceDeskId = (await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Service Desk' } })).id;
    // P1: warnings at 5, 7.5 and 9 s, level 1 at 6 s, the breach at 10 s, level 2 at 12 s: each a timer of its own,
    // a second or more apart. P2 stays within its hour; P3 breaches at 2 s without escalating.
    service = await createSecondScaleService(h.db.prisma, {
      code: `UIM${process.pid}`,
      ownerId: h.userIds.manager,
      defaultGroupId: serviceDeskId,
      scaleByPriority: false,
      policy: {
        responseSeconds: 600,
        resolutionSeconds: 10,
        escalationChain: [
          { level: 1, atFraction: 0.6, notify: ['groupLead'] },
          { level: 2, atFraction: 1.2, notify: ['serviceOwner'] },
        ],
      },
      perPriority: { P2: { resolutionSeconds: 3_600, escalationChain: [] }, P3: { resolutionSeconds: 2, escalationChain: [] } },
    });
  });
  afterAll(async () => {
    for (const workflowId of opened) await handle(workflowId).terminate('test over').catch(() => undefined);
    await h?.close();
  });

  async function raise(title: string, impact: Level, urgency: Level) {
    const response = await h.http.post('/api/incidents').set(h.as('requester')).send({ title, impact, urgency, serviceId: service.id }).expect(201);
    opened.push(response.body.workflowId);
    return response.body as { id: string; reference: string; workflowId: string; priority: string };
  }

  const untilAttributes = (workflowId: string, level: number, breached: boolean) =>
    eventually(async () => {
      const attributes = (await handle(workflowId).describe()).typedSearchAttributes;
      if (attributes.get(ItsmEscalationLevel) !== level || attributes.get(ItsmSlaBreached) !== breached) throw new Error(`not yet at level ${level}, breached ${breached}`);
    }, 30_000);

  it('shows the reference and title in the list, the facts and API link, live clocks and escalation, and a timeline that tells the SLA story', async () => {
    const incident = await raise('Outlook cannot connect', 'high', 'high');
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ groupId: serviceDeskId, assigneeId: h.userIds.agent2 }).expect(200);
    await untilAttributes(incident.workflowId, 2, true);

    const view = await uiView(handle(incident.workflowId));
    expect(view.summary).toBe(`${incident.reference} · P1 · ${service.name} · Outlook cannot connect`);
    for (const fact of [`| Reference | ${incident.reference} |`, '| Title | Outlook cannot connect |', '| Priority | P1 |', '| Group | Service Desk |', '| Channel | api |', '| Response due |', '| Resolution due |']) {
      expect(view.details).toContain(fact);
    }
    expect(view.details).toContain(`[Incident in the API](${h.baseUrl}/api/incidents/${incident.id})`);

    for (const fact of [
      `**${incident.reference} · Outlook cannot connect**`,
      '| State | assigned |',
      '| Group | Service Desk |',
      `| Assignee | ${await agent2Email()} |`,
      '| Escalation level | 2 of 2 |',
      '| Level 1 notified | group lead |',
      '| Level 2 notified | service owner |',
      '| Next deadline | P1 response warning 50 % ·',
    ]) {
      expect(view.currentDetails).toContain(fact);
    }
    expect(view.currentDetails).toMatch(/\*\*Response\*\*\n\n\| \| \|\n\|---\|---\|\n\| Status \| running \|\n\| Due \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|/);
    expect(view.currentDetails).toMatch(/\*\*Resolution\*\*\n\n\| \| \|\n\|---\|---\|\n\| Status \| breached · running \|/);
    expect(view.currentDetails).toMatch(/\| Remaining \| overdue by \d+ s \|/);

    await h.http.post(`/api/incidents/${incident.id}/resolve`).set(h.as('agent2')).send({ code: 'fixed', summary: 'Mailbox profile rebuilt' }).expect(200);
    const story = await eventually(async () => {
      const summaries = await timeline(handle(incident.workflowId));
      // Mail goes out in order behind the writes, so the resolution mail is scheduled last: on a busy machine it can
      // come after the auto-close timer, and the warnings' and breach's mails before it.
      if (!summaries.includes('auto-close') || !summaries.includes('mail: resolved → customer')) throw new Error(`no auto-close timer or resolution mail yet: ${summaries.join(' | ')}`);
      return summaries;
    });
    // Every write and mail is an activity of its own, whatever the timing.
    expect(story).toEqual(
      expect.arrayContaining([
        'open incident record',
        'mail: new-incident → group',
        'record: assigned',
        'mail: assigned → assignee',
        'mail: escalation → group lead',
        'mail: breach → assignee, group lead',
        'record: resolved',
        'mail: resolved → customer',
        'auto-close',
      ]),
    );
    // Each wait is a timer named for the SLA event it waits for. A worker that wakes late applies the events that
    // fell due meanwhile in the same batch, without timers of their own, so on a busy machine the timers are a
    // subsequence of the chain, in its order, from its first event.
    const chain = ['P1 resolution warning 50 %', 'escalation level 1 → group lead', 'P1 resolution warning 75 %', 'P1 resolution warning 90 %', 'P1 resolution breach', 'escalation level 2 → service owner'];
    const slaTimers = story.filter((summary) => /^(P1 resolution|escalation level)/.test(summary)).filter((summary, i, all) => summary !== all[i - 1]);
    expect(slaTimers[0]).toBe(chain[0]);
    expect(slaTimers.every((summary) => chain.includes(summary))).toBe(true);
    expect(slaTimers.map((summary) => chain.indexOf(summary))).toEqual([...slaTimers.map((summary) => chain.indexOf(summary))].sort((a, b) => a - b));
    expect(story.some((summary) => /^record: \d+ SLA events?$/.test(summary))).toBe(true);
    expect(story.indexOf('open incident record')).toBeLessThan(story.indexOf('P1 resolution warning 50 %'));
    expect(story.indexOf('mail: breach → assignee, group lead')).toBeLessThan(story.indexOf('record: resolved'));
    expect((await uiView(handle(incident.workflowId))).currentDetails).toMatch(/\| State \| resolved \|[\s\S]*\| Next deadline \| auto-close ·/);
  });

  it("finds exactly the open escalations and the breached P1/P2 incidents with the README's saved queries", async () => {
    const escalated = await raise('Payroll export fails', 'high', 'high');
    const withinSla = await raise('Shared drive slow', 'high', 'medium');
    const escalatedThenClosed = await raise('VPN drops every hour', 'high', 'high');
    const breachedP3 = await raise('Printer offline', 'high', 'low');
    expect([escalated.priority, withinSla.priority, escalatedThenClosed.priority, breachedP3.priority]).toEqual(['P1', 'P2', 'P1', 'P3']);

    await Promise.all([untilAttributes(escalated.workflowId, 2, true), untilAttributes(escalatedThenClosed.workflowId, 2, true), untilAttributes(breachedP3.workflowId, 0, true)]);
    await h.http.post(`/api/incidents/${escalatedThenClosed.id}/resolve`).set(h.as('agent')).send({ code: 'fixed', summary: 'Tunnel keep-alive set' }).expect(200);
    await h.http.post(`/api/incidents/${escalatedThenClosed.id}/close`).set(h.as('requester')).send({}).expect(200);
    await handle(escalatedThenClosed.workflowId).result();

    const scope = ` AND WorkflowId IN (${[escalated, withinSla, escalatedThenClosed, breachedP3].map((i) => `"${i.workflowId}"`).join(', ')})`;
    const matching = async (query: string) => {
      const ids: string[] = [];
      for await (const execution of h.temporal.workflow.list({ query: query + scope })) ids.push(execution.workflowId);
      return ids.sort();
    };
    // Visibility follows the workflows' upserts a moment later.
    const expectExactly = async (query: string, expected: string[]) => {
      await eventually(async () => expect(await matching(query)).toEqual([...expected].sort()));
      expect((await h.temporal.workflow.count(query + scope)).count).toBe(expected.length);
    };
    await expectExactly(OPEN_ESCALATIONS, [escalated.workflowId]);
    await expectExactly(BREACHED_P1_P2, [escalated.workflowId, escalatedThenClosed.workflowId]);
  });
});
