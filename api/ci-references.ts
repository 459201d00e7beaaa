import { z } from 'zod';
import type { Db } from '../prisma/database';
import { httpErrors } from './problem-details';

const isUuid = (value: string) => z.uuid().safeParse(value).success;

/**
 * Configuration items named by code or id, in the order given and without repeats; an unknown one is a 400
 * naming its position (e.g. `affectedCis.2`), so nothing is recorded against a CI the CMDB does not hold.
 */
export function resolveCis(prisma: Db, refs: string[], field: string) {
  return lookup(prisma, refs, (index) => `${field}.${index}`);
}

/** One configuration item by code or id, or a 400 naming `field`. */
export async function resolveCi(prisma: Db, ref: string, field: string) {
  const [ci] = await lookup(prisma, [ref], () => field);
  return ci;
}

async function lookup(prisma: Db, refs: string[], fieldFor: (index: number) => string) {
  if (refs.length === 0) return [];
  const found = await prisma.configurationItem.findMany({ where: { OR: [{ code: { in: refs } }, { id: { in: refs.filter(isUuid) } }] } });
  const resolved = refs.map((ref, index) => {
    const ci = found.find((c) => c.id === ref || c.code === ref);
    if (!ci) throw httpErrors.validation([{ location: 'body', field: fieldFor(index), message: `no configuration item ${ref}`, code: 'unknown_reference' }]);
    return ci;
  });
  return [...new Map(resolved.map((ci) => [ci.id, ci])).values()];
}
