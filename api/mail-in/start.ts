import type { Env } from '../../config/env';
import { bareAddress } from '../../domain/inbound-mail';
import { startImapPoller, type ImapPoller } from './imap-poller';
import type { InboundMailDeps, InboundMailSettings } from './receive';
import { startSmtpListener, type SmtpListener } from './smtp-listener';

type InboundEnv = Pick<Env, 'MAIL_FROM' | 'MAIL_IN_ALLOWED_DOMAINS' | 'MAIL_IN_UNKNOWN_SENDERS' | 'MAIL_IN_MAX_ATTACHMENT_MB' | 'MAIL_IN_MAX_MESSAGE_MB' | 'MAIL_IN_SMTP_HOST' | 'MAIL_IN_SMTP_PORT' | 'IMAP_URL'>;

const MB = 1_048_576;

export function inboundMailSettings(env: InboundEnv): InboundMailSettings {
  return {
    allowedDomains: env.MAIL_IN_ALLOWED_DOMAINS,
    unknownSenders: env.MAIL_IN_UNKNOWN_SENDERS,
    maxAttachmentBytes: Math.round(env.MAIL_IN_MAX_ATTACHMENT_MB * MB),
    ownAddress: bareAddress(env.MAIL_FROM) ?? '',
  };
}

export interface InboundMail {
  /** smtp://host:port of the listener, when it runs. */
  smtpUrl?: string;
  imap?: ImapPoller;
  stop(): Promise<void>;
}

/** Both ways mail comes in, as configured: the SMTP listener (MAIL_IN_SMTP_PORT, 0 = off) and the IMAP mailbox (IMAP_URL). */
export async function startInboundMail(deps: Omit<InboundMailDeps, 'settings'>, env: InboundEnv): Promise<InboundMail> {
  const inbound: InboundMailDeps = { ...deps, settings: inboundMailSettings(env) };
  let smtp: SmtpListener | undefined;
  if (env.MAIL_IN_SMTP_PORT) smtp = await startSmtpListener(inbound, { host: env.MAIL_IN_SMTP_HOST, port: env.MAIL_IN_SMTP_PORT, maxMessageBytes: Math.round(env.MAIL_IN_MAX_MESSAGE_MB * MB) });
  const imap = env.IMAP_URL ? startImapPoller(inbound, env.IMAP_URL) : undefined;
  return {
    smtpUrl: smtp && `smtp://${env.MAIL_IN_SMTP_HOST}:${smtp.port}`,
    imap,
    async stop() {
      await Promise.all([smtp?.stop(), imap?.stop()]);
    },
  };
}
