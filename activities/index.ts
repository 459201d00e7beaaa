import { createAssetAlertActivities } from './asset-alerts';
import { createAuditActivities } from './audit';
import { createCalendarActivities, type CalendarActivityDeps } from './calendars';
import { createGovernanceMailActivities } from './governance-mail';
import { createCompetenceActivities } from './competence';
import { createComplaintActivities } from './complaint';
import { createRequestActivities } from './request';
import { createAccessReviewActivities } from './access-review';
import { createContinuityActivities } from './continuity';
import { createServiceReportActivities } from './service-reports';
import { createChangeActivities, type ChangeActivityDeps } from './change';
import { createIncidentActivities, type IncidentActivityDeps } from './incident';
import { createOutageActivities } from './outage';
import { createProblemActivities, type ProblemActivityDeps } from './problem';
import { createReleaseActivities, type ReleaseActivityDeps } from './release';
import { createSatisfactionActivities } from './satisfaction';
import { createSupplierActivities } from './supplier-review';
import { createTrendActivities, type TrendActivityDeps } from './trend';

export type ActivityDeps = IncidentActivityDeps & ChangeActivityDeps & ProblemActivityDeps & TrendActivityDeps & ReleaseActivityDeps & CalendarActivityDeps;

/** Every activity the `itsm` task queue serves, bound to real dependencies. */
export function createActivities(deps: ActivityDeps) {
  return { ...createIncidentActivities(deps), ...createChangeActivities(deps), ...createProblemActivities(deps), ...createTrendActivities(deps), ...createAssetAlertActivities(deps), ...createReleaseActivities(deps), ...createSupplierActivities(deps), ...createAuditActivities(deps), ...createGovernanceMailActivities(deps), ...createServiceReportActivities(deps), ...createContinuityActivities(deps), ...createCompetenceActivities(deps), ...createSatisfactionActivities(deps), ...createComplaintActivities(deps), ...createOutageActivities(deps), ...createCalendarActivities(deps), ...createRequestActivities(deps), ...createAccessReviewActivities(deps) };
}

/** What the mail task queue (`<queue>-mail`) serves: incident notifications, apart from the record writes. */
export function createMailActivities(deps: ActivityDeps) {
  const { sendIncidentNotification } = createIncidentActivities(deps);
  return { sendIncidentNotification };
}
