import { spawn, type ChildProcess } from 'node:child_process';
import { environmentWithoutSecrets } from '../config/child-env';
import { mkdirSync } from 'node:fs';
import { stopChild } from '../temporal-config/dev-server';

export interface MailCatcher {
  smtpUrl: string;
  inboxUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface CapturedMail {
  id: string;
  subject: string;
  text?: string;
  html?: string;
  to: { address: string; name?: string }[];
  headers: Record<string, string>;
}

/**
 * MailDev as a supervised child: it catches everything sent to its SMTP port and shows it in a web inbox, so
 * approval links can be clicked in the demo. A child rather than in-process because its entry point installs
 * its own signal handlers that exit the process.
 */
export async function startMailCatcher(options: { smtpPort: number; uiPort: number; mailDir?: string }): Promise<MailCatcher> {
  const args = [require.resolve('maildev/bin/maildev'), '--smtp', String(options.smtpPort), '--web', String(options.uiPort), '--ip', '127.0.0.1', '--silent'];
  if (options.mailDir) {
    mkdirSync(options.mailDir, { recursive: true });
    args.push('--mail-directory', options.mailDir);
  }
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: environmentWithoutSecrets() });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  const inboxUrl = `http://127.0.0.1:${options.uiPort}`;
  const deadline = Date.now() + 20_000;
  while (true) {
    if (child.exitCode !== null) throw new Error(`mail catcher exited (${child.exitCode}): ${stderr.trim() || 'no output'}`);
    try {
      const response = await fetch(`${inboxUrl}/email`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child, 1_000);
      throw new Error(`mail catcher did not answer on ${inboxUrl} within 20s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { smtpUrl: `smtp://127.0.0.1:${options.smtpPort}`, inboxUrl, process: child, stop: () => stopChild(child, 5_000) };
}

/** Reads the catcher's inbox through its REST API. */
export async function readInbox(inboxUrl: string): Promise<CapturedMail[]> {
  const response = await fetch(`${inboxUrl}/email`);
  if (!response.ok) throw new Error(`mail inbox answered ${response.status}`);
  return (await response.json()) as CapturedMail[];
}
