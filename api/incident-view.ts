import { incidentReference } from '../domain/incident';
import type { IntakeChannel } from '../domain/routing';
import type { Incident } from '../prisma/generated/client';

/** The API's shape of an incident record (dates as ISO instants). */
export function incidentView(incident: Incident) {
  return {
    id: incident.id,
    number: incident.number,
    reference: incidentReference(incident.number),
    title: incident.title,
    description: incident.description,
    impact: incident.impact,
    urgency: incident.urgency,
    priority: incident.priority,
    state: incident.state,
    major: incident.major,
    serviceId: incident.serviceId,
    requesterId: incident.requesterId,
    assigneeId: incident.assigneeId,
    groupId: incident.groupId,
    channel: incident.channel as IntakeChannel,
    loggedById: incident.loggedById,
    slaPolicy: incident.slaPolicyId && incident.slaPolicyVersion !== null ? { id: incident.slaPolicyId, version: incident.slaPolicyVersion } : null,
    workflowId: incident.workflowId,
    responseDueAt: incident.responseDueAt?.toISOString() ?? null,
    resolutionDueAt: incident.resolutionDueAt?.toISOString() ?? null,
    category: incident.category,
    createdAt: incident.createdAt.toISOString(),
    updatedAt: incident.updatedAt.toISOString(),
  };
}
