import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { ServiceReportData } from '../../activities/service-reports';
import type { AvailabilityFigures } from '../../domain/availability';
import type { SatisfactionFigures } from '../../domain/satisfaction';
import { uncoveredNote, type MonthFigures, type RequestFigures } from '../../domain/service-report';
import { escapeHtml } from '../../records/mail/change-mail';
import { STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404 } from '../problem-details';
import { barChart } from '../report-charts';
import { defineRoute } from '../route';

const IdParams = z.strictObject({ id: z.uuid('must be a report id (UUID)') });
const ListQuery = z.strictObject({ serviceId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(120).default(24) });

// Reports kept before surveys, complaints, outages and requests fed them have none of those; they show as not recorded.
type StoredFigures = Omit<MonthFigures, 'satisfaction' | 'complaints' | 'availability' | 'requests'> & {
  satisfaction?: SatisfactionFigures | null;
  complaints?: MonthFigures['complaints'];
  availability?: AvailabilityFigures;
  requests?: MonthFigures['requests'];
};
type StoredReport = Omit<ServiceReportData, 'current' | 'previous' | 'availabilityTargetPercent'> & { current: StoredFigures; previous: StoredFigures; availabilityTargetPercent?: number | null };

const satisfactionText = (figures: StoredFigures) => (figures.satisfaction ? (figures.satisfaction.averageScore === null ? 'no responses' : `${figures.satisfaction.averageScore} / 5 (${figures.satisfaction.responses})`) : 'not recorded');
const availabilityText = (figures: StoredFigures) => (figures.availability ? (figures.availability.availabilityPercent === null ? 'no service hours' : `${figures.availability.availabilityPercent} %`) : 'not recorded');
const availabilityTarget = (report: StoredReport) => (report.availabilityTargetPercent == null ? 'none agreed' : `${report.availabilityTargetPercent} %`);
const complaintsText = (figures: StoredFigures) => (figures.complaints ? `${figures.complaints.received} (${figures.complaints.escalated} escalated)` : 'not recorded');

/** `3 (66.7 % on time)`; a month with none of the item shows a dash. */
const requestsText = (figures: RequestFigures | null | undefined) => (figures === undefined ? 'not recorded' : figures === null ? '–' : `${figures.fulfilled} (${figures.onTimePercent === null ? '–' : `${figures.onTimePercent} %`} on time)`);

function reportPage(report: StoredReport): string {
  const pct = (value: number | null) => (value === null ? '–' : `${value} %`);
  const series = [report.previousMonth, report.month];
  const rows: [string, string, string][] = [
    ['Incidents', String(report.previous.incidents), String(report.current.incidents)],
    ['Response SLA met', pct(report.previous.responseSlaPercent), pct(report.current.responseSlaPercent)],
    ['Resolution SLA met', pct(report.previous.resolutionSlaPercent), pct(report.current.resolutionSlaPercent)],
    ['Changes implemented', String(report.previous.changes), String(report.current.changes)],
    ['Change success', pct(report.previous.changeSuccessPercent), pct(report.current.changeSuccessPercent)],
    ['Availability', availabilityText(report.previous), availabilityText(report.current)],
    ['Availability target', availabilityTarget(report), availabilityTarget(report)],
    ['Customer satisfaction', satisfactionText(report.previous), satisfactionText(report.current)],
    ['Satisfied (4–5)', pct(report.previous.satisfaction?.satisfiedPercent ?? null), pct(report.current.satisfaction?.satisfiedPercent ?? null)],
    ['Complaints received', complaintsText(report.previous), complaintsText(report.current)],
    ['Requests fulfilled', requestsText(report.previous.requests), requestsText(report.current.requests)],
    ...[...new Set([...Object.keys(report.previous.requests?.byItem ?? {}), ...Object.keys(report.current.requests?.byItem ?? {})])]
      .sort()
      .map((item): [string, string, string] => [`· ${item}`, requestsText(report.previous.requests?.byItem[item] ?? null), requestsText(report.current.requests?.byItem[item] ?? null)]),
  ];
  const sla = barChart({
    title: `SLA met against the ${report.targetPercent} % target`,
    series,
    groups: [
      { label: 'Response', values: [report.previous.responseSlaPercent, report.current.responseSlaPercent] },
      { label: 'Resolution', values: [report.previous.resolutionSlaPercent, report.current.resolutionSlaPercent] },
    ],
    max: 100,
    unit: ' %',
    target: report.targetPercent,
  });
  const satisfaction = barChart({
    title: 'Customer satisfaction (average score, 1–5)',
    series,
    groups: [{ label: 'Average score', values: [report.previous.satisfaction?.averageScore ?? null, report.current.satisfaction?.averageScore ?? null] }],
    max: 5,
  });
  const priorities = ['P1', 'P2', 'P3', 'P4'];
  const incidents = barChart({
    title: 'Incidents by priority',
    series,
    groups: priorities.map((p) => ({ label: p, values: [report.previous.byPriority[p] ?? 0, report.current.byPriority[p] ?? 0] })),
    max: Math.max(1, ...priorities.flatMap((p) => [report.previous.byPriority[p] ?? 0, report.current.byPriority[p] ?? 0])),
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(`${report.service.name}: ${report.month}`)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.3rem .8rem;text-align:right}th:first-child,td:first-child{text-align:left}figure{display:inline-block;margin:1rem 1rem 0 0}figcaption{font-weight:600}</style></head>
<body><h1>${escapeHtml(report.service.name)} (${escapeHtml(report.service.code)}): ${escapeHtml(report.month)}</h1><p>Target: ${report.targetPercent} % of incidents within their response and resolution SLA; availability ${escapeHtml(availabilityTarget(report))} of the agreed service hours, planned downtime left out. Months are calendar months in UTC, the same for every reader.</p>
<table><tr><th></th><th>${escapeHtml(report.previousMonth)}</th><th>${escapeHtml(report.month)}</th></tr>${rows.map(([label, before, now]) => `<tr><td>${escapeHtml(label)}</td><td>${escapeHtml(before)}</td><td>${escapeHtml(now)}</td></tr>`).join('')}</table>
${report.uncoveredCalendars?.length ? `<p role="alert"><strong>${escapeHtml(uncoveredNote(report.uncoveredCalendars, Number(report.month.slice(0, 4))))}</strong></p>` : ''}
${sla}${incidents}${satisfaction}</body></html>`;
}

/** Monthly service reports, as records and as pages with charts. */
export function serviceReportRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const find = (id: string) => foundOr404(deps.prisma.serviceReport.findUnique({ where: { id } }), `service report ${id}`);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/service-reports',
    summary: 'Monthly service reports, newest first',
    tags: ['reports'],
    roles: STAFF,
    query: ListQuery,
    responses: { 200: { description: 'Reports', schema: z.object({ items: z.array(z.object({ id: z.uuid(), serviceId: z.uuid(), month: z.string(), data: z.unknown() })) }) } },
    async handler({ query }) {
      const rows = await deps.prisma.serviceReport.findMany({ where: { serviceId: query.serviceId }, orderBy: { periodStart: 'desc' }, take: query.limit });
      return { status: 200, body: { items: rows.map((r) => ({ id: r.id, serviceId: r.serviceId, month: r.periodStart.toISOString().slice(0, 7), data: r.data })) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/service-reports/:id/report.html',
    summary: 'A service report as a page: targets vs achieved, this month vs the last, with charts',
    tags: ['reports'],
    roles: STAFF,
    params: IdParams,
    responses: { 200: { description: 'The page' }, 404: { description: 'No such report' } },
    async handler({ params, res }) {
      const report = await find(params.id);
      res.status(200).type('html').send(reportPage(report.data as unknown as StoredReport));
      return { status: 200, body: null };
    },
  });
}
