import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'API token (Authorization: Bearer itsm_...)' });
  return registry;
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ location: z.string(), field: z.string(), message: z.string(), code: z.string() })).optional(),
  })
  .openapi('Problem');

/** `publicUrl`: where clients reach this deployment; without one, generated clients resolve paths against the document's own origin. */
export function openApiDocument(registry: OpenAPIRegistry, publicUrl?: string) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'ITSM process orchestrator API',
      version: '0.1.0',
      description: 'ISO/IEC 20000 / ITIL processes as durable Temporal workflows. Every error is application/problem+json.',
    },
    servers: [{ url: publicUrl ? publicUrl.replace(/\/+$/, '') : '/' }],
    security: [{ bearer: [] }],
  });
}
