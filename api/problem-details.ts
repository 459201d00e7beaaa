import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { z } from 'zod';

export interface FieldIssue {
  location: 'body' | 'query' | 'params' | 'header';
  field: string;
  message: string;
  code: string;
}

/** RFC 9457 problem details; every 4xx/5xx body of this API is one of these. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export const httpErrors = {
  validation: (issues: FieldIssue[]) =>
    new HttpError(400, 'validation-error', 'Invalid request', issues.map((i) => `${i.location}.${i.field}: ${i.message}`).join('; '), { errors: issues }),
  unauthenticated: (detail: string) => new HttpError(401, 'unauthenticated', 'Authentication required', detail),
  forbidden: (detail: string) => new HttpError(403, 'forbidden', 'Not allowed', detail),
  notFound: (detail: string) => new HttpError(404, 'not-found', 'Not found', detail),
  conflict: (detail: string, extra: Record<string, unknown> = {}) => new HttpError(409, 'conflict', 'Conflict with the current state', detail, extra),
  unavailable: (detail: string) => new HttpError(503, 'unavailable', 'Service unavailable', detail),
};

/** The record a lookup found, or a 404 naming what was asked for (`what`: "group <id>"). */
export async function foundOr404<T>(lookup: Promise<T | null>, what: string): Promise<T> {
  const record = await lookup;
  if (record === null) throw httpErrors.notFound(`no ${what}`);
  return record;
}

export function issuesFromZod(location: FieldIssue['location'], error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    // An unknown key is reported on its parent; name the key itself so the caller sees which field is wrong.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({
      location,
      field: [...issue.path, ...(key === undefined ? [] : [key])].map(String).join('.') || '(root)',
      message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
      code: issue.code,
    }));
  }).flat();
}

export function sendProblemDetails(res: Response, problem: HttpError, instance?: string) {
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({ type: `urn:itsm:problem:${problem.slug}`, title: problem.title, status: problem.status, detail: problem.detail, instance, ...problem.extra });
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(httpErrors.notFound(`no route for ${req.method} ${req.path}`));
};

export const problemDetailsHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (error instanceof HttpError) return sendProblemDetails(res, error, req.originalUrl);
  // body-parser signals malformed or oversized bodies with a status and a type.
  const status = (error as { status?: number }).status;
  const type = (error as { type?: string }).type;
  if (type === 'entity.parse.failed') {
    return sendProblemDetails(res, httpErrors.validation([{ location: 'body', field: '(root)', message: 'body is not valid JSON', code: 'invalid_json' }]), req.originalUrl);
  }
  if (type === 'entity.too.large') {
    // Routes may allow more than the global 1 MB (the CSV import); the parser says which limit applied.
    const limit = (error as { limit?: number }).limit ?? 1024 * 1024;
    return sendProblemDetails(res, new HttpError(413, 'payload-too-large', 'Payload too large', `the request body exceeds the ${limit / (1024 * 1024)} MB limit`), req.originalUrl);
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return sendProblemDetails(res, new HttpError(status, 'bad-request', 'Bad request', (error as Error).message), req.originalUrl);
  }
  req.log?.error({ err: error }, 'unhandled error');
  sendProblemDetails(res, new HttpError(500, 'internal-error', 'Internal server error', 'an unexpected error occurred; it has been logged'), req.originalUrl);
};
