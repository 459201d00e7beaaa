export { incidentLifecycle } from './incident';
export { changeApproval } from './change';
export { problemRootCause } from './problem';
export { trendDetection } from './trend-detection';
export { assetAlertCheck } from './asset-alerts';
