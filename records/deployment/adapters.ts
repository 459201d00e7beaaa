import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import type { ReleaseStep } from '../../domain/release';
import type { DeploymentAdapter } from '../../prisma/generated/client';
import { maskedOutput } from './step-output';
import { insideDataDir, isInside, stepDirectory, stepEnvironment, type StepSandbox } from './step-sandbox';
import { assertPublicLiteral, PrivateTargetError, publicOnlyLookup } from '../public-address';
import { decodedComponent, displayUrl, urlSecrets } from './webhook-target';

/** Below runReleaseStep's three-hour start-to-close timeout, so the step's own limit, with its clear message, comes first. */
const LONGEST_STEP_SECONDS = 2 * 3_600;

export const ShellAdapterConfig = z.strictObject({
  /** One command per step; a step without one succeeds at once (e.g. nothing to build). */
  commands: z.partialRecord(z.enum(['build', 'test', 'deploy', 'verify', 'rollback']), z.string().trim().min(1).max(2_000)),
  cwd: z.string().min(1).optional(),
  /** All values are treated as secrets: write-only in the API, masked in step output. */
  env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name'), z.string().max(2_000)).default({}),
  timeoutSeconds: z.number().int().min(1).max(LONGEST_STEP_SECONDS).default(900),
});
export const WebhookAdapterConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  secret: z.string().min(16, 'at least 16 characters'),
  timeoutSeconds: z.number().int().min(1).max(300).default(30),
});
type ShellConfig = z.infer<typeof ShellAdapterConfig>;
type WebhookConfig = z.infer<typeof WebhookAdapterConfig>;
type AdapterKind = 'shell' | 'webhook';

/**
 * An adapter's configuration as registered and as run: a shell step never runs in DATA_DIR; a webhook to the
 * public internet uses https (plain http is for receivers inside the network, on adapters marked internal).
 */
export function adapterConfigSchema(kind: AdapterKind, rules: { internal: boolean; dataDir: string }) {
  if (kind === 'shell') {
    const cwd = ShellAdapterConfig.shape.cwd.unwrap().refine((dir) => !isInside(path.resolve(dir), rules.dataDir), "must lie outside DATA_DIR (the product's own files)");
    return ShellAdapterConfig.extend({ cwd: cwd.optional() });
  }
  return rules.internal ? WebhookAdapterConfig : WebhookAdapterConfig.extend({ url: z.url({ protocol: /^https$/, message: 'must be an https URL (plain http only on an internal adapter)' }) });
}

/** What anyone who reads adapters may see: the shape of the configuration, and of its secrets only whether they are set. */
export function adapterConfigView(kind: string, config: unknown) {
  if (kind === 'shell') {
    const { commands, cwd, env = {}, timeoutSeconds } = config as ShellConfig;
    return { commands, ...(cwd === undefined ? {} : { cwd }), env: Object.fromEntries(Object.keys(env).map((name) => [name, 'set' as const])), timeoutSeconds };
  }
  const { url, timeoutSeconds } = config as WebhookConfig;
  return { url: displayUrl(url), secret: 'set' as const, timeoutSeconds };
}

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

/** Runs one step through the adapter as stored; a configuration that no longer passes its checks fails the step for good. */
export function runAdapterStep(adapter: Pick<DeploymentAdapter, 'kind' | 'config' | 'internal'>, context: StepContext, hooks: StepHooks, sandbox: StepSandbox): Promise<StepResult> {
  const kind = adapter.kind as AdapterKind;
  const parsed = adapterConfigSchema(kind, { internal: adapter.internal, dataDir: sandbox.dataDir }).safeParse(adapter.config);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => `config.${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`${context.step}: the adapter's configuration is not valid (${fields}); an administrator must register it again`, 'AdapterMisconfigured');
  }
  return kind === 'shell' ? runShellStep(parsed.data as ShellConfig, context, hooks, sandbox) : runWebhookStep(parsed.data as WebhookConfig, context, hooks, { internal: adapter.internal });
}

/** How long a step stopped by its time limit or a cancellation gets between SIGTERM and SIGKILL. */
const GRACE_SECONDS = 5;

// The step runs in a process group of its own (detached), so that stopping it reaches everything it started. A
// group of its own would outlive a worker killed outright, so its leader watches fd 3, the worker's end of a
// pipe: when it closes (the worker stops the step, or dies however it dies) the watcher sends the group SIGTERM,
// then SIGKILL after the grace. The watcher ignores SIGTERM and lets go of the step's output so the worker sees
// the step end as soon as it does.
const LEADER = [
  'exec 3<&0',
  '"$BASH" -c "$1" </dev/null 3<&- &',
  'step=$!',
  `( trap '' TERM; exec >/dev/null 2>&1; read -r -u 3 _; kill -TERM -- -$$; sleep ${GRACE_SECONDS}; kill -KILL -- -$$ ) &`,
  'watcher=$!',
  'wait "$step"; status=$?',
  '{ kill -KILL "$watcher"; wait "$watcher"; } 2>/dev/null',
  'exit "$status"',
].join('\n');

/**
 * Runs the step's command with bash in an empty directory of its own (or the adapter's cwd, never in DATA_DIR),
 * with an environment that holds only the basics, the adapter's variables and the release fields (ITSM_RELEASE_ID,
 * ITSM_RELEASE, ITSM_RELEASE_VERSION, ITSM_ENVIRONMENT, ITSM_STEP, ITSM_STEP_KEY), a time limit, and its output
 * captured with the adapter's values masked. A retried activity runs the step afresh in a new directory.
 */
export async function runShellStep(config: ShellConfig, context: StepContext, hooks: StepHooks, sandbox: StepSandbox): Promise<StepResult> {
  const command = config.commands[context.step];
  if (!command) return { output: `no ${context.step} command: nothing to do`, exitCode: 0, httpStatus: null };
  if (config.cwd && (await insideDataDir(config.cwd, sandbox))) {
    throw ApplicationFailure.nonRetryable(`${context.step}: the adapter's working directory lies inside DATA_DIR, where no step may run`, 'AdapterMisconfigured');
  }
  const home = await stepDirectory(sandbox, `${context.reference}-${context.environment ?? 'all'}-${context.step}`);
  try {
    return await runCommand(command, config, context, hooks, home.dir);
  } finally {
    await home.remove();
  }
}

function runCommand(command: string, config: ShellConfig, context: StepContext, hooks: StepHooks, home: string): Promise<StepResult> {
  const release = {
    ITSM_RELEASE_ID: context.releaseId,
    ITSM_RELEASE: context.reference,
    ITSM_RELEASE_VERSION: context.version,
    ITSM_ENVIRONMENT: context.environment ?? '',
    ITSM_STEP: context.step,
    ITSM_STEP_KEY: context.stepKey,
  };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', LEADER, 'itsm-step', command], { cwd: config.cwd ?? home, env: stepEnvironment(config.env, release, home), detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const output = maskedOutput(Object.values(config.env));
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', output.add);
    }
    let stopped: 'timeout' | 'cancelled' | null = null;
    const stop = (why: 'timeout' | 'cancelled') => {
      stopped ??= why;
      child.stdin.destroy();
    };
    const timer = setTimeout(() => stop('timeout'), config.timeoutSeconds * 1000);
    const beat = setInterval(() => hooks.progress({ outputBytes: output.text().length }), 1_000);
    const onAbort = () => stop('cancelled');
    hooks.signal.addEventListener('abort', onAbort);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      clearInterval(beat);
      hooks.signal.removeEventListener('abort', onAbort);
      const text = output.text();
      if (stopped === 'cancelled') return reject(ApplicationFailure.nonRetryable(`${context.step} was cancelled`, 'StepCancelled', { output: text }));
      if (stopped === 'timeout') {
        const message = `${context.step} did not finish within its time limit of ${config.timeoutSeconds} s and was stopped (SIGTERM, then SIGKILL after ${GRACE_SECONDS} s)`;
        return reject(ApplicationFailure.nonRetryable(message, 'StepTimedOut', { output: [text.trimEnd(), message].filter(Boolean).join('\n') }));
      }
      if (code !== 0) {
        const last = text.trim().split('\n').slice(-3).join(' | ');
        return reject(ApplicationFailure.nonRetryable(`${context.step} failed with exit code ${code}: ${last}`, 'StepFailed', { output: text, exitCode: code }));
      }
      resolve({ output: text, exitCode: 0, httpStatus: null });
    });
  });
}

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs the step to the configured URL, signed with HMAC-SHA256 over "<timestamp>.<body>" (X-Itsm-Signature,
 * X-Itsm-Timestamp); credentials in the URL travel as Basic authorisation. A 2xx is success; a 4xx is the
 * receiver refusing the step, and a 3xx is never followed (it could lead anywhere): neither is retried. A 5xx or
 * a network failure is retried by Temporal with back-off. The step key travels as X-Itsm-Idempotency-Key, so a
 * receiver can tell a retry from a new request. Unless the adapter is internal, only public addresses are
 * called, checked on the addresses the connection actually uses.
 */
export async function runWebhookStep(config: WebhookConfig, context: StepContext, hooks: StepHooks, { internal }: { internal: boolean }): Promise<StepResult> {
  const target = displayUrl(config.url);
  const url = new URL(config.url);
  const credentials = url.username || url.password ? Buffer.from(`${decodedComponent(url.username)}:${decodedComponent(url.password)}`).toString('base64') : null;
  url.username = '';
  url.password = '';
  const output = maskedOutput([config.secret, ...urlSecrets(config.url), ...(credentials ? [credentials] : [])]);
  const body = JSON.stringify({ release: context.reference, releaseId: context.releaseId, version: context.version, environment: context.environment, step: context.step });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-itsm-timestamp': timestamp,
    'x-itsm-signature': webhookSignature(config.secret, timestamp, body),
    'x-itsm-idempotency-key': context.stepKey,
    ...(credentials ? { authorization: `Basic ${credentials}` } : {}),
  };
  const signal = AbortSignal.any([hooks.signal, AbortSignal.timeout(config.timeoutSeconds * 1000)]);
  // A receiver may take longer to answer than the activity's heartbeat timeout.
  const beat = setInterval(() => hooks.progress({ outputBytes: output.text().length }), 1_000);
  hooks.progress({ outputBytes: 0 });
  let status: number;
  try {
    if (!internal) assertPublicLiteral(url.hostname);
    status = await post(url, { headers, body, signal, lookup: internal ? undefined : publicOnlyLookup }, output.add);
  } catch (error) {
    if (hooks.signal.aborted) throw ApplicationFailure.nonRetryable(`${context.step} was cancelled`, 'StepCancelled');
    if (error instanceof PrivateTargetError) {
      throw ApplicationFailure.nonRetryable(`${context.step}: ${target} was not called: ${error.message}; only an adapter an administrator marked internal may call private, loopback or link-local addresses`, 'WebhookTargetRefused');
    }
    const why = signal.aborted ? `no answer within ${config.timeoutSeconds} s` : output.mask((error as Error).message);
    throw ApplicationFailure.retryable(`${context.step}: ${target} unreachable: ${why}`, 'WebhookUnavailable');
  } finally {
    clearInterval(beat);
  }
  if (status >= 300 && status < 400) {
    throw ApplicationFailure.nonRetryable(`${context.step}: ${target} answered ${status}, a redirect, which webhooks do not follow`, 'WebhookRedirected', { output: '', httpStatus: status });
  }
  const text = output.text();
  if (status >= 500) throw ApplicationFailure.retryable(`${context.step}: ${target} answered ${status}`, 'WebhookUnavailable', { output: text, httpStatus: status });
  if (status >= 400) throw ApplicationFailure.nonRetryable(`${context.step}: ${target} refused with ${status}: ${text.slice(0, 200)}`, 'StepFailed', { output: text, httpStatus: status });
  return { output: text, exitCode: null, httpStatus: status };
}

/** One request on a connection of its own: a pooled one might have been opened to an address this adapter may not call. */
function post(url: URL, options: { headers: Record<string, string>; body: string; signal: AbortSignal; lookup: typeof publicOnlyLookup | undefined }, onText: (chunk: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers: options.headers, signal: options.signal, lookup: options.lookup, agent: false }, (response) => {
      response.setEncoding('utf8');
      response.on('data', onText);
      response.once('error', reject);
      response.once('end', () => resolve(response.statusCode!));
      response.once('close', () => response.complete || reject(new Error('the answer was cut off')));
    });
    request.once('error', reject);
    request.end(options.body);
  });
}
