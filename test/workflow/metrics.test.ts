import type { MetricValueWithName } from 'prom-client';
import { activityFailureInterceptor, serveWorkerMetrics, workerMetrics } from '../../workers/metrics';
import { eventually, startHarness, type Harness } from '../support/harness';
import { openIncidentVia, secondScaleService, slaEvents } from '../support/sla-fixtures';

/** The histogram's `_count` summed over its labels: how many SLA events this process has written. */
async function latenessCount(): Promise<number> {
  const values = (await workerMetrics.getSingleMetric('itsm_sla_event_lateness_seconds')!.get()).values as MetricValueWithName<string>[];
  return values.filter((v) => v.metricName === 'itsm_sla_event_lateness_seconds_count').reduce((sum, v) => sum + v.value, 0);
}

describe('Prometheus metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  it('counts in the lateness histogram exactly the SLA events the worker wrote, and serves it on /metrics', async () => {
    const before = await latenessCount();
    const service = await secondScaleService(h, { responseSeconds: 600, resolutionSeconds: 3, warningThresholds: [0.5] }, { P3: { resolutionSeconds: 3 } });
    const incident = await openIncidentVia(h, service.id);
    // The 50 % warning, then the breach.
    const events = await eventually(async () => {
      const found = await slaEvents(h, incident.id);
      if (!found.some((e) => e.type === 'sla.breach')) throw new Error('no breach yet');
      return found;
    }, 30_000);
    expect(events.map((e) => e.type)).toEqual(['sla.warning', 'sla.breach']);
    await eventually(async () => expect(await latenessCount()).toBe(before + events.length));
    // Mail has a task queue of its own and may still be on its way when the breach is written.
    await eventually(async () => expect(await workerMetrics.getSingleMetricAsString('itsm_mails_sent_total')).toMatch(/family="incident"\} [1-9]/));

    const server = await serveWorkerMetrics('127.0.0.1', 0);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(/^itsm_sla_event_lateness_seconds_count\{event="breach"\} [1-9]/m);
      expect(text).toMatch(/^itsm_mails_sent_total\{family="incident"\} [1-9]/m);
      for (const series of ['itsm_mails_sent_total', 'itsm_mails_failed_total', 'itsm_activity_failures_total', 'process_resident_memory_bytes']) expect(text).toContain(`# TYPE ${series}`);
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('counts a failed activity attempt by activity type, and lets the error through', async () => {
    const interceptors = activityFailureInterceptor({ info: { activityType: 'probeActivity' } } as Parameters<typeof activityFailureInterceptor>[0]);
    const failing = () => Promise.reject(new Error('SMTP down'));
    await expect(interceptors.inbound!.execute!({ args: [], headers: {} }, failing)).rejects.toThrow('SMTP down');
    expect(await workerMetrics.getSingleMetricAsString('itsm_activity_failures_total')).toContain('itsm_activity_failures_total{activity="probeActivity"} 1');
  });

  it('times API requests by route pattern and status on a public /metrics, never by URL', async () => {
    await h.http.get('/api/services').set(h.as('admin')).expect(200);
    await h.http.get('/api/services').expect(401);
    await h.http.get('/actions/itsm_secret_looking_token_123');

    const response = await h.http.get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toMatch(/^itsm_http_request_duration_seconds_count\{method="GET",route="\/api\/services",status="200"\} [1-9]/m);
    expect(response.text).toMatch(/^itsm_http_request_duration_seconds_count\{method="GET",route="other",status="401"\} [1-9]/m);
    expect(response.text).toContain('route="/actions/:token"');
    expect(response.text).not.toContain('itsm_secret_looking_token_123');
    expect(response.text).toContain('# TYPE process_cpu_seconds_total counter');
  });
});
