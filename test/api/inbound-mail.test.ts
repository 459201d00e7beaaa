import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { readInbox } from '../../scripts/mail-catcher';
import { startImapPoller, type ImapPoller } from '../../api/mail-in/imap-poller';
import type { InboundMailDeps } from '../../api/mail-in/receive';
import { startSmtpListener, type SmtpListener } from '../../api/mail-in/smtp-listener';
import { inboundMailSettings } from '../../api/mail-in/start';
import { databaseKinds } from '../support/databases';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { eventually, startHarness, type Harness } from '../support/harness';

const SERVICE_ADDRESS = 'email-help@inbound.test';
const MB = 1_048_576;

/** One way mail comes in: `deliver` returns once the product has stored the mail with its outcome. */
interface Way {
  deliver(message: Mail.Options & { messageId: string }, copies?: number): Promise<void>;
}

describe.each(databaseKinds())('inbound mail on %s', (kind) => {
  let h: Harness;
  let deps: InboundMailDeps;
  let emailServiceId: string;
  const requester = 'riley.requester@itsm.local';

  beforeAll(async () => {
    h = await startHarness(kind);
    emailServiceId = (await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'EMAIL' } })).id;
    // The mapping is the service's own, kept through the service API.
    const mapped = await h.http.patch(`/api/services/${emailServiceId}`).set(h.as('manager')).send({ mailAddress: SERVICE_ADDRESS.toUpperCase() });
    expect([mapped.status, mapped.body.mailAddress]).toEqual([200, SERVICE_ADDRESS]);
    const erp = await h.db.prisma.service.findUniqueOrThrow({ where: { code: 'ERP' } });
    const taken = await h.http.patch(`/api/services/${erp.id}`).set(h.as('manager')).send({ mailAddress: SERVICE_ADDRESS });
    expect([taken.status, taken.body.errors?.[0]?.field]).toEqual([409, 'mailAddress']);
    const bad = await h.http.patch(`/api/services/${erp.id}`).set(h.as('manager')).send({ mailAddress: 'not an address' });
    expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([400, 'mailAddress']);
    deps = {
      prisma: h.db.prisma,
      temporal: h.temporal,
      taskQueue: h.taskQueue,
      publicUrl: h.baseUrl,
      mailer: h.mailer,
      settings: inboundMailSettings({ MAIL_FROM: 'ITSM test <itsm@test.local>', MAIL_IN_ALLOWED_DOMAINS: ['allowed.test'], MAIL_IN_UNKNOWN_SENDERS: 'reply', MAIL_IN_MAX_ATTACHMENT_MB: 10, MAIL_IN_MAX_MESSAGE_MB: 64, MAIL_IN_SMTP_HOST: '127.0.0.1', MAIL_IN_SMTP_PORT: 0 }),
    };
  });
  afterAll(() => h?.close());

  const incidentView = (id: string) => h.http.get(`/api/incidents/${id}`).set(h.as('agent')).then((r) => r.body);
  const mailRow = (messageId: string) => h.db.prisma.inboundMail.findFirstOrThrow({ where: { messageId }, orderBy: { receivedAt: 'asc' } });
  const uniqueId = (label: string) => `<${label}-${randomBytes(6).toString('hex')}@customer.test>`;

  /** The same story through either way in. */
  async function scenario(way: Way, tag: string) {
    // A new mail to the service's address opens an incident for its sender, routed like any other.
    const first = uniqueId(`${tag}-new`);
    await way.deliver({ messageId: first, from: `Riley <${requester}>`, to: SERVICE_ADDRESS, subject: `${tag}: Outlook asks for my password`, text: 'Since this morning Outlook asks for my password every minute.', attachments: [{ filename: 'outlook.log', content: 'auth failed 401' }] });
    const opened = await mailRow(first);
    expect(opened.outcome).toBe('incident-opened');
    const incident = await h.db.prisma.incident.findUniqueOrThrow({ where: { id: opened.incidentId! }, include: { group: true } });
    expect(incident).toMatchObject({ serviceId: emailServiceId, requesterId: h.userIds.requester, channel: 'email', title: `${tag}: Outlook asks for my password`, description: expect.stringContaining('every minute') });
    expect(incident.group?.name).toBe('Service Desk');
    const ownView = await h.http.get(`/api/incidents/${incident.id}`).set(h.as('requester'));
    expect(ownView.body.attachments).toEqual([expect.objectContaining({ filename: 'outlook.log', sizeBytes: 15, stored: true, refusedReason: null })]);

    // The acknowledgement reaches the sender; replying to it is how they add to the incident.
    const ack = await eventually(async () => {
      const found = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).find((m) => m.headers['x-itsm-incident-id'] === incident.id && m.headers['x-itsm-kind'] === 'mail-received');
      if (!found) throw new Error('no acknowledgement yet');
      return found;
    });
    expect(ack.headers['auto-submitted']).toBe('auto-replied');
    expect(ack.subject).toContain(`[INC-${String(incident.number).padStart(6, '0')}]`);

    await h.http.post(`/api/incidents/${incident.id}/acknowledge`).set(h.as('agent')).send({}).expect(200);
    await h.http.post(`/api/incidents/${incident.id}/pending`).set(h.as('agent')).send({ reason: 'waiting for the customer' }).expect(200);
    const reply = uniqueId(`${tag}-reply`);
    const replyMail = { messageId: reply, from: requester, to: 'itsm@test.local', subject: 'Re: your mail', inReplyTo: ack.headers['message-id'], references: ack.headers['message-id'], text: 'It stopped after I restarted.\n\nOn Monday ITSM wrote:\n> Thank you: your mail was logged' };
    await way.deliver(replyMail);
    expect((await mailRow(reply)).outcome).toBe('note-added');
    const resumed = await incidentView(incident.id);
    expect(resumed.state).toBe('in_progress');
    expect(resumed.events.filter((e: { type: string }) => e.type === 'customer-reply')).toEqual([
      expect.objectContaining({ actorId: h.userIds.requester, visibility: 'public', fromState: 'pending', toState: 'in_progress', data: { body: 'It stopped after I restarted.', author: 'customer' } }),
    ]);

    // Pending again: an auto-reply naming the incident, and the reply's second copy, change nothing.
    await h.http.post(`/api/incidents/${incident.id}/pending`).set(h.as('agent')).send({ reason: 'waiting again' }).expect(200);
    const eventsBefore = (await incidentView(incident.id)).events.length;
    const autoReply = uniqueId(`${tag}-ooo`);
    await way.deliver({ messageId: autoReply, from: requester, to: SERVICE_ADDRESS, subject: `Out of office: [INC-${String(incident.number).padStart(6, '0')}]`, text: 'I am away.', headers: { 'Auto-Submitted': 'auto-replied' } });
    await way.deliver(replyMail, 1);
    expect((await mailRow(autoReply)).outcome).toBe('ignored-automated');
    const copies = await h.db.prisma.inboundMail.findMany({ where: { messageId: reply }, orderBy: { receivedAt: 'asc' } });
    expect(copies.map((c) => c.outcome)).toEqual(['note-added', 'duplicate']);
    const after = await incidentView(incident.id);
    expect([after.state, after.events.length]).toEqual(['pending', eventsBefore]);

    // A reply by the reference in the subject alone also lands on the incident.
    const bySubject = uniqueId(`${tag}-subject`);
    await way.deliver({ messageId: bySubject, from: requester, to: 'anyone@inbound.test', subject: `Re: [INC-${String(incident.number).padStart(6, '0')}] received`, text: 'Now it is back.' });
    expect(await mailRow(bySubject)).toMatchObject({ outcome: 'note-added', incidentId: incident.id });
    expect((await incidentView(incident.id)).state).toBe('in_progress');

    // 30 MB attachment: refused and listed, the mail's text and incident kept.
    const large = uniqueId(`${tag}-large`);
    await way.deliver({ messageId: large, from: requester, to: SERVICE_ADDRESS, subject: `${tag}: mailbox full`, text: 'My mailbox says it is full; the export is attached.', attachments: [{ filename: 'export.pst', content: Buffer.alloc(30 * MB, 7) }] });
    const largeRow = await mailRow(large);
    expect(largeRow.outcome).toBe('incident-opened');
    const largeView = await incidentView(largeRow.incidentId!);
    expect(largeView.description).toContain('the export is attached');
    expect(largeView.attachments).toEqual([expect.objectContaining({ filename: 'export.pst', sizeBytes: 30 * MB, stored: false, refusedReason: 'larger than the 10 MB limit' })]);

    // Strangers get a polite reply and nothing opens; someone from an allowed domain becomes a requester.
    const stranger = uniqueId(`${tag}-stranger`);
    await way.deliver({ messageId: stranger, from: `stranger-${tag}@elsewhere.test`, to: SERVICE_ADDRESS, subject: 'Let me in', text: 'Hello' });
    expect(await mailRow(stranger)).toMatchObject({ outcome: 'unknown-sender', incidentId: null });
    await eventually(async () => {
      const answer = (await readInbox(process.env.ITSM_TEST_MAIL_INBOX!)).find((m) => m.to.some((to) => to.address === `stranger-${tag}@elsewhere.test`));
      expect(answer?.headers['auto-submitted']).toBe('auto-replied');
    });
    const colleague = uniqueId(`${tag}-colleague`);
    await way.deliver({ messageId: colleague, from: `New Colleague <new-${tag}@allowed.test>`, to: SERVICE_ADDRESS, subject: 'Printer jammed', text: 'Third floor.' });
    const colleagueRow = await mailRow(colleague);
    expect(colleagueRow.outcome).toBe('incident-opened');
    const newcomer = await h.db.prisma.user.findUniqueOrThrow({ where: { email: `new-${tag}@allowed.test` } });
    expect(newcomer).toMatchObject({ name: 'New Colleague', roles: ['requester'] });
    // Nobody gets an account for a mail that opens nothing: no service's address, or a reply to someone else's incident.
    const astray = uniqueId(`${tag}-astray`);
    await way.deliver({ messageId: astray, from: `astray-${tag}@allowed.test`, to: 'nobody@inbound.test', subject: 'Hello?', text: 'Anyone?' });
    expect(await mailRow(astray)).toMatchObject({ outcome: 'no-service', incidentId: null });
    const meddler = uniqueId(`${tag}-meddler`);
    const reference = `INC-${String(incident.number).padStart(6, '0')}`;
    await way.deliver({ messageId: meddler, from: `meddler-${tag}@allowed.test`, to: SERVICE_ADDRESS, subject: `Re: [${reference}] Outlook`, text: 'Me too.' });
    expect(await mailRow(meddler)).toMatchObject({ outcome: 'refused', detail: `${reference} is not meddler-${tag}@allowed.test's incident` });
    expect(await h.db.prisma.user.count({ where: { email: { in: [`astray-${tag}@allowed.test`, `meddler-${tag}@allowed.test`] } } })).toBe(0);

    // Managers see every received mail with its outcome; requesters do not.
    const listed = await h.http.get('/api/inbound-mail').query({ incidentId: incident.id }).set(h.as('manager'));
    expect(listed.body.items.map((m: { outcome: string }) => m.outcome).sort()).toEqual(['incident-opened', 'note-added', 'note-added']);
    expect((await h.http.get('/api/inbound-mail').set(h.as('requester'))).status).toBe(403);
  }

  describe('through the SMTP listener', () => {
    let listener: SmtpListener;
    beforeAll(async () => {
      listener = await startSmtpListener(deps, { host: '127.0.0.1', port: 0, maxMessageBytes: 64 * MB });
    });
    afterAll(() => listener?.stop());

    it('opens incidents, takes replies, ignores auto-replies and copies, refuses a 30 MB attachment but keeps the text', async () => {
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
      const way: Way = {
        async deliver(message, copies = 1) {
          for (let i = 0; i < copies; i++) await client.sendMail(message);
        },
      };
      await scenario(way, 'smtp');
      client.close();
    }, 180_000);

    it('a copy left processing by a process that ended is taken over by the next delivery; one in flight is not', async () => {
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
      const leftBehind = async (label: string, minutesAgo: number) => {
        const messageId = uniqueId(label);
        const row = await h.db.prisma.inboundMail.create({
          data: { dedupKey: `message-id:${messageId.toLowerCase()}`, messageId, source: 'smtp', fromAddress: requester, recipients: [SERVICE_ADDRESS], sizeBytes: 100, receivedAt: new Date(Date.now() - minutesAgo * 60_000) },
        });
        await client.sendMail({ messageId, from: requester, to: SERVICE_ADDRESS, subject: `${label}: VPN drops`, text: 'Every ten minutes.' });
        const copies = await h.db.prisma.inboundMail.findMany({ where: { messageId }, orderBy: { receivedAt: 'asc' } });
        return { first: copies.find((copy) => copy.id === row.id)!, later: copies.filter((copy) => copy.id !== row.id) };
      };

      const crashed = await leftBehind('crashed', 11);
      expect(crashed.first).toMatchObject({ outcome: 'failed', dedupKey: null, detail: expect.stringContaining('took it over') });
      expect(crashed.later).toEqual([expect.objectContaining({ outcome: 'incident-opened', dedupKey: expect.stringContaining('message-id:') })]);
      expect(await h.db.prisma.incident.count({ where: { id: crashed.later[0].incidentId! } })).toBe(1);

      const inFlight = await leftBehind('in-flight', 1);
      expect(inFlight.first).toMatchObject({ outcome: 'processing', dedupKey: expect.stringContaining('message-id:') });
      expect(inFlight.later).toEqual([expect.objectContaining({ outcome: 'duplicate', dedupKey: null, incidentId: null })]);
      client.close();
    });
  });

  describe('through an IMAP mailbox (dovecot)', () => {
    let dovecot: Dovecot;
    let poller: ImapPoller;
    let mta: ImapFlow;
    beforeAll(async () => {
      dovecot = await startDovecot();
      mta = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
      await mta.connect();
      poller = startImapPoller(deps, dovecot.url);
      await poller.idle();
    });
    afterAll(async () => {
      await poller?.stop();
      await mta?.logout();
      await dovecot?.stop();
    });

    it('takes the same mail from the mailbox as it arrives (IDLE) and marks it seen', async () => {
      const way: Way = {
        async deliver(message, copies = 1) {
          const raw = await new MailComposer(message).compile().build();
          const before = await h.db.prisma.inboundMail.count({ where: { messageId: message.messageId } });
          for (let i = 0; i < copies; i++) await mta.append('INBOX', raw);
          await eventually(async () => expect(await h.db.prisma.inboundMail.count({ where: { messageId: message.messageId, outcome: { not: 'processing' } } })).toBe(before + copies), 60_000);
        },
      };
      await scenario(way, 'imap');
      const inbox = await mta.mailboxOpen('INBOX');
      await eventually(async () => expect(await mta.search({ seen: false })).toEqual([]));
      expect(inbox.exists).toBeGreaterThan(0);
    }, 240_000);
  });
});
