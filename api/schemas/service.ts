import { z } from 'zod';
import '../openapi';

export const ServiceSchema = z
  .object({ id: z.uuid(), code: z.string(), name: z.string(), description: z.string(), ownerId: z.uuid().nullable() })
  .openapi('Service');
