import { createChangeActivities, type ChangeActivityDeps } from './change';
import { createIncidentActivities, type IncidentActivityDeps } from './incident';

export type ActivityDeps = IncidentActivityDeps & ChangeActivityDeps;

/** Every activity the `itsm` task queue serves, bound to real dependencies. */
export function createActivities(deps: ActivityDeps) {
  return { ...createIncidentActivities(deps), ...createChangeActivities(deps) };
}
