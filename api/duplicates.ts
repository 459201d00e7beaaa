import { httpErrors } from './problem-details';

/** 409 naming the field whose value another record already holds, in the shape of a 400's field list. */
export function duplicate(field: string, detail: string) {
  return httpErrors.conflict(detail, { errors: [{ location: 'body', field, message: 'already taken', code: 'duplicate' }] });
}

/**
 * The write itself, answered with the same 409 when a unique index refuses it: a concurrent request may take the
 * value between the caller's check and this write.
 */
export async function orDuplicate<T>(write: Promise<T>, field: string, detail: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw duplicate(field, detail);
    throw error;
  }
}
