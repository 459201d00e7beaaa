export { incidentLifecycle } from './incident';
export { changeApproval } from './change';
