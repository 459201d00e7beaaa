import { readInbox } from '../../scripts/mail-catcher';
import { registerSchedules } from '../../temporal-config/schedules';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';
import { deleteSuiteSchedules, suiteScheduleId, triggerSchedule } from '../support/schedules';
import { recordHistoryIfAsked } from '../support/sla-fixtures';

describe.each(databaseKinds())('yearly access recertification and revocations on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
    await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: h.apiDeps.schedulePrefix!, recertification: { reviewSeconds: 4, remindBeforeSeconds: [2] } });
  });
  afterAll(async () => {
    await deleteSuiteSchedules(h);
    await h?.close();
  });

  const reviewMails = async (reviewId: string) =>
    (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!))
      .filter((m) => m.headers['x-itsm-access-review-id'] === reviewId)
      .map((m) => `${m.headers['x-itsm-kind']} ${m.to[0].address}`)
      .sort();
  const openTask = (requestId: string) =>
    eventually(async () => {
      const request = await h.db.prisma.serviceRequest.findUniqueOrThrow({ where: { id: requestId }, include: { tasks: true } });
      if (request.tasks[0]?.state !== 'open') throw new Error(`task ${request.tasks[0]?.state}`);
      return request;
    });

  it("the Schedule asks the system's owner to recertify each access by a second-scale deadline, reminds once, escalates once; a revoke becomes a task that takes the access away", async () => {
    const erp = await h.db.prisma.configurationItem.findUniqueOrThrow({ where: { code: 'app-erp' } });
    const [mei, sam] = await Promise.all([h.userIds.agent, h.userIds.agent2].map((userId) => h.db.prisma.entitlement.findFirstOrThrow({ where: { userId, ciId: erp.id } })));
    const parent = await triggerSchedule(h, suiteScheduleId(h, 'access-recertification'));
    expect(await h.temporal.workflow.getHandle(parent).result()).toEqual({ started: 1 });
    const review = await eventually(() => h.db.prisma.accessReview.findFirstOrThrow({ where: { ciId: erp.id } }));
    expect(review).toMatchObject({ ownerId: h.userIds.manager, state: 'due' });
    expect(review.dueAt.getTime() - review.createdAt.getTime()).toBe(4_000);
    await eventually(async () => expect((await h.db.prisma.accessReview.findUniqueOrThrow({ where: { id: review.id } })).escalated).toBe(true), 15_000);
    // Li Wei owns the ERP application and is the only manager: asked, reminded and told of the escalation, once each.
    await eventually(async () => expect(await reviewMails(review.id)).toEqual(['access-review-due li.wei@itsm.local', 'access-review-overdue li.wei@itsm.local', 'access-review-reminder li.wei@itsm.local']));
    const due = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).find((m) => m.headers['x-itsm-access-review-id'] === review.id && m.headers['x-itsm-kind'] === 'access-review-due')!;
    expect(due.subject).toContain('ERP application 权限复核');
    expect(due.text).toContain(mei.id);

    const decide = (role: 'manager' | 'agent', entitlementId: string, decision: 'confirm' | 'revoke') => h.http.post(`/api/access-reviews/${review.id}/decide`).set(h.as(role)).send({ entitlementId, decision });
    expect((await decide('agent', sam.id, 'confirm')).status).toBe(403);
    const kept = await decide('manager', sam.id, 'confirm');
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ state: 'due', escalated: true, undecided: [mei.id] });
    const twice = await decide('manager', sam.id, 'revoke');
    expect(twice.status).toBe(409);
    const revoked = await decide('manager', mei.id, 'revoke');
    expect(revoked.status).toBe(200);
    expect(revoked.body.state).toBe('done');
    const revocationId = revoked.body.decisions.find((d: { entitlementId: string }) => d.entitlementId === mei.id).revocationRequestId;
    expect(revoked.body.decisions.find((d: { entitlementId: string }) => d.entitlementId === sam.id).revocationRequestId).toBeNull();
    await h.temporal.workflow.getHandle(review.workflowId).result();
    if (kind === 'pglite') {
      await recordHistoryIfAsked(parent, 'access-recertification-started');
      await recordHistoryIfAsked(review.workflowId, 'access-review-escalated-revoked');
    }

    // The revoke is a request with one task for the group that grants ERP access; done, the access is gone.
    const revocation = await openTask(revocationId);
    const support = await h.db.prisma.group.findUniqueOrThrow({ where: { name: 'Application Support' } });
    expect(revocation).toMatchObject({ revokesEntitlementId: mei.id, requesterId: h.userIds.manager, state: 'fulfilment' });
    expect(revocation.tasks.map((t) => [t.name, t.groupId])).toEqual([['Revoke finance-user on ERP application from 陈美 Mei Chen', support.id]]);
    const done = await h.http.post(`/api/requests/${revocationId}/complete-task`).set(h.as('manager')).send({ taskId: revocation.tasks[0].id, notes: 'role removed' });
    expect(done.body.state).toBe('fulfilled');
    await eventually(async () => expect((await h.db.prisma.entitlement.findUniqueOrThrow({ where: { id: mei.id } })).revokedAt).not.toBeNull());
    // Whoever asked for the revocation confirms it; nobody is surveyed about a revocation.
    expect((await h.http.post(`/api/requests/${revocationId}/confirm`).set(h.as('manager')).send({})).body.state).toBe('closed');
    await h.temporal.workflow.getHandle(`request-${revocationId}`).result();
    expect(await h.db.prisma.satisfactionSurvey.count({ where: { requestId: revocationId } })).toBe(0);
    if (kind === 'pglite') await recordHistoryIfAsked(`request-${revocationId}`, 'request-revocation-confirmed');
    expect((await h.db.prisma.entitlement.findUniqueOrThrow({ where: { id: sam.id } })).revokedAt).toBeNull();
    expect((await h.http.get('/api/entitlements?active=true').set(h.as('agent2'))).body.items.map((e: { id: string }) => e.id)).toEqual([sam.id]);
  });

  it("deactivating a person opens a revocation task for every access they hold, once", async () => {
    const mail = await h.db.prisma.configurationItem.findUniqueOrThrow({ where: { code: 'app-mail' } });
    const item = await h.db.prisma.catalogItem.findUniqueOrThrow({ where: { code: 'ERP-ACCESS' } });
    await h.db.prisma.entitlement.create({ data: { userId: h.userIds.agent2, ciId: mail.id, role: 'mailbox-admin', itemId: item.id, since: new Date() } });
    const held = await h.db.prisma.entitlement.findMany({ where: { userId: h.userIds.agent2, revokedAt: null } });
    expect(held).toHaveLength(2);
    const deactivated = await h.http.post(`/api/users/${h.userIds.agent2}/deactivate`).set(h.as('admin')).send({});
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.revocationRequestIds).toHaveLength(2);
    const requests = await Promise.all(deactivated.body.revocationRequestIds.map(openTask));
    expect(requests.map((r) => r.revokesEntitlementId).sort()).toEqual(held.map((e) => e.id).sort());
    expect(requests.every((r) => r.requesterId === h.userIds.admin && r.tasks.length === 1)).toBe(true);
    // Deactivated twice: refused, and no second revocation.
    expect((await h.http.post(`/api/users/${h.userIds.agent2}/deactivate`).set(h.as('admin')).send({})).status).toBe(409);
    expect(await h.db.prisma.serviceRequest.count({ where: { revokesEntitlementId: { in: held.map((e) => e.id) } } })).toBe(2);
  });
});
