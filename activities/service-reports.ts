import { availabilityBreached } from '../domain/availability';
import { coversYear } from '../domain/holiday-coverage';
import { monthFigures, reportMonths, uncoveredNote, type MonthFigures } from '../domain/service-report';
import { coverageFacts } from '../records/calendars';
import type { Db } from '../prisma/database';
import type { BusinessCalendar, Prisma, Service, User } from '../prisma/generated/client';
import { renderAvailabilityBreach } from '../records/mail/availability-mail';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce, peopleToMail } from '../records/mail/deliveries';
import { serviceAvailability } from '../records/outages';

export interface ServiceReportData {
  service: { id: string; code: string; name: string };
  month: string;
  previousMonth: string;
  targetPercent: number;
  /** The service's availability target when the report was made; null: none agreed. */
  availabilityTargetPercent: number | null;
  current: MonthFigures;
  previous: MonthFigures;
  /**
   * The service's SLA calendars that had no holiday data for the month's year: their SLA figures counted that
   * year's holidays as working time, so they are flagged rather than trusted.
   */
  uncoveredCalendars?: string[];
}

export interface ServiceReportDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
}

export function createServiceReportActivities({ prisma, mailer, publicUrl }: ServiceReportDeps) {
  async function figures(service: { id: string; serviceHoursCalendar: BusinessCalendar | null }, month: { start: Date; end: Date }) {
    const serviceId = service.id;
    const period = { gte: month.start, lt: month.end };
    const [incidents, changes, surveys, complaints, requests] = await Promise.all([
      prisma.incident.findMany({ where: { serviceId, createdAt: period }, select: { priority: true, responseBreached: true, resolutionBreached: true } }),
      prisma.changeRequest.findMany({ where: { services: { some: { serviceId } }, implementedAt: period }, select: { outcome: true } }),
      prisma.satisfactionSurvey.findMany({ where: { OR: [{ incident: { serviceId } }, { request: { item: { serviceId } } }], respondedAt: period, score: { not: null } }, select: { score: true } }),
      prisma.complaint.findMany({ where: { serviceId, createdAt: period }, select: { state: true, escalationLevel: true } }),
      // Revocations are the service's own housekeeping, not requests its customers made.
      prisma.serviceRequest.findMany({ where: { item: { serviceId }, fulfilledAt: period, revokesEntitlementId: null }, select: { fulfilmentBreached: true, item: { select: { name: true } } } }),
    ]);
    const availability = await serviceAvailability(prisma, service, month.start, month.end);
    return monthFigures({ incidents, changes, surveyScores: surveys.map((s) => s.score!), complaints, availability, requests: requests.map((r) => ({ item: r.item.name, fulfilmentBreached: r.fulfilmentBreached })) });
  }

  /**
   * A month below the availability target is told to the service's owner once (ISO/IEC 20000-1 clause 8.7.2:
   * availability monitored against targets); without an active owner, to the managers, so someone acts on it.
   */
  async function mailAvailabilityBreach(service: Service & { owner: User | null }, data: ServiceReportData, reportId: string, link: string) {
    const { availability } = data.current;
    if (!availabilityBreached(availability.availabilityPercent, data.availabilityTargetPercent)) return;
    const owner = service.owner && !service.owner.deactivatedAt ? service.owner : null;
    const { recipients } = await peopleToMail(prisma, owner ? [owner.id] : 'managers');
    const hours = (seconds: number) => Math.round(seconds / 360) / 10;
    for (const recipient of recipients) {
      const { subject, text } = renderAvailabilityBreach(recipient.locale, {
        code: service.code,
        name: service.name,
        month: data.month,
        availabilityPercent: availability.availabilityPercent!,
        targetPercent: data.availabilityTargetPercent!,
        unplannedDowntimeHours: hours(availability.unplannedDowntimeSeconds),
        agreedHours: hours(availability.agreedSeconds - availability.plannedDowntimeSeconds),
        link,
      });
      await deliverOnce(prisma, mailer, {
        idempotencyKey: `availability-breach:${service.id}:${data.month}:${recipient.email}`,
        recipient,
        kind: 'availability-breach',
        subject,
        text,
        headers: { 'X-Itsm-Service': service.code, 'X-Itsm-Availability-Month': data.month, 'X-Itsm-Service-Report-Id': reportId },
      });
    }
  }

  return {
    /**
     * The last complete month's report for every service (kept as a record, once per service and month) and
     * mailed to its owner once.
     */
    async compileServiceReports({ at }: { at: string }): Promise<{ reports: string[] }> {
      const months = reportMonths(Date.parse(at));
      const services = await prisma.service.findMany({ include: { owner: true, serviceHoursCalendar: true, slaPolicies: { include: { calendar: true } } }, orderBy: { code: 'asc' } });
      const year = months.current.start.getUTCFullYear();
      const reports: string[] = [];
      for (const service of services) {
        const data: ServiceReportData = {
          service: { id: service.id, code: service.code, name: service.name },
          month: months.current.start.toISOString().slice(0, 7),
          previousMonth: months.previous.start.toISOString().slice(0, 7),
          targetPercent: service.slaTargetPercent,
          availabilityTargetPercent: service.availabilityTargetPercent,
          current: await figures(service, months.current),
          previous: await figures(service, months.previous),
          uncoveredCalendars: [...new Set(service.slaPolicies.filter((p) => !coversYear(coverageFacts(p.calendar), year)).map((p) => p.calendar.name))].sort(),
        };
        const report = await prisma.serviceReport.upsert({
          where: { serviceId_periodStart: { serviceId: service.id, periodStart: months.current.start } },
          update: { data: data as unknown as Prisma.InputJsonObject },
          create: { serviceId: service.id, periodStart: months.current.start, periodEnd: months.current.end, data: data as unknown as Prisma.InputJsonObject },
        });
        reports.push(report.id);
        const link = `${publicUrl}/api/service-reports/${report.id}/report.html`;
        await mailAvailabilityBreach(service, data, report.id, link);
        if (service.owner) {
          const line = (label: string, value: number | null) => `${label}: ${value === null ? '–' : `${value} %`}`;
          await deliverOnce(prisma, mailer, {
            idempotencyKey: `service-report:${service.id}:${data.month}:${service.owner.email}`,
            recipient: service.owner,
            kind: 'service-report',
            subject: `[${service.code}] service report ${data.month}`,
            text: [
              `${service.name}, ${data.month} (target ${data.targetPercent} %):`,
              line('Response SLA met', data.current.responseSlaPercent),
              line('Resolution SLA met', data.current.resolutionSlaPercent),
              `${line('Availability', data.current.availability.availabilityPercent)} (target ${data.availabilityTargetPercent === null ? 'none agreed' : `${data.availabilityTargetPercent} %`})`,
              ...(data.uncoveredCalendars!.length ? [uncoveredNote(data.uncoveredCalendars!, year)] : []),
              `Incidents: ${data.current.incidents} (previous month ${data.previous.incidents})`,
              `Customer satisfaction: ${data.current.satisfaction.averageScore ?? '–'} / 5 from ${data.current.satisfaction.responses} response(s); complaints received: ${data.current.complaints.received}`,
              `Requests fulfilled: ${data.current.requests.fulfilled}; ${line('on time', data.current.requests.onTimePercent)}`,
              '',
              link,
              '',
            ].join('\n'),
            headers: { 'X-Itsm-Service': service.code, 'X-Itsm-Service-Report-Id': report.id },
          });
          await prisma.serviceReport.update({ where: { id: report.id }, data: { mailedAt: new Date() } });
        }
      }
      return { reports };
    },
  };
}

export type ServiceReportActivities = ReturnType<typeof createServiceReportActivities>;
