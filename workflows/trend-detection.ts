import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { TrendActivities, TrendFinding } from '../activities/trend';

const { detectTrends } = proxyActivities<TrendActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export interface TrendDetectionInput {
  /** The end of the window; by default the moment the run starts (its schedule's firing time). */
  windowEnd?: string;
}

/**
 * Incident trend analysis (ISO/IEC 20000-1 clause 8.6.3), run by a Temporal Schedule: every run looks back over
 * each rule's window and opens or updates the problems its trends call for. Its result lists what it found, so
 * the run history in the Temporal UI is the analysis log.
 */
export async function trendDetection(input: TrendDetectionInput = {}): Promise<TrendFinding[]> {
  const windowEnd = input.windowEnd ?? new Date(Date.now()).toISOString();
  return detectTrends({ windowEnd, taskQueue: workflowInfo().taskQueue });
}
