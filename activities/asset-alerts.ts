import { assetAlerts, ciReference, type AssetAlert } from '../domain/cmdb';
import type { Db } from '../prisma/database';
import type { ConfigurationItem } from '../prisma/generated/client';
import type { Mailer } from '../records/mail/mailer';
import { deliverOnce } from '../records/mail/deliveries';

export interface AssetAlertDeps {
  prisma: Db;
  mailer: Mailer;
  publicUrl: string;
}

/** CIs with something an asset manager must act on now (warranties within 30 days, over-used licences). */
export async function cisWithAlerts(prisma: Db, now: number): Promise<ConfigurationItem[]> {
  const candidates = await prisma.configurationItem.findMany({
    where: { status: { not: 'retired' }, OR: [{ warrantyEndsAt: { lt: new Date(now + 31 * 86_400_000) } }, { seatsInUse: { not: null }, licenceSeats: { not: null } }] },
    orderBy: { code: 'asc' },
  });
  return candidates.filter((ci) => assetAlerts(ci, now).length > 0);
}

/** The same situation keeps one key: a warranty by its end date, an over-use by its seat counts. */
function alertKey(ci: ConfigurationItem, alert: AssetAlert): string {
  const situation = alert.kind === 'licence-overused' ? `${ci.seatsInUse}of${ci.licenceSeats}` : ci.warrantyEndsAt!.toISOString().slice(0, 10);
  return `asset-alert:${ci.id}:${alert.kind}:${situation}`;
}

const SUBJECTS: Record<AssetAlert['kind'], { en: string; zh: string }> = {
  'licence-overused': { en: 'licence over-used', zh: '许可证超额使用' },
  'warranty-ending': { en: 'warranty ending', zh: '保修即将到期' },
  'warranty-expired': { en: 'warranty ended', zh: '保修已到期' },
};

export function createAssetAlertActivities({ prisma, mailer, publicUrl }: AssetAlertDeps) {
  return {
    /** Mails each alert to the CI's owner once per situation: a daily run repeats nothing already said. */
    async sendAssetAlerts({ at }: { at: string }): Promise<{ alerts: number; sent: number }> {
      const now = Date.parse(at);
      const cis = await cisWithAlerts(prisma, now);
      const owners = await prisma.user.findMany({ where: { id: { in: cis.map((ci) => ci.ownerId).filter((id): id is string => id !== null) } } });
      let alerts = 0;
      let sent = 0;
      for (const ci of cis) {
        const owner = owners.find((u) => u.id === ci.ownerId);
        for (const alert of assetAlerts(ci, now)) {
          alerts++;
          if (!owner) continue;
          const subject = SUBJECTS[alert.kind][owner.locale === 'zh-CN' ? 'zh' : 'en'];
          const outcome = await deliverOnce(prisma, mailer, {
            idempotencyKey: `${alertKey(ci, alert)}:${owner.email}`,
            recipient: owner,
            kind: 'asset-alert',
            subject: `[${ciReference(ci.code)}] ${subject}: ${ci.name}`,
            text: `${ci.name} (${ci.code}): ${alert.message}.\n\n${publicUrl}/api/cis/${ci.id}\n`,
            headers: { 'X-Itsm-Ci': ci.code, 'X-Itsm-Ci-Id': ci.id, 'X-Itsm-Alert': alert.kind },
          });
          if (outcome === 'sent') sent++;
        }
      }
      return { alerts, sent };
    },
  };
}

export type AssetAlertActivities = ReturnType<typeof createAssetAlertActivities>;
