import * as z from 'zod';
import { singleLine } from '../text';

export const scopeSchema = z.enum(['read', 'write']);

export const createKeyBody = z.strictObject({
  name: singleLine(100).min(1, 'Give the key a name.'),
  expires_in_days: z.number().int().min(1).max(730).default(365),
  scopes: z
    .array(scopeSchema)
    .min(1)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'Scopes must not repeat.')
    .default(['read', 'write']),
});
export type CreateKeyInput = z.output<typeof createKeyBody>;

export const keyIdSchema = z.string().regex(/^[A-Za-z0-9_-]{12}$/, 'Not an API key id.');

export const keyParams = z.strictObject({ key_id: keyIdSchema });

/** The Cannlytics alias `POST /api/auth/delete-key` names the key in the body. */
export const deleteKeyBody = z.strictObject({ key_id: keyIdSchema });

export const loginBody = z.strictObject({
  id_token: z.string().min(1).max(4096).optional(),
});
