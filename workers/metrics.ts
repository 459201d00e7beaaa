import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActivityInterceptorsFactory, RuntimeOptions } from '@temporalio/worker';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { metricsUrl, type Env } from '../config/env';

/**
 * The worker's own Prometheus series, in a registry of their own: in the embedded stack the API shares the
 * process and keeps its series apart. One registry per process, so every activity counts into the same series.
 */
export const workerMetrics = new Registry();
collectDefaultMetrics({ register: workerMetrics });

const slaLateness = new Histogram({
  name: 'itsm_sla_event_lateness_seconds',
  help: 'When an SLA event was written minus when it was due, by event (warning, breach, escalation, progress, autoClose)',
  labelNames: ['event'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
  registers: [workerMetrics],
});

const mailsSent = new Counter({ name: 'itsm_mails_sent_total', help: 'Mail handed to SMTP, by the kind of record it is about', labelNames: ['family'], registers: [workerMetrics] });
const mailsFailed = new Counter({ name: 'itsm_mails_failed_total', help: 'Mail SMTP refused or never took (the activity retries it), by the kind of record it is about', labelNames: ['family'], registers: [workerMetrics] });
const activityFailures = new Counter({ name: 'itsm_activity_failures_total', help: 'Activity attempts that ended in an error (each retry counts), by activity', labelNames: ['activity'], registers: [workerMetrics] });

/** An SLA event's audit row was written at `recordedAt` (IncidentEvent.recordedAt); `dueAt` is the instant it was due (ISO). */
export function observeSlaLateness(eventType: string, dueAt: unknown, recordedAt: Date) {
  const due = typeof dueAt === 'string' ? Date.parse(dueAt) : NaN;
  if (Number.isNaN(due)) return;
  slaLateness.observe({ event: eventType.replace(/^sla\./, '') }, (recordedAt.getTime() - due) / 1000);
}

/** Addresses never become labels: the family is the kind of record (incident, change, problem, other). */
export function countMail(family: string, outcome: 'sent' | 'failed') {
  (outcome === 'sent' ? mailsSent : mailsFailed).inc({ family });
}

/** Counts every failed activity attempt, whichever activity it was, without touching the activities themselves. */
export const activityFailureInterceptor: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (error) {
        activityFailures.inc({ activity: ctx.info.activityType });
        throw error;
      }
    },
  },
});

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** `GET /metrics` on its own port (0: any free one), for a worker that has no HTTP server of its own. */
export async function serveWorkerMetrics(host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    workerMetrics.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': workerMetrics.contentType }).end(text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics collection failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => server.listen(port, host, resolve).once('error', reject));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type MetricsEnv = Pick<Env, 'METRICS_HOST' | 'WORKER_METRICS_PORT' | 'TEMPORAL_SDK_METRICS_PORT'>;

/** The worker's /metrics server as configured (WORKER_METRICS_PORT), or undefined when it is off. */
export async function startWorkerMetrics(env: MetricsEnv): Promise<MetricsServer | undefined> {
  return env.WORKER_METRICS_PORT ? serveWorkerMetrics(env.METRICS_HOST, env.WORKER_METRICS_PORT) : undefined;
}

/** The SDK's own series (polls, task latencies, cache size, slots) served by its core at TEMPORAL_SDK_METRICS_PORT. */
export function sdkMetricsTelemetry(env: MetricsEnv): Pick<RuntimeOptions, 'telemetryOptions'> {
  const url = metricsUrl(env, env.TEMPORAL_SDK_METRICS_PORT);
  return url ? { telemetryOptions: { metrics: { prometheus: { bindAddress: new URL(url).host } } } } : {};
}
