import { monthFigures, reportMonths, type MonthFigures } from '../domain/service-report';
import type { Db } from '../prisma/database';
import type { Prisma } from '../prisma/generated/client';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce } from '../records/mail/deliveries';

export interface ServiceReportData {
  service: { id: string; code: string; name: string };
  month: string;
  previousMonth: string;
  targetPercent: number;
  current: MonthFigures;
  previous: MonthFigures;
}

export interface ServiceReportDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
}

export function createServiceReportActivities({ prisma, mailer, publicUrl }: ServiceReportDeps) {
  async function figures(serviceId: string, month: { start: Date; end: Date }) {
    const period = { gte: month.start, lt: month.end };
    const [incidents, changes, surveys, complaints, requests] = await Promise.all([
      prisma.incident.findMany({ where: { serviceId, createdAt: period }, select: { priority: true, responseBreached: true, resolutionBreached: true } }),
      prisma.changeRequest.findMany({ where: { services: { some: { serviceId } }, implementedAt: period }, select: { outcome: true } }),
      prisma.satisfactionSurvey.findMany({ where: { OR: [{ incident: { serviceId } }, { request: { item: { serviceId } } }], respondedAt: period, score: { not: null } }, select: { score: true } }),
      prisma.complaint.findMany({ where: { serviceId, createdAt: period }, select: { state: true, escalationLevel: true } }),
      // Revocations are the service's own housekeeping, not requests its customers made.
      prisma.serviceRequest.findMany({ where: { item: { serviceId }, fulfilledAt: period, revokesEntitlementId: null }, select: { fulfilmentBreached: true, item: { select: { name: true } } } }),
    ]);
    return monthFigures({ incidents, changes, surveyScores: surveys.map((s) => s.score!), complaints, requests: requests.map((r) => ({ item: r.item.name, fulfilmentBreached: r.fulfilmentBreached })) });
  }

  return {
    /**
     * The last complete month's report for every service (kept as a record, once per service and month) and
     * mailed to its owner once.
     */
    async compileServiceReports({ at }: { at: string }): Promise<{ reports: string[] }> {
      const months = reportMonths(Date.parse(at));
      const services = await prisma.service.findMany({ include: { owner: true }, orderBy: { code: 'asc' } });
      const reports: string[] = [];
      for (const service of services) {
        const data: ServiceReportData = {
          service: { id: service.id, code: service.code, name: service.name },
          month: months.current.start.toISOString().slice(0, 7),
          previousMonth: months.previous.start.toISOString().slice(0, 7),
          targetPercent: service.slaTargetPercent,
          current: await figures(service.id, months.current),
          previous: await figures(service.id, months.previous),
        };
        const report = await prisma.serviceReport.upsert({
          where: { serviceId_periodStart: { serviceId: service.id, periodStart: months.current.start } },
          update: { data: data as unknown as Prisma.InputJsonObject },
          create: { serviceId: service.id, periodStart: months.current.start, periodEnd: months.current.end, data: data as unknown as Prisma.InputJsonObject },
        });
        reports.push(report.id);
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
              `Incidents: ${data.current.incidents} (previous month ${data.previous.incidents})`,
              `Customer satisfaction: ${data.current.satisfaction.averageScore ?? '–'} / 5 from ${data.current.satisfaction.responses} response(s); complaints received: ${data.current.complaints.received}`,
              `Requests fulfilled: ${data.current.requests.fulfilled}; ${line('on time', data.current.requests.onTimePercent)}`,
              '',
              `${publicUrl}/api/service-reports/${report.id}/report.html`,
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
