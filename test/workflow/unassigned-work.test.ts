import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';
import { mailsFor, openIncidentVia, recordHistoryIfAsked, secondScaleService, slaEvents } from '../support/sla-fixtures';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// No work left unseen: a new incident reaches its group at once, notices meant for an assignee reach the group
// while nobody has taken it, the lead hears of it if it stays untaken, and unrouted work still reaches a person.
describe.each(databaseKinds())('work nobody has taken, on %s', (kind) => {
  let h: Harness;
  let triageId: string;

  beforeAll(async () => {
    h = await startHarness(kind);
    // A group without a shared mailbox: its members are its address. Mei reads Chinese, Sam English.
    const triage = await h.db.prisma.group.create({
      data: { name: `Triage ${kind}`, leadId: h.userIds.manager, members: { create: [{ userId: h.userIds.agent }, { userId: h.userIds.agent2 }] } },
    });
    triageId = triage.id;
  });
  afterAll(() => h?.close());

  /** Recipients per notification kind, once every recorded notification is sent. */
  async function sentByKind(incidentId: string, until: (rows: { kind: string; recipient: string }[]) => boolean) {
    const rows = await eventually(async () => {
      const found = await h.db.prisma.notification.findMany({ where: { incidentId }, orderBy: { createdAt: 'asc' } });
      if (!until(found) || found.some((row) => row.status !== 'sent')) throw new Error(`${found.length} notifications so far`);
      return found;
    }, 30_000);
    const byKind: Record<string, string[]> = {};
    for (const row of rows) (byKind[row.kind] ??= []).push(row.recipient);
    for (const list of Object.values(byKind)) list.sort();
    return byKind;
  }

  it('routes to the default group, mails both members at once, sends the response warning to the group and alerts the lead once', async () => {
    const service = await secondScaleService(h, { responseSeconds: 4, resolutionSeconds: 600, warningThresholds: [0.5], unassignedAlertSeconds: 2 });
    await h.db.prisma.service.update({ where: { id: service.id }, data: { defaultGroupId: triageId } });
    const incident = await openIncidentVia(h, service.id);
    const row = await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row).toMatchObject({ groupId: triageId, assigneeId: null, state: 'new' });

    // The breach goes to three people, one row each as it is sent: wait for all three.
    const byKind = await sentByKind(incident.id, (rows) => rows.filter((r) => r.kind === 'breach').length === 3);
    const members = ['mei.chen@itsm.local', 'sam.taylor@itsm.local'];
    expect(byKind['new-incident']).toEqual(members);
    // 'assignee' means the group while nobody has the incident.
    expect(byKind.warning).toEqual(members);
    expect(byKind.unassigned).toEqual(['li.wei@itsm.local']);
    expect(byKind.breach).toEqual([...members, 'li.wei@itsm.local'].sort());

    const mails = await eventually(async () => {
      const found = await mailsFor(incident.id);
      if (found.length < 2) throw new Error('mail not caught yet');
      return found;
    });
    const newIncident = mails.filter((mail) => mail.headers['x-itsm-kind'] === 'new-incident');
    expect(newIncident.map((mail) => mail.to[0].address).sort()).toEqual(members);
    expect(newIncident.find((mail) => mail.to[0].address === 'mei.chen@itsm.local')!.subject).toContain('您的处理组有新的');
    expect(newIncident.find((mail) => mail.to[0].address === 'sam.taylor@itsm.local')!.subject).toContain('new P3 incident for your group');

    await wait(1_000);
    const events = await slaEvents(h, incident.id);
    expect(events.filter((event) => event.type === 'sla.unassigned')).toHaveLength(1);
    await recordHistoryIfAsked(incident.workflowId, 'incident-unassigned-alert');
  });

  it('does not alert the lead once someone has taken the incident', async () => {
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 1_200, warningThresholds: [0.5], unassignedAlertSeconds: 3 });
    await h.db.prisma.service.update({ where: { id: service.id }, data: { defaultGroupId: triageId } });
    const incident = await openIncidentVia(h, service.id);
    await h.http.post(`/api/incidents/${incident.id}/assign`).set(h.as('agent')).send({ assigneeId: h.userIds.agent2 }).expect(200);
    await wait(4_500);
    expect((await slaEvents(h, incident.id)).map((event) => event.type)).toEqual([]);
    const byKind = await sentByKind(incident.id, (rows) => rows.some((r) => r.kind === 'assigned'));
    expect(byKind).toEqual({ 'new-incident': ['mei.chen@itsm.local', 'sam.taylor@itsm.local'], assigned: ['sam.taylor@itsm.local'] });
  });

  it('sends unrouted work to the managers when the service has no group and no owner, and reaches a group named by an escalation level', async () => {
    const netOps = await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Network Operations' } });
    const service = await secondScaleService(h, {
      responseSeconds: 600,
      resolutionSeconds: 3,
      warningThresholds: [0.5],
      escalationChain: [{ level: 1, atFraction: 1, notify: [{ groupId: netOps.id }] }],
    });
    await h.db.prisma.service.update({ where: { id: service.id }, data: { ownerId: null } });
    const incident = await openIncidentVia(h, service.id);
    expect((await h.db.prisma.incident.findUniqueOrThrow({ where: { id: incident.id } })).groupId).toBeNull();
    const byKind = await sentByKind(incident.id, (rows) => rows.some((r) => r.kind === 'escalation'));
    // Nobody is routed and nobody owns the service: the managers hear of it, and of every notice meant for staff.
    expect(byKind['new-incident']).toEqual(['li.wei@itsm.local']);
    expect(byKind.warning).toEqual(['li.wei@itsm.local']);
    // A level that names a group reaches the group's own address.
    expect(byKind.escalation).toEqual(['netops@itsm.local']);
    const unrouted = await eventually(async () => (await mailsFor(incident.id)).find((mail) => mail.headers['x-itsm-kind'] === 'new-incident')!);
    expect(unrouted.subject).toContain('事件尚无处理组'); // Li Wei reads Chinese
  });
});
