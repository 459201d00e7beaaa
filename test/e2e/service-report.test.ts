import { statSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { readInbox } from '../../scripts/mail-catcher';
import { registerSchedules, SCHEDULE_NAMES, scheduleId } from '../../temporal-config/schedules';
import { launchChromium } from '../support/browser';
import { changeTestService } from '../support/change-fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';

describe('the monthly service report, from its Schedule to a page in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startHarness('pglite');
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const name of SCHEDULE_NAMES) await h.temporal.schedule.getHandle(scheduleId(h.apiDeps.schedulePrefix!, name)).delete().catch(() => undefined);
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
    for (const [index, s] of seed.entries()) {
      await h.db.prisma.incident.create({
        data: { workflowId: `report-seed-${service.id}-${index}`, title: `Seeded ${index}`, description: '', impact: 'low', urgency: 'low', priority: s.priority as 'P1', serviceId: service.id, requesterId: h.userIds.requester, responseBreached: s.response as boolean, resolutionBreached: s.resolution as boolean, createdAt: s.at },
      });
    }
    // What the report must say, counted straight from the records.
    const inMonth = (at: Date) => ({ serviceId: service.id, createdAt: { gte: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)), lt: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)) } });
    const total = await h.db.prisma.incident.count({ where: inMonth(lastMonth) });
    const responseMet = await h.db.prisma.incident.count({ where: { ...inMonth(lastMonth), responseBreached: false } });
    const resolutionMet = await h.db.prisma.incident.count({ where: { ...inMonth(lastMonth), resolutionBreached: false } });

    await registerSchedules(h.temporal, { taskQueue: h.taskQueue, trendDetectionEvery: '1h', idPrefix: h.apiDeps.schedulePrefix! });
    const schedule = h.temporal.schedule.getHandle(scheduleId(h.apiDeps.schedulePrefix!, 'service-reports'));
    const run = async (expectedRuns: number) => {
      await schedule.trigger();
      const workflowId = await eventually(async () => {
        const { info } = await schedule.describe();
        if (info.recentActions.length < expectedRuns) throw new Error('not run yet');
        return info.recentActions[expectedRuns - 1].action.workflow.workflowId;
      });
      return h.temporal.workflow.getHandle(workflowId).result();
    };
    await run(1);
    const [report] = await h.db.prisma.serviceReport.findMany({ where: { serviceId: service.id } });
    const data = report.data as { month: string; current: Record<string, unknown>; previous: Record<string, unknown> };
    expect(data.month).toBe(lastMonth.toISOString().slice(0, 7));
    expect(data.current).toMatchObject({ incidents: total, responseSlaPercent: Math.round((responseMet / total) * 1_000) / 10, resolutionSlaPercent: Math.round((resolutionMet / total) * 1_000) / 10, byPriority: { P1: 1, P2: 0, P3: 4, P4: 0 } });
    expect(data.current).toMatchObject({ responseSlaPercent: 80, resolutionSlaPercent: 60 });
    expect(data.previous).toMatchObject({ incidents: 2, responseSlaPercent: 100, resolutionSlaPercent: 100 });

    await run(2);
    expect(await h.db.prisma.serviceReport.count({ where: { serviceId: service.id } })).toBe(1);
    const mails = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-service-report-id'] === report.id);
    expect(mails.map((m) => `${m.to[0].address} ${m.subject}`)).toEqual([`li.wei@itsm.local [${service.code}] service report ${data.month}`]);

    const page = await browser.newPage();
    await page.setExtraHTTPHeaders(h.as('manager'));
    const shown = await page.goto(`${h.baseUrl}/api/service-reports/${report.id}/report.html`);
    expect(shown!.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toContain(data.month);
    expect(await page.locator('svg').count()).toBe(2);
    expect(await page.locator('svg rect').count()).toBeGreaterThan(8);
    await expect(page.locator('figcaption').first().textContent()).resolves.toBe('SLA met against the 95 % target');
    const screenshot = path.join(process.env.ITSM_TEST_RUN_DIR!, `service-report-${report.id}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    await page.close();
    expect((await h.http.get(`/api/service-reports/${report.id}/report.html`).set(h.as('requester'))).status).toBe(403);
  });
});
