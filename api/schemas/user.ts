import { z } from 'zod';
import '../openapi';

export const ROLES = ['requester', 'agent', 'manager', 'cab', 'auditor', 'admin'] as const;

export const UserSchema = z
  .object({ id: z.uuid(), email: z.string(), name: z.string(), locale: z.string(), roles: z.array(z.enum(ROLES)) })
  .openapi('User');
