import { z } from 'zod';

/** Trimmed text whose error names what is too short, e.g. "the title must be at least 3 characters". */
export const boundedText = (field: string, min: number, max: number) => z.string().trim().min(min, `${field} must be at least ${min} characters`).max(max);

/** A yes/no query parameter: exactly "true" or "false", so a typo is a 400 rather than a silent default. */
export const queryFlag = z.enum(['true', 'false']).transform((value) => value === 'true');
