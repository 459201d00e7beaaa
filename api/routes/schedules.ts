import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import type { Router } from 'express';
import { z } from 'zod';
import { DEFAULT_SCHEDULE_PREFIX, SCHEDULE_NAMES, scheduleId, type ScheduleName } from '../../temporal-config/schedules';
import { MANAGERS, STAFF } from '../auth';
import type { ApiDeps } from '../deps';
import { httpErrors } from '../problem-details';
import { defineRoute } from '../route';

const NameParams = z.strictObject({ name: z.enum(SCHEDULE_NAMES) });
const NoteBody = z.strictObject({ note: z.string().trim().min(3, 'say why, in at least 3 characters').max(500) });

const ScheduleSchema = z
  .object({
    name: z.enum(SCHEDULE_NAMES),
    scheduleId: z.string(),
    workflowType: z.string(),
    description: z.string().nullable(),
    paused: z.boolean(),
    note: z.string().nullable(),
    overlap: z.string(),
    nextRuns: z.array(z.string()).openapi({ description: 'the next (up to 3) times it will run' }),
    lastRun: z.object({ scheduledAt: z.string(), workflowId: z.string() }).nullable(),
  })
  .openapi('Schedule');

function scheduleView(name: ScheduleName, description: ScheduleDescription) {
  const last = description.info.recentActions.at(-1);
  return {
    name,
    scheduleId: description.scheduleId,
    workflowType: description.action.workflowType,
    description: (description.memo?.description as string | undefined) ?? null,
    paused: description.state.paused,
    note: description.state.note ?? null,
    overlap: String(description.policies.overlap),
    nextRuns: description.info.nextActionTimes.slice(0, 3).map((at) => at.toISOString()),
    lastRun: last ? { scheduledAt: last.scheduledAt.toISOString(), workflowId: last.action.workflow.workflowId } : null,
  };
}

/** The Temporal Schedules of this deployment: what runs when, and a manager's hand on them (also possible in the Temporal UI). */
export function scheduleRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const prefix = deps.schedulePrefix ?? DEFAULT_SCHEDULE_PREFIX;
  const handle = (name: ScheduleName) => deps.temporal.schedule.getHandle(scheduleId(prefix, name));
  async function describe(name: ScheduleName) {
    try {
      return await handle(name).describe();
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) throw httpErrors.notFound(`schedule ${scheduleId(prefix, name)} is not registered; the worker registers it when it starts`);
      throw error;
    }
  }

  defineRoute(router, registry, {
    method: 'get',
    path: '/api/schedules',
    summary: 'The recurring work (Temporal Schedules): what it runs, whether it is paused, its next runs and its last',
    tags: ['schedules'],
    roles: STAFF,
    responses: { 200: { description: 'Schedules', schema: z.object({ items: z.array(ScheduleSchema) }) } },
    async handler() {
      const items = [];
      for (const name of SCHEDULE_NAMES) {
        const description = await describe(name).catch(() => null);
        if (description) items.push(scheduleView(name, description));
      }
      return { status: 200, body: { items } };
    },
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/api/schedules/:name/trigger',
    summary: 'Run a schedule now (its overlap policy still applies)',
    tags: ['schedules'],
    roles: MANAGERS,
    params: NameParams,
    body: z.strictObject({}),
    responses: { 202: { description: 'Triggered', schema: ScheduleSchema }, 404: { description: 'Not registered' } },
    async handler({ params }) {
      await describe(params.name);
      await handle(params.name).trigger();
      return { status: 202, body: scheduleView(params.name, await describe(params.name)) };
    },
  });

  for (const verb of ['pause', 'unpause'] as const) {
    defineRoute(router, registry, {
      method: 'post',
      path: `/api/schedules/:name/${verb}`,
      summary: verb === 'pause' ? 'Pause a schedule, saying why (shown in the Temporal UI too)' : 'Resume a paused schedule',
      tags: ['schedules'],
      roles: MANAGERS,
      params: NameParams,
      body: NoteBody,
      responses: { 200: { description: 'The schedule now', schema: ScheduleSchema }, 404: { description: 'Not registered' } },
      async handler({ params, body }) {
        await describe(params.name);
        await handle(params.name)[verb](body.note);
        return { status: 200, body: scheduleView(params.name, await describe(params.name)) };
      },
    });
  }
}
