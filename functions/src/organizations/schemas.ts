import * as z from 'zod';
import { httpUrlOrEmpty, singleLine } from '../text';

export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ORGANIZATION_TYPES = [
  'lab',
  'producer',
  'processor',
  'retailer',
  'integrator',
  'other',
] as const;

export const MAX_NAME_LENGTH = 100;
export const MAX_MEMBERS = 1000;

export const orgIdSchema = z
  .string()
  .min(3, 'An organization id has 3 to 64 characters.')
  .max(64, 'An organization id has 3 to 64 characters.')
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    'An organization id is a lowercase slug: letters, digits and single hyphens, like "test-company".',
  );

/** Firestore reserves ids and field names like `__name__`: no document or map key has one. */
export const RESERVED_ID = /^__.*__$/;

export const uidSchema = z
  .string()
  .min(1, { abort: true })
  .max(128, { abort: true })
  .regex(/^[A-Za-z0-9_-]+$/, { message: 'Not a user id.', abort: true })
  .refine(
    (uid) => !RESERVED_ID.test(uid),
    'Not a user id: ids that start and end with "__" are reserved by Firestore.',
  );

export const orgParams = z.strictObject({ org_id: orgIdSchema });

const isoTime = z.union([z.iso.datetime({ offset: true }), z.null()]);

/** `public` as a boolean, also from the `"true"`/`"false"` strings Cannlytics clients send. */
const publicFlag = z.union([
  z.boolean(),
  z.enum(['true', 'false']).transform((value) => value === 'true'),
]);

const licenseInput = z.strictObject({
  license_number: singleLine(100).min(1),
  license_type: singleLine(100).default(''),
  state: singleLine(50).default(''),
  /** A Metrc user API key: stored in Secret Manager, never in Firestore, never returned. */
  user_api_key: z.string().min(1).max(4096).nullable().optional(),
});
export type LicenseInput = z.output<typeof licenseInput>;

/** The editable profile of an organization (the Cannlytics fields). */
const profileFields = {
  name: singleLine(MAX_NAME_LENGTH).min(1, 'The name is empty.'),
  trade_name: singleLine(MAX_NAME_LENGTH),
  type: z.enum(ORGANIZATION_TYPES),
  public: publicFlag,
  email: z.union([z.literal(''), z.email().max(254)]),
  phone: singleLine(40),
  website: httpUrlOrEmpty,
  linkedin: httpUrlOrEmpty,
  address: singleLine(200),
  city: singleLine(100),
  state: singleLine(100),
  zip_code: singleLine(20),
  country: singleLine(100),
  external_id: singleLine(100),
  photo_url: httpUrlOrEmpty,
  photo_ref: singleLine(1024),
  photo_size: z.number().int().min(0).max(1e9).nullable(),
  photo_type: singleLine(100),
  photo_modified_at: isoTime,
  photo_uploaded_at: isoTime,
  licenses: z
    .array(licenseInput)
    .max(50)
    .refine(
      (licenses) => new Set(licenses.map((l) => l.license_number)).size === licenses.length,
      'License numbers must not repeat.',
    ),
};

/** Owner-only fields: the team (uids, owner included) and the owner. */
const teamFields = {
  owner: uidSchema,
  team: z.array(uidSchema).min(1).max(MAX_MEMBERS),
};

export const updateBody = z.strictObject({ ...profileFields, ...teamFields }).partial();
export type UpdateInput = z.output<typeof updateBody>;

/**
 * `POST /organizations`: creates, or updates the organization the posted or derived id names.
 * `uid` is the Cannlytics alias of `organization_id`.
 */
export const createBody = updateBody
  .extend({ organization_id: orgIdSchema.optional(), uid: orgIdSchema.optional() })
  .refine((body) => !body.uid || !body.organization_id || body.uid === body.organization_id, {
    message: 'uid and organization_id must be the same.',
    path: ['uid'],
  })
  .refine((body) => [body.organization_id, body.uid, body.name].some((v) => v !== undefined), {
    message: 'Give the organization a name (or an organization_id).',
    path: ['name'],
  });
export type CreateInput = z.output<typeof createBody>;

const booleanString = z.enum(['true', 'false']).transform((value) => value === 'true');
const limit = z.coerce.number().int().min(1).max(100).default(25);
const cursor = z.string().max(1024).optional();

export const listQuery = z
  .object({
    public: booleanString.optional(),
    archived: booleanString.optional(),
    name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(),
    q: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(),
    limit,
    cursor,
    order_by: z.enum(['name', 'created_at']).default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .refine((query) => !(query.name && query.q), {
    message: 'Filter by name= or by q=, not both.',
    path: ['q'],
  })
  .refine((query) => !((query.name ?? query.q) && query.order_by === 'created_at'), {
    message: 'name= and q= results are ordered by name: drop order_by=created_at.',
    path: ['order_by'],
  });
export type ListQuery = z.output<typeof listQuery>;

export const pageQuery = z.object({ limit, cursor });

export const deleteQuery = z.object({ purge: booleanString.optional() });
