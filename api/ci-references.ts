import { z } from 'zod';
import type { Db } from '../prisma/database';
import { problems } from './problem';

const isUuid = (value: string) => z.uuid().safeParse(value).success;

/**
 * Configuration items named by code or id, in the order given and without repeats; an unknown one is a 400
 * naming its position (e.g. `affectedCis.2`), so nothing is recorded against a CI the CMDB does not hold.
 */
export async function resolveCis(prisma: Db, refs: string[], field: string) {
  if (refs.length === 0) return [];
  const found = await prisma.configurationItem.findMany({ where: { OR: [{ code: { in: refs } }, { id: { in: refs.filter(isUuid) } }] } });
  const resolved = refs.map((ref, index) => {
    const ci = found.find((c) => c.id === ref || c.code === ref);
    if (!ci) throw problems.validation([{ location: 'body', field: `${field}.${index}`, message: `no configuration item ${ref}`, code: 'unknown_reference' }]);
    return ci;
  });
  return [...new Map(resolved.map((ci) => [ci.id, ci])).values()];
}
