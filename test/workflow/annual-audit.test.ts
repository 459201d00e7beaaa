import { randomUUID } from 'node:crypto';
import { readInbox } from '../../scripts/mail-catcher';
import { registerSchedules } from '../../temporal-config/schedules';
import { assignAuditorUpdate, auditStatusQuery } from '../../workflows/annual-audit.messages';
import { eventually, startHarness, type Harness } from '../support/harness';
import { deleteSuiteSchedules, suiteScheduleId, triggerSchedule } from '../support/schedules';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

const DAY = 86_400_000;

describe('the yearly internal audit from its Schedule, with second-scale deadlines', () => {
  let h: Harness;
  let deskId: string;
  beforeAll(async () => {
    h = await startHarness('pglite');
    deskId = (await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'DESK' } })).id;
    // Records of the audited year: four DESK incidents, one of them late, one assigned to Omar Haddad.
    // Two of them were surveyed (scores 5 and 2, one closed complaint and one escalated).
    for (const [index, late] of [true, false, false, false].entries()) {
      const at = new Date(Date.now() - 30 * DAY);
      const incident = await h.db.prisma.incident.create({
        data: { workflowId: `audit-seed-${index}`, title: `Seeded ${index}`, description: '', impact: 'low', urgency: 'low', priority: index === 0 ? 'P2' : 'P4', serviceId: deskId, requesterId: h.userIds.requester, resolutionBreached: late, assigneeId: index === 1 ? h.userIds.cab2 : null, createdAt: at },
      });
      if (index < 2) {
        await h.db.prisma.satisfactionSurvey.create({ data: { incidentId: incident.id, requesterId: h.userIds.requester, sentAt: at, expiresAt: new Date(at.getTime() + 14 * DAY), score: index === 0 ? 2 : 5, respondedAt: at } });
        await h.db.prisma.complaint.create({
          data: { id: randomUUID(), workflowId: `audit-seed-complaint-${index}`, subject: 'Seeded', description: 'seeded', severity: 'standard', state: index === 0 ? 'closed' : 'investigating', escalationLevel: index, complainantId: h.userIds.requester, incidentId: incident.id, loggedById: h.userIds.requester, dueAt: at, createdAt: at },
        });
      }
    }
  });
  afterAll(async () => {
    await deleteSuiteSchedules(h);
    await h?.close();
  });

  const mailsWith = async (header: string, id: string) => (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers[header] === id).map((m) => `${m.headers['x-itsm-kind']} ${m.to[0].address}`).sort();

  it('compiles the evidence the records show, refuses an involved auditor, turns a finding into a corrective action, and ends with the sign-off', async () => {
    await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: h.apiDeps.schedulePrefix!, audit: { reviewSeconds: 4, remindBeforeSeconds: [2] } });
    const workflowId = await triggerSchedule(h, suiteScheduleId(h, 'annual-audit'));
    const audit = await eventually(() => h.db.prisma.audit.findUniqueOrThrow({ where: { workflowId } }));

    // The evidence matches counts taken straight from the records of the period.
    const period = { gte: audit.periodStart, lt: audit.periodEnd };
    const detail = (await h.http.get(`/api/audits/${audit.id}`).set(h.as('auditor'))).body;
    expect(detail.evidence['8.6.1 incident management']).toMatchObject({
      incidents: await h.db.prisma.incident.count({ where: { createdAt: period } }),
      resolutionBreached: await h.db.prisma.incident.count({ where: { createdAt: period, resolutionBreached: true } }),
      byPriority: { P2: 1, P4: 3 },
    });
    expect(detail.evidence['8.6.1 incident management'].resolutionSlaAchievedPercent.DESK).toBe(75);
    expect(detail.evidence['8.5.1 change management'].implemented).toBe(await h.db.prisma.changeRequest.count({ where: { implementedAt: period } }));
    expect(detail.evidence['7.2 competence']).toEqual({ reviews: await h.db.prisma.competenceReview.count({ where: { createdAt: period } }), done: 0, escalated: 0, certificationsExpired: 0 });
    expect(detail.evidence['8.3.2 business relationship management']).toEqual({
      surveysSent: await h.db.prisma.satisfactionSurvey.count({ where: { sentAt: period } }),
      responses: await h.db.prisma.satisfactionSurvey.count({ where: { respondedAt: period, score: { not: null } } }),
      averageScore: 3.5,
      satisfiedPercent: 50,
      complaints: {
        received: await h.db.prisma.complaint.count({ where: { createdAt: period } }),
        closed: await h.db.prisma.complaint.count({ where: { createdAt: period, state: 'closed' } }),
        escalated: await h.db.prisma.complaint.count({ where: { createdAt: period, escalationLevel: { gt: 0 } } }),
      },
    });
    expect(detail.evidence['8.3.2 business relationship management']).toMatchObject({ surveysSent: 2, responses: 2, complaints: { received: 2, closed: 1, escalated: 1 } });
    expect(detail.evidence['8.7.2 service continuity'].tests).toBe(await h.db.prisma.continuityTest.count({ where: { createdAt: period } }));
    expect(detail.services).toEqual((await h.db.prisma.service.findMany({ select: { code: true } })).map((s) => s.code).sort());

    const assign = (auditorId: string) => h.http.post(`/api/audits/${audit.id}/auditor`).set(h.as('manager')).send({ auditorId });
    const owner = await assign(h.userIds.manager);
    expect(owner.status).toBe(409);
    expect(owner.body.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^owns the audited service ERP$/)]));
    const assignee = await assign(h.userIds.cab2);
    expect(assignee.status).toBe(409);
    expect(assignee.body.reasons).toEqual(['was assigned 1 incident(s) on audited services in the period (DESK)']);
    // The workflow checks again when the assignment arrives (the records may have changed since the API's
    // check): refused there, the audit waits for an auditor again.
    const handle = h.temporal.workflow.getHandle(workflowId);
    await expect(handle.executeUpdate(assignAuditorUpdate, { args: [{ actorId: h.userIds.manager, auditorId: h.userIds.cab2 }] })).rejects.toMatchObject({ cause: { type: 'IllegalTransition', message: expect.stringContaining('not independent') } });
    expect(await handle.query(auditStatusQuery)).toMatchObject({ state: 'awaiting_auditor', auditorId: null });
    // Two assignments at once: the first is being checked when the second arrives, which is refused.
    const both = await h.together(() => [assign(h.userIds.auditor), assign(h.userIds.auditor)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 200)!.body).toMatchObject({ state: 'fieldwork', auditorId: h.userIds.auditor });
    const refused = both.find((r) => r.status === 409)!.body;
    expect(refused).toMatchObject({ currentState: 'awaiting_auditor', detail: expect.stringContaining('still in progress') });

    const finding = { clause: '8.6.1', title: 'Resolution target missed on DESK', severity: 'minor', ownerId: h.userIds.agent, dueInSeconds: 4 };
    expect((await h.http.post(`/api/audits/${audit.id}/findings`).set(h.as('agent')).send(finding)).status).toBe(403);
    expect((await h.http.post(`/api/audits/${audit.id}/findings`).set(h.as('auditor')).send(finding)).body.findings).toBe(1);
    const action = await eventually(() => h.db.prisma.correctiveAction.findFirstOrThrow({ where: { auditId: audit.id } }));
    await eventually(async () => expect((await h.db.prisma.correctiveAction.findUniqueOrThrow({ where: { id: action.id } })).escalated).toBe(true), 15_000);
    await eventually(async () => expect(await mailsWith('x-itsm-corrective-action-id', action.id)).toEqual(['corrective-action-assigned mei.chen@itsm.local', 'corrective-action-overdue li.wei@itsm.local', 'corrective-action-reminder mei.chen@itsm.local']));
    expect((await h.http.post(`/api/corrective-actions/${action.id}/complete`).set(h.as('agent2')).send({ notes: 'Not mine' })).status).toBe(403);
    // The owner's mails carry their own link to record the action done.
    const assigned = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).find((m) => m.headers['x-itsm-corrective-action-id'] === action.id && m.headers['x-itsm-kind'] === 'corrective-action-assigned');
    expect(assigned?.text).toContain(`${h.baseUrl}/actions/`);
    const complete = () => h.http.post(`/api/corrective-actions/${action.id}/complete`).set(h.as('agent')).send({ notes: 'Escalation chain shortened' });
    const completions = await h.together(() => [complete(), complete()]);
    expect(completions.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(completions.find((r) => r.status === 200)!.body.state).toBe('done');
    expect(completions.find((r) => r.status === 409)!.body.currentState).toBe('done');
    await h.temporal.workflow.getHandle(action.workflowId).result();
    await recordHistoryIfAsked(action.workflowId, 'corrective-action-done');

    expect((await h.http.post(`/api/audits/${audit.id}/finish-fieldwork`).set(h.as('auditor')).send({})).body.state).toBe('management_review');
    await eventually(async () => expect((await h.db.prisma.audit.findUniqueOrThrow({ where: { id: audit.id } })).escalated).toBe(true), 15_000);
    await eventually(async () => expect(await mailsWith('x-itsm-audit-id', audit.id)).toEqual(['audit-opened li.wei@itsm.local', 'audit-review-overdue li.wei@itsm.local', 'audit-review-reminder li.wei@itsm.local', 'audit-review-request li.wei@itsm.local']));
    expect((await h.http.post(`/api/audits/${audit.id}/sign-off`).set(h.as('manager')).send({})).body.state).toBe('closed');
    expect(await h.temporal.workflow.getHandle(workflowId).result()).toMatchObject({ state: 'closed', findings: 1, escalated: true });
    await recordHistoryIfAsked(workflowId, 'annual-audit-finding-signoff');

    const html = await h.http.get(`/api/audits/${audit.id}/report.html`).set(h.as('auditor'));
    expect(html.status).toBe(200);
    expect(html.type).toBe('text/html');
    expect(html.text).toContain('Resolution target missed on DESK');
    expect(html.text).toContain('8.6.1 incident management');
    expect((await h.http.get(`/api/audits/${audit.id}`).set(h.as('requester'))).status).toBe(403);
  });
});
