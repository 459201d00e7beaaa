import { problemWorkflowId, type ProblemOpened } from '../domain/problem';
import type { Db } from '../prisma/database';
import type { Prisma } from '../prisma/generated/client';

/**
 * The problem as its workflow input has it, with its first incident links and 'opened' event. Whoever opens a
 * problem (the API, trend detection) writes it, and the workflow's first activity writes it again: the second
 * write changes nothing. The writes can run at once, so they insert and skip what exists rather than upsert.
 */
export async function writeProblemRecord(db: Db | Prisma.TransactionClient, opened: ProblemOpened, linkedBy: string) {
  const createdAt = new Date(opened.openedAt);
  await db.problem.createMany({
    skipDuplicates: true,
    data: {
      id: opened.problemId,
      number: opened.number,
      workflowId: problemWorkflowId(opened.problemId),
      title: opened.title,
      description: opened.description,
      priority: opened.priority,
      source: opened.source,
      trendKey: opened.trendKey,
      serviceId: opened.serviceId,
      ciId: opened.ciId,
      category: opened.category,
      ownerId: opened.ownerId,
      createdAt,
    },
  });
  await db.problemIncident.createMany({ data: opened.incidentIds.map((incidentId) => ({ problemId: opened.problemId, incidentId, linkedBy, linkedAt: createdAt })), skipDuplicates: true });
  await db.problemEvent.createMany({
    skipDuplicates: true,
    data: { eventKey: `${opened.problemId}:opened`, problemId: opened.problemId, type: 'opened', at: createdAt, toState: 'new', data: { source: opened.source, trendKey: opened.trendKey, incidents: opened.incidentIds.length } },
  });
}

/** The next problem number, taken before the workflow starts so its input is the whole record. */
export async function nextProblemNumber(db: Db | Prisma.TransactionClient): Promise<number> {
  const [{ number }] = await db.$queryRaw<{ number: number }[]>`SELECT nextval(pg_get_serial_sequence('"Problem"', 'number'))::int AS number`;
  return number;
}
