export { incidentLifecycle } from './incident';
