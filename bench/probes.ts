import { Client, Connection } from '@temporalio/client';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the bench can see of a configuration while it runs, from outside its processes: Temporal's visibility
 * (the embedded stack's PGlite cannot be read by another process) and the worker's /metrics.
 */
export interface LiveProbe {
  /** Incidents of the service whose workflow has recorded the opening and published its first deadline. */
  openedIncidents(serviceCode: string): Promise<number>;
  /** SLA events the worker has written since it started (its lateness histogram's count). */
  slaEventsWritten(): Promise<number>;
  /** Polls `read` until it reaches `expected`; returns the seconds it took, or null once it stalled for `stallMs`. */
  waitFor(read: () => Promise<number>, expected: number, stallMs: number): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * A read retried a few times: a process under the load being measured may drop an idle keep-alive connection
 * (fetch fails) or answer a visibility query late, which says nothing about what is being measured.
 */
async function retrying<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(1_000 * attempt);
    }
  }
}

export async function connectProbe(temporalAddress: string, workerMetricsUrl: string): Promise<LiveProbe> {
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  return {
    async openedIncidents(serviceCode) {
      const { count } = await retrying(() => client.workflow.count(`ItsmService = "${serviceCode}" AND ItsmDueAt IS NOT NULL`));
      return count;
    },
    async slaEventsWritten() {
      const text = await retrying(async () => (await fetch(workerMetricsUrl)).text());
      return text
        .split('\n')
        .filter((line) => line.startsWith('itsm_sla_event_lateness_seconds_count'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    },
    async waitFor(read, expected, stallMs) {
      const started = Date.now();
      let last = -1;
      let progressedAt = started;
      while (Date.now() - progressedAt < stallMs) {
        const value = await read();
        if (value >= expected) return Math.round((Date.now() - started) / 100) / 10;
        if (value > last) [last, progressedAt] = [value, Date.now()];
        await sleep(1_000);
      }
      return null;
    },
    close: () => connection.close(),
  };
}
