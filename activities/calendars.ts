import { alertWeek, coversYear, requiredYear } from '../domain/holiday-coverage';
import type { Db } from '../prisma/database';
import { calendarCoverage, coverageFacts } from '../records/calendars';
import { refreshHolidaySources, type FeedAccess, type RefreshOutcome } from '../records/holiday-sources';
import { deliverOnce, recipientSet } from '../records/mail/deliveries';
import type { Mailer } from '../records/mail/mailer';
import { operatorLog } from '../config/logger';

export interface CalendarActivityDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
  feeds: FeedAccess;
}

function coverageMail(locale: string, calendar: string, year: number, coveredUntil: string | null, url: string) {
  if (locale === 'zh-CN') {
    return {
      subject: `[日历] ${calendar} 缺少 ${year} 年的节假日数据`,
      text: `业务日历「${calendar}」没有 ${year} 年的节假日数据（已覆盖至：${coveredUntil ?? '无'}）。在补充之前，${year} 年的节假日会被当作工作日计算 SLA 期限。\n请添加日期、节假日预设、chinese-days 数据源或 iCalendar 订阅。此提醒每周发送一次，直到补充为止。\n\n${url}\n`,
    };
  }
  return {
    subject: `[calendar] ${calendar} has no holidays for ${year}`,
    text: `The business calendar "${calendar}" has no holiday data for ${year} (covered until: ${coveredUntil ?? 'none'}). Until it has, SLA deadlines count ${year}'s holidays as working days.\nAdd dates, a holiday preset, the chinese-days source or an iCalendar feed. This reminder comes once a week until then.\n\n${url}\n`,
  };
}

export function createCalendarActivities({ prisma, mailer, publicUrl, feeds }: CalendarActivityDeps) {
  return {
    /** Re-reads package and feed holiday sources; a source that fails keeps its last good data and reports why. */
    async refreshCalendarSources({ at }: { at: string }): Promise<RefreshOutcome[]> {
      const outcomes = await refreshHolidaySources(prisma, new Date(at), feeds);
      for (const { calendar, source, error } of outcomes) {
        if (error) operatorLog().warn({ calendar, source }, `holiday source kept its last good data: ${error}`);
      }
      return outcomes;
    },

    /** Calendars with no holidays for the year that must be known by `at`: their owner and the administrators, once a week. */
    async sendCalendarCoverageAlerts({ at }: { at: string }): Promise<{ uncovered: string[]; sent: number }> {
      const atMs = Date.parse(at);
      const year = requiredYear(atMs);
      const calendars = (await prisma.businessCalendar.findMany({ include: { owner: true }, orderBy: { name: 'asc' } })).filter((c) => !coversYear(coverageFacts(c), year));
      const admins = calendars.length ? await prisma.user.findMany({ where: { roles: { has: 'admin' } }, orderBy: { email: 'asc' } }) : [];
      let sent = 0;
      for (const calendar of calendars) {
        const recipients = recipientSet();
        recipients.add(calendar.owner);
        for (const admin of admins) recipients.add(admin);
        for (const recipient of recipients.values()) {
          const mail = coverageMail(recipient.locale, calendar.name, year, calendarCoverage(calendar).coveredUntil, `${publicUrl}/api/calendars/${calendar.id}`);
          const outcome = await deliverOnce(prisma, mailer, {
            idempotencyKey: `calendar-coverage:${calendar.id}:${year}:week-${alertWeek(atMs)}:${recipient.email}`,
            recipient,
            kind: 'calendar-coverage',
            ...mail,
            headers: { 'X-Itsm-Calendar-Id': calendar.id, 'X-Itsm-Uncovered-Year': String(year) },
          });
          if (outcome === 'sent') sent++;
        }
      }
      return { uncovered: calendars.map((c) => c.name), sent };
    },
  };
}

export type CalendarActivities = ReturnType<typeof createCalendarActivities>;
