/** An instant (a Date, or epoch milliseconds as workflows keep them) as ISO 8601, or null when there is none. */
export const isoOrNull = (value: Date | number | null): string | null => (value === null ? null : new Date(value).toISOString());
