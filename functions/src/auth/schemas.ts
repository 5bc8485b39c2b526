import * as z from 'zod';
import { ROLES } from '../organizations/schemas';
import { pageQuery } from '../paging';
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

/** `GET /auth/keys`: a page of the caller's keys, newest first. */
export const keysQuery = pageQuery;

const isoDate = z.iso.datetime();

const API_KEY_EXAMPLE = {
  key_id: 'Xk3v9QpLm2Tz',
  name: 'nightly import',
  prefix: 'orgk_',
  last4: 'a9F2',
  scopes: ['read', 'write'],
  created_at: '2026-01-15T09:30:00.000Z',
  expires_at: '2027-01-15T09:30:00.000Z',
  last_used_at: null,
};

/** What a key's owner sees of it: never the key itself, nor its digest. */
export const apiKey = z
  .object({
    key_id: keyIdSchema,
    name: z.string(),
    prefix: z.string().meta({ description: 'The start every key has.' }),
    last4: z.string().meta({ description: 'The last four characters of the key.' }),
    scopes: z.array(scopeSchema),
    created_at: isoDate,
    expires_at: isoDate,
    last_used_at: isoDate.nullable().meta({ description: 'Within a minute; null if never used.' }),
  })
  .meta({
    id: 'ApiKey',
    example: API_KEY_EXAMPLE,
  });

/** The answer of a key creation: the only time the key itself is shown. */
export const apiKeyCreated = apiKey
  .extend({
    key: z.string().meta({
      description:
        'The API key: send it as "Authorization: Bearer <key>". Shown this once, never stored.',
    }),
  })
  .meta({
    id: 'ApiKeyCreated',
    example: { key: 'orgk_6dJq0m1y4yqzR6b8n0E2v5s3Yc7XwA1tLk9PgHja9F2', ...API_KEY_EXAMPLE },
  });

export const apiKeyRevoked = z
  .object({ key_id: keyIdSchema, revoked: z.literal(true) })
  .meta({ id: 'ApiKeyRevoked', example: { key_id: 'Xk3v9QpLm2Tz', revoked: true } });

/** The answer of `POST /auth/login`; the session itself is the `__session` cookie. */
export const session = z.object({ uid: z.string(), expires_at: isoDate }).meta({
  id: 'Session',
  example: { uid: 'qA1b2C3d4E5f6G7h8I9j0K1l2M3n', expires_at: '2026-01-22T09:30:00.000Z' },
});

export const signedOut = z
  .object({ signed_out: z.literal(true) })
  .meta({ id: 'SignedOut', example: { signed_out: true } });

/** The caller as the API sees them, and their organizations with their roles. */
export const me = z
  .object({
    uid: z.string(),
    email: z.string().nullable(),
    email_verified: z.boolean(),
    name: z.string().nullable(),
    credential: z.enum(['id_token', 'session', 'api_key']),
    key_id: keyIdSchema.nullable().meta({ description: "The API key's id, if one signed in." }),
    scopes: z.array(scopeSchema),
    admin: z.boolean().meta({ description: 'A platform administrator.' }),
    organizations: z.array(z.object({ organization_id: z.string(), role: z.enum(ROLES) })),
  })
  .meta({
    id: 'Me',
    example: {
      uid: 'qA1b2C3d4E5f6G7h8I9j0K1l2M3n',
      email: 'keegan@cannlytics.com',
      email_verified: true,
      name: 'Keegan Skeate',
      credential: 'api_key',
      key_id: 'Xk3v9QpLm2Tz',
      scopes: ['read', 'write'],
      admin: false,
      organizations: [{ organization_id: 'test-company', role: 'owner' }],
    },
  });
