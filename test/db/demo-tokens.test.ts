import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkToken } from '../../api/tokens';
import type { Database } from '../../prisma/database';
import { provisionDemoTokens, seedDemoData } from '../../prisma/seed';
import { databaseKinds, freshDatabase } from '../support/databases';

// The demo prints its generated tokens on every `npm start`; these are the rules that keep that honest.
describe.each(databaseKinds())('demo tokens (%s)', (kind) => {
  let db: Database;
  let userIds: Awaited<ReturnType<typeof seedDemoData>>;
  beforeAll(async () => {
    db = await freshDatabase(kind);
    userIds = await seedDemoData(db.prisma);
  });
  afterAll(() => db?.close());

  it('keeps generated tokens across starts, replaces a revoked one, and never returns or stores the operator’s own', async () => {
    const dataDir = mkdtempSync(path.join(process.env.ITSM_TEST_RUN_DIR!, 'demo-tokens-'));
    const first = await provisionDemoTokens(db.prisma, dataDir, userIds);
    expect(Object.keys(first).sort()).toEqual(Object.keys(userIds).sort());
    expect(await provisionDemoTokens(db.prisma, dataDir, userIds)).toEqual(first);
    expect(statSync(path.join(dataDir, 'demo-tokens.json')).mode & 0o777).toBe(0o600);

    await db.prisma.apiToken.updateMany({ where: { userId: userIds.requester }, data: { revokedAt: new Date() } });
    const afterRevocation = await provisionDemoTokens(db.prisma, dataDir, userIds);
    expect(afterRevocation.requester).not.toBe(first.requester);
    expect(await checkToken(db.prisma, first.requester!)).toEqual({ ok: false, refusal: 'revoked' });
    expect((await checkToken(db.prisma, afterRevocation.requester!)).ok).toBe(true);

    const operator = 'operator-chosen-demo-0123456789';
    const withOperator = await provisionDemoTokens(db.prisma, dataDir, userIds, operator);
    expect(withOperator.admin).toBeUndefined();
    expect(JSON.stringify(withOperator) + readFileSync(path.join(dataDir, 'demo-tokens.json'), 'utf8')).not.toContain(operator);
    const check = await checkToken(db.prisma, operator);
    expect(check.ok && [check.token.userId, check.token.label]).toEqual([userIds.admin, 'ITSM_ADMIN_TOKEN']);
    // It replaces the generated admin token rather than living beside it.
    expect(await checkToken(db.prisma, first.admin!)).toEqual({ ok: false, refusal: 'revoked' });
  });
});
