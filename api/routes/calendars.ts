import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { Duration } from 'luxon';
import { z } from 'zod';
import { calendarFromRecord } from '../../records/calendars';
import { addBusinessTime, businessTimeBetween, calendarProblems } from '../../domain/calendar';
import { isKnownHolidayPreset } from '../../domain/holiday-presets';
import type { BusinessCalendar } from '../../prisma/generated/client';
import { EVERYONE } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors, type FieldIssue } from '../problem-details';
import { defineRoute } from '../route';
import { BetweenQuery, CalendarBody, CalendarIdParams, CalendarSchema, DueQuery } from '../schemas/calendar';

const calendarView = ({ id, name, timeZone, weekly, alwaysOpen, holidays, holidayPresets, extraWorkingDays }: BusinessCalendar) => ({
  id,
  name,
  timeZone,
  weekly: weekly as Record<string, [string, string][]>,
  alwaysOpen,
  holidays,
  holidayPresets,
  extraWorkingDays,
});

export function calendarRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const load = (id: string) => foundOr404(deps.prisma.businessCalendar.findUnique({ where: { id } }), `calendar ${id}`);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/calendars',
    summary: 'Business calendars',
    tags: ['calendars'],
    roles: EVERYONE,
    responses: { 200: { description: 'Calendars', schema: z.object({ items: z.array(CalendarSchema) }) } },
    async handler() {
      return { status: 200, body: { items: (await deps.prisma.businessCalendar.findMany({ orderBy: { name: 'asc' } })).map(calendarView) } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/calendars/:id',
    summary: 'One business calendar',
    tags: ['calendars'],
    roles: EVERYONE,
    params: CalendarIdParams,
    responses: { 200: { description: 'The calendar', schema: CalendarSchema }, 404: { description: 'No such calendar' } },
    async handler({ params }) {
      return { status: 200, body: calendarView(await load(params.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/calendars',
    summary: 'Create a business calendar (working intervals per weekday, holidays, presets, make-up working days)',
    tags: ['calendars'],
    roles: ['manager', 'admin'],
    body: CalendarBody,
    responses: { 201: { description: 'Created', schema: CalendarSchema }, 409: { description: 'A calendar of that name exists' } },
    async handler({ body, res }) {
      const issues: FieldIssue[] = calendarProblems({ ...body, weekly: body.weekly as never }).map((p) => ({ location: 'body', field: p.field, message: p.message, code: 'invalid_calendar' }));
      body.holidayPresets.forEach((code, i) => {
        if (!isKnownHolidayPreset(code)) issues.push({ location: 'body', field: `holidayPresets.${i}`, message: `unknown holiday preset "${code}"`, code: 'invalid_calendar' });
      });
      if (issues.length) throw httpErrors.validation(issues);
      if (await deps.prisma.businessCalendar.findUnique({ where: { name: body.name } })) throw httpErrors.conflict(`a calendar named "${body.name}" exists`);
      const created = await deps.prisma.businessCalendar.create({ data: body });
      res.location(`/api/calendars/${created.id}`);
      return { status: 201, body: calendarView(created) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/calendars/:id/due',
    summary: 'Preview: the instant at which a business-time duration from `from` runs out',
    tags: ['calendars'],
    roles: EVERYONE,
    params: CalendarIdParams,
    query: DueQuery,
    responses: { 200: { description: 'The due instant', schema: z.object({ due: z.iso.datetime() }) } },
    async handler({ params, query }) {
      const duration = Duration.fromISO(query.duration);
      if (!duration.isValid || duration.as('seconds') < 0) {
        throw httpErrors.validation([{ location: 'query', field: 'duration', message: 'must be an ISO 8601 duration such as PT8H or P2DT4H', code: 'invalid_duration' }]);
      }
      const from = Date.parse(query.from);
      const calendar = calendarFromRecord(await load(params.id), from);
      return { status: 200, body: { due: new Date(addBusinessTime(calendar, from, duration.as('seconds'))).toISOString() } };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/calendars/:id/between',
    summary: 'Preview: the business time between two instants',
    tags: ['calendars'],
    roles: EVERYONE,
    params: CalendarIdParams,
    query: BetweenQuery,
    responses: { 200: { description: 'Business seconds', schema: z.object({ businessSeconds: z.number() }) } },
    async handler({ params, query }) {
      const from = Date.parse(query.from);
      const calendar = calendarFromRecord(await load(params.id), from);
      return { status: 200, body: { businessSeconds: Math.round(businessTimeBetween(calendar, from, Date.parse(query.to))) } };
    },
  });
}
