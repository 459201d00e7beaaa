import { createGovernanceMailActivities } from '../../activities/governance-mail';
import { readInbox } from '../../scripts/mail-catcher';
import { changeMails, changeTestService, configureBoard, raiseChange, waitForChangeState } from '../support/change-fixtures';
import { databaseKinds } from '../support/databases';
import { eventually, startHarness, type Harness } from '../support/harness';

const LINK = /http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_.-]+/;
// The change's window, fixed so that each reader's wall-clock time is known: 02:00–04:00 UTC.
const WINDOW = { plannedStart: '2031-01-06T02:00:00Z', plannedEnd: '2031-01-06T04:00:00Z' };

describe.each(databaseKinds())('times in each reader’s own time zone, in mail and on the action page, on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(() => h?.close());

  it('a Shanghai CAB member reads the window and deadline in Shanghai time, a London member in London time, and her link’s page in hers', async () => {
    await configureBoard(h, 'CAB', { members: ['cab1', 'cab2'], quorum: { rule: 'majority' }, decisionSeconds: 3_600 });
    const service = await changeTestService(h);
    const change = await raiseChange(h, service.id, { title: 'Patch the core switches', ...WINDOW });
    await waitForChangeState(h, change.id, 'approval');
    const requests = await eventually(async () => {
      const mails = (await changeMails(change.id)).filter((m) => m.headers['x-itsm-kind'] === 'approval-request');
      if (mails.length < 2) throw new Error(`${mails.length} approval requests so far`);
      return Object.fromEntries(mails.map((m) => [m.to[0].address, m]));
    });

    // Wang Fang (zh-CN, Asia/Shanghai): 10:00–12:00 on her clock, and the zone says so.
    const wangFang = requests['wang.fang@itsm.local'];
    expect(wangFang.text).toContain('时间窗口：2031年1月6日 10:00 UTC+8 (Asia/Shanghai) – 2031年1月6日 12:00 UTC+8 (Asia/Shanghai)');
    expect(wangFang.text).toMatch(/请在 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} UTC\+8 \(Asia\/Shanghai\) 前决定/);
    expect(wangFang.html).toContain('2031年1月6日 10:00 UTC+8 (Asia/Shanghai)');
    expect(wangFang.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    // Omar Haddad (en, Europe/London, winter): the same instants, read as London time.
    const omar = requests['omar.haddad@itsm.local'];
    expect(omar.text).toContain('Window: 6 Jan 2031, 02:00 UTC (Europe/London) – 6 Jan 2031, 04:00 UTC (Europe/London)');
    expect(omar.text).toMatch(/Decide by \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC \(Europe\/London\)\./);

    // Her link's confirmation page: her zone, whatever language the page is asked in; nothing decided.
    const link = new URL(LINK.exec(wangFang.text ?? '')![0]);
    const page = await h.http.get(link.pathname);
    expect(page.status).toBe(200);
    expect(page.text).toContain('2031年1月6日 10:00 UTC+8 (Asia/Shanghai) – 2031年1月6日 12:00 UTC+8 (Asia/Shanghai)');
    expect(page.text).toMatch(/<dt>截止时间<\/dt><dd>\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} UTC\+8 \(Asia\/Shanghai\)/);
    const inEnglish = await h.http.get(link.pathname).query({ lang: 'en' });
    expect(inEnglish.status).toBe(200);
    expect(inEnglish.text).toContain('6 Jan 2031, 10:00 UTC+8 (Asia/Shanghai) – 6 Jan 2031, 12:00 UTC+8 (Asia/Shanghai)');
    expect(await h.db.prisma.changeApproval.count({ where: { changeId: change.id } })).toBe(0);

    // Once she is deactivated, her link stops working with her tokens: nobody decides in her name.
    const deactivated = await h.http.post(`/api/users/${h.userIds.cab1}/deactivate`).set(h.as('admin')).send({});
    expect(deactivated.status).toBe(200);
    expect((await h.http.get(link.pathname)).status).toBe(400);
    expect((await h.http.post(link.pathname).type('form').send({ decision: 'approve' })).status).toBe(400);
    expect(await h.db.prisma.changeApproval.count({ where: { changeId: change.id } })).toBe(0);
    await h.http.post(`/api/users/${h.userIds.cab1}/reactivate`).set(h.as('admin')).send({}).expect(200);
  });

  it('a governance mail composed by a workflow (with its due date in UTC) reaches each reader in their own zone', async () => {
    const { sendGovernanceMail } = createGovernanceMailActivities({ prisma: h.db.prisma, mailer: h.mailer, publicUrl: h.baseUrl, actionSecret: h.apiDeps.actionSecret });
    const actionId = `reader-time-${kind}-${Date.now()}`;
    await sendGovernanceMail({
      key: actionId,
      kind: 'corrective-action-reminder',
      toUserIds: [h.userIds.agent, h.userIds.auditor],
      subject: 'Reminder: "Test the restore" is due 2026-12-03T10:00:00.000Z',
      text: 'Corrective action "Test the restore" is due 2026-12-03T10:00:00.000Z.',
      headers: { 'X-Itsm-Corrective-Action-Id': actionId },
    });
    const mails = await eventually(async () => {
      const found = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).filter((m) => m.headers['x-itsm-corrective-action-id'] === actionId);
      if (found.length < 2) throw new Error(`${found.length} mails so far`);
      return Object.fromEntries(found.map((m) => [m.to[0].address, m]));
    });
    expect(mails['mei.chen@itsm.local'].subject).toBe('Reminder: "Test the restore" is due 2026年12月3日 18:00 UTC+8 (Asia/Shanghai)');
    expect(mails['ines.moreau@itsm.local'].text).toContain('Corrective action "Test the restore" is due 3 Dec 2026, 11:00 UTC+1 (Europe/Paris).');
  });
});
