type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

const isParam = (segment: string) => segment.startsWith(':') || segment.startsWith('{');

/** Good enough for this API's nouns (incidents, sla-policies, cis); a route whose noun it gets wrong names itself. */
const singular = (noun: string) => noun.replace(/ies$/, 'y').replace(/([^su])s$/, '$1');

const words = (segment: string) => segment.split(/[^A-Za-z0-9]+/).filter(Boolean);
const pascal = (segments: string[]) =>
  segments
    .flatMap(words)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
const camel = (verb: string, nouns: string[]) => {
  const name = words(verb).map((word) => word[0].toUpperCase() + word.slice(1)).join('') + pascal(nouns);
  return name[0].toLowerCase() + name.slice(1);
};

const ITEM_VERBS: Record<Method, string> = { get: 'get', put: 'update', patch: 'update', delete: 'delete', post: 'post' };
const COLLECTION_VERBS: Record<Method, string> = { get: 'list', put: 'update', patch: 'update', delete: 'delete', post: 'create' };

/**
 * The operationId of a route that names none, from its method and path alone (so it only changes when the route
 * does): generated clients get method names such as listIncidents, createIncident, getIncident, assignIncident,
 * listCiRelationships, deleteCiRelationship, getCiImpact.
 */
export function operationIdFor(method: Method, path: string): string {
  const segments = path.split('/').filter((segment) => segment && segment !== 'api');
  // A resource named just before its id is one of them: /incidents/:id -> Incident.
  const nouns = segments.flatMap((segment, index) => (isParam(segment) ? [] : [isParam(segments[index + 1] ?? '') ? singular(segment) : segment]));
  const last = segments.at(-1) ?? '';
  const beforeLast = segments.at(-2);
  if (isParam(last)) return camel(ITEM_VERBS[method], nouns);
  if (beforeLast === undefined || singular(last) !== last) return camel(COLLECTION_VERBS[method], method === 'post' ? [...nouns.slice(0, -1), singular(last)] : nouns);
  // POST /incidents/:id/assign: an action on one record, named by its verb.
  if (isParam(beforeLast) && method !== 'get') return camel(last, nouns.slice(0, -1));
  return camel(method, nouns);
}
