import nodemailer, { type Transporter } from 'nodemailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';

export interface Mailer {
  send(message: { to: string; subject: string; text: string; html?: string; headers?: Record<string, string>; messageId?: string }): Promise<{ messageId: string }>;
  verify(): Promise<void>;
  close(): void;
}

/**
 * nodemailer's defaults: a few open connections and a fresh one every hundred messages (servers cap both). The
 * URL's own query may set them otherwise, e.g. `smtp://mail.example.net:587?maxConnections=2`.
 */
const POOL = { pool: true, maxConnections: 5, maxMessages: 100 } as const;

/**
 * Mail over a pool of SMTP connections kept open between messages: a burst of SLA notices costs one handshake
 * (and TLS negotiation) per connection, not one per mail. A connection the server drops is replaced on the next
 * send; `close()` ends the idle ones at once and the busy ones when their message is sent.
 */
export function createMailer(smtpUrl: string, from: string): Mailer {
  // An object with `url` would lose `pool` (nodemailer then reads options from the URL alone); the pool
  // transport itself merges the two, the URL's query winning.
  const transport: Transporter = nodemailer.createTransport(new SMTPPool({ ...POOL, url: smtpUrl }));
  return {
    async send(message) {
      const info = await transport.sendMail({ from, ...message });
      return { messageId: info.messageId };
    },
    async verify() {
      await transport.verify();
    },
    close: () => transport.close(),
  };
}
