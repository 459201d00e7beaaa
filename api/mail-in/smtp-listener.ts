import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { receiveMail, RetryLater, type InboundMailDeps } from './receive';

export interface SmtpListener {
  port: number;
  stop(): Promise<void>;
}

const smtpError = (message: string, responseCode: number) => Object.assign(new Error(message), { responseCode });

/**
 * The inbound SMTP listener an MTA forwards the service desk's mail to. A mail is answered 250 only once it is
 * stored with its outcome, so the MTA keeps (and retries) every mail this process could not take: 451 when the
 * database or Temporal is unreachable, 552 when it is larger than the limit.
 */
export async function startSmtpListener(deps: InboundMailDeps, options: { host: string; port: number; maxMessageBytes: number }): Promise<SmtpListener> {
  const server = new SMTPServer({
    banner: 'ITSM inbound mail',
    size: options.maxMessageBytes,
    // A relay hop on a trusted network: no accounts to log in with; TLS belongs to the MTA in front.
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        // Past the limit the rest is read and dropped: holding it would let one client fill the memory.
        if (bytes <= options.maxMessageBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(smtpError(`message larger than ${options.maxMessageBytes} bytes`, 552));
        const { mailFrom, rcptTo } = session.envelope;
        receiveMail(deps, Buffer.concat(chunks), { source: 'smtp', mailFrom: mailFrom ? mailFrom.address : undefined, recipients: rcptTo.map((rcpt) => rcpt.address) }).then(
          (received) => callback(null, `stored as ${received.id} (${received.outcome})`),
          (error: unknown) => callback(smtpError(error instanceof RetryLater ? 'temporarily unable to take this mail; try again later' : 'local error in processing', 451)),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A broken client connection is that client's problem; it must not stop the listener.
  server.on('error', () => undefined);
  return {
    port: (server.server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
