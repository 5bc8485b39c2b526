import * as z from 'zod';
import { orgIdSchema } from '../organizations/schemas';

export const MAX_SECRETS = 50;

export const secretNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'A secret name has 1 to 63 lowercase letters, digits, "-" and "_", starting with a letter or digit.',
  );

export const secretParams = z.strictObject({ org_id: orgIdSchema, name: secretNameSchema });

/** A secret value: any text up to 64 KiB (Secret Manager's limit), never empty. */
export const secretValue = z.string().min(1, 'The value is empty.').max(65_536);

export const putSecretBody = z.strictObject({ value: secretValue });
