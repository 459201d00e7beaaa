export { incidentLifecycle } from './incident';
export { changeApproval } from './change';
export { problemRootCause } from './problem';
export { trendDetection } from './trend-detection';
export { assetAlertCheck } from './asset-alerts';
export { release } from './release';
export { releaseEnvironment } from './release-environment';
export { supplierReview } from './supplier-review';
