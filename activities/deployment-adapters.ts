import { execFile, spawn } from 'node:child_process';
import { environmentWithoutSecrets } from '../config/child-env';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import type { ReleaseStep } from '../domain/release';

export const ShellAdapterConfig = z.strictObject({
  /** One command per step; a step without one succeeds at once (e.g. nothing to build). */
  commands: z.partialRecord(z.enum(['build', 'test', 'deploy', 'verify', 'rollback']), z.string().trim().min(1).max(2_000)),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name'), z.string().max(2_000)).default({}),
  timeoutSeconds: z.number().int().min(1).max(86_400).default(900),
});
export const WebhookAdapterConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(16, 'at least 16 characters'),
  timeoutSeconds: z.number().int().min(1).max(300).default(30),
});

export interface StepContext {
  stepKey: string;
  releaseId: string;
  reference: string;
  version: string;
  environment: string | null;
  step: ReleaseStep;
}

export interface StepResult {
  output: string;
  exitCode: number | null;
  httpStatus: number | null;
}

export interface StepHooks {
  /** Fires when the activity is cancelled (an abort) or the worker shuts down. */
  signal: AbortSignal;
  /** Called while the step runs, so the activity can heartbeat. */
  progress(detail: { outputBytes: number }): void;
}

const OUTPUT_LIMIT = 64 * 1024;
const tail = (text: string) => (text.length > OUTPUT_LIMIT ? text.slice(-OUTPUT_LIMIT) : text);

async function killTree(pid: number) {
  // Children first, so none is re-parented and left running.
  const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
  for (const child of stdout.split('\n').map((line) => Number(line.trim())).filter(Boolean)) await killTree(child);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Runs the step's command with bash, with the release in its environment (ITSM_RELEASE_ID, ITSM_RELEASE_VERSION,
 * ITSM_ENVIRONMENT, ITSM_STEP), a timeout, and its output captured. Not detached: a worker that dies takes its
 * commands with it, and the retried activity runs the step afresh.
 */
export function runShellStep(config: z.infer<typeof ShellAdapterConfig>, context: StepContext, hooks: StepHooks): Promise<StepResult> {
  const command = config.commands[context.step];
  if (!command) return Promise.resolve({ output: `no ${context.step} command: nothing to do`, exitCode: 0, httpStatus: null });
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: config.cwd,
      env: {
        ...environmentWithoutSecrets(),
        ...config.env,
        ITSM_RELEASE_ID: context.releaseId,
        ITSM_RELEASE: context.reference,
        ITSM_RELEASE_VERSION: context.version,
        ITSM_ENVIRONMENT: context.environment ?? '',
        ITSM_STEP: context.step,
        ITSM_STEP_KEY: context.stepKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = tail(output + chunk.toString());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let stopped: 'timeout' | 'cancelled' | null = null;
    const stop = (why: 'timeout' | 'cancelled') => {
      stopped ??= why;
      void killTree(child.pid!);
    };
    const timer = setTimeout(() => stop('timeout'), config.timeoutSeconds * 1000);
    const beat = setInterval(() => hooks.progress({ outputBytes: output.length }), 1_000);
    const onAbort = () => stop('cancelled');
    hooks.signal.addEventListener('abort', onAbort);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      clearInterval(beat);
      hooks.signal.removeEventListener('abort', onAbort);
      if (stopped === 'cancelled') return reject(ApplicationFailure.nonRetryable(`${context.step} was cancelled`, 'StepCancelled', { output }));
      if (stopped === 'timeout') return reject(ApplicationFailure.nonRetryable(`${context.step} did not finish within ${config.timeoutSeconds} s`, 'StepTimedOut', { output }));
      if (code !== 0) {
        const last = output.trim().split('\n').slice(-3).join(' | ');
        return reject(ApplicationFailure.nonRetryable(`${context.step} failed with exit code ${code}: ${last}`, 'StepFailed', { output, exitCode: code }));
      }
      resolve({ output, exitCode: 0, httpStatus: null });
    });
  });
}

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs the step to the configured URL, signed with HMAC-SHA256 over "<timestamp>.<body>" (X-Itsm-Signature,
 * X-Itsm-Timestamp). A 2xx is success; a 4xx is the receiver refusing the step, not retried; a 5xx or a network
 * failure is retried by Temporal with back-off. The step key travels as X-Itsm-Idempotency-Key, so a receiver can
 * tell a retry from a new request.
 */
export async function runWebhookStep(config: z.infer<typeof WebhookAdapterConfig>, context: StepContext, hooks: StepHooks): Promise<StepResult> {
  const body = JSON.stringify({ release: context.reference, releaseId: context.releaseId, version: context.version, environment: context.environment, step: context.step });
  const timestamp = String(Math.floor(Date.now() / 1000));
  hooks.progress({ outputBytes: 0 });
  let response: Response;
  try {
    response = await fetch(config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-itsm-timestamp': timestamp,
        'x-itsm-signature': webhookSignature(config.secret, timestamp, body),
        'x-itsm-idempotency-key': context.stepKey,
      },
      body,
      signal: AbortSignal.any([hooks.signal, AbortSignal.timeout(config.timeoutSeconds * 1000)]),
    });
  } catch (error) {
    if (hooks.signal.aborted) throw ApplicationFailure.nonRetryable(`${context.step} was cancelled`, 'StepCancelled');
    throw ApplicationFailure.retryable(`${context.step}: ${config.url} unreachable: ${(error as Error).message}`, 'WebhookUnavailable');
  }
  const output = tail(await response.text());
  if (response.status >= 500) throw ApplicationFailure.retryable(`${context.step}: ${config.url} answered ${response.status}`, 'WebhookUnavailable', { output, httpStatus: response.status });
  if (response.status >= 400) throw ApplicationFailure.nonRetryable(`${context.step}: ${config.url} refused with ${response.status}: ${output.slice(0, 200)}`, 'StepFailed', { output, httpStatus: response.status });
  return { output, exitCode: null, httpStatus: response.status };
}
