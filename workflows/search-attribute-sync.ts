import { upsertSearchAttributes } from '@temporalio/workflow';
import type { ITSM_SEARCH_ATTRIBUTES } from '../domain/search-attributes';

type Pair = [(typeof ITSM_SEARCH_ATTRIBUTES)[number], unknown];

/**
 * Returns an upsert that sends only the attributes whose value changed since its last call, so a record's
 * history gains an event only when what managers filter on in the UI actually moved. Null values are skipped
 * (an attribute is set once it has a value).
 */
export function searchAttributeSync() {
  const last = new Map<string, unknown>();
  return (wanted: Pair[]) => {
    const changes = wanted.filter(([key, value]) => {
      if (value === null || value === undefined) return false;
      const previous = last.get(key.name);
      return value instanceof Date && previous instanceof Date ? value.getTime() !== previous.getTime() : previous !== value;
    });
    if (changes.length === 0) return;
    for (const [key, value] of changes) last.set(key.name, value);
    upsertSearchAttributes(changes.map(([key, value]) => ({ key, value }) as never));
  };
}
