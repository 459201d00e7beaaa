import { proxyActivities } from '@temporalio/workflow';
import type { ServiceReportActivities } from '../activities/service-reports';

const { compileServiceReports } = proxyActivities<ServiceReportActivities>({ startToCloseTimeout: '10 minutes', retry: { maximumInterval: '1 minute' } });

/** Run monthly by its Schedule: every service's report for the month just ended, kept and mailed to its owner. */
export async function monthlyServiceReports(): Promise<{ reports: string[] }> {
  return compileServiceReports({ at: new Date(Date.now()).toISOString() });
}
