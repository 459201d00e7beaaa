import { ImapFlow } from 'imapflow';
import { operatorLog } from '../../config/logger';
import { receiveMail, RetryLater, type InboundMailDeps } from './receive';

export interface ImapPoller {
  /** Resolves once every unseen mail found so far has been taken (tests wait on it). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

interface Mailbox {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  path: string;
}

/** IMAP_URL's parts: imap://user:password@host:143/INBOX or imaps://…:993/…; the credentials stay in memory only. */
function imapMailbox(url: string): Mailbox {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  return {
    host: parsed.hostname,
    port: Number(parsed.port) || (secure ? 993 : 143),
    secure,
    user: decodeURIComponent(parsed.username),
    pass: decodeURIComponent(parsed.password),
    path: decodeURIComponent(parsed.pathname.replace(/^\/+/, '')) || 'INBOX',
  };
}

const RECONNECT_MS = 5_000;

/**
 * Takes the mailbox's unseen mail, one at a time, and marks each seen once it is stored with its outcome: a
 * mail that could not be taken (RetryLater) stays unseen for the next round. New mail is announced by IDLE
 * where the server offers it (imapflow idles on its own between commands), else found by NOOP polling; a
 * dropped connection is opened again after a pause. Log lines name the host and mailbox, never the account.
 */
export function startImapPoller(deps: InboundMailDeps, url: string): ImapPoller {
  const mailbox = imapMailbox(url);
  const where = `${mailbox.host}:${mailbox.port}/${mailbox.path}`;
  let stopped = false;
  let client: ImapFlow | null = null;
  let draining: Promise<void> = Promise.resolve();
  let wanted = false;
  let retryTimer: NodeJS.Timeout | undefined;

  async function takeUnseen(imap: ImapFlow) {
    const uids = (await imap.search({ seen: false }, { uid: true })) || [];
    for (const uid of uids) {
      if (stopped) return;
      const message = await imap.fetchOne(String(uid), { source: true }, { uid: true });
      if (!message || !message.source) continue;
      try {
        await receiveMail(deps, message.source, { source: 'imap', recipients: [] });
      } catch (error) {
        if (error instanceof RetryLater) continue;
        throw error;
      }
      await imap.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    }
  }

  /** One pass at a time; a notice that arrives during a pass asks for one more. */
  function drain() {
    wanted = true;
    draining = draining.then(async () => {
      while (wanted && client && !stopped) {
        wanted = false;
        await takeUnseen(client).catch((error: unknown) => operatorLog().warn({ mailbox: where, code: (error as { code?: string }).code }, `inbound mail: IMAP ${where} pass failed`));
      }
      // imapflow would start IDLE only after 15 s without a command, and mail arriving meanwhile would wait for
      // it: back to IDLE at once, so the next mail is announced as it lands. The next pass's first command ends it.
      if (client && !stopped) void client.idle().catch(() => undefined);
    });
    return draining;
  }

  async function connect() {
    if (stopped) return;
    const imap = new ImapFlow({ host: mailbox.host, port: mailbox.port, secure: mailbox.secure, auth: { user: mailbox.user, pass: mailbox.pass }, logger: false, missingIdleCommand: 'NOOP' });
    imap.on('error', () => undefined);
    imap.on('close', () => {
      if (client === imap) client = null;
      if (!stopped) retryTimer = setTimeout(() => void connect(), RECONNECT_MS);
    });
    imap.on('exists', () => void drain());
    try {
      await imap.connect();
      await imap.mailboxOpen(mailbox.path);
      client = imap;
      operatorLog().info({ mailbox: where }, `inbound mail: IMAP ${where} open${imap.capabilities.has('IDLE') ? ' (IDLE)' : ' (polling)'}`);
      await drain();
    } catch (error) {
      operatorLog().warn({ mailbox: where, code: (error as { code?: string }).code }, `inbound mail: IMAP ${where} unreachable; trying again in ${RECONNECT_MS / 1000} s`);
      imap.close();
    }
  }

  const started = connect();
  return {
    async idle() {
      await started;
      await drain();
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await started;
      await draining;
      await client?.logout().catch(() => undefined);
    },
  };
}
