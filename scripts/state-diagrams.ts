// The README's state diagrams are drawn from the *_TRANSITIONS tables in domain/, so the documented
// lifecycles are the ones the workflows enforce. `npm run docs:diagrams` rewrites the README section;
// `--check` only compares (a unit test runs the same comparison, so `npm test` catches a stale README).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TransitionRule, TransitionTable } from '../domain/transitions';

type AnyTable = TransitionTable<string, string>;
export interface NamedTable {
  exportName: string;
  module: string;
  table: AnyTable;
}

const ROOT = path.resolve(__dirname, '..');
const README = path.join(ROOT, 'README.md');
export const START = '<!-- state-diagrams:start -->';
export const END = '<!-- state-diagrams:end -->';

// The order the README describes the processes in; a table not named here follows, by noun.
const PROCESS_ORDER = [
  'INCIDENT_TRANSITIONS',
  'CHANGE_TRANSITIONS',
  'RELEASE_TRANSITIONS',
  'PROBLEM_TRANSITIONS',
  'SUPPLIER_REVIEW_TRANSITIONS',
  'AUDIT_TRANSITIONS',
  'CORRECTIVE_ACTION_TRANSITIONS',
  'COMPLAINT_TRANSITIONS',
  'CONTINUITY_TEST_TRANSITIONS',
  'COMPETENCE_REVIEW_TRANSITIONS',
  'REQUEST_TRANSITIONS',
  'ACCESS_REVIEW_TRANSITIONS',
];

function isTransitionTable(value: unknown): value is AnyTable {
  if (typeof value !== 'object' || value === null) return false;
  const table = value as Partial<AnyTable>;
  return typeof table.noun === 'string' && Array.isArray(table.states) && typeof table.initial === 'string' && Array.isArray(table.final) && typeof table.rules === 'object' && table.rules !== null;
}

/** Every transition table the modules export, once each (a table re-exported under a second name counts once). */
export function transitionTables(modules: Record<string, Record<string, unknown>>): NamedTable[] {
  const seen = new Set<unknown>();
  const found: NamedTable[] = [];
  for (const [module, exports] of Object.entries(modules)) {
    for (const [exportName, value] of Object.entries(exports)) {
      if (!isTransitionTable(value) || seen.has(value)) continue;
      seen.add(value);
      found.push({ exportName, module, table: value });
    }
  }
  const rank = (entry: NamedTable) => {
    const index = PROCESS_ORDER.indexOf(entry.exportName);
    return index < 0 ? PROCESS_ORDER.length : index;
  };
  // Plain code-unit order, not localeCompare: the README must come out the same on every machine.
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return found.sort((a, b) => rank(a) - rank(b) || byText(a.table.noun, b.table.noun) || byText(a.exportName, b.exportName));
}

export function loadDomainTables(domainDir = path.join(ROOT, 'domain')): NamedTable[] {
  const modules: Record<string, Record<string, unknown>> = {};
  for (const file of readdirSync(domainDir).filter((name) => name.endsWith('.ts')).sort()) {
    // require, not import(): one loader that works under tsx and under ts-jest's CommonJS transform alike.
    modules[`domain/${file}`] = require(path.join(domainDir, file)) as Record<string, unknown>;
  }
  return transitionTables(modules);
}

// Mermaid state ids are bare words; anything else gets an id and the original name as its label.
const stateId = (state: string) => state.replace(/[^A-Za-z0-9_]/g, '_');
const byMark = (command: string, rule: TransitionRule<string>) => (rule.by === 'person' ? command : `${command} (${rule.by})`);

/** One Mermaid stateDiagram-v2 for a table: an edge per from→to (commands that share it on one label). */
export function renderDiagram(table: AnyTable): string {
  const edges = new Map<string, string[]>();
  const connected = new Set<string>([table.initial, ...table.final]);
  const stateless: string[] = [];
  for (const [command, rule] of Object.entries(table.rules)) {
    const moves = rule.from.flatMap((from) => rule.to.filter((to) => to !== from).map((to) => [from, to] as const));
    if (moves.length === 0) stateless.push(byMark(command, rule));
    for (const [from, to] of moves) {
      const key = `${stateId(from)} --> ${stateId(to)}`;
      edges.set(key, [...(edges.get(key) ?? []), byMark(command, rule)]);
      connected.add(from).add(to);
    }
  }
  const lines = ['stateDiagram-v2'];
  for (const state of table.states) {
    if (stateId(state) !== state) lines.push(`  state "${state}" as ${stateId(state)}`);
    else if (!connected.has(state)) lines.push(`  ${state}`);
  }
  lines.push(`  [*] --> ${stateId(table.initial)}`);
  for (const [edge, commands] of edges) lines.push(`  ${edge}: ${commands.join(', ')}`);
  for (const state of table.final) lines.push(`  ${stateId(state)} --> [*]`);
  const diagram = ['```mermaid', ...lines, '```'];
  if (stateless.length > 0) diagram.push('', `Commands that leave the state as it is: ${stateless.join(', ')}.`);
  return diagram.join('\n');
}

export function renderSection(tables: NamedTable[]): string {
  const parts = [
    START,
    '<!-- Generated from the *_TRANSITIONS tables in domain/ by `npm run docs:diagrams`: change the table, then rerun. -->',
  ];
  for (const { exportName, module, table } of tables) {
    const title = table.noun.charAt(0).toUpperCase() + table.noun.slice(1);
    parts.push('', `### ${title}`, '', `\`${exportName}\` in \`${module}\`:`, '', renderDiagram(table));
  }
  parts.push('', END);
  return parts.join('\n');
}

/** The README with its generated section replaced; throws when the markers are missing. */
export function withDiagrams(readme: string, section: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section to fill`);
  return readme.slice(0, start) + section + readme.slice(end + END.length);
}

function main() {
  const readme = readFileSync(README, 'utf8');
  const tables = loadDomainTables();
  const expected = withDiagrams(readme, renderSection(tables));
  if (process.argv.includes('--check')) {
    if (expected !== readme) {
      console.error('README.md: the state diagrams differ from the transition tables in domain/. Run `npm run docs:diagrams` and commit README.md.');
      process.exit(1);
    }
    console.log(`README.md: the state diagrams match ${tables.length} transition table(s).`);
    return;
  }
  if (expected !== readme) writeFileSync(README, expected);
  console.log(`README.md: ${tables.length} state diagram(s) ${expected === readme ? 'already up to date' : 'written'}.`);
}

if (require.main === module) main();
