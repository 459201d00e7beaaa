import { proxyActivities } from '@temporalio/workflow';
import type { AssetAlertActivities } from '../activities/asset-alerts';

const { sendAssetAlerts } = proxyActivities<AssetAlertActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** The daily asset check (run by a Temporal Schedule): owners hear of over-used licences and ending warranties. */
export async function assetAlertCheck(): Promise<{ alerts: number; sent: number }> {
  return sendAssetAlerts({ at: new Date(Date.now()).toISOString() });
}
