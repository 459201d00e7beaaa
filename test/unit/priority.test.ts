import { DEFAULT_PRIORITY_MATRIX, LEVELS, priorityFor } from '../../domain/priority';

describe('impact x urgency priority matrix', () => {
  it('follows the ITIL default', () => {
    expect(priorityFor('high', 'high')).toBe('P1');
    expect(priorityFor('high', 'medium')).toBe('P2');
    expect(priorityFor('medium', 'high')).toBe('P2');
    expect(priorityFor('medium', 'medium')).toBe('P3');
    expect(priorityFor('low', 'high')).toBe('P3');
    expect(priorityFor('low', 'low')).toBe('P4');
  });

  it('is monotonic: raising impact or urgency never lowers the priority', () => {
    const rank = (p: string) => Number(p.slice(1));
    for (const impact of LEVELS) {
      for (let u = 1; u < LEVELS.length; u++) {
        expect(rank(DEFAULT_PRIORITY_MATRIX[impact][LEVELS[u - 1]])).toBeLessThanOrEqual(rank(DEFAULT_PRIORITY_MATRIX[impact][LEVELS[u]]));
      }
    }
  });

  it('uses a service matrix when one is configured, and ignores a malformed one', () => {
    const payroll = { ...DEFAULT_PRIORITY_MATRIX, high: { high: 'P1', medium: 'P1', low: 'P1' } };
    expect(priorityFor('high', 'low', payroll)).toBe('P1');
    expect(priorityFor('high', 'low', { high: { high: 'P0' } })).toBe('P3');
  });
});
