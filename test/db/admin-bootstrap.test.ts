import { bootstrapAdministrator } from '../../api/accounts';
import { checkToken, hashToken } from '../../api/tokens';
import type { Database } from '../../prisma/database';
import { databaseKinds, freshDatabase } from '../support/databases';

const EMAIL = 'ops@example.com';

// What ITSM_ADMIN_TOKEN may and may not do to an organisation's database, case by case (the processes that call
// this are run in test/db/admin-cli.test.ts).
describe.each(databaseKinds())('ITSM_ADMIN_TOKEN on an organisation without demo data (%s)', (kind) => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase(kind);
  });
  afterEach(() => db?.close());

  const admins = async () => (await db.prisma.user.findMany()).filter((user) => user.roles.includes('admin'));

  it('without the variable and without an administrator, says how to create one', async () => {
    expect(await bootstrapAdministrator(db.prisma, { email: EMAIL })).toEqual({ level: 'warn', message: expect.stringContaining('npm run admin -- create-user') });
    expect(await db.prisma.user.count()).toBe(0);
  });

  it('creates the first administrator once; simultaneous starts create one between them', async () => {
    const token = 'operator-chosen-0123456789';
    const outcomes = await Promise.all([bootstrapAdministrator(db.prisma, { token, email: EMAIL }), bootstrapAdministrator(db.prisma, { token, email: EMAIL })]);
    expect(outcomes.map((o) => o.message).sort()).toEqual([`ITSM_ADMIN_TOKEN: a token of administrator ${EMAIL}`, `created administrator ${EMAIL}, holding ITSM_ADMIN_TOKEN`].sort());
    expect((await admins()).map((u) => u.email)).toEqual([EMAIL]);
    const check = await checkToken(db.prisma, token);
    expect(check.ok && check.token.label).toBe('ITSM_ADMIN_TOKEN');
    expect(outcomes.map((o) => o.message).join()).not.toContain(token);
  });

  it('never revives a revoked token', async () => {
    const token = 'operator-chosen-revoked-0123';
    await bootstrapAdministrator(db.prisma, { token, email: EMAIL });
    const revokedAt = new Date(Date.now() - 60_000);
    await db.prisma.apiToken.updateMany({ data: { revokedAt } });
    expect(await bootstrapAdministrator(db.prisma, { token, email: EMAIL })).toEqual({ level: 'warn', message: expect.stringMatching(/^ITSM_ADMIN_TOKEN has been revoked and grants nothing/) });
    expect((await db.prisma.apiToken.findFirstOrThrow()).revokedAt).toEqual(revokedAt);
    expect(await checkToken(db.prisma, token)).toEqual({ ok: false, refusal: 'revoked' });
  });

  it('never promotes or reactivates an existing account, and grants no admin through a non-admin token', async () => {
    const person = await db.prisma.user.create({ data: { email: EMAIL, name: 'Ops', roles: ['agent'] } });
    const outcome = await bootstrapAdministrator(db.prisma, { token: 'operator-chosen-existing-01', email: EMAIL });
    expect(outcome).toEqual({ level: 'warn', message: expect.stringContaining(`${EMAIL} exists but is not an active administrator`) });
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: person.id } })).toMatchObject({ roles: ['agent'], deactivatedAt: null });
    expect(await db.prisma.apiToken.count()).toBe(0);

    await db.prisma.apiToken.create({ data: { userId: person.id, label: 'desk', tokenHash: hashToken('agents-own-token-0123456') } });
    expect(await bootstrapAdministrator(db.prisma, { token: 'agents-own-token-0123456', email: 'other@example.com' })).toEqual({
      level: 'warn',
      message: `ITSM_ADMIN_TOKEN belongs to ${EMAIL}, who is not an administrator: it grants only their roles`,
    });
    expect(await admins()).toEqual([]);
  });
});
