import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

export interface Dovecot {
  port: number;
  /** imap://user:password@127.0.0.1:port/INBOX for the one mailbox account. */
  url: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

const DOVECOT = process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot';

/**
 * Debian's dovecot-imapd as a child of the test, in the foreground, with a configuration of its own in a temporary
 * folder: its own port, one account from a passwd-file, maildirs in the folder. Mail may not be owned by root, so
 * a root run hands the folder to `nobody`.
 */
export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'itsm-dovecot-'));
  const port = await freePort();
  const [uid, gid] = process.getuid?.() === 0 ? [65534, 65534] : [process.getuid!(), process.getgid!()];
  const user = 'desk';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  // Dovecot's auth process runs as its own user and reads the passwd-file.
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'mail'));
  chownSync(path.join(dir, 'mail'), uid, gid);
  writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${password}:${uid}:${gid}::${path.join(dir, 'mail', user)}::\n`);
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    [
      'protocols = imap',
      'listen = 127.0.0.1',
      `base_dir = ${path.join(dir, 'run')}`,
      `state_dir = ${path.join(dir, 'state')}`,
      `log_path = ${path.join(dir, 'dovecot.log')}`,
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      `first_valid_uid = ${Math.min(uid, 500)}`,
      `mail_location = maildir:${path.join(dir, 'mail', '%u')}`,
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${path.join(dir, 'users')}\n}`,
      `userdb {\n  driver = passwd-file\n  args = username_format=%u ${path.join(dir, 'users')}\n}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dovecot did not start on ${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    user,
    password,
    url: `imap://${user}:${password}@127.0.0.1:${port}/INBOX`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
