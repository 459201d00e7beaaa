import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { Role } from '../prisma/generated/client';
import { principalOf, requireRole, type Principal } from './auth';
import { ProblemSchema } from './openapi';
import { operationIdFor } from './operation-id';
import { issuesFromZod, httpErrors, type FieldIssue } from './problem-details';

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteSpec<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /** Only where the one derived from method and path (operationIdFor) reads wrong; unique in the document. */
  operationId?: string;
  summary: string;
  tags: string[];
  /** null: public (no token). */
  roles: Role[] | null;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * A body the handler reads itself, documented per media type (e.g. text/csv beside application/json), with the
   * parsers it needs beyond the global JSON one; they run after authentication and the role check.
   */
  rawBody?: { content: Record<string, Schema>; parsers: RequestHandler[] };
  responses: Record<number, { description: string; schema?: Schema }>;
  handler(input: { params: Infer<P>; query: Infer<Q>; body: Infer<B>; principal: Principal; req: Request; res: Response }): Promise<{ status: number; body: unknown }>;
}

function parse(location: FieldIssue['location'], schema: Schema | undefined, value: unknown, issues: FieldIssue[]) {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  issues.push(...issuesFromZod(location, result.error));
  return undefined;
}

const ERROR_RESPONSES: Record<number, string> = {
  400: 'Invalid request (problem+json naming the field)',
  401: 'Missing or invalid bearer token',
  403: 'The caller lacks the role',
};

function documentedResponse(status: number, response: { description: string; schema?: Schema }) {
  // Every error answer is problem+json (api/problem-details.ts), so a typed client can read its detail and fields.
  if (status >= 400) return { description: response.description, content: { 'application/problem+json': { schema: response.schema ?? ProblemSchema } } };
  return response.schema ? { description: response.description, content: { 'application/json': { schema: response.schema } } } : { description: response.description };
}

/** Client generators name their methods after operationIds, so two routes sharing one is a start-up error. */
function uniqueOperationId(registry: OpenAPIRegistry, spec: Pick<RouteSpec<undefined, undefined, undefined>, 'method' | 'path' | 'operationId'>) {
  const operationId = spec.operationId ?? operationIdFor(spec.method, spec.path);
  for (const definition of registry.definitions) {
    if (definition.type === 'route' && definition.route.operationId === operationId) {
      throw new Error(`operationId ${operationId} of ${spec.method.toUpperCase()} ${spec.path} is already used by ${definition.route.method.toUpperCase()} ${definition.route.path}; give one of them its own operationId`);
    }
  }
  return operationId;
}

/**
 * A declarative route: schemas, roles and a handler. Validation happens before the handler runs, so bad input
 * never reaches a workflow or the database; the same schemas document the route in /openapi.json.
 */
export function defineRoute<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined>(
  router: Router,
  registry: OpenAPIRegistry,
  spec: RouteSpec<P, Q, B>,
) {
  const errorStatuses = spec.roles ? [400, 401, 403] : [400];
  const declared: RouteSpec<P, Q, B>['responses'] = { ...Object.fromEntries(errorStatuses.map((status) => [status, { description: ERROR_RESPONSES[status] }])), ...spec.responses };
  const responses = Object.fromEntries(Object.entries(declared).map(([status, response]) => [status, documentedResponse(Number(status), response)]));
  registry.registerPath({
    method: spec.method,
    path: spec.path.replace(/:(\w+)/g, '{$1}'),
    operationId: uniqueOperationId(registry, spec),
    summary: spec.summary,
    tags: spec.tags,
    security: spec.roles ? [{ bearer: [] }] : [],
    request: {
      params: spec.params as z.ZodObject | undefined,
      query: spec.query as z.ZodObject | undefined,
      body: spec.body
        ? { content: { 'application/json': { schema: spec.body } }, required: true }
        : spec.rawBody && { content: Object.fromEntries(Object.entries(spec.rawBody.content).map(([type, schema]) => [type, { schema }])), required: true },
    },
    responses,
  });
  const guards = spec.roles ? [requireRole(spec.roles)] : [];
  router[spec.method](spec.path, ...guards, ...(spec.rawBody?.parsers ?? []), async (req: Request, res: Response) => {
    const issues: FieldIssue[] = [];
    const params = parse('params', spec.params, req.params, issues);
    const query = parse('query', spec.query, req.query, issues);
    const body = parse('body', spec.body, req.body ?? {}, issues);
    if (issues.length > 0) throw httpErrors.validation(issues);
    const principal = spec.roles ? principalOf(req) : (undefined as unknown as Principal);
    const result = await spec.handler({ params, query, body, principal, req, res } as Parameters<typeof spec.handler>[0]);
    // A handler that answered itself (an HTML page) leaves nothing to send.
    if (!res.headersSent) res.status(result.status).json(result.body);
  });
}
