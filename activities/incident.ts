import { incidentWorkflowId, type IncidentOpened } from '../domain/incident';
import type { Db } from '../prisma/database';

export interface IncidentActivityDeps {
  prisma: Db;
}

export function createIncidentActivities({ prisma }: IncidentActivityDeps) {
  return {
    /**
     * Writes the 'opened' audit event. The row is normally already there (the API inserts it in the same
     * transaction that starts this workflow); the upsert recreates it from the workflow input if it is not.
     */
    async recordIncidentOpened(opened: IncidentOpened): Promise<void> {
      const openedAt = new Date(opened.openedAt);
      await prisma.$transaction([
        prisma.incident.upsert({
          where: { id: opened.incidentId },
          update: {},
          create: {
            id: opened.incidentId,
            number: opened.number,
            workflowId: incidentWorkflowId(opened.incidentId),
            title: opened.title,
            description: opened.description,
            impact: opened.impact,
            urgency: opened.urgency,
            priority: opened.priority,
            serviceId: opened.serviceId,
            requesterId: opened.requesterId,
            createdAt: openedAt,
          },
        }),
        prisma.incidentEvent.upsert({
          where: { eventKey: `${opened.incidentId}:opened` },
          update: {},
          create: {
            eventKey: `${opened.incidentId}:opened`,
            incidentId: opened.incidentId,
            type: 'opened',
            actorId: opened.requesterId,
            at: openedAt,
            toState: 'new',
            visibility: 'public',
            data: { priority: opened.priority, impact: opened.impact, urgency: opened.urgency },
          },
        }),
      ]);
    },
  };
}

export type IncidentActivities = ReturnType<typeof createIncidentActivities>;
