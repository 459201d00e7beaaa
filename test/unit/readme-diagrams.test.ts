import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TransitionTable } from '../../domain/transitions';
import { END, loadDomainTables, renderDiagram, renderSection, START, transitionTables, withDiagrams } from '../../scripts/state-diagrams';

type LampState = 'off' | 'on' | 'broken';
const LAMP: TransitionTable<LampState, 'switch' | 'fail' | 'dim' | 'repair'> = {
  noun: 'lamp',
  states: ['off', 'on', 'broken'],
  initial: 'off',
  final: ['broken'],
  rules: {
    switch: { from: ['off', 'on'], to: ['on', 'off'], by: 'person' },
    fail: { from: ['on'], to: ['broken'], by: 'process' },
    dim: { from: ['on'], to: [], by: 'timer' },
    repair: { from: ['broken'], to: ['broken'], by: 'person' },
  },
};

describe('the state-diagram renderer', () => {
  it('draws an edge per move, marks what a timer or the process does, and leaves out staying put', () => {
    expect(renderDiagram(LAMP)).toBe(
      [
        '```mermaid',
        'stateDiagram-v2',
        '  [*] --> off',
        '  off --> on: switch',
        '  on --> off: switch',
        '  on --> broken: fail (process)',
        '  broken --> [*]',
        '```',
        '',
        'Commands that leave the state as it is: dim (timer), repair.',
      ].join('\n'),
    );
  });

  it('finds each table once, in the README order, with unknown tables after them by noun', () => {
    const complaint = { ...LAMP, noun: 'complaint' };
    const zebra = { ...LAMP, noun: 'zebra' };
    const found = transitionTables({
      'domain/a.ts': { ZEBRA_TRANSITIONS: zebra, LAMP_TRANSITIONS: LAMP, notATable: { noun: 'x' } },
      'domain/b.ts': { COMPLAINT_TRANSITIONS: complaint, AGAIN: complaint },
    });
    expect(found.map((entry) => entry.exportName)).toEqual(['COMPLAINT_TRANSITIONS', 'LAMP_TRANSITIONS', 'ZEBRA_TRANSITIONS']);
  });

  it('replaces only what lies between the markers', () => {
    const readme = `before\n${START}\nold\n${END}\nafter\n`;
    expect(withDiagrams(readme, `${START}\nnew\n${END}`)).toBe(`before\n${START}\nnew\n${END}\nafter\n`);
    expect(() => withDiagrams('no markers', 'x')).toThrow(/no <!-- state-diagrams:start -->/);
  });
});

describe('README.md', () => {
  it('shows the state diagrams of the transition tables in domain/ as they are (else run `npm run docs:diagrams`)', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const tables = loadDomainTables();
    expect(tables.map((entry) => entry.exportName)).toContain('COMPLAINT_TRANSITIONS');
    expect(withDiagrams(readme, renderSection(tables))).toBe(readme);
  });
});
