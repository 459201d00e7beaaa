import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { Duration } from 'luxon';
import { z } from 'zod';
import { calendarCoverage, calendarFromRecord } from '../../records/calendars';
import { applySourceDays, dayChanges, feedOrigin, refreshCalendarSources } from '../../records/holiday-sources';
import { parseIcsDays, type SourceDays } from '../../records/ics-holidays';
import { addBusinessTime, businessTimeBetween, calendarProblems } from '../../domain/calendar';
import { isKnownHolidayPreset } from '../../domain/holiday-presets';
import type { BusinessCalendar, CalendarSource } from '../../prisma/generated/client';
import { EVERYONE } from '../auth';
import type { ApiDeps } from '../deps';
import { foundOr404, httpErrors, type FieldIssue } from '../problem-details';
import { defineRoute } from '../route';
import { BetweenQuery, CalendarBody, CalendarChangeBody, CalendarChangeSchema, CalendarIdParams, CalendarSchema, DueQuery } from '../schemas/calendar';

type StoredCalendar = BusinessCalendar & { sources: CalendarSource[] };

const calendarView = (calendar: StoredCalendar) => {
  const { coveredUntil, indefinitely } = calendarCoverage(calendar);
  return {
    id: calendar.id,
    name: calendar.name,
    timeZone: calendar.timeZone,
    weekly: calendar.weekly as Record<string, [string, string][]>,
    alwaysOpen: calendar.alwaysOpen,
    holidays: calendar.holidays,
    holidayPresets: calendar.holidayPresets,
    extraWorkingDays: calendar.extraWorkingDays,
    chineseDays: calendar.chineseDays,
    feed: calendar.feedUrl ? feedOrigin(calendar.feedUrl) : null,
    ownerId: calendar.ownerId,
    sources: calendar.sources.map((source) => ({
      kind: source.kind as 'chinese-days' | 'feed' | 'ics',
      holidays: source.holidays.length,
      workingDays: source.workingDays.length,
      refreshedAt: source.refreshedAt?.toISOString() ?? null,
      lastError: source.lastError,
      lastErrorAt: source.lastErrorAt?.toISOString() ?? null,
    })),
    coveredUntil,
    coveredIndefinitely: indefinitely,
  };
};

type Definition = Pick<BusinessCalendar, 'timeZone' | 'alwaysOpen' | 'holidays' | 'holidayPresets' | 'extraWorkingDays'> & { weekly: unknown };

/** What the calendar maths and the stored references would refuse, as 400 issues naming the field. */
async function calendarIssues(deps: ApiDeps, calendar: Definition, ownerId: string | null | undefined): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = calendarProblems({ ...calendar, weekly: calendar.weekly as never }).map((p) => ({ location: 'body', field: p.field, message: p.message, code: 'invalid_calendar' }));
  calendar.holidayPresets.forEach((code, i) => {
    if (!isKnownHolidayPreset(code)) issues.push({ location: 'body', field: `holidayPresets.${i}`, message: `unknown holiday preset "${code}"`, code: 'invalid_calendar' });
  });
  if (ownerId && !(await deps.prisma.user.findUnique({ where: { id: ownerId } }))) issues.push({ location: 'body', field: 'ownerId', message: `no user ${ownerId}`, code: 'unknown_reference' });
  return issues;
}

/** An uploaded .ics is parsed before anything is written, so a bad file is a 400 naming it and changes nothing. */
async function uploadedDays(ics: string | undefined, issues: FieldIssue[]): Promise<SourceDays | undefined> {
  if (ics === undefined) return undefined;
  try {
    return await parseIcsDays(ics, new Date().getUTCFullYear());
  } catch (error) {
    issues.push({ location: 'body', field: 'ics', message: (error as Error).message, code: 'invalid_ics' });
    return undefined;
  }
}

export function calendarRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const find = (id: string) => foundOr404(deps.prisma.businessCalendar.findUnique({ where: { id }, include: { sources: { orderBy: { kind: 'asc' } } } }), `calendar ${id}`);
  const load = (id: string) => foundOr404(deps.prisma.businessCalendar.findUnique({ where: { id } }), `calendar ${id}`);

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/calendars',
    summary: 'Business calendars, with their holiday sources and how far their holiday data reaches',
    tags: ['calendars'],
    roles: EVERYONE,
    responses: { 200: { description: 'Calendars', schema: z.object({ items: z.array(CalendarSchema) }) } },
    async handler() {
      const calendars = await deps.prisma.businessCalendar.findMany({ orderBy: { name: 'asc' }, include: { sources: { orderBy: { kind: 'asc' } } } });
      return { status: 200, body: { items: calendars.map(calendarView) } };
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
      return { status: 200, body: calendarView(await find(params.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/calendars',
    summary: 'Create a business calendar (working intervals per weekday; holidays from dates, presets, chinese-days, a feed or an .ics file; make-up working days)',
    tags: ['calendars'],
    roles: ['manager', 'admin'],
    body: CalendarBody,
    responses: { 201: { description: 'Created', schema: CalendarSchema }, 409: { description: 'A calendar of that name exists' } },
    async handler({ body, principal, res }) {
      const { ics, ...fields } = body;
      const issues = await calendarIssues(deps, body, body.ownerId);
      const uploaded = await uploadedDays(ics, issues);
      if (issues.length) throw httpErrors.validation(issues);
      if (await deps.prisma.businessCalendar.findUnique({ where: { name: body.name } })) throw httpErrors.conflict(`a calendar named "${body.name}" exists`);
      const created = await deps.prisma.businessCalendar.create({ data: { ...fields, ownerId: body.ownerId ?? principal.id } });
      const now = new Date();
      if (uploaded) await applySourceDays(deps.prisma, created.id, 'ics', uploaded, now);
      await refreshCalendarSources(deps.prisma, created, now, deps.feeds);
      res.location(`/api/calendars/${created.id}`);
      return { status: 201, body: calendarView(await find(created.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/api/calendars/:id',
    summary: "Change a calendar's holiday sources or owner; changed days go to its history and apply to deadlines computed from now on",
    tags: ['calendars'],
    roles: ['manager', 'admin'],
    params: CalendarIdParams,
    body: CalendarChangeBody,
    responses: { 200: { description: 'The calendar', schema: CalendarSchema }, 404: { description: 'No such calendar' } },
    async handler({ params, body }) {
      const { ics, ...fields } = body;
      const before = await load(params.id);
      const issues = await calendarIssues(deps, { ...before, ...fields }, fields.ownerId);
      const uploaded = await uploadedDays(ics, issues);
      if (issues.length) throw httpErrors.validation(issues);
      const now = new Date();
      const explicit = dayChanges('explicit', { holidays: before.holidays, workingDays: before.extraWorkingDays }, { holidays: fields.holidays ?? before.holidays, workingDays: fields.extraWorkingDays ?? before.extraWorkingDays });
      const updated = await deps.prisma.$transaction(async (tx) => {
        if (explicit.length) await tx.calendarChange.createMany({ data: explicit.map((change) => ({ calendarId: before.id, ...change, recordedAt: now })) });
        return tx.businessCalendar.update({ where: { id: before.id }, data: fields });
      });
      if (uploaded) await applySourceDays(deps.prisma, updated.id, 'ics', uploaded, now);
      if (before.chineseDays && !updated.chineseDays) await applySourceDays(deps.prisma, updated.id, 'chinese-days', null, now);
      if (before.feedUrl && before.feedUrl !== updated.feedUrl) await applySourceDays(deps.prisma, updated.id, 'feed', null, now);
      // Only a source this change turned on or pointed elsewhere is read now: an owner or a holiday changed is no
      // reason to fetch a feed again, and the daily refresh reads the rest.
      const turnedOn = { ...updated, chineseDays: updated.chineseDays && !before.chineseDays, feedUrl: updated.feedUrl !== before.feedUrl ? updated.feedUrl : null };
      await refreshCalendarSources(deps.prisma, turnedOn, now, deps.feeds);
      return { status: 200, body: calendarView(await find(updated.id)) };
    },
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/calendars/:id/history',
    summary: "The calendar's history: each day a source added or removed, from which source and when, newest first",
    tags: ['calendars'],
    roles: EVERYONE,
    params: CalendarIdParams,
    responses: { 200: { description: 'History', schema: z.object({ items: z.array(CalendarChangeSchema) }) }, 404: { description: 'No such calendar' } },
    async handler({ params }) {
      await load(params.id);
      const changes = await deps.prisma.calendarChange.findMany({ where: { calendarId: params.id }, orderBy: [{ recordedAt: 'desc' }, { date: 'asc' }], take: 1_000 });
      return {
        status: 200,
        body: { items: changes.map(({ source, date, dayKind, change, recordedAt }) => ({ source, date, dayKind: dayKind as 'holiday' | 'working day', change: change as 'added' | 'removed', recordedAt: recordedAt.toISOString() })) },
      };
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
