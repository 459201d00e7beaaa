import { complaintReference } from '../domain/complaint';
import { incidentReference, OPEN_STATES } from '../domain/incident';
import { isoOrNull } from '../domain/instants';
import { problemReference, OPEN_PROBLEM_STATES } from '../domain/problem';
import type { Db } from '../prisma/database';

// What "open" means per record, from each process's states: an incident until it is resolved, a problem until
// resolved, a complaint until closed, a review, action or test until done, assessed or tested.

/**
 * Everything a person is still expected to act on or answer for. A deactivated person's work is listed for a
 * manager to hand over rather than moved automatically: who takes an incident or a review is a judgement.
 * Records without a reference of their own are named by their workflow id, as the Temporal UI shows them.
 */
export async function openWorkOf(prisma: Db, userId: string) {
  const [incidents, ownedProblems, complaints, competenceReviews, correctiveActions, continuityTests, supplierReviews, groupsLed, servicesOwned] = await Promise.all([
    prisma.incident.findMany({ where: { assigneeId: userId, state: { in: [...OPEN_STATES] } }, orderBy: { number: 'asc' } }),
    prisma.problem.findMany({ where: { ownerId: userId, state: { in: [...OPEN_PROBLEM_STATES] } }, orderBy: { number: 'asc' } }),
    prisma.complaint.findMany({ where: { handlerId: userId, state: { not: 'closed' } }, orderBy: { number: 'asc' } }),
    prisma.competenceReview.findMany({ where: { userId, state: { not: 'done' } }, orderBy: { dueAt: 'asc' } }),
    prisma.correctiveAction.findMany({ where: { ownerId: userId, state: 'open' }, orderBy: { dueAt: 'asc' } }),
    prisma.continuityTest.findMany({ where: { plan: { ownerId: userId }, state: 'due' }, include: { plan: true }, orderBy: { dueAt: 'asc' } }),
    prisma.supplierReview.findMany({ where: { contract: { ownerId: userId }, state: { not: 'assessed' } }, include: { contract: true }, orderBy: { createdAt: 'asc' } }),
    prisma.group.findMany({ where: { leadId: userId, deactivatedAt: null }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
    prisma.service.findMany({ where: { ownerId: userId, retiredAt: null }, select: { id: true, code: true, name: true }, orderBy: { code: 'asc' } }),
  ]);
  return {
    incidents: incidents.map((i) => ({ id: i.id, reference: incidentReference(i.number), title: i.title, state: i.state, dueAt: isoOrNull(i.resolutionDueAt) })),
    problems: ownedProblems.map((p) => ({ id: p.id, reference: problemReference(p.number), title: p.title, state: p.state, dueAt: isoOrNull(p.rcaDueAt) })),
    complaints: complaints.map((c) => ({ id: c.id, reference: complaintReference(c.number), title: c.subject, state: c.state, dueAt: isoOrNull(c.dueAt) })),
    competenceReviews: competenceReviews.map((r) => ({ id: r.id, reference: r.workflowId, title: `competence review ${r.year}`, state: r.state, dueAt: isoOrNull(r.dueAt) })),
    correctiveActions: correctiveActions.map((a) => ({ id: a.id, reference: a.workflowId, title: a.title, state: a.state, dueAt: isoOrNull(a.dueAt) })),
    continuityTests: continuityTests.map((t) => ({ id: t.id, reference: t.workflowId, title: t.plan.title, state: t.state, dueAt: isoOrNull(t.dueAt) })),
    supplierReviews: supplierReviews.map((r) => ({ id: r.id, reference: r.workflowId, title: `${r.contract.reference} ${r.contract.title}`, state: r.state, dueAt: isoOrNull(r.dueAt) })),
    groupsLed,
    servicesOwned,
  };
}
