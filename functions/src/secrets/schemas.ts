import * as z from 'zod';
import { orgIdSchema } from '../organizations/schemas';

export const MAX_SECRETS = 50;

export const secretNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'A secret name has 1 to 63 lowercase letters, digits, "-" and "_", starting with a letter or digit.',
  )
  // Webhook endpoints' signing secrets share the organization's Secret Manager names (webhooks/).
  .refine((name) => !name.startsWith('whk_'), {
    message: 'Secret names starting with "whk_" are reserved for webhook signing secrets.',
  });

export const secretParams = z.strictObject({ org_id: orgIdSchema, name: secretNameSchema });

/** A secret value: any text up to 64 KiB (Secret Manager's limit), never empty. */
export const secretValue = z.string().min(1, 'The value is empty.').max(65_536);

export const putSecretBody = z.strictObject({ value: secretValue });

/** What a secret shows: its version and last characters, never its value. */
export const secretRefView = z
  .object({
    name: secretNameSchema,
    version: z.string().meta({ description: "Secret Manager's version number of the value." }),
    last4: z.string().meta({
      description: 'The last four characters of a value of 16 or more; empty for a shorter one.',
    }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    updated_by: z.string().meta({ description: 'The uid of who stored the current value.' }),
  })
  .meta({
    id: 'SecretRef',
    example: {
      name: 'metrc',
      version: '2',
      last4: '2d9c',
      created_at: '2026-01-15T09:30:00.000Z',
      updated_at: '2026-02-01T14:05:00.000Z',
      updated_by: 'qA1b2C3d4E5f6G7h8I9j0K1l2M3n',
    },
  });

export const secretDeleted = z
  .object({ organization_id: orgIdSchema, name: secretNameSchema, deleted: z.literal(true) })
  .meta({
    id: 'SecretDeleted',
    example: { organization_id: 'test-company', name: 'metrc', deleted: true },
  });
