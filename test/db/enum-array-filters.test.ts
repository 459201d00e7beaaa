import { databaseKinds, freshDatabase } from '../support/databases';

// Role lists are filtered in several places (managers as the last resort for unrouted work, admins, imports);
// PGlite once refused every such filter with "malformed array literal".
describe.each(databaseKinds())('enum list filters on %s', (kind) => {
  it('finds users by role with has, hasSome and hasEvery, inside and outside a transaction', async () => {
    const db = await freshDatabase(kind);
    try {
      await db.prisma.user.createMany({ data: [{ email: 'm@example.org', name: 'M', roles: ['manager', 'cab'] }, { email: 'a@example.org', name: 'A', roles: ['agent'] }] });
      const emails = async (roles: object) => (await db.prisma.user.findMany({ where: { roles }, orderBy: { email: 'asc' } })).map((user) => user.email);
      expect(await emails({ has: 'manager' })).toEqual(['m@example.org']);
      expect(await emails({ hasSome: ['agent', 'cab'] })).toEqual(['a@example.org', 'm@example.org']);
      expect(await emails({ hasEvery: ['manager', 'cab'] })).toEqual(['m@example.org']);
      const inTransaction = await db.prisma.$transaction(async (tx) => tx.user.count({ where: { roles: { has: 'agent' } } }));
      expect(inTransaction).toBe(1);
    } finally {
      await db.close();
    }
  });
});
