import fc from 'fast-check';
import { calendarProblems, type CalendarDefinition } from '../../domain/calendar';
import type { Db } from '../../prisma/database';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
export interface FuzzResponse {
  status: number;
  contentType: string;
}
export type Send = (request: FuzzRequest) => Promise<FuzzResponse>;

interface Route {
  method: string;
  path: string;
}

const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE \"Incident\"; --",
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  '../../../../etc/passwd',
  '{{7*7}}',
  '\u0000',
  '%00%ff',
  '__proto__',
  'constructor',
  'NaN',
  '-0',
  '1e309',
  '9'.repeat(400),
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '💥'.repeat(300),
];

const nastyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(...INJECTIONS),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('high', 'medium', 'low', 'P1', 'P9', 'public', 'internal', 'PT8H', 'P-1D', 'GB', '09:00', '24:00', '25:61'),
);

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyText },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nastyText, { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

export function routesFromOpenApi(document: { paths: Record<string, Record<string, unknown>> }): Route[] {
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
}

export function fieldNamesFromOpenApi(document: { components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> } }): string[] {
  const names = new Set<string>();
  for (const schema of Object.values(document.components?.schemas ?? {})) for (const name of Object.keys(schema.properties ?? {})) names.add(name);
  return [...names];
}

/** Requests shaped like the API's own (real routes, real field names) with values that are anything but. */
export function requestArbitrary(routes: Route[], fieldNames: string[], ids: string[], token: string): fc.Arbitrary<FuzzRequest> {
  const id = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids) }, fc.uuid(), nastyText);
  const fieldName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fieldNames) }, fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor'));
  const objectBody = fc.dictionary(fieldName, nastyValue, { maxKeys: 8 }).map((body) => JSON.stringify(body));
  const body = fc.oneof(
    { weight: 6, arbitrary: objectBody },
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 80 }),
    fc.constant('{"title": "unterminated'),
    fc.nat({ max: 3 }).map((n) => JSON.stringify({ title: 'x'.repeat(300_000 * (n + 1)), description: '💥'.repeat(1_000) })),
  );
  const query = fc.dictionary(fieldName, nastyText, { maxKeys: 4 }).map((params) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) search.append(key, value);
    return search.toString();
  });
  const authorization = fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${token}`) },
    fc.constant(''),
    nastyText.map((text) => `Bearer ${text}`),
    nastyText,
  );
  const contentType = fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'));
  return fc.record({ route: fc.constantFrom(...routes), id, query, body, authorization, contentType }).map(({ route, id: recordId, query: search, body: payload, authorization: auth, contentType: type }) => {
    const headers: Record<string, string> = { 'content-type': type };
    // Header values must be Latin-1 to be sent at all; anything else is the client's problem, not the API's.
    if (auth && /^[\x20-\x7e]*$/.test(auth)) headers.authorization = auth;
    const path = route.path.replace(/\{[^}]+\}/g, encodeURIComponent(recordId)) + (search ? `?${search}` : '');
    return { method: route.method, path, headers, body: route.method === 'GET' ? undefined : payload };
  });
}

export interface FuzzReport {
  requests: number;
  byStatus: Record<number, number>;
  serverErrors: number;
}

/** Sends `runs` generated requests; fails (and shrinks to the smallest culprit) on any 5xx or a 4xx that is not problem+json. */
export async function fuzzApi(send: Send, arbitrary: fc.Arbitrary<FuzzRequest>, options: { runs: number; seed: number }): Promise<FuzzReport> {
  const report: FuzzReport = { requests: 0, byStatus: {}, serverErrors: 0 };
  await fc.assert(
    fc.asyncProperty(arbitrary, async (request) => {
      const response = await send(request);
      report.requests++;
      report.byStatus[response.status] = (report.byStatus[response.status] ?? 0) + 1;
      if (response.status >= 500) {
        report.serverErrors++;
        throw new Error(`${request.method} ${request.path.slice(0, 200)} answered ${response.status}`);
      }
      if (response.status >= 400 && !response.contentType.startsWith('application/problem+json')) {
        throw new Error(`${request.method} ${request.path.slice(0, 200)} answered ${response.status} as ${response.contentType}`);
      }
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: false },
  );
  return report;
}

/**
 * After a fuzz run: nothing half-written. Every incident has its workflow and its opening event, every stored
 * calendar can be computed with, every SLA policy has thresholds strictly between 0 and 1.
 */
export async function halfWrittenRecords(prisma: Db, workflowExists: (workflowId: string) => Promise<boolean>): Promise<string[]> {
  const problems: string[] = [];
  for (const incident of await prisma.incident.findMany({ select: { id: true, workflowId: true } })) {
    if (!(await workflowExists(incident.workflowId))) problems.push(`incident ${incident.id} has no workflow`);
  }
  for (const calendar of await prisma.businessCalendar.findMany()) {
    const issues = calendarProblems(calendar as unknown as CalendarDefinition);
    if (issues.length) problems.push(`calendar ${calendar.name}: ${issues.map((i) => i.message).join('; ')}`);
  }
  for (const policy of await prisma.slaPolicy.findMany()) {
    if (policy.warningThresholds.some((t) => !(t > 0 && t < 1))) problems.push(`policy ${policy.id} has thresholds ${policy.warningThresholds}`);
  }
  return problems;
}
