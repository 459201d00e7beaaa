import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import { RISK_LEVELS } from '../../domain/change';
import { CI_TYPES } from '../../domain/cmdb';
import type { ApprovalBoard, ApprovalBoardMember, StandardChangeTemplate } from '../../prisma/generated/client';
import { EVERYONE, MANAGERS } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors, type FieldIssue } from '../problem-details';
import { defineRoute } from '../route';
import { BoardBody, BoardCodeParams, TemplateBody, TemplateIdParams, TemplateScopeBody } from '../schemas/change';
import { CHANGE_STAFF } from './changes';

function boardView(board: ApprovalBoard & { members: ApprovalBoardMember[] }) {
  const { secondLevelBoard, secondLevelCostAbove, secondLevelRiskAtLeast, updatedAt, members, ...rest } = board;
  return {
    ...rest,
    memberIds: members.map((m) => m.userId),
    secondLevel: secondLevelBoard ? { board: secondLevelBoard, costAbove: secondLevelCostAbove === null ? null : Number(secondLevelCostAbove), riskAtLeast: secondLevelRiskAtLeast } : null,
    updatedAt: updatedAt.toISOString(),
  };
}

const TEMPLATE_SERVICES = { services: { select: { serviceId: true } } } as const;
const templateView = ({ services, ...t }: StandardChangeTemplate & { services: { serviceId: string }[] }) => ({
  ...t,
  serviceIds: services.map((s) => s.serviceId),
  maxCost: Number(t.maxCost),
  createdAt: t.createdAt.toISOString(),
});

/** Every service a template names must exist: a 400 naming `serviceIds.N` otherwise. */
async function checkTemplateServices(deps: ApiDeps, serviceIds: string[]) {
  const found = await deps.prisma.service.findMany({ where: { id: { in: serviceIds } }, select: { id: true } });
  const issues: FieldIssue[] = [];
  serviceIds.forEach((id, i) => found.some((s) => s.id === id) || issues.push({ location: 'body', field: `serviceIds.${i}`, message: `no service ${id}`, code: 'unknown_reference' }));
  if (issues.length > 0) throw httpErrors.validation(issues);
}
const serviceRows = (serviceIds: string[]) => [...new Set(serviceIds)].map((serviceId) => ({ serviceId }));

/** Approval boards (CAB, ECAB, second level) and the standard-change templates that are pre-approved. */
export function changeBoardRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const Board = z.object({ code: z.string(), name: z.string(), memberIds: z.array(z.uuid()) }).passthrough();
  const Template = z
    .object({ id: z.uuid(), name: z.string(), maxCost: z.number(), maxDurationMinutes: z.number().int(), serviceIds: z.array(z.uuid()), ciTypes: z.array(z.enum(CI_TYPES)), maxRisk: z.enum(RISK_LEVELS) })
    .passthrough();

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/approval-boards',
    summary: 'The approval boards, their members, quorum rules and deadlines',
    tags: ['changes'],
    roles: CHANGE_STAFF,
    responses: { 200: { description: 'Boards', schema: z.object({ items: z.array(Board) }) } },
    async handler() {
      const boards = await deps.prisma.approvalBoard.findMany({ include: { members: true }, orderBy: { code: 'asc' } });
      return { status: 200, body: { items: boards.map(boardView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: '/api/approval-boards/:code',
    summary: 'Create or replace a board (changes already in approval keep the rules they were assessed with)',
    tags: ['changes'],
    roles: MANAGERS,
    params: BoardCodeParams,
    body: BoardBody,
    responses: { 200: { description: 'The board', schema: Board } },
    async handler({ params, body }) {
      const issues: FieldIssue[] = [];
      const people = [...new Set([...body.memberIds, ...(body.chairId ? [body.chairId] : [])])];
      const found = await deps.prisma.user.findMany({ where: { id: { in: people } }, select: { id: true } });
      body.memberIds.forEach((id, i) => found.some((u) => u.id === id) || issues.push({ location: 'body', field: `memberIds.${i}`, message: `no user ${id}`, code: 'unknown_reference' }));
      if (body.chairId && !found.some((u) => u.id === body.chairId)) issues.push({ location: 'body', field: 'chairId', message: `no user ${body.chairId}`, code: 'unknown_reference' });
      if (!(await deps.prisma.businessCalendar.findUnique({ where: { id: body.calendarId } }))) issues.push({ location: 'body', field: 'calendarId', message: `no calendar ${body.calendarId}`, code: 'unknown_reference' });
      if (issues.length > 0) throw httpErrors.validation(issues);
      const { memberIds, secondLevel, ...fields } = body;
      const columns = { ...fields, quorum: fields.quorum, secondLevelBoard: secondLevel?.board ?? null, secondLevelCostAbove: secondLevel?.costAbove ?? null, secondLevelRiskAtLeast: secondLevel?.riskAtLeast ?? null };
      const board = await deps.prisma.$transaction(async (tx) => {
        const row = await tx.approvalBoard.upsert({ where: { code: params.code }, update: columns, create: { code: params.code, ...columns } });
        await tx.approvalBoardMember.deleteMany({ where: { boardId: row.id } });
        await tx.approvalBoardMember.createMany({ data: memberIds.map((userId) => ({ boardId: row.id, userId })) });
        return tx.approvalBoard.findUniqueOrThrow({ where: { id: row.id }, include: { members: true } });
      });
      return { status: 200, body: boardView(board) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/change-templates',
    summary: 'Standard-change templates (pre-approved work)',
    tags: ['changes'],
    roles: EVERYONE,
    responses: { 200: { description: 'Templates', schema: z.object({ items: z.array(Template) }) } },
    async handler() {
      const templates = await deps.prisma.standardChangeTemplate.findMany({ where: { active: true }, orderBy: { name: 'asc' }, include: TEMPLATE_SERVICES });
      return { status: 200, body: { items: templates.map(templateView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/change-templates',
    summary: 'Add a standard-change template',
    tags: ['changes'],
    roles: MANAGERS,
    body: TemplateBody,
    responses: { 201: { description: 'Created', schema: Template }, 409: { description: 'A template of that name exists' } },
    async handler({ body }) {
      const { serviceIds, ...fields } = body;
      await checkTemplateServices(deps, serviceIds);
      if (await deps.prisma.standardChangeTemplate.findUnique({ where: { name: body.name } })) throw httpErrors.conflict(`a template named "${body.name}" exists`);
      const template = await deps.prisma.standardChangeTemplate.create({ data: { ...fields, services: { create: serviceRows(serviceIds) } }, include: TEMPLATE_SERVICES });
      return { status: 201, body: templateView(template) };
    },
  });

  defineRoute(router, registry, {
    method: 'put',
    path: '/api/change-templates/:id/scope',
    summary: "Replace what a template covers: its services, CI types and highest risk (drafts are held to the new scope when submitted; changes already assessed keep theirs)",
    tags: ['changes'],
    roles: MANAGERS,
    params: TemplateIdParams,
    body: TemplateScopeBody,
    responses: { 200: { description: 'The template', schema: Template }, 404: { description: 'No such template' } },
    async handler({ params, body }) {
      const { serviceIds, ...fields } = body;
      await foundOr404(deps.prisma.standardChangeTemplate.findUnique({ where: { id: params.id } }), `standard-change template ${params.id}`);
      await checkTemplateServices(deps, serviceIds);
      const template = await deps.prisma.standardChangeTemplate.update({
        where: { id: params.id },
        data: { ...fields, services: { deleteMany: {}, create: serviceRows(serviceIds) } },
        include: TEMPLATE_SERVICES,
      });
      return { status: 200, body: templateView(template) };
    },
  });
}
