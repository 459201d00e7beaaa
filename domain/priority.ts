// Impact x urgency -> priority, the ITIL matrix. Pure and deterministic: the API uses it at intake and the
// workflow when impact or urgency changes.

export const LEVELS = ['high', 'medium', 'low'] as const;
export type Level = (typeof LEVELS)[number];
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** matrix[impact][urgency] */
export type PriorityMatrix = Record<Level, Record<Level, Priority>>;

export const DEFAULT_PRIORITY_MATRIX: PriorityMatrix = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
};

export function isPriorityMatrix(value: unknown): value is PriorityMatrix {
  if (typeof value !== 'object' || value === null) return false;
  return LEVELS.every((impact) => {
    const row = (value as Record<string, unknown>)[impact];
    return (
      typeof row === 'object' &&
      row !== null &&
      LEVELS.every((urgency) => PRIORITIES.includes((row as Record<string, unknown>)[urgency] as Priority))
    );
  });
}

/** A service may carry its own matrix (e.g. every high-impact payroll incident is P1); otherwise the default. */
export function priorityFor(impact: Level, urgency: Level, serviceMatrix?: unknown): Priority {
  const matrix = isPriorityMatrix(serviceMatrix) ? serviceMatrix : DEFAULT_PRIORITY_MATRIX;
  return matrix[impact][urgency];
}
