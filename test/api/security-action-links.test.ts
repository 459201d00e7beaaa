import { signActionToken } from '../../records/mail/action-tokens';
import { readInbox } from '../../scripts/mail-catcher';
import { changeMails, changeTestService, configureBoard, raiseChange, waitForChangeState } from '../support/change-fixtures';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';
import { changeInWindow, planRelease, releaseAction, shellAdapter, waitForReleaseState } from '../support/release-fixtures';

const DAY = 86_400;
const LINK = /http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_.-]+/;
const pathOf = (link: string) => new URL(link).pathname;
const claimsOf = (link: string) => JSON.parse(Buffer.from(pathOf(link).split('/').pop()!.split('.')[1], 'base64url').toString()) as { iat: number; exp: number; env?: string; wf?: string; stp?: string };

describe.each(databaseKinds())('action links: lifetime capped at ITSM_LINK_MAX_DAYS, the role checked again on every use (%s)', (kind) => {
  let h: Harness;
  let ready: { id: string };
  let adapter: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    ready = await changeInWindow(h);
    adapter = (await shellAdapter(h)).name;
  });
  afterAll(() => h?.close());

  /** A release to production with its window open until 2099, waiting for authorisation, and the manager's link. */
  async function awaitingRelease() {
    const release = await planRelease(h, adapter, { environments: ['production'], productionEnd: '2099-12-31T00:00:00Z', changeIds: [ready.id] });
    await releaseAction(h, release.id, 'start');
    await waitForReleaseState(h, release.id, 'awaiting_authorisation');
    const manager = await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.manager } });
    const link = await eventually(async () => {
      const mail = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).find((m) => m.headers['x-itsm-release-id'] === release.id && m.to[0].address === manager.email);
      if (!mail) throw new Error('no authorisation request yet');
      return LINK.exec(mail.text ?? '')![0];
    });
    return { release, link };
  }
  const nothingAuthorised = async (releaseId: string) => {
    expect(await h.db.prisma.release.findUniqueOrThrow({ where: { id: releaseId } })).toMatchObject({ state: 'awaiting_authorisation', authorisedById: null });
    expect(await h.db.prisma.actionTokenUse.count({ where: { releaseId } })).toBe(0);
  };

  it('a link asked to live until 2099 expires after 7 days, and a genuine token signed to live longer is refused as expired', async () => {
    const { release, link } = await awaitingRelease();
    const claims = claimsOf(link);
    expect(claims.exp - claims.iat).toBe(7 * DAY);
    expect(claims.env).toBe('production');
    expect((await h.http.get(pathOf(link))).status).toBe(200);

    // No caller can sign past the cap ...
    const signed = await signActionToken(h.apiDeps.actionSecret, { act: 'release-authorisation', approverId: h.userIds.manager, releaseId: release.id, environment: 'production', jti: 'capped-link', expiresAt: Date.parse('2099-12-31T00:00:00Z') });
    expect(claimsOf(`http://127.0.0.1/actions/${signed}`).exp - claimsOf(`http://127.0.0.1/actions/${signed}`).iat).toBe(7 * DAY);

    // ... and a token from before the cap (same key, a 30-day lifetime) no longer works.
    const { SignJWT } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const longLived = await new SignJWT({ act: 'release-authorisation', rel: release.id, env: 'production' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('itsm')
      .setAudience('itsm-action')
      .setSubject(h.userIds.manager)
      .setJti('long-lived-link')
      .setIssuedAt(now)
      .setExpirationTime(now + 30 * DAY)
      .sign(h.apiDeps.actionSecret.secret);
    expect((await h.http.get(`/actions/${longLived}`)).status).toBe(410);
    expect((await h.http.post(`/actions/${longLived}`).type('form').send({ decision: 'authorise' })).status).toBe(410);
    await nothingAuthorised(release.id);
    await releaseAction(h, release.id, 'abort', { reason: 'done with the test' });
  });

  it('a manager who lost the manager role gets 403 on GET and POST of their authorisation link, and nothing is authorised', async () => {
    const { release, link } = await awaitingRelease();
    const roles = (await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.manager } })).roles;
    expect((await h.http.patch(`/api/users/${h.userIds.manager}`).set(h.as('admin')).send({ roles: ['agent'] })).status).toBe(200);
    try {
      const shown = await h.http.get(`${pathOf(link)}?lang=en`);
      expect(shown.status).toBe(403);
      expect(shown.text).toContain('You no longer hold the role this link was sent to you for');
      expect((await h.http.post(pathOf(link)).type('form').send({ decision: 'authorise' })).status).toBe(403);
      await nothingAuthorised(release.id);
    } finally {
      await h.http.patch(`/api/users/${h.userIds.manager}`).set(h.as('admin')).send({ roles });
    }
    // The same link works again for a manager: it was the role that was refused.
    expect((await h.http.get(pathOf(link))).status).toBe(200);
    await releaseAction(h, release.id, 'abort', { reason: 'done with the test' });
  });

  it('a CAB member taken off the board gets 403 on GET and POST of their decision link, and nothing is decided', async () => {
    await configureBoard(h, 'CAB', { members: ['manager', 'cab1', 'cab2'], quorum: { rule: 'majority' }, decisionSeconds: 3_600 });
    const service = await changeTestService(h);
    const change = await raiseChange(h, service.id, { title: 'Replace the storage controller' });
    await waitForChangeState(h, change.id, 'approval');
    const cab1 = await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.cab1 } });
    const link = await eventually(async () => {
      const mail = (await changeMails(change.id)).find((m) => m.headers['x-itsm-kind'] === 'approval-request' && m.to[0].address === cab1.email);
      if (!mail) throw new Error('no approval request yet');
      return LINK.exec(mail.text ?? '')![0];
    });
    expect((await h.http.get(pathOf(link))).status).toBe(200);

    await configureBoard(h, 'CAB', { members: ['manager', 'cab2'], quorum: { rule: 'majority' }, decisionSeconds: 3_600 });
    expect((await h.http.get(pathOf(link))).status).toBe(403);
    expect((await h.http.post(pathOf(link)).type('form').send({ decision: 'approve', comment: 'fine by me' })).status).toBe(403);
    expect(await h.db.prisma.changeApproval.count({ where: { changeId: change.id } })).toBe(0);
    expect(await h.db.prisma.actionTokenUse.count({ where: { changeId: change.id } })).toBe(0);
  });

  it('a step a process offers (closing a complaint) is mailed as the handler’s own link: forged 400, expired 410, unknown step 400, role lost 403, a bad answer 400, and only the close writes', async () => {
    const service = await h.db.prisma.service.create({ data: { code: `LNK${process.pid}${kind}`, name: 'Payroll (links)', ownerId: h.userIds.agent2 } });
    const logged = await h.http.post('/api/complaints').set(h.as('requester')).send({ subject: 'Payslips late', description: 'The payslips arrived after payday again.', serviceId: service.id });
    expect(logged.status).toBe(201);
    const complaint = logged.body as { id: string; reference: string };
    const mails = () => readInbox(process.env.ITSM_TEST_MAIL_INBOX!).then((all) => all.filter((m) => m.headers['x-itsm-complaint-id'] === complaint.id));
    const link = await eventually(async () => {
      const mail = (await mails()).find((m) => m.headers['x-itsm-kind'] === 'complaint-assigned' && m.to[0].address === 'sam.taylor@itsm.local');
      if (!mail) throw new Error('no assignment mail yet');
      return LINK.exec(mail.text ?? '')![0];
    });
    const row = await h.db.prisma.complaint.findUniqueOrThrow({ where: { id: complaint.id } });
    expect(claimsOf(link)).toMatchObject({ wf: row.workflowId, stp: 'complaint.close' });
    expect(claimsOf(link).exp - claimsOf(link).iat).toBe(7 * DAY);
    // The complainant is told, and offered nothing.
    expect((await mails()).find((m) => m.headers['x-itsm-kind'] === 'complaint-received')?.text).not.toMatch(LINK);

    const shown = await h.http.get(pathOf(link));
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(`Complaint: ${complaint.reference}`);
    expect(shown.text).toContain('Close the complaint');

    const step = (claims: { step?: string; expiresAt?: number; jti?: string }) =>
      signActionToken(h.apiDeps.actionSecret, { act: 'process-step', approverId: h.userIds.agent2, workflowId: row.workflowId, step: claims.step ?? 'complaint.close', jti: claims.jti ?? 'complaint-link-test', expiresAt: claims.expiresAt ?? Date.now() + 60_000 });
    const tampered = `${link.slice(0, -3)}${link.at(-3) === 'A' ? 'B' : 'A'}${link.slice(-2)}`;
    expect((await h.http.get(pathOf(tampered))).status).toBe(400);
    expect((await h.http.get(`/actions/${await step({ expiresAt: Date.now() - 1_000 })}`)).status).toBe(410);
    expect((await h.http.get(`/actions/${await step({ step: 'complaint.reopen' })}`)).status).toBe(400);
    expect((await h.http.post(`/actions/${await step({ step: 'complaint.reopen' })}`).type('form').send({ outcome: 'upheld' })).status).toBe(400);

    const roles = (await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.agent2 } })).roles;
    expect((await h.http.patch(`/api/users/${h.userIds.agent2}`).set(h.as('admin')).send({ roles: ['requester'] })).status).toBe(200);
    try {
      expect((await h.http.get(pathOf(link))).status).toBe(403);
      expect((await h.http.post(pathOf(link)).type('form').send({ outcome: 'upheld', resolution: 'Payroll now runs two days earlier.' })).status).toBe(403);
    } finally {
      await h.http.patch(`/api/users/${h.userIds.agent2}`).set(h.as('admin')).send({ roles });
    }

    const incomplete = await h.http.post(pathOf(link)).type('form').send({ outcome: 'sort-of', resolution: 'short' });
    expect(incomplete.status).toBe(400);
    expect(incomplete.text).toContain('Please check: Outcome, Resolution');
    expect(await h.db.prisma.complaint.findUniqueOrThrow({ where: { id: complaint.id } })).toMatchObject({ state: 'investigating', closedById: null });
    expect(await h.db.prisma.actionTokenUse.count({ where: { userId: h.userIds.agent2 } })).toBe(0);

    const closed = await h.http.post(pathOf(link)).type('form').send({ outcome: 'upheld', resolution: 'Payroll now runs two days earlier.' });
    expect(closed.status).toBe(200);
    expect(await h.db.prisma.complaint.findUniqueOrThrow({ where: { id: complaint.id } })).toMatchObject({ state: 'closed', outcome: 'upheld', closedById: h.userIds.agent2 });
    expect((await h.http.get(pathOf(link))).status).toBe(409);
    // Another of the handler's links, still unused, finds nothing left to do.
    expect((await h.http.get(`/actions/${await step({})}`)).status).toBe(409);
  });
});
