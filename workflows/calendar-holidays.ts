import { patched, proxyActivities } from '@temporalio/workflow';
import type { CalendarActivities } from '../activities/calendars';

const { refreshCalendarSources, sendCalendarCoverageAlerts } = proxyActivities<CalendarActivities>({
  // A feed read may wait its whole timeout; one slow feed must not starve the others of retries.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/**
 * Run daily by its Schedule: holiday feeds and packages are re-read (changed days go to each calendar's history
 * and apply to deadlines computed from then on), then calendars without holidays for the coming year are reported.
 * `at` stands in for the clock of both steps, so a check can be run as of a chosen day.
 */
export async function calendarHolidayRefresh(input: { at?: string } = {}) {
  const at = input.at ?? new Date(Date.now()).toISOString();
  let refreshed: Awaited<ReturnType<typeof refreshCalendarSources>>;
  try {
    refreshed = await refreshCalendarSources({ at });
  } catch (error) {
    // The alert exists to make an owner act; a refresh that failed (the database, not one feed: a feed keeps its
    // last good days) must not keep it from going. The run still fails afterwards, so the Schedule shows it.
    if (!patched('coverage-alert-after-failed-refresh')) throw error;
    await sendCalendarCoverageAlerts({ at });
    throw error;
  }
  const coverage = await sendCalendarCoverageAlerts({ at });
  return { refreshed, coverage };
}
