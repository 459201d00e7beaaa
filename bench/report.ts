type Results = Record<string, any>;

/** The bench's results as a table, with the machine and the settings beside the numbers. */
export function benchTable(report: { takenAt: string; machine: Results; settings: Results; results: Results }): string {
  const r = report.results;
  const ms = (s: { p50: number; p99: number; max?: number }) => `p50 ${s.p50} ms, p99 ${s.p99} ms${s.max !== undefined ? `, max ${s.max} ms` : ''}`;
  const list = (name: string) => (typeof r.listQuery?.[name] === 'object' ? `${ms(r.listQuery[name].latencyMs)} (${r.listQuery[name].rows} rows)` : String(r.listQuery?.[name]));
  const rows: [string, string][] = [
    ['machine', `${report.machine.cpus} cores ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}`],
    ['settings', `N=${report.settings.n} C=${report.settings.c} K(open)=${report.settings.openIncidents} lateness incidents=${report.settings.latenessIncidents}`],
    ['raw Temporal starts', `${r.rawTemporal.startsPerSecond}/s`],
    ['API intake', `${r.apiIntake.incidentsPerSecond}/s, ${ms(r.apiIntake.latencyMs)}, non-2xx ${r.apiIntake.non2xx}`],
    ['intake / raw', `${r.apiIntake.ratioToRawStarts}`],
    ['worker backlog after N', `${r.apiIntake.backlogDrainSeconds} s to initialise every incident`],
    ['SLA event lateness', `${ms(r.escalationLateness.allMs)} over ${r.escalationLateness.allMs.count} events`],
    ['escalation lateness', ms(r.escalationLateness.escalationsMs)],
    ['RSS', `${r.memory.rssMiB} MiB with ${r.memory.openIncidents} open incidents (${r.memory.kibPerOpenIncident} KiB each)`],
    ['list query, PGlite', list('pglite')],
    ['list query, PostgreSQL', list('postgresql')],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [`bench ${report.takenAt}`, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n');
}
