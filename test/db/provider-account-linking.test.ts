import { syncProviderUser } from '../../api/identity-sync';
import type { Database } from '../../prisma/database';
import { databaseKinds, freshDatabase } from '../support/databases';
import { testSettings } from '../support/identity-provider';

const EMAIL = 'dana.finance@example.org';
const settings = (trustEmail: boolean) => ({ ...testSettings('https://sso.example.org', 'https://itsm.example.org'), trustEmail });

// A first sign-in takes over the account an administrator created for that address only when the provider vouches
// for the address; otherwise whoever can set an address at the provider would become that person here. The sign-in
// flow itself runs against a real provider in test/e2e/oidc-sign-in.test.ts.
describe.each(databaseKinds())('a first sign-in and the account that already has its address (%s)', (kind) => {
  // One database per kind: each test gets its own Dana, under an address no other test uses.
  let db: Database;
  let email: string;
  let n = 0;
  beforeAll(async () => {
    db = await freshDatabase(kind);
  });
  afterAll(() => db?.close());
  beforeEach(async () => {
    email = `dana.${++n}.${EMAIL}`;
    await db.prisma.user.create({ data: { email, name: 'Dana', roles: ['manager'] } });
  });

  const linkedSubject = async () => (await db.prisma.user.findUniqueOrThrow({ where: { email } })).oidcSubject;

  it.each([
    ['an email without email_verified', (address: string) => ({ email: address })],
    ['an email marked email_verified: false', (address: string) => ({ email: address, email_verified: false })],
    ["Entra ID's preferred_username", (address: string) => ({ preferred_username: address })],
    ['an access token carrying only the address', (address: string) => ({ email: address, groups: ['itsm-admins'] })],
  ])('refuses %s and leaves the account untouched', async (_case, claimsFor) => {
    const claims = claimsFor(email);
    expect(await syncProviderUser(db.prisma, settings(false), { sub: 'intruder', ...claims }, 'sign-in')).toEqual({ refusal: 'other-account' });
    expect(await syncProviderUser(db.prisma, settings(false), { sub: 'intruder', ...claims }, 'access-token')).toEqual({ refusal: 'other-account' });
    expect(await db.prisma.user.findUniqueOrThrow({ where: { email } })).toMatchObject({ oidcSubject: null, roles: ['manager'] });
  });

  it('takes the verified email, not a upn beside it', async () => {
    const outcome = await syncProviderUser(db.prisma, settings(false), { sub: 'someone', email: 'someone.else@example.org', email_verified: true, upn: email }, 'sign-in');
    expect('user' in outcome && outcome.user.email).toBe('someone.else@example.org');
    expect(await linkedSubject()).toBeNull();
  });

  it('links a verified email, keeping the account and taking its roles from the provider', async () => {
    const outcome = await syncProviderUser(db.prisma, settings(false), { sub: 'dana', email: email.toUpperCase(), email_verified: true, groups: ['itsm-admins'] }, 'sign-in');
    expect('user' in outcome && outcome.user).toMatchObject({ email, oidcSubject: 'dana', roles: ['admin'] });
    expect(await db.prisma.user.count({ where: { email: { equals: email, mode: 'insensitive' } } })).toBe(1);
  });

  it("links Entra ID's preferred_username when OIDC_TRUST_EMAIL says the directory owns its addresses", async () => {
    const outcome = await syncProviderUser(db.prisma, settings(true), { sub: 'dana-entra', preferred_username: email }, 'sign-in');
    expect('user' in outcome && outcome.user.oidcSubject).toBe('dana-entra');
    expect(await linkedSubject()).toBe('dana-entra');
  });

  it('still creates a person no account has the address of, verified or not', async () => {
    const outcome = await syncProviderUser(db.prisma, settings(false), { sub: 'newcomer', preferred_username: 'newcomer@example.org', name: 'New Comer' }, 'sign-in');
    expect('user' in outcome && outcome.user).toMatchObject({ email: 'newcomer@example.org', name: 'New Comer', roles: ['requester'] });
  });
});
