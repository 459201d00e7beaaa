import { requestOpeningState, requestTaskId, requestWorkflowId, type RequestOpened } from '../domain/request';
import type { Db } from '../prisma/database';

// A request's row, written by the API when it starts the workflow and by the workflow's first activity,
// whichever comes first.

/** The request's row and its tasks, written by the API and the workflow alike: inserts that skip what exists. */
export async function writeRequestRecord(db: Db, opened: RequestOpened) {
  const at = new Date(opened.openedAt);
  await db.$transaction([
    db.serviceRequest.createMany({
      skipDuplicates: true,
      data: {
        id: opened.requestId,
        number: opened.number,
        workflowId: requestWorkflowId(opened.requestId),
        itemId: opened.itemId,
        itemVersion: opened.itemVersion,
        requesterId: opened.requesterId,
        approverIds: opened.approval.approverIds,
        answers: opened.answers,
        revokesEntitlementId: opened.revokes?.entitlementId,
        state: requestOpeningState(opened),
        createdAt: at,
      },
    }),
    db.requestTask.createMany({
      skipDuplicates: true,
      data: opened.fulfilment.tasks.map((task, position) => ({ id: requestTaskId(opened.requestId, position), requestId: opened.requestId, position, name: task.name, groupId: task.groupId, state: 'waiting' })),
    }),
    db.requestEvent.createMany({
      skipDuplicates: true,
      data: { id: `${opened.requestId}:0:submitted`, requestId: opened.requestId, type: 'submitted', actorId: opened.requesterId, at, toState: 'approval', data: { item: opened.itemCode, version: opened.itemVersion } },
    }),
  ]);
}

export async function nextRequestNumber(db: Db): Promise<number> {
  const [{ number }] = await db.$queryRaw<{ number: number }[]>`SELECT nextval(pg_get_serial_sequence('"ServiceRequest"', 'number'))::int AS number`;
  return number;
}

