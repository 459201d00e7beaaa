import { assessRisk, type RiskAnswers, type RiskAssessment } from '../domain/change';
import type { Db } from '../prisma/database';
import { impactOf } from './ci-impact';

/** How many relationships away a change's CIs can still take something down, for its risk. */
const CHANGE_IMPACT_DEPTH = 5;

/**
 * A change's risk: its questionnaire, and how far it reaches: the services it names plus those its CIs' failure
 * would take down (the CMDB's downstream impact), and the CIs it touches plus their dependants. The assessment
 * records it; the intake shows it in the workflow's summary before the assessment has run.
 */
export async function changeRisk(prisma: Db, answers: RiskAnswers, serviceIds: string[], ciIds: string[]): Promise<RiskAssessment> {
  if (ciIds.length === 0) return assessRisk(answers, { services: serviceIds.length, cis: 0 });
  const impact = await impactOf(prisma, ciIds, CHANGE_IMPACT_DEPTH);
  const services = new Set([...serviceIds, ...impact.downstream.services.map((s) => s!.id)]);
  return assessRisk(answers, { services: services.size, cis: ciIds.length + impact.downstream.cis.length });
}
