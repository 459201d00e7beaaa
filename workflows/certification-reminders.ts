import { proxyActivities } from '@temporalio/workflow';
import type { CompetenceActivities } from '../activities/competence';

const { sendCertificationReminders } = proxyActivities<CompetenceActivities>({ startToCloseTimeout: '5 minutes', retry: { maximumInterval: '1 minute' } });

/** Run daily by its Schedule: certifications that end within 30 days are told to their holders, once. */
export async function certificationReminders(): Promise<{ expiring: number; sent: number }> {
  return sendCertificationReminders({ at: new Date(Date.now()).toISOString() });
}
