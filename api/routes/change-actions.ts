import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import type { z } from 'zod';
import { changeReference } from '../../domain/change';
import type { Role } from '../../prisma/generated/client';
import {
  cancelChangeUpdate,
  completeChangeUpdate,
  decideChangeUpdate,
  failChangeUpdate,
  reviewChangeUpdate,
  scheduleChangeUpdate,
  startChangeUpdate,
  submitChangeUpdate,
  type ChangeStatus,
} from '../../workflows/change.messages';
import { EVERYONE, hasAnyRole, STAFF, type Principal } from '../auth';
import { sendChangeUpdate } from '../change-updates';
import type { ApiDeps } from '../deps';
import { problems } from '../problem';
import { defineRoute } from '../route';
import { ApproveBody, CancelBody, ChangeIdParams, ChangeStatusSchema, CompleteBody, EmptyBody, FailBody, RejectBody, ReviewBody, ScheduleBody } from '../schemas/change';
import { findVisibleChange } from './changes';

type Change = Awaited<ReturnType<typeof findVisibleChange>>;
const MANAGERS: Role[] = ['manager', 'admin'];

interface ActionSpec<B extends z.ZodType> {
  verb: string;
  summary: string;
  roles: Role[];
  body: B;
  run(input: { change: Change; body: z.infer<B>; principal: Principal }): Promise<ChangeStatus>;
}

/** Segregation of duties, answered before the workflow is asked: nobody approves or rejects their own change. */
function refuseOwnChange(change: Change, principal: Principal) {
  if (change.requesterId === principal.id) throw problems.forbidden(`change ${changeReference(change.number)} cannot be decided by its requester (segregation of duties)`);
}

export function changeActionRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  function action<B extends z.ZodType>(spec: ActionSpec<B>) {
    defineRoute(router, registry, {
      method: 'post',
      path: `/api/changes/:id/${spec.verb}`,
      summary: spec.summary,
      tags: ['changes'],
      roles: spec.roles,
      params: ChangeIdParams,
      body: spec.body,
      responses: {
        200: { description: 'The change status after the action', schema: ChangeStatusSchema },
        404: { description: 'No such change (or not yours)' },
        409: { description: 'Not allowed in the current state (currentState in the body; conflicts for schedule)' },
      },
      async handler({ params, body, principal }) {
        const change = await findVisibleChange(deps, params.id, principal);
        return { status: 200, body: await spec.run({ change, body: body as z.infer<B>, principal }) };
      },
    });
  }
  const send = sendChangeUpdate.bind(null, deps);

  action({
    verb: 'submit',
    summary: 'Submit a draft for assessment and approval',
    roles: EVERYONE,
    body: EmptyBody,
    run: ({ change, principal }) => send(change, submitChangeUpdate, { actorId: principal.id }),
  });

  action({
    verb: 'approve',
    summary: 'Approve at the current approval level (board members only; never your own change)',
    roles: EVERYONE,
    body: ApproveBody,
    run({ change, body, principal }) {
      refuseOwnChange(change, principal);
      return send(change, decideChangeUpdate, { actorId: principal.id, decision: 'approve', comment: body.comment, via: 'api' });
    },
  });

  action({
    verb: 'reject',
    summary: 'Reject with a reason (ends the stage at once when the quorum can no longer be met)',
    roles: EVERYONE,
    body: RejectBody,
    run({ change, body, principal }) {
      refuseOwnChange(change, principal);
      return send(change, decideChangeUpdate, { actorId: principal.id, decision: 'reject', comment: body.comment, via: 'api' });
    },
  });

  action({
    verb: 'schedule',
    summary: 'Schedule an approved change (its planned window by default); conflicts block it unless a manager overrides with a reason',
    roles: STAFF,
    body: ScheduleBody,
    run({ change, body, principal }) {
      const mayOverride = hasAnyRole(principal, MANAGERS);
      if (body.overrideReason && !mayOverride) throw problems.forbidden('only a manager can override scheduling conflicts');
      return send(change, scheduleChangeUpdate, {
        actorId: principal.id,
        start: new Date(body.plannedStart ?? change.plannedStart).toISOString(),
        end: new Date(body.plannedEnd ?? change.plannedEnd).toISOString(),
        overrideReason: body.overrideReason ?? null,
        mayOverride,
      });
    },
  });

  action({
    verb: 'start',
    summary: 'Start implementing (inside the scheduled window, with the cost approved)',
    roles: STAFF,
    body: EmptyBody,
    run: ({ change, principal }) => send(change, startChangeUpdate, { actorId: principal.id }),
  });

  action({
    verb: 'complete',
    summary: 'Record a successful implementation (the post-implementation review becomes due)',
    roles: STAFF,
    body: CompleteBody,
    run: ({ change, body, principal }) => send(change, completeChangeUpdate, { actorId: principal.id, notes: body.notes }),
  });

  action({
    verb: 'fail',
    summary: 'Record a failed implementation and its back-out',
    roles: STAFF,
    body: FailBody,
    run: ({ change, body, principal }) => send(change, failChangeUpdate, { actorId: principal.id, reason: body.reason, backoutPerformed: body.backoutPerformed, backoutNotes: body.backoutNotes }),
  });

  action({
    verb: 'review',
    summary: 'Record the post-implementation review (closes the change, or ends it as failed)',
    roles: MANAGERS,
    body: ReviewBody,
    run: ({ change, body, principal }) => send(change, reviewChangeUpdate, { actorId: principal.id, summary: body.summary, lessons: body.lessons }),
  });

  action({
    verb: 'cancel',
    summary: 'Cancel before implementation (the requester or a manager)',
    roles: EVERYONE,
    body: CancelBody,
    run({ change, body, principal }) {
      if (change.requesterId !== principal.id && !hasAnyRole(principal, MANAGERS)) throw problems.forbidden('only the requester or a manager can cancel a change');
      return send(change, cancelChangeUpdate, { actorId: principal.id, reason: body.reason });
    },
  });
}
