import type { CatalogItem, Prisma } from '../prisma/generated/client';

type VersionWriter = Pick<Prisma.TransactionClient, 'catalogItemVersion'>;

/** What a version keeps: everything that shapes a request's form, approvals, tasks and clocks. */
export function catalogItemSettings(item: CatalogItem): Prisma.InputJsonObject {
  const { name, description, kind, ciId, accessRole, form, approval, fulfilment, calendarId, responseTargetSeconds, fulfilmentTargetSeconds, autoCloseAfterSeconds } = item;
  return { name, description, kind, ciId, accessRole, form, approval, fulfilment, calendarId, responseTargetSeconds, fulfilmentTargetSeconds, autoCloseAfterSeconds } as Prisma.InputJsonObject;
}

/** Keeps the item as it now stands as its current version, with who changed it and why. */
export function recordCatalogItemVersion(db: VersionWriter, item: CatalogItem, changedById: string | null, reason: string) {
  return db.catalogItemVersion.create({ data: { itemId: item.id, version: item.version, settings: catalogItemSettings(item), changedById, reason } });
}
