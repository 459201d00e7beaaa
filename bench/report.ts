import type { DeploymentName } from './deployments';
import type { ScenarioResult } from './scenario';

export interface PeerFigure {
  ticketsPerSecond: number;
  concurrency?: number;
  [detail: string]: unknown;
}

export interface BenchReport {
  takenAt: string;
  quick: boolean;
  machine: { cpus: number; cpuModel?: string; memoryGiB: number; node: string; platform: string };
  settings: Record<string, unknown>;
  // Each with when it was taken: a run of one configuration keeps the other's from an earlier run.
  configurations: Partial<Record<DeploymentName, (ScenarioResult & { takenAt?: string; loadAverages?: number[] }) | { error: string }>>;
  peers: { rt5: PeerFigure | null };
  listQuery?: Record<string, unknown>;
  targets?: TargetCheck[];
}

export interface TargetCheck {
  configuration: DeploymentName;
  figure: string;
  target: string;
  value: string;
  met: boolean | null;
}

const MIB_PER_MB = 1e6 / 2 ** 20;
/** The issue's targets (issue 17): per configuration where they differ. */
const LATENESS_RATE_TARGET: Record<DeploymentName, number> = { embedded: 20, cluster: 50 };

const isResult = (result: ScenarioResult | { error: string } | undefined): result is ScenarioResult => result !== undefined && !('error' in result);
const rssAt = (result: ScenarioResult, index: number) => result.workerRss[index];

/** Every target of the issue, checked against one configuration's figures. */
export function checkTargets(name: DeploymentName, result: ScenarioResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (figure: string, target: string, value: string, met: boolean | null) => checks.push({ configuration: name, figure, target, value, met });
  const [, at10k, at30k] = result.workerRss;
  if (at10k) add('worker RSS at 10k open', '≤ 300 MB', `${at10k.rssMiB} MiB`, at10k.rssMiB <= 300 * MIB_PER_MB);
  if (at10k && at30k) add('worker RSS at 30k open', '≤ 1.10 × RSS at 10k', `${round2(at30k.rssMiB / at10k.rssMiB)} ×`, at30k.rssMiB <= 1.1 * at10k.rssMiB);
  const rate = LATENESS_RATE_TARGET[name];
  const run = result.lateness.runs.find((r) => r.eventsPerSecond === rate);
  add(`SLA lateness p99 at ${rate} events/s`, '≤ 1 s', run ? `${ms(run.latenessMs.p99)}` : 'not measured', run && run.latenessMs.count > 0 ? run.latenessMs.p99 <= 1_000 : null);
  add('calendar-aligned burst drained', '≤ 20 s', result.burst.drainSeconds === null ? 'not drained' : `${result.burst.drainSeconds} s`, result.burst.drainSeconds !== null && result.burst.drainSeconds <= 20);
  add('API-only intake / raw starts', '≥ 0.8', String(result.apiOnlyIntake.ratioToRawStarts), result.apiOnlyIntake.ratioToRawStarts >= 0.8);
  add('sustained end-to-end / raw starts', '≥ 0.5', String(result.sustained.ratioToRawStarts), result.sustained.ratioToRawStarts >= 0.5);
  return checks;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const ms = (value: number) => (value >= 1_000 ? `${round2(value / 1000)} s` : `${Math.round(value)} ms`);
const mark = (met: boolean | null | undefined) => (met === undefined ? '' : met === null ? ' (?)' : met ? ' ✓' : ' ✗');

/** The bench's figures as a Markdown table, one column per configuration, with the targets beside them. */
export function benchTable(report: BenchReport): string {
  const names = (['embedded', 'cluster'] as const).filter((name) => report.configurations[name]);
  const checks = report.targets ?? [];
  const met = (name: DeploymentName, figure: string) => checks.find((c) => c.configuration === name && c.figure === figure)?.met;
  const rt5 = report.peers.rt5;
  type Row = [string, (result: ScenarioResult & { takenAt?: string; loadAverages?: number[] }, name: DeploymentName) => string, string];
  const rows: Row[] = [
    ['measured at', (r) => r.takenAt ?? report.takenAt, ''],
    ['raw Temporal starts (same search attributes and argument as an intake)', (r) => `${r.rawStarts.startsPerSecond}/s`, ''],
    ['API-only intake (worker stopped)', (r, n) => `${r.apiOnlyIntake.incidentsPerSecond}/s = ${r.apiOnlyIntake.ratioToRawStarts}× raw${r.apiOnlyIntake.workerPaused ? '' : ' (worker in the same process, running)'}${mark(met(n, 'API-only intake / raw starts'))}`, '≥ 0.8× raw'],
    ['sustained end-to-end (incidents fully opened)', (r, n) => `${r.sustained.incidentsPerSecond}/s = ${r.sustained.ratioToRawStarts}× raw${mark(met(n, 'sustained end-to-end / raw starts'))}`, '≥ 0.5× raw'],
    ...[0, 1, 2].map((i): Row => [
      `worker RSS, checkpoint ${i + 1}`,
      (r, n) => (rssAt(r, i) ? `${rssAt(r, i).rssMiB} MiB at ${rssAt(r, i).openIncidents} open${rssAt(r, i).allOpened ? '' : ' (backlog not drained)'}${mark(met(n, i === 1 ? 'worker RSS at 10k open' : i === 2 ? 'worker RSS at 30k open' : ''))}` : '–'),
      i === 1 ? '≤ 300 MB at 10k' : i === 2 ? '≤ +10 % at 30k' : '',
    ]),
    ['worker cache (WORKER_MAX_CACHED_WORKFLOWS)', (r) => `${r.workerCache} workflows`, ''],
    ...[5, 20, 50].map((rate): Row => [
      `SLA event lateness at ${rate} events/s (p50 / p99 / max)`,
      (r, n) => {
        const run = r.lateness.runs.find((l) => l.eventsPerSecond === rate);
        if (!run) return '–';
        const l = run.latenessMs;
        return l.count === 0 ? 'no events' : `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.max)} over ${l.count} events${rate === LATENESS_RATE_TARGET[n] ? mark(met(n, `SLA lateness p99 at ${rate} events/s`)) : ''}`;
      },
      rate === 20 ? 'p99 ≤ 1 s (embedded)' : rate === 50 ? 'p99 ≤ 1 s (cluster)' : '',
    ]),
    ['largest of those rates with p99 ≤ 1 s', (r) => `${r.lateness.largestRateWithP99UnderOneSecond || 'none'}${r.lateness.largestRateWithP99UnderOneSecond ? ' events/s' : ''}`, '20 / 50'],
    ['calendar-aligned burst drained (deadlines in one second)', (r, n) => `${r.burst.drainSeconds ?? 'not drained'}${r.burst.drainSeconds === null ? '' : ' s'} for ${r.burst.deadlines}${mark(met(n, 'calendar-aligned burst drained'))}`, '≤ 20 s for 1,000'],
    ['highest 1-minute load average seen at the end of a phase', (r) => (r.loadAverages?.length ? String(Math.max(...r.loadAverages)) : 'not recorded'), ''],
    ['API intake / RT 5 REST2 ticket create', (r) => (rt5 ? `${round2(r.apiOnlyIntake.incidentsPerSecond / rt5.ticketsPerSecond)}× (RT 5: ${rt5.ticketsPerSecond}/s)` : 'not measured'), ''],
  ];
  const header = `| figure | ${names.join(' | ')} | target |`;
  const lines = [header, `|---|${names.map(() => '---|').join('')}---|`];
  for (const [label, value, target] of rows) {
    const cells = names.map((name) => {
      const result = report.configurations[name];
      return isResult(result) ? value(result, name) : `failed: ${(result as { error: string }).error.split('\n')[0]}`;
    });
    lines.push(`| ${label} | ${cells.join(' | ')} | ${target} |`);
  }
  const list = (name: string) => {
    const entry = report.listQuery?.[name] as { rows: number; latencyMs: { p50: number; p99: number } } | string | undefined;
    return typeof entry === 'object' ? `p50 ${entry.latencyMs.p50} ms, p99 ${entry.latencyMs.p99} ms over ${entry.rows} rows` : String(entry ?? 'not run');
  };
  const m = report.machine;
  return [
    `Bench ${report.takenAt}${report.quick ? ' (--quick: counts scaled down, not the measurement of record)' : ''} on ${m.cpus} cores ${m.cpuModel ?? ''}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`,
    '',
    ...lines,
    '',
    `List query (GET /api/incidents with filters): PGlite ${list('pglite')}; PostgreSQL ${list('postgresql')}.`,
    '',
    ...missedTargets(checks),
  ].join('\n');
}

function missedTargets(checks: TargetCheck[]): string[] {
  const missed = checks.filter((check) => check.met !== true);
  if (missed.length === 0) return checks.length ? ['Every target met.'] : [];
  return ['Targets missed (the text below the table says why):', ...missed.map((check) => `- ${check.configuration}: ${check.figure} is ${check.value}, target ${check.target}${check.met === null ? ' (not measured)' : ''}`)];
}

const README_START = '<!-- bench-table:start (generated by npm run bench from bench/results.json) -->';
const README_END = '<!-- bench-table:end -->';

/** The README with the block between the bench markers replaced by `table`; unchanged when the markers are missing. */
export function withBenchTable(readme: string, table: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return readme;
  return `${readme.slice(0, start + README_START.length)}\n${table}\n${readme.slice(end)}`;
}
