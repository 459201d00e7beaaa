import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { ServiceReportData } from '../../activities/service-reports';
import { readInbox } from '../../scripts/mail-catcher';
import { registerSchedules } from '../../temporal-config/schedules';
import { launchChromium } from '../support/browser';
import { changeTestService } from '../support/change-fixtures';
import { startHarness, type Harness } from '../support/harness';
import { deleteSuiteSchedules, runSchedule, suiteScheduleId } from '../support/schedules';

describe('the monthly service report, from its Schedule to a page in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startHarness('pglite');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await deleteSuiteSchedules(h);
    await browser?.close();
    await h?.close();
  });

  it("matches the seeded incidents' met and breached SLAs, compares with the month before, is mailed once, and renders with its charts", async () => {
    const service = await changeTestService(h);
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10));
    const monthBefore = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 10));
    const seed = [
      ...[
        ['P1', true, true],
        ['P3', false, true],
        ['P3', false, false],
        ['P3', false, false],
        ['P3', false, false],
      ].map(([priority, response, resolution]) => ({ priority, response, resolution, at: lastMonth })),
      ...[['P2', false, false], ['P4', false, false]].map(([priority, response, resolution]) => ({ priority, response, resolution, at: monthBefore })),
    ];
    const incidentIds: string[] = [];
    for (const [index, s] of seed.entries()) {
      const incident = await h.db.prisma.incident.create({
        data: { workflowId: `report-seed-${service.id}-${index}`, title: `Seeded ${index}`, description: '', impact: 'low', urgency: 'low', priority: s.priority as 'P1', serviceId: service.id, requesterId: h.userIds.requester, responseBreached: s.response as boolean, resolutionBreached: s.resolution as boolean, createdAt: s.at },
      });
      incidentIds.push(incident.id);
    }
    // Survey answers: 5, 4 and 2 last month (and one survey unanswered), a 3 the month before.
    const answers: [number, number | null, Date][] = [[0, 5, lastMonth], [1, 4, lastMonth], [2, 2, lastMonth], [3, null, lastMonth], [5, 3, monthBefore]];
    for (const [index, score, at] of answers) {
      await h.db.prisma.satisfactionSurvey.create({ data: { incidentId: incidentIds[index], requesterId: h.userIds.requester, sentAt: at, expiresAt: new Date(at.getTime() + 14 * 86_400_000), score, respondedAt: score === null ? null : at } });
    }
    for (const [index, state, escalationLevel] of [[0, 'closed', 0], [1, 'investigating', 1]] as const) {
      await h.db.prisma.complaint.create({
        data: { id: randomUUID(), workflowId: `report-seed-complaint-${service.id}-${index}`, subject: `Seeded ${index}`, description: 'seeded', severity: 'standard', state, escalationLevel, complainantId: h.userIds.requester, serviceId: service.id, loggedById: h.userIds.requester, dueAt: lastMonth, createdAt: lastMonth },
      });
    }
    // Requests fulfilled: two laptops last month (one late), one mailbox on time, a revocation that does not count;
    // one laptop the month before.
    const calendar = await h.db.prisma.businessCalendar.findUniqueOrThrow({ where: { name: '24x7' } });
    const itemIds: Record<string, string> = {};
    for (const name of ['Laptop', 'Mailbox']) {
      const item = await h.db.prisma.catalogItem.create({
        data: { code: `RPT-${name.toUpperCase()}-${service.code}`, serviceId: service.id, name, form: { type: 'object', properties: {} }, approval: { kind: 'none' }, fulfilment: { mode: 'ordered', tasks: [] }, calendarId: calendar.id, responseTargetSeconds: 60, fulfilmentTargetSeconds: 60 },
      });
      itemIds[name] = item.id;
    }
    const revoked = await h.db.prisma.entitlement.create({ data: { userId: h.userIds.requester, ciId: (await h.db.prisma.configurationItem.findFirstOrThrow()).id, role: 'user', itemId: itemIds.Mailbox, since: monthBefore } });
    const requests: [string, boolean, Date, string | null][] = [['Laptop', false, lastMonth, null], ['Laptop', true, lastMonth, null], ['Mailbox', false, lastMonth, null], ['Mailbox', true, lastMonth, revoked.id], ['Laptop', false, monthBefore, null]];
    for (const [index, [name, fulfilmentBreached, fulfilledAt, revokesEntitlementId]] of requests.entries()) {
      await h.db.prisma.serviceRequest.create({ data: { workflowId: `report-seed-request-${service.id}-${index}`, itemId: itemIds[name], itemVersion: 1, requesterId: h.userIds.requester, answers: {}, state: 'closed', fulfilledAt, fulfilmentBreached, revokesEntitlementId, createdAt: fulfilledAt } });
    }
    // What the report must say, counted straight from the records.
    const inMonth = (at: Date) => ({ serviceId: service.id, createdAt: { gte: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)), lt: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)) } });
    const total = await h.db.prisma.incident.count({ where: inMonth(lastMonth) });
    const responseMet = await h.db.prisma.incident.count({ where: { ...inMonth(lastMonth), responseBreached: false } });
    const resolutionMet = await h.db.prisma.incident.count({ where: { ...inMonth(lastMonth), resolutionBreached: false } });
    const answered = { incident: { serviceId: service.id }, respondedAt: inMonth(lastMonth).createdAt };
    const scores = await h.db.prisma.satisfactionSurvey.aggregate({ where: answered, _avg: { score: true }, _count: { score: true } });
    const satisfied = await h.db.prisma.satisfactionSurvey.count({ where: { ...answered, score: { gte: 4 } } });

    await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: h.apiDeps.schedulePrefix! });
    const run = (expectedRuns: number) => runSchedule(h, suiteScheduleId(h, 'service-reports'), expectedRuns);
    await run(1);
    const [report] = await h.db.prisma.serviceReport.findMany({ where: { serviceId: service.id } });
    const data = report.data as unknown as ServiceReportData;
    expect(data.month).toBe(lastMonth.toISOString().slice(0, 7));
    expect(data.current).toMatchObject({ incidents: total, responseSlaPercent: Math.round((responseMet / total) * 1_000) / 10, resolutionSlaPercent: Math.round((resolutionMet / total) * 1_000) / 10, byPriority: { P1: 1, P2: 0, P3: 4, P4: 0 } });
    expect(data.current).toMatchObject({ responseSlaPercent: 80, resolutionSlaPercent: 60 });
    expect(data.previous).toMatchObject({ incidents: 2, responseSlaPercent: 100, resolutionSlaPercent: 100 });
    expect(data.current.satisfaction).toEqual({ responses: scores._count.score, averageScore: Math.round(scores._avg.score! * 100) / 100, satisfiedPercent: Math.round((satisfied / scores._count.score) * 1_000) / 10 });
    expect(data.current.satisfaction).toEqual({ responses: 3, averageScore: 3.67, satisfiedPercent: 66.7 });
    expect(data.previous.satisfaction).toEqual({ responses: 1, averageScore: 3, satisfiedPercent: 0 });
    expect(data.current.complaints).toEqual({ received: 2, closed: 1, escalated: 1 });
    expect(data.current.requests).toEqual({ fulfilled: 3, onTimePercent: 66.7, byItem: { Laptop: { fulfilled: 2, onTimePercent: 50 }, Mailbox: { fulfilled: 1, onTimePercent: 100 } } });
    expect(data.previous.requests).toEqual({ fulfilled: 1, onTimePercent: 100, byItem: { Laptop: { fulfilled: 1, onTimePercent: 100 } } });

    await run(2);
    expect(await h.db.prisma.serviceReport.count({ where: { serviceId: service.id } })).toBe(1);
    const mails = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-service-report-id'] === report.id);
    expect(mails.map((m) => `${m.to[0].address} ${m.subject}`)).toEqual([`li.wei@itsm.local [${service.code}] service report ${data.month}`]);

    const page = await browser.newPage();
    await page.setExtraHTTPHeaders(h.as('manager'));
    const shown = await page.goto(`${h.baseUrl}/api/service-reports/${report.id}/report.html`);
    expect(shown!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toContain(data.month);
    expect(await page.locator('svg').count()).toBe(3);
    await expect(page.locator('tr', { hasText: 'Customer satisfaction' }).textContent()).resolves.toBe('Customer satisfaction3 / 5 (1)3.67 / 5 (3)');
    await expect(page.locator('tr', { hasText: 'Complaints received' }).textContent()).resolves.toBe('Complaints received0 (0 escalated)2 (1 escalated)');
    await expect(page.locator('tr', { hasText: 'Requests fulfilled' }).textContent()).resolves.toBe('Requests fulfilled1 (100 % on time)3 (66.7 % on time)');
    await expect(page.locator('tr', { hasText: '· Mailbox' }).textContent()).resolves.toBe('· Mailbox–1 (100 % on time)');
    expect(await page.locator('svg rect').count()).toBeGreaterThan(8);
    await expect(page.locator('figcaption').first().textContent()).resolves.toBe('SLA met against the 95 % target');
    const screenshot = path.join(process.env.ITSM_TEST_RUN_DIR!, `service-report-${report.id}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    await page.close();
    expect((await h.http.get(`/api/service-reports/${report.id}/report.html`).set(h.as('requester'))).status).toBe(403);
  });
});
