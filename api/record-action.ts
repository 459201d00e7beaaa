import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import type { z } from 'zod';
import type { Role } from '../prisma/generated/client';
import type { Principal } from './auth';
import { defineRoute } from './route';

export interface RecordActionSpec<Rec, Status, B extends z.ZodType> {
  verb: string;
  summary: string;
  roles: Role[];
  body: B;
  /** Checks what only the database knows, then sends the Update; returns the workflow's new status. */
  run(input: { record: Rec; body: z.infer<B>; principal: Principal }): Promise<Status>;
}

/**
 * `POST /api/<resource>/:id/<verb>` routes for one kind of record: each loads the record the caller may see
 * (404 otherwise), then runs its action. The shared 404/409 answers are documented once here.
 */
export function recordActions<Rec, Status>(
  router: Router,
  registry: OpenAPIRegistry,
  resource: { path: string; tag: string; noun: string; params: z.ZodType<{ id: string }>; status: z.ZodType; find(id: string, principal: Principal): Promise<Rec> },
) {
  return function action<B extends z.ZodType>(spec: RecordActionSpec<Rec, Status, B>) {
    defineRoute(router, registry, {
      method: 'post',
      path: `${resource.path}/:id/${spec.verb}`,
      summary: spec.summary,
      tags: [resource.tag],
      roles: spec.roles,
      params: resource.params,
      body: spec.body,
      responses: {
        200: { description: `The ${resource.noun} status after the action`, schema: resource.status },
        404: { description: `No such ${resource.noun} (or not yours)` },
        409: { description: 'Not allowed in the current state (currentState in the body)' },
      },
      async handler({ params, body, principal }) {
        const record = await resource.find(params.id, principal);
        return { status: 200, body: await spec.run({ record, body: body as z.infer<B>, principal }) };
      },
    });
  };
}
