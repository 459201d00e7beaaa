import fc from 'fast-check';
import nodemailer from 'nodemailer';
import type { InboundMailDeps } from '../../api/mail-in/receive';
import { startSmtpListener, type SmtpListener } from '../../api/mail-in/smtp-listener';
import { inboundMailSettings } from '../../api/mail-in/start';
import { databaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';
import { workflowExistsIn } from '../support/workflows';
import { halfWrittenRecords } from './api-fuzz';

const SERVICE_ADDRESS = 'email-help@fuzz.test';
const MAILS = 1_000;

/** A raw mail built from parts that break parsers: bad MIME, huge headers, broken encodings, junk bytes. */
function mailArbitrary(knownSender: string) {
  const line = fc.string({ maxLength: 120 });
  const header = fc.oneof(
    fc.constant('Subject: =?UTF-8?B?!!!not base64?='),
    fc.constant('Subject: =?x-unknown-charset?Q?caf=E9?='),
    fc.constant('Content-Type: multipart/mixed'),
    fc.constant('Content-Type: multipart/mixed; boundary="never-closed"'),
    fc.constant('Content-Transfer-Encoding: base64'),
    fc.constant('Content-Type: text/plain; charset=utf-16'),
    fc.constant('References: <a@b> <<<>>> <' + 'x'.repeat(600) + '@y>'),
    fc.constant('Auto-Submitted: auto-replied'),
    fc.constant('Subject: [INC-000001] reply to an incident that may not exist'),
    fc.nat({ max: 200_000 }).map((n) => `X-Huge: ${'h'.repeat(n)}`),
    fc.nat({ max: 500 }).map((n) => Array.from({ length: n }, (_, i) => `X-Many-${i}: v`).join('\r\n')),
    line.map((text) => `Subject: ${text}`),
    line.map((text) => `${text}: ${text}`),
  );
  const body = fc.oneof(
    fc.constant('--never-closed\r\nContent-Type: text/plain\r\n\r\nunterminated part'),
    fc.constant('--never-closed\r\nContent-Type: application/octet-stream; name="a.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%%not base64%%%%'),
    fc.uint8Array({ maxLength: 4_000 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    fc.constant('\u0000\u0000NUL bytes\u0000 and \udc00 a lone surrogate'),
    line,
  );
  return fc.record({
    // Most senders are strangers or broken; some are a known user, whose well-formed mail opens an incident.
    from: fc.oneof({ arbitrary: fc.constant(knownSender), weight: 1 }, { arbitrary: fc.constantFrom('stranger@elsewhere.test', 'broken <<@>>', ''), weight: 6 }),
    toService: fc.boolean(),
    // A small pool, so some Message-IDs repeat; some mails have none.
    messageId: fc.option(fc.nat({ max: 1_500 }).map((n) => `<fuzz-${n}@fuzz.test>`), { nil: undefined }),
    headers: fc.array(header, { maxLength: 6 }),
    body,
  });
}

type FuzzMail = ReturnType<typeof mailArbitrary> extends fc.Arbitrary<infer T> ? T : never;

function rawMail(mail: FuzzMail, seq: number): Buffer {
  const lines = [
    ...(mail.from ? [`From: ${mail.from}`] : []),
    `To: ${mail.toService ? SERVICE_ADDRESS : 'nobody@fuzz.test'}`,
    ...(mail.messageId ? [`Message-ID: ${mail.messageId}`] : [`X-Seq: ${seq}`]),
    ...mail.headers,
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${mail.body}\r\n`, 'latin1');
}

describe.each(databaseKinds())('fuzzed inbound mail on %s', (kind) => {
  let h: Harness;
  let listener: SmtpListener;
  beforeAll(async () => {
    h = await startHarness(kind);
    await h.db.prisma.service.update({ where: { code: 'EMAIL' }, data: { mailAddress: SERVICE_ADDRESS } });
    const deps: InboundMailDeps = {
      prisma: h.db.prisma,
      temporal: h.temporal,
      taskQueue: h.taskQueue,
      publicUrl: h.baseUrl,
      mailer: h.mailer,
      settings: inboundMailSettings({ MAIL_FROM: 'ITSM test <itsm@test.local>', MAIL_IN_ALLOWED_DOMAINS: [], MAIL_IN_UNKNOWN_SENDERS: 'ignore', MAIL_IN_MAX_ATTACHMENT_MB: 1, MAIL_IN_MAX_MESSAGE_MB: 8, MAIL_IN_SMTP_HOST: '127.0.0.1', MAIL_IN_SMTP_PORT: 0 }),
    };
    listener = await startSmtpListener(deps, { host: '127.0.0.1', port: 0, maxMessageBytes: 8 * 1_048_576 });
  });
  afterAll(async () => {
    await listener?.stop();
    await h?.close();
  });

  it('1,000 malformed mails at once: none crashes the listener or half-writes an incident, each is stored with its outcome', async () => {
    const known = (await h.db.prisma.user.findUniqueOrThrow({ where: { id: h.userIds.requester } })).email;
    const mails = fc.sample(mailArbitrary(known), { seed: 20261201, numRuns: MAILS });
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 8, maxMessages: Infinity });
    // All at once over eight connections: far more than 1,000 a minute.
    const answers = await Promise.all(
      mails.map((mail, seq) =>
        client.sendMail({ envelope: { from: 'fuzz@fuzz.test', to: [mail.toService ? SERVICE_ADDRESS : 'nobody@fuzz.test'] }, raw: rawMail(mail, seq) }).then(
          (info) => String(info.response),
          (error: { responseCode?: number }) => `refused ${error.responseCode}`,
        ),
      ),
    );
    client.close();
    expect(answers.filter((answer) => !answer.startsWith('250'))).toEqual([]);

    const rows = await h.db.prisma.inboundMail.findMany({ select: { outcome: true, incidentId: true, messageId: true } });
    expect(rows).toHaveLength(MAILS);
    const outcomes = new Set(rows.map((row) => row.outcome));
    expect(outcomes.has('processing')).toBe(false);
    expect(outcomes.has('failed')).toBe(false);
    // The sample reaches every branch that matters: incidents, duplicates, automated mail and strangers.
    expect([...outcomes]).toEqual(expect.arrayContaining(['incident-opened', 'duplicate', 'ignored-automated', 'unknown-sender']));
    // A Message-ID is processed once: only its first copy can have an outcome other than duplicate.
    const processed = rows.filter((row) => row.messageId && row.outcome !== 'duplicate').map((row) => row.messageId);
    expect(new Set(processed).size).toBe(processed.length);

    // Every incident came from exactly one stored mail, has its workflow, and nothing else is half-written.
    const incidents = await h.db.prisma.incident.findMany({ select: { id: true } });
    const opened = rows.filter((row) => row.outcome === 'incident-opened').map((row) => row.incidentId);
    expect(opened.sort()).toEqual(incidents.map((incident) => incident.id).sort());
    expect(await halfWrittenRecords(h.db.prisma, workflowExistsIn(h.temporal))).toEqual([]);

    // The listener still takes mail.
    const after = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
    const info = await after.sendMail({ from: known, to: SERVICE_ADDRESS, subject: 'Still there?', text: 'After the storm.', messageId: '<after-fuzz@fuzz.test>' });
    expect(info.response).toMatch(/^250 .*incident-opened/);
    after.close();
  }, 600_000);
});
