import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { changeReference } from '../../domain/change';
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
import { EVERYONE, hasAnyRole, MANAGERS, STAFF, type Principal } from '../auth';
import { sendChangeUpdate } from '../change-updates';
import type { ApiDeps } from '../deps';
import { httpErrors } from '../problem-details';
import { recordActions } from '../record-action';
import { ApproveBody, CancelBody, ChangeIdParams, ChangeStatusSchema, CompleteBody, EmptyBody, FailBody, RejectBody, ReviewBody, ScheduleBody } from '../schemas/change';
import { findVisibleChange } from './changes';

type Change = Awaited<ReturnType<typeof findVisibleChange>>;

/** Segregation of duties, answered before the workflow is asked: nobody approves or rejects their own change. */
function refuseOwnChange(change: Change, principal: Principal) {
  if (change.requesterId === principal.id) throw httpErrors.forbidden(`change ${changeReference(change.number)} cannot be decided by its requester (segregation of duties)`);
}

/** Whether a change goes forward or is withdrawn is its requester's call, or a manager's; a reader's role is not enough. */
function refuseUnlessRequesterOrManager(change: Change, principal: Principal, verb: string) {
  if (change.requesterId !== principal.id && !hasAnyRole(principal, MANAGERS)) throw httpErrors.forbidden(`only the requester of change ${changeReference(change.number)} or a manager can ${verb} it`);
}

export function changeActionRoutes(router: Router, registry: OpenAPIRegistry, deps: ApiDeps) {
  const action = recordActions<Change, ChangeStatus>(router, registry, {
    path: '/api/changes',
    tag: 'changes',
    noun: 'change',
    params: ChangeIdParams,
    status: ChangeStatusSchema,
    find: (id, principal) => findVisibleChange(deps, id, principal),
  });
  const send = sendChangeUpdate.bind(null, deps);

  action({
    verb: 'submit',
    summary: 'Submit a draft for assessment and approval (its requester or a manager)',
    roles: EVERYONE,
    body: EmptyBody,
    run({ record: change, principal }) {
      refuseUnlessRequesterOrManager(change, principal, 'submit');
      return send(change, submitChangeUpdate, { actorId: principal.id });
    },
  });

  for (const decision of ['approve', 'reject'] as const) {
    action({
      verb: decision,
      summary:
        decision === 'approve'
          ? 'Approve at the current approval level (board members only; never your own change)'
          : 'Reject with a reason (ends the stage at once when the quorum can no longer be met)',
      roles: EVERYONE,
      body: decision === 'approve' ? ApproveBody : RejectBody,
      run({ record: change, body, principal }) {
        refuseOwnChange(change, principal);
        return send(change, decideChangeUpdate, { actorId: principal.id, decision, comment: body.comment, via: 'api', level: body.level });
      },
    });
  }

  action({
    verb: 'schedule',
    summary: 'Schedule an approved change (its planned window by default); conflicts block it unless a manager overrides with a reason',
    roles: STAFF,
    body: ScheduleBody,
    run({ record: change, body, principal }) {
      const mayOverride = hasAnyRole(principal, MANAGERS);
      if (body.overrideReason && !mayOverride) throw httpErrors.forbidden('only a manager can override scheduling conflicts');
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
    run: ({ record: change, principal }) => send(change, startChangeUpdate, { actorId: principal.id }),
  });

  action({
    verb: 'complete',
    summary: 'Record a successful implementation (the post-implementation review becomes due)',
    roles: STAFF,
    body: CompleteBody,
    run: ({ record: change, body, principal }) => send(change, completeChangeUpdate, { actorId: principal.id, notes: body.notes }),
  });

  action({
    verb: 'fail',
    summary: 'Record a failed implementation and its back-out',
    roles: STAFF,
    body: FailBody,
    run: ({ record: change, body, principal }) => send(change, failChangeUpdate, { actorId: principal.id, reason: body.reason, backoutPerformed: body.backoutPerformed, backoutNotes: body.backoutNotes }),
  });

  action({
    verb: 'review',
    summary: 'Record the post-implementation review (closes the change, or ends it as failed)',
    roles: MANAGERS,
    body: ReviewBody,
    run: ({ record: change, body, principal }) => send(change, reviewChangeUpdate, { actorId: principal.id, summary: body.summary, lessons: body.lessons }),
  });

  action({
    verb: 'cancel',
    summary: 'Cancel before implementation (the requester or a manager)',
    roles: EVERYONE,
    body: CancelBody,
    run({ record: change, body, principal }) {
      refuseUnlessRequesterOrManager(change, principal, 'cancel');
      return send(change, cancelChangeUpdate, { actorId: principal.id, reason: body.reason });
    },
  });
}
