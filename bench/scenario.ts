import type { Database } from '../prisma/database';
import { burstDrain, eventWriteTimeColumn, openingsPerSecond, slaLateness } from './analysis';
import type { Deployment } from './deployments';
import { EVENTS_PER_LATENESS_INCIDENT, LATENESS_POLICY } from './fixtures';
import { burstIntake, completeRawStarts, pacedIntake, rawStarts, round, type IntakeRun } from './load';
import { connectProbe, type LiveProbe } from './probes';
import { calendarOpeningAt } from './burst-calendar';

export interface ScenarioSettings {
  repetitions: number;
  connections: number;
  rawStarts: number;
  apiOnlyIntakes: number;
  sustainedIntakes: number;
  /** Open incidents at which the worker's RSS is read (the first must come before the intake runs add theirs). */
  rssCheckpoints: number[];
  latenessRates: number[];
  latenessSeconds: number;
  burstSize: number;
  bursts: number;
  burstTargetSeconds: number;
  workerCache: number;
}

/** How long a wait for the worker goes on without it making any progress. */
const STALL_MS = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
};

/** What is measured while the configuration runs; some figures are computed from the database afterwards. */
export interface Recorded {
  rawStarts: number[];
  apiOnly: IntakeRun[];
  sustained: IntakeRun[];
  rss: { openIncidents: number; rssMiB: number; allOpened: boolean }[];
  lateness: { rate: number; serviceId: string; feed: Awaited<ReturnType<typeof pacedIntake>>; allWrittenWithinSeconds: number | null }[];
  bursts: { serviceId: string; size: number; created: number; dueAt: number; allOpenedBeforeDue: boolean }[];
}

/**
 * Runs every measurement against one configuration, stops its application and analyses what it wrote.
 * `keep` gets what has been measured after each phase, so a run stopped part-way still leaves its figures.
 */
export async function runScenario(deployment: Deployment, settings: ScenarioSettings, log: (line: string) => void, keep: (recorded: Recorded) => void) {
  const probe = await connectProbe(deployment.temporalAddress, deployment.workerMetricsUrl);
  const recorded: Recorded = { rawStarts: [], apiOnly: [], sustained: [], rss: [], lateness: [], bursts: [] };
  const { fixtures, apiUrl } = deployment;
  const note = (line: string) => {
    log(line);
    keep(recorded);
  };
  const long = fixtures.longService;
  let open = 0;
  let openOnLong = 0;

  /** Whether the worker opened every incident on the long policy before it stopped making progress. */
  const drainLong = async () => {
    const drained = (await probe.waitFor(() => probe.openedIncidents(long.code), openOnLong, STALL_MS)) !== null;
    if (!drained) log(`  the worker stopped opening incidents short of ${openOnLong}; going on`);
    return drained;
  };
  const intakeOnLong = async (amount: number) => {
    const run = await burstIntake(apiUrl, fixtures.token, long.id, amount, settings.connections);
    open += run.created;
    openOnLong += run.created;
    return run;
  };
  const readRss = async (target: number) => {
    if (open < target) await intakeOnLong(target - open);
    const allOpened = await drainLong();
    await sleep(5_000);
    const rssMiB = deployment.workerProcess.rssMiB();
    recorded.rss.push({ openIncidents: open, rssMiB, allOpened });
    note(`  worker RSS ${rssMiB} MiB with ${open} open incidents`);
  };

  try {
    const [firstCheckpoint, ...laterCheckpoints] = settings.rssCheckpoints;
    for (let i = 0; i < settings.repetitions; i++) {
      recorded.rawStarts.push((await rawStarts(deployment.temporalAddress, 'BENCH-RAW', settings.rawStarts, settings.connections)).startsPerSecond);
      note(`  raw starts ${i + 1}/${settings.repetitions}: ${recorded.rawStarts[i]}/s`);
    }
    await completeRawStarts(deployment.temporalAddress);
    await readRss(firstCheckpoint);
    for (let i = 0; i < settings.repetitions; i++) {
      recorded.sustained.push(await intakeOnLong(settings.sustainedIntakes));
      note(`  intake with the worker running ${i + 1}/${settings.repetitions}: ${recorded.sustained[i].incidentsPerSecond}/s; waiting for the worker ...`);
      await drainLong();
    }
    if (deployment.workerPausable) deployment.workerProcess.pause();
    try {
      for (let i = 0; i < settings.repetitions; i++) {
        recorded.apiOnly.push(await intakeOnLong(settings.apiOnlyIntakes));
        note(`  API-only intake ${i + 1}/${settings.repetitions}: ${recorded.apiOnly[i].incidentsPerSecond}/s`);
      }
    } finally {
      if (deployment.workerPausable) deployment.workerProcess.resume();
    }
    note(`  waiting for the worker to open ${openOnLong} incidents ...`);
    await drainLong();
    await readRss(laterCheckpoints[0]);
    for (const rate of settings.latenessRates) {
      recorded.lateness.push(await latenessRun(deployment, probe, settings, rate, log));
      note(`  lateness at ${rate} SLA events/s: every event written ${recorded.lateness.at(-1)!.allWrittenWithinSeconds ?? 'not'} s after feeding stopped`);
    }
    open += recorded.lateness.reduce((sum, run) => sum + run.feed.created, 0);
    for (const service of fixtures.burstServices) {
      const burst = await calendarBurst(deployment, probe, settings, service, recorded.sustained, log);
      recorded.bursts.push(burst);
      open += burst.created;
      note(`  burst of ${burst.created} deadlines written`);
    }
    for (const checkpoint of laterCheckpoints.slice(1)) await readRss(checkpoint);
  } finally {
    await probe.close();
    await deployment.stopApplication();
  }
  const db = await deployment.openApplicationDatabase();
  try {
    return await analyse(db, deployment, settings, recorded);
  } finally {
    await db.close();
  }
}

/** Second-scale incidents fed at the rate that makes `rate` SLA events a second once the first ones fall due. */
async function latenessRun(deployment: Deployment, probe: LiveProbe, settings: ScenarioSettings, rate: number, log: (line: string) => void) {
  const service = deployment.fixtures.latenessServices[rate];
  const before = await probe.slaEventsWritten();
  log(`  lateness at ${rate} SLA events/s: feeding ${settings.latenessSeconds}s of incidents ...`);
  const feed = await pacedIntake(deployment.apiUrl, deployment.fixtures.token, service.id, rate / EVENTS_PER_LATENESS_INCIDENT, settings.latenessSeconds);
  const allWrittenWithinSeconds = await probe.waitFor(() => probe.slaEventsWritten(), before + feed.created * EVENTS_PER_LATENESS_INCIDENT, STALL_MS);
  return { rate, serviceId: service.id, feed, allWrittenWithinSeconds };
}

/**
 * `size` incidents on a service whose business calendar opens at the next whole minute that leaves room to open
 * them all first: every response clock starts at that instant, so every deadline falls in the same millisecond,
 * as Monday 09:00 does for a service desk's weekend intake.
 */
async function calendarBurst(deployment: Deployment, probe: LiveProbe, settings: ScenarioSettings, service: { id: string; code: string }, sustained: IntakeRun[], log: (line: string) => void) {
  const { apiUrl, fixtures } = deployment;
  const perSecond = Math.max(5, median(sustained.map((run) => run.incidentsPerSecond)) / 2);
  const opening = calendarOpeningAt(Date.now() + ((settings.burstSize / perSecond) * 1000 + 20_000));
  const call = async (method: string, url: string, body: unknown) => {
    const response = await fetch(`${apiUrl}${url}`, { method, headers: { authorization: `Bearer ${fixtures.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const calendar = await call('POST', '/api/calendars', { name: `Bench ${service.code} ${Date.now()}`, timeZone: opening.timeZone, weekly: opening.weekly });
  for (const priority of ['P1', 'P2', 'P3', 'P4']) {
    await call('POST', '/api/sla-policies', { serviceId: service.id, priority, calendarId: calendar.id, responseTargetSeconds: settings.burstTargetSeconds, resolutionTargetSeconds: 30 * 86_400, warningThresholds: [] });
  }
  const dueAt = opening.at + settings.burstTargetSeconds * 1000;
  log(`  calendar-aligned burst: ${settings.burstSize} incidents, all due at ${new Date(dueAt).toISOString()}`);
  const before = await probe.slaEventsWritten();
  const run = await burstIntake(apiUrl, fixtures.token, service.id, settings.burstSize, settings.connections);
  await probe.waitFor(() => probe.openedIncidents(service.code), run.created, Math.max(0, opening.at - Date.now()));
  const allOpenedBeforeDue = Date.now() < opening.at;
  await sleep(Math.max(0, dueAt - Date.now()));
  await probe.waitFor(() => probe.slaEventsWritten(), before + run.created, STALL_MS);
  return { serviceId: service.id, size: settings.burstSize, created: run.created, dueAt, allOpenedBeforeDue };
}

async function analyse(db: Database, deployment: Deployment, settings: ScenarioSettings, recorded: Recorded) {
  const column = await eventWriteTimeColumn(db);
  const long = deployment.fixtures.longService.id;
  const rawStartsPerSecond = median(recorded.rawStarts);
  const apiOnly = median(recorded.apiOnly.map((run) => run.incidentsPerSecond));
  const sustainedRates: number[] = [];
  for (const run of recorded.sustained) sustainedRates.push(await openingsPerSecond(db, column, long, run.startedAt, run.endedAt));
  const sustained = median(sustainedRates);
  const lateness = [];
  for (const run of recorded.lateness) {
    // The steady part: from when the first incidents' last events fall due until feeding stopped.
    const stats = await slaLateness(db, column, run.serviceId, run.feed.startedAt + LATENESS_POLICY.resolutionSeconds * 1000, run.feed.endedAt);
    lateness.push({ eventsPerSecond: run.rate, measuredEventsPerSecond: stats.eventsPerSecond, incidents: run.feed.created, refused: run.feed.refused, latenessMs: { count: stats.count, p50: stats.p50, p99: stats.p99, max: stats.max }, allWrittenWithinSeconds: run.allWrittenWithinSeconds });
  }
  const bursts = [];
  for (const burst of recorded.bursts) bursts.push({ ...burst, ...(await burstDrain(db, column, burst.serviceId, burst.dueAt)) });
  const drains = bursts.map((burst) => burst.drainSeconds ?? Infinity);
  return {
    layout: deployment.layout,
    eventWriteTime: column,
    workerCache: settings.workerCache,
    rawStarts: { startsPerSecond: rawStartsPerSecond, runs: recorded.rawStarts },
    apiOnlyIntake: {
      incidentsPerSecond: apiOnly,
      ratioToRawStarts: round(apiOnly / rawStartsPerSecond, 2),
      workerPaused: deployment.workerPausable,
      runs: recorded.apiOnly.map(({ incidentsPerSecond, created, refused, latencyMs }) => ({ incidentsPerSecond, created, refused, latencyMs })),
    },
    sustained: {
      incidentsPerSecond: sustained,
      ratioToRawStarts: round(sustained / rawStartsPerSecond, 2),
      runs: recorded.sustained.map((run, i) => ({ intakePerSecond: run.incidentsPerSecond, openedPerSecond: sustainedRates[i], created: run.created, refused: run.refused })),
    },
    workerRss: recorded.rss,
    lateness: {
      runs: lateness,
      largestRateWithP99UnderOneSecond: Math.max(0, ...lateness.filter((run) => run.latenessMs.count > 0 && run.latenessMs.p99 <= 1_000).map((run) => run.eventsPerSecond)),
    },
    burst: { deadlines: settings.burstSize, drainSeconds: median(drains) === Infinity ? null : median(drains), runs: bursts },
  };
}

export type ScenarioResult = Awaited<ReturnType<typeof runScenario>>;
