import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { auditorConflicts } from '../../activities/audit';
import { escapeHtml } from '../../records/mail/change-mail';
import { formatInstant, type Reader } from '../../records/mail/reader-time';
import type { Audit } from '../../prisma/generated/client';
import { assignAuditorUpdate, finishFieldworkUpdate, recordFindingUpdate, signOffAuditUpdate, type AuditStatus } from '../../workflows/annual-audit.messages';
import { completeActionUpdate } from '../../workflows/corrective-action.messages';
import { EVERYONE, hasAnyRole, MANAGERS, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { httpErrors } from '../problem-details';
import { recordActions } from '../record-action';
import { defineRoute } from '../route';
import { recordUpdater } from '../workflow-updates';
import { workflowLink } from '../workflow-links';

const AUDIT_READERS = [...STAFF, 'auditor' as const];
const IdParams = z.strictObject({ id: z.uuid('must be an id (UUID)') });
const AuditStatusSchema = z
  .object({ auditId: z.uuid().nullable(), state: z.string(), auditorId: z.uuid().nullable(), findings: z.number().int(), reviewDueAt: z.string().nullable(), escalated: z.boolean() })
  .openapi('AuditStatus');
const FindingBody = z
  .strictObject({
    clause: z.string().trim().regex(/^\d+(\.\d+)*$/, 'a clause number such as 8.5.1'),
    title: z.string().trim().min(3).max(200),
    severity: z.enum(['observation', 'minor', 'major']),
    description: z.string().trim().max(10_000).default(''),
    ownerId: z.uuid('must be a user id (UUID)'),
    dueInSeconds: z.number().int().min(1).max(365 * 86_400),
  })
  .openapi('AuditFinding');

async function auditReport(deps: ApiDeps, audit: Audit) {
  const [findings, services] = await Promise.all([
    deps.prisma.auditFinding.findMany({ where: { auditId: audit.id }, include: { action: true }, orderBy: { createdAt: 'asc' } }),
    deps.prisma.auditService.findMany({ where: { auditId: audit.id }, include: { service: { select: { code: true } } } }),
  ]);
  return {
    id: audit.id,
    state: audit.state,
    workflow: workflowLink(deps, audit.workflowId),
    periodStart: audit.periodStart.toISOString(),
    periodEnd: audit.periodEnd.toISOString(),
    services: services.map((s) => s.service.code).sort(),
    auditorId: audit.auditorId,
    evidence: audit.evidence as Record<string, Record<string, unknown>>,
    findings: findings.map((f) => ({ clause: f.clause, title: f.title, severity: f.severity, description: f.description, action: f.action && { id: f.action.id, workflow: workflowLink(deps, f.action.workflowId), ownerId: f.action.ownerId, dueAt: f.action.dueAt.toISOString(), state: f.action.state, escalated: f.action.escalated } })),
    reviewDueAt: audit.reviewDueAt?.toISOString() ?? null,
    signedOffById: audit.signedOffById,
    signedOffAt: audit.signedOffAt?.toISOString() ?? null,
  };
}

/** The printable report, in English, with its instants in the time zone of whoever asked for it. */
function reportHtml(report: Awaited<ReturnType<typeof auditReport>>, reader: Reader): string {
  const cell = (value: unknown) => escapeHtml(typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '–'));
  const at = (instant: string) => formatInstant(instant, reader);
  const evidence = Object.entries(report.evidence ?? {})
    .map(([clause, facts]) => `<h3>${escapeHtml(clause)}</h3><table>${Object.entries(facts).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${cell(v)}</td></tr>`).join('')}</table>`)
    .join('');
  const findings = report.findings.length
    ? `<table><tr><th>Clause</th><th>Finding</th><th>Severity</th><th>Corrective action</th></tr>${report.findings.map((f) => `<tr><td>${cell(f.clause)}</td><td>${cell(f.title)}</td><td>${cell(f.severity)}</td><td>${cell(f.action ? `${f.action.state}, due ${at(f.action.dueAt)}` : '')}</td></tr>`).join('')}</table>`
    : '<p>No findings.</p>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Internal audit to ${cell(at(report.periodEnd))}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;margin-bottom:1rem}th,td{border:1px solid #bbb;padding:.3rem .6rem;text-align:left}@media print{body{margin:0}}</style></head>
<body><h1>Internal audit of the service management system</h1><p>Period ${cell(at(report.periodStart))} – ${cell(at(report.periodEnd))}; services ${cell(report.services.join(', '))}; state ${cell(report.state)}; signed off ${cell(report.signedOffAt ? at(report.signedOffAt) : 'not yet')}.</p>
<h2>Evidence per clause</h2>${evidence}<h2>Findings</h2>${findings}</body></html>`;
}

/** The yearly internal audit (run by its Schedule) and the corrective actions its findings raise. */
export function auditRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const { prisma } = deps;
  const findAudit = async (id: string) => {
    const audit = await prisma.audit.findUnique({ where: { id } });
    if (!audit) throw httpErrors.notFound(`no audit ${id}`);
    return audit;
  };
  const send = recordUpdater(deps.temporal, 'audit', (id) => prisma.audit.findUnique({ where: { id }, select: { state: true } }));
  const sendToAction = recordUpdater(deps.temporal, 'corrective action', (id) => prisma.correctiveAction.findUnique({ where: { id }, select: { state: true } }));

  for (const format of ['json', 'html'] as const) {
    defineRoute(router, registry, {
      method: 'get',
      path: format === 'json' ? '/api/audits/:id' : '/api/audits/:id/report.html',
      summary: format === 'json' ? 'One audit: its evidence per clause, findings and corrective actions, and sign-off' : 'The audit report as a printable HTML page',
      tags: ['audits'],
      roles: AUDIT_READERS,
      params: IdParams,
      responses: { 200: { description: 'The audit' }, 404: { description: 'No such audit' } },
      async handler({ params, principal, res }) {
        const report = await auditReport(deps, await findAudit(params.id));
        if (format === 'json') return { status: 200, body: report };
        const { timeZone } = await prisma.user.findUniqueOrThrow({ where: { id: principal.id }, select: { timeZone: true } });
        res.status(200).type('html').send(reportHtml(report, { locale: 'en', timeZone }));
        return { status: 200, body: null };
      },
    });
  }

  const action = recordActions<Audit, AuditStatus>(router, registry, { path: '/api/audits', tag: 'audits', noun: 'audit', params: IdParams, status: AuditStatusSchema, find: findAudit });

  action({
    verb: 'auditor',
    summary: 'Assign the auditor; refused (409 with the reasons) for anyone involved in the audited services in the period',
    roles: MANAGERS,
    body: z.strictObject({ auditorId: z.uuid('must be a user id (UUID)') }),
    async run({ record, body, principal }) {
      if (!(await prisma.user.findUnique({ where: { id: body.auditorId } }))) throw httpErrors.validation([{ location: 'body', field: 'auditorId', message: `no user ${body.auditorId}`, code: 'unknown_reference' }]);
      const reasons = await auditorConflicts(prisma, record.id, body.auditorId);
      if (reasons.length > 0) throw httpErrors.conflict(`the auditor is not independent of the audited services: ${reasons.join('; ')}`, { currentState: record.state, reasons });
      return send(record, assignAuditorUpdate, { actorId: principal.id, auditorId: body.auditorId });
    },
  });

  action({ verb: 'findings', summary: 'Record a finding (the assigned auditor); it becomes a corrective action with an owner and a due date', roles: EVERYONE, body: FindingBody, run: ({ record, body, principal }) => send(record, recordFindingUpdate, { actorId: principal.id, ...body }) });
  action({ verb: 'finish-fieldwork', summary: 'End the fieldwork (the assigned auditor): the report goes to the management review', roles: EVERYONE, body: z.strictObject({}), run: ({ record, principal }) => send(record, finishFieldworkUpdate, { actorId: principal.id }) });
  action({ verb: 'sign-off', summary: 'Sign off the management review (a manager, not the auditor)', roles: MANAGERS, body: z.strictObject({}), run: ({ record, principal }) => send(record, signOffAuditUpdate, { actorId: principal.id, isManager: hasAnyRole(principal, MANAGERS) }) });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/corrective-actions/:id/complete',
    summary: 'Record a corrective action done (its owner or a manager)',
    tags: ['audits'],
    roles: EVERYONE,
    params: IdParams,
    body: z.strictObject({ notes: z.string().trim().min(3, 'say what was done').max(10_000) }),
    responses: { 200: { description: 'Done', schema: z.object({ state: z.string(), dueAt: z.string(), escalated: z.boolean() }) }, 404: { description: 'No such corrective action' } },
    async handler({ params, body, principal }) {
      const action = await prisma.correctiveAction.findUnique({ where: { id: params.id } });
      if (!action) throw httpErrors.notFound(`no corrective action ${params.id}`);
      const status = await sendToAction(action, completeActionUpdate, { actorId: principal.id, mayComplete: hasAnyRole(principal, MANAGERS), notes: body.notes });
      return { status: 200, body: status };
    },
  });
}
