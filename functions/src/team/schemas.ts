import { z } from 'zod';

export const teamQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(1024).optional(),
  order_by: z.enum(['name', 'email', 'role', 'joined_at']).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type TeamQuery = z.output<typeof teamQuery>;
