import type { z } from 'zod';
import { assetAlerts, type CiType } from '../domain/cmdb';
import { isoOrNull } from '../domain/instants';
import type { Db } from '../prisma/database';
import { Prisma, type ConfigurationItem } from '../prisma/generated/client';
import { issuesFromZod, httpErrors } from './problem-details';
import { CI_ATTRIBUTE_SCHEMAS, type CreateCiBody, type UpdateCiBody } from './schemas/ci';


export function ciView(ci: ConfigurationItem, now = Date.now()) {
  return {
    id: ci.id,
    code: ci.code,
    name: ci.name,
    type: ci.type,
    status: ci.status,
    description: ci.description,
    ownerId: ci.ownerId,
    serviceId: ci.serviceId,
    attributes: ci.attributes as Record<string, unknown>,
    purchasedAt: isoOrNull(ci.purchasedAt),
    purchaseCost: ci.purchaseCost === null ? null : Number(ci.purchaseCost),
    warrantyEndsAt: isoOrNull(ci.warrantyEndsAt),
    licenceSeats: ci.licenceSeats,
    seatsInUse: ci.seatsInUse,
    alerts: assetAlerts(ci, now),
    createdAt: ci.createdAt.toISOString(),
    updatedAt: ci.updatedAt.toISOString(),
  };
}

/** The attributes as the type's schema has them, or a 400 naming each wrong attribute (`attributes.cpus`). */
function validAttributes(type: CiType, attributes: Record<string, unknown>) {
  const result = CI_ATTRIBUTE_SCHEMAS[type].safeParse(attributes);
  if (result.success) return result.data as Prisma.InputJsonObject;
  throw httpErrors.validation(issuesFromZod('body', result.error).map((issue) => ({ ...issue, field: issue.field === '(root)' ? 'attributes' : `attributes.${issue.field}` })));
}

async function checkReferences(prisma: Db, refs: { ownerId?: string | null; serviceId?: string | null; changeId?: string }) {
  const [owner, service, change] = await Promise.all([
    refs.ownerId ? prisma.user.findUnique({ where: { id: refs.ownerId } }) : true,
    refs.serviceId ? prisma.service.findUnique({ where: { id: refs.serviceId } }) : true,
    refs.changeId ? prisma.changeRequest.findUnique({ where: { id: refs.changeId } }) : true,
  ]);
  const unknown = (field: string, what: string) => httpErrors.validation([{ location: 'body', field, message: `no ${what} ${refs[field as keyof typeof refs]}`, code: 'unknown_reference' }]);
  if (!owner) throw unknown('ownerId', 'user');
  if (!service) throw unknown('serviceId', 'service');
  if (!change) throw unknown('changeId', 'change');
}

const asDate = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : new Date(value));

export async function createCi(prisma: Db, body: z.infer<typeof CreateCiBody>, actorId: string) {
  const { changeId, attributes, purchasedAt, warrantyEndsAt, ...fields } = body;
  const data = { ...fields, attributes: validAttributes(body.type, attributes), purchasedAt: asDate(purchasedAt), warrantyEndsAt: asDate(warrantyEndsAt) };
  await checkReferences(prisma, { ownerId: body.ownerId, serviceId: body.serviceId, changeId });
  if (await prisma.configurationItem.findUnique({ where: { code: body.code } })) throw httpErrors.conflict(`a configuration item with code ${body.code} already exists`);
  if (body.serviceId && (await prisma.configurationItem.findUnique({ where: { serviceId: body.serviceId } }))) {
    throw httpErrors.conflict(`service ${body.serviceId} already has a configuration item`);
  }
  return prisma.configurationItem.create({
    data: { ...data, history: { create: { kind: 'created', actorId, changeRequestId: changeId, diff: { ...data, purchaseCost: body.purchaseCost ?? null } as Prisma.InputJsonObject } } },
  });
}

const comparable = (value: unknown) => (value instanceof Date ? value.toISOString() : Prisma.Decimal.isDecimal(value) ? Number(value) : value);

/** Applies the edit and records what moved ({field: {from, to}}), who did it and under which change, together. */
export async function updateCi(prisma: Db, ci: ConfigurationItem, body: z.infer<typeof UpdateCiBody>, actorId: string) {
  const { changeId, attributes, purchasedAt, warrantyEndsAt, ...fields } = body;
  await checkReferences(prisma, { ownerId: body.ownerId, changeId });
  const next: Record<string, unknown> = {
    ...fields,
    ...(attributes === undefined ? {} : { attributes: validAttributes(ci.type, attributes) }),
    purchasedAt: asDate(purchasedAt),
    warrantyEndsAt: asDate(warrantyEndsAt),
  };
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, value] of Object.entries(next)) {
    if (value === undefined) continue;
    const from = comparable(ci[field as keyof ConfigurationItem]);
    const to = comparable(value);
    if (JSON.stringify(from) !== JSON.stringify(to)) diff[field] = { from, to };
  }
  if (Object.keys(diff).length === 0) return ci;
  const data = Object.fromEntries(Object.keys(diff).map((field) => [field, next[field]]));
  const [updated] = await prisma.$transaction([
    prisma.configurationItem.update({ where: { id: ci.id }, data }),
    prisma.ciHistory.create({ data: { ciId: ci.id, kind: 'updated', actorId, changeRequestId: changeId, diff: diff as Prisma.InputJsonObject } }),
  ]);
  return updated;
}
