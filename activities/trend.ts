import { randomUUID } from 'node:crypto';
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Priority } from '../domain/priority';
import { problemReference, problemWorkflowId, trendKey, type ProblemOpened, type TrendDimension } from '../domain/problem';
import { problemStartDetails, problemSummary, type ProblemNames } from '../domain/problem-metadata';
import { recordApiUrl } from '../api/workflow-links';
import type { Db } from '../prisma/database';
import type { Problem, TrendRule } from '../prisma/generated/client';
import { ItsmKind, ItsmPriority, ItsmState } from '../temporal-config/search-attributes';
import { incidentsLinkedSignal } from '../workflows/problem.messages';
import { nextProblemNumber, writeProblemRecord } from '../records/problems';

export interface TrendActivityDeps {
  prisma: Db;
  temporal: Client;
  /** The API's public address: a problem's workflow details link to its record there. */
  publicUrl: string;
}

export interface TrendFinding {
  trendKey: string;
  label: string;
  incidents: number;
  problem: string;
  opened: boolean;
}

interface Group {
  key: string;
  ids: string[];
  priorities: Priority[];
}

const asProblemOpened = (p: Problem, incidentIds: string[]): ProblemOpened => ({
  problemId: p.id,
  number: p.number,
  title: p.title,
  description: p.description,
  priority: p.priority,
  source: p.source as ProblemOpened['source'],
  trendKey: p.trendKey,
  serviceId: p.serviceId,
  ciId: p.ciId,
  category: p.category,
  ownerId: p.ownerId,
  incidentIds,
  openedAt: p.createdAt.toISOString(),
});

export function createTrendActivities({ prisma, temporal, publicUrl }: TrendActivityDeps) {
  /**
   * Incidents of the window grouped on the rule's dimension, where a group has reached the threshold. An incident
   * already counted by a closed problem of the same trend does not count again.
   */
  async function groups(rule: TrendRule, from: Date, to: Date): Promise<Group[]> {
    const dimension = rule.dimension as TrendDimension;
    return prisma.$queryRaw<Group[]>`
      SELECT k.key, array_agg(DISTINCT k.id ORDER BY k.id) AS ids, array_agg(k.priority::text) AS priorities
        FROM (
          SELECT i.id, i.priority,
                 CASE ${dimension} WHEN 'service' THEN i."serviceId"::text WHEN 'category' THEN i.category ELSE ic."ciId"::text END AS key
            FROM "Incident" i
            LEFT JOIN "IncidentCi" ic ON ${dimension} = 'ci' AND ic."incidentId" = i.id
           WHERE i."createdAt" > ${from} AND i."createdAt" <= ${to}
        ) AS k
       WHERE k.key IS NOT NULL
         AND NOT EXISTS (
           SELECT 1 FROM "ProblemIncident" pi JOIN "Problem" p ON p.id = pi."problemId"
            WHERE pi."incidentId" = k.id AND p.state = 'closed' AND p."trendKey" = ${dimension} || ':' || k.key)
       GROUP BY k.key
      HAVING count(DISTINCT k.id) >= ${rule.threshold}
       ORDER BY k.key`;
  }

  async function describe(dimension: TrendDimension, key: string) {
    if (dimension === 'ci') {
      const ci = await prisma.configurationItem.findUniqueOrThrow({ where: { id: key } });
      return { label: `${ci.name} (${ci.code})`, refs: { ciId: ci.id, serviceId: ci.serviceId, category: null } };
    }
    if (dimension === 'service') {
      const service = await prisma.service.findUniqueOrThrow({ where: { id: key } });
      return { label: service.name, refs: { ciId: null, serviceId: service.id, category: null } };
    }
    return { label: `category "${key}"`, refs: { ciId: null, serviceId: null, category: key } };
  }

  /**
   * The open problem of a trend, or a new one, with the group's incidents linked, in one transaction under a
   * lock on the trend: two runs can never open two problems for one trend.
   */
  async function problemFor(dimension: TrendDimension, group: Group, windowText: string) {
    const key = trendKey(dimension, group.key);
    const { label, refs } = await describe(dimension, group.key);
    return prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`itsm:trend:${key}`}))`;
      const open = await tx.problem.findFirst({ where: { trendKey: key, state: { not: 'closed' } } });
      if (open) {
        await tx.problemIncident.createMany({ data: group.ids.map((incidentId) => ({ problemId: open.id, incidentId, linkedBy: 'trend' })), skipDuplicates: true });
        return { opened: asProblemOpened(open, group.ids), created: false, label };
      }
      const opened: ProblemOpened = {
        problemId: randomUUID(),
        number: await nextProblemNumber(tx),
        title: `Recurring incidents on ${label}`,
        description: `Trend detection found ${group.ids.length} incidents on ${label} in ${windowText}.`,
        priority: [...group.priorities].sort()[0],
        source: 'trend',
        trendKey: key,
        ...refs,
        ownerId: null,
        incidentIds: group.ids,
        openedAt: new Date().toISOString(),
      };
      await writeProblemRecord(tx, opened, 'trend');
      return { opened, created: true, label };
    });
  }

  return {
    /**
     * Runs every enabled rule over the window ending at `windowEnd`, opening a problem per trend that has none
     * open and linking the trend's incidents to it. The problem's workflow is started, or signalled with the
     * incidents when it runs already, in one call: a retry after a crash reaches the same end.
     */
    async detectTrends({ windowEnd, taskQueue }: { windowEnd: string; taskQueue: string }): Promise<TrendFinding[]> {
      const rules = await prisma.trendRule.findMany({ where: { enabled: true }, orderBy: { dimension: 'asc' } });
      const to = new Date(windowEnd);
      const findings: TrendFinding[] = [];
      for (const rule of rules) {
        const dimension = rule.dimension as TrendDimension;
        const from = new Date(to.getTime() - rule.windowSeconds * 1000);
        for (const group of await groups(rule, from, to)) {
          const { opened, created, label } = await problemFor(dimension, group, `the ${rule.windowSeconds / 3600} h up to ${windowEnd}`);
          const names: ProblemNames = dimension === 'ci' ? { ci: label } : dimension === 'service' ? { service: label } : {};
          await temporal.workflow.signalWithStart('problemRootCause', {
            workflowId: problemWorkflowId(opened.problemId),
            taskQueue,
            args: [opened],
            signal: incidentsLinkedSignal,
            signalArgs: [{ incidentIds: group.ids }],
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            // Used only when this call starts the workflow; a running problem keeps what it started with.
            staticSummary: problemSummary(opened),
            staticDetails: problemStartDetails(opened, recordApiUrl({ publicUrl }, `/api/problems/${opened.problemId}`), names),
            typedSearchAttributes: [
              { key: ItsmKind, value: 'problem' },
              { key: ItsmState, value: 'new' },
              { key: ItsmPriority, value: opened.priority },
            ],
          });
          findings.push({ trendKey: opened.trendKey!, label, incidents: group.ids.length, problem: problemReference(opened.number), opened: created });
        }
      }
      return findings;
    },
  };
}

export type TrendActivities = ReturnType<typeof createTrendActivities>;
