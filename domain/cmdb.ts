// Configuration items and what depends on what (ISO/IEC 20000-1 clause 8.2.6).

export const CI_TYPES = ['service', 'application', 'server', 'database', 'network_device', 'workstation', 'storage', 'licence', 'other'] as const;
export type CiType = (typeof CI_TYPES)[number];

export const CI_STATUSES = ['planned', 'active', 'maintenance', 'retired'] as const;
export type CiStatus = (typeof CI_STATUSES)[number];

export const RELATIONSHIP_TYPES = ['depends_on', 'runs_on', 'connected_to', 'part_of'] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

/** How many relationships impact analysis follows at most: past that, everything is connected to everything. */
export const MAX_IMPACT_DEPTH = 10;

export function ciReference(code: string): string {
  return `CI:${code}`;
}

export interface AssetFacts {
  warrantyEndsAt: Date | null;
  licenceSeats: number | null;
  seatsInUse: number | null;
  status: CiStatus;
}

export interface AssetAlert {
  kind: 'licence-overused' | 'warranty-ending' | 'warranty-expired';
  message: string;
}

export const WARRANTY_NOTICE_DAYS = 30;

/** What an asset manager must act on: more seats in use than bought, or a warranty ending within 30 days. */
export function assetAlerts(asset: AssetFacts, now: number): AssetAlert[] {
  if (asset.status === 'retired') return [];
  const alerts: AssetAlert[] = [];
  if (asset.licenceSeats !== null && asset.seatsInUse !== null && asset.seatsInUse > asset.licenceSeats) {
    alerts.push({ kind: 'licence-overused', message: `${asset.seatsInUse} seats in use, ${asset.licenceSeats} licensed (${asset.seatsInUse - asset.licenceSeats} over)` });
  }
  if (asset.warrantyEndsAt) {
    const days = Math.ceil((asset.warrantyEndsAt.getTime() - now) / 86_400_000);
    if (days < 0) alerts.push({ kind: 'warranty-expired', message: `warranty ended on ${asset.warrantyEndsAt.toISOString().slice(0, 10)}` });
    else if (days <= WARRANTY_NOTICE_DAYS) alerts.push({ kind: 'warranty-ending', message: `warranty ends on ${asset.warrantyEndsAt.toISOString().slice(0, 10)} (in ${days} days)` });
  }
  return alerts;
}
