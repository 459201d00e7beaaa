import { proxyActivities } from '@temporalio/workflow';
import type { GovernanceMailActivities } from '../activities/governance-mail';

/** The one mail sender the governance processes share (audit, corrective action, continuity, competence). */
export const { sendGovernanceMail } = proxyActivities<GovernanceMailActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });
