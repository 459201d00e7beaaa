import type { Test } from 'supertest';
import type { DemoRole, Harness } from './harness';

/** An id no record has, for 404s and unknown references. */
export const NOBODY = '00000000-0000-4000-8000-000000000000';

export type Method = 'get' | 'post' | 'patch';
type Answer = { body: { errors?: { field: string }[] } };

/** Requests as a demo role, and the checks every route of the API must pass (400 naming the field, 403). */
export function apiCalls(harness: () => Harness) {
  const call = (method: Method, path: string, role: DemoRole, body?: object): Test => {
    const request = harness().http[method](path).set(harness().as(role));
    return body === undefined ? request : request.send(body);
  };
  return {
    call,
    fieldsOf: (response: Answer) => (response.body.errors ?? []).map((error) => error.field),
    /** Each case answers 400 problem+json whose errors name the field where it was sent. */
    async expectBadInput(role: DemoRole, cases: [Method, string, object | undefined, 'body' | 'query' | 'params', string][]) {
      for (const [method, path, body, location, field] of cases) {
        const response = await call(method, path, role, body);
        expect([method, path, field, response.status, response.headers['content-type']]).toEqual([method, path, field, 400, expect.stringMatching(/^application\/problem\+json/)]);
        expect(response.body.errors).toContainEqual(expect.objectContaining({ location, field }));
      }
    },
    async expectForbidden(cases: [Method, string, DemoRole, object | undefined][]) {
      for (const [method, path, role, body] of cases) {
        const response = await call(method, path, role, body);
        expect([method, path, role, response.status]).toEqual([method, path, role, 403]);
      }
    },
  };
}
