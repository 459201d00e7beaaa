import { SCHEDULE_NAMES, scheduleId } from '../../temporal-config/schedules';
import { eventually, type Harness } from './harness';

/** The full id of one of the suite's own Schedules (registered under its prefix). */
export const suiteScheduleId = (h: Harness, name: (typeof SCHEDULE_NAMES)[number]) => scheduleId(h.apiDeps.schedulePrefix!, name);

/** Triggers a Schedule now, as a manager would, and returns the id of the workflow its `run`-th action started. */
export async function triggerSchedule(h: Harness, id: string, run = 1): Promise<string> {
  const schedule = h.temporal.schedule.getHandle(id);
  await schedule.trigger();
  return eventually(async () => {
    const { info } = await schedule.describe();
    if (info.recentActions.length < run) throw new Error(`schedule ${id} has not run ${run} time(s) yet`);
    return info.recentActions[run - 1].action.workflow.workflowId;
  });
}

/** Triggers a Schedule and waits for the workflow it started to complete. */
export async function runSchedule<T = unknown>(h: Harness, id: string, run = 1): Promise<T> {
  return h.temporal.workflow.getHandle(await triggerSchedule(h, id, run)).result() as Promise<T>;
}

/** Removes the suite's Schedules, so nothing of it runs on after the suite. */
export async function deleteSuiteSchedules(h: Harness | undefined) {
  if (!h) return;
  for (const name of SCHEDULE_NAMES) await h.temporal.schedule.getHandle(suiteScheduleId(h, name)).delete().catch(() => undefined);
}
