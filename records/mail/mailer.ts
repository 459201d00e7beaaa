import nodemailer, { type Transporter } from 'nodemailer';

export interface Mailer {
  send(message: { to: string; subject: string; text: string; html?: string; headers?: Record<string, string>; messageId?: string }): Promise<{ messageId: string }>;
  verify(): Promise<void>;
  close(): void;
}

export function createMailer(smtpUrl: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
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
