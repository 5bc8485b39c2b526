import * as z from 'zod';
import { pageFields } from '../paging';
import { httpUrlOrEmpty, singleLine } from '../text';
import type { OrganizationRecord } from './types';

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
  /** As read: accepted and ignored (the API names the secret itself). */
  user_api_key_secret: z.string().max(1024).nullable().optional(),
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

/**
 * The fields an organization is read with but never written through its body (Cannlytics clients
 * post back the whole object they read): `organization_id`/`uid` must name the organization
 * itself, `archived` must be its state (archive and restore have their own routes), and the
 * computed ones (`role`, the dates) are ignored.
 */
const readOnlyFields = {
  organization_id: orgIdSchema,
  uid: orgIdSchema,
  archived: z.boolean(),
  role: z.enum(ROLES).nullable(),
  created_at: isoTime,
  updated_at: isoTime,
  archived_at: isoTime,
};

export const updateBody = z
  .strictObject({ ...profileFields, ...teamFields, ...readOnlyFields })
  .partial();
export type UpdateInput = z.output<typeof updateBody>;

/**
 * `POST /organizations`: creates, or updates the organization the posted or derived id names.
 * `uid` is the Cannlytics alias of `organization_id`.
 */
export const createBody = updateBody
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

/** Cannlytics clients send `organization_id` with every request. */
const cannlyticsId = orgIdSchema.optional().meta({
  description:
    'Accepted for Cannlytics clients, which send it with every request; where the path names an organization, it must be the same.',
});

/** The query of the routes under `/organizations/{org_id}`. */
export const orgQuery = z.object({ organization_id: cannlyticsId });

/** `POST /organizations`: `organization_id` may name the organization in the query instead. */
export const createQuery = z.object({
  organization_id: orgIdSchema.optional().meta({
    description: 'The organization to create or update, when the body names none.',
  }),
});

export const listQuery = z
  .object({
    public: booleanString.optional(),
    archived: booleanString.optional(),
    all: booleanString
      .optional()
      .meta({ description: 'Platform admins only: every organization, on any team or none.' }),
    name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(),
    q: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(),
    ...pageFields,
    order_by: z.enum(['name', 'created_at']).default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
    organization_id: z
      .string()
      .max(1024)
      .optional()
      .meta({ description: 'Ignored: Cannlytics clients send it with every request.' }),
  })
  .refine((query) => !(query.name && query.q), {
    message: 'Filter by name= or by q=, not both.',
    path: ['q'],
  })
  .refine((query) => !((query.name ?? query.q) && query.order_by === 'created_at'), {
    message: 'name= and q= results are ordered by name: drop order_by=created_at.',
    path: ['order_by'],
  })
  .refine((query) => !(query.all && query.public), {
    message: 'all=true lists every organization: drop public=true.',
    path: ['public'],
  });
export type ListQuery = z.output<typeof listQuery>;

export const logsQuery = z.object({ ...pageFields, organization_id: cannlyticsId });

export const deleteQuery = z.object({
  purge: booleanString
    .optional()
    .meta({ description: 'Delete the archived organization and everything in it for good.' }),
  organization_id: cannlyticsId,
});

// The answers' schemas, named in the OpenAPI document. Stored text fields are shown as stored.

const dateTime = z.iso.datetime();
const license = z
  .object({
    license_number: z.string(),
    license_type: z.string(),
    state: z.string(),
    user_api_key_secret: z
      .string()
      .nullable()
      .meta({ description: 'The name of the secret holding its Metrc key (never the key).' }),
  })
  .meta({ id: 'License' });

const publicShape = {
  organization_id: z.string(),
  uid: z.string().meta({ description: 'The same as organization_id (Cannlytics).' }),
  name: z.string(),
  trade_name: z.string(),
  type: z.string().meta({ description: ORGANIZATION_TYPES.join(', ') }),
  public: z.boolean(),
  email: z.string(),
  phone: z.string(),
  website: z.string(),
  linkedin: z.string(),
  city: z.string(),
  state: z.string(),
  country: z.string(),
  photo_url: z.string(),
  created_at: dateTime,
};

/** The profile fields of a new organization that the creator did not post. */
export const PROFILE_DEFAULTS = {
  trade_name: '',
  type: 'other',
  public: false,
  email: '',
  phone: '',
  website: '',
  linkedin: '',
  address: '',
  city: '',
  state: '',
  zip_code: '',
  country: '',
  external_id: '',
  photo_url: '',
  photo_ref: '',
  photo_size: null,
  photo_type: '',
  photo_modified_at: null,
  photo_uploaded_at: null,
  licenses: [],
} satisfies Partial<OrganizationRecord>;

const exampleOrganization = {
  ...PROFILE_DEFAULTS,
  organization_id: 'test-company',
  uid: 'test-company',
  name: 'Test Company',
  trade_name: 'Cannlytics',
  type: 'lab',
  owner: '<uid>',
  team: ['<uid>'],
  email: 'contact@cannlytics.com',
  website: 'https://cannlytics.com',
  photo_ref: 'organizations/test-company/organization_settings/logo.png',
  photo_size: 28439,
  photo_type: 'image/png',
  photo_modified_at: '2021-05-07T16:55:22.108000Z',
  photo_uploaded_at: '2021-07-05T16:45:41.379Z',
  created_at: '2021-05-07T16:55:22.108Z',
  updated_at: '2021-07-05T16:45:41.379Z',
  archived: false,
  archived_at: null,
  role: 'owner',
};

/** The organization as its team (and platform admins) see it. */
export const organizationSchema = z
  .object({
    ...publicShape,
    owner: z.string(),
    team: z.array(z.string()),
    address: z.string(),
    zip_code: z.string(),
    external_id: z.string(),
    photo_ref: z.string(),
    photo_size: z.number().nullable(),
    photo_type: z.string(),
    photo_modified_at: z.string().nullable(),
    photo_uploaded_at: z.string().nullable(),
    licenses: z.array(license),
    updated_at: dateTime,
    archived: z.boolean(),
    archived_at: dateTime.nullable(),
    role: z
      .enum(ROLES)
      .nullable()
      .meta({ description: 'Your role; null for a platform admin off the team.' }),
  })
  .meta({ id: 'Organization', example: exampleOrganization });

/** A public organization as anyone off its team sees it. */
export const organizationPublicSchema = z.object(publicShape).meta({
  id: 'OrganizationPublic',
  example: Object.fromEntries(
    Object.keys(publicShape).map((field) => [
      field,
      exampleOrganization[field as keyof typeof exampleOrganization],
    ]),
  ),
});

/** What `GET /organizations/{org_id}` and the list show: the full view to the team, else public. */
export const organizationViewSchema = z.union([organizationSchema, organizationPublicSchema]);

export const purgedSchema = z
  .object({ organization_id: z.string(), purged: z.literal(true) })
  .meta({ id: 'PurgedOrganization', example: { organization_id: 'test-company', purged: true } });

export const logEntrySchema = z
  .object({
    id: z.string(),
    action: z.string(),
    actor_uid: z.string(),
    credential: z.enum(['id_token', 'session', 'api_key']),
    key_id: z.string().nullable(),
    changed_fields: z.array(z.string()),
    target: z.string().optional(),
    at: dateTime,
  })
  .meta({
    id: 'LogEntry',
    description: 'One change: who made it, with which credential, to which fields (never values).',
    example: {
      id: 'e1',
      action: 'organization.updated',
      actor_uid: '<uid>',
      credential: 'api_key',
      key_id: 'k1',
      changed_fields: ['website'],
      at: '2021-07-05T16:45:41.379Z',
    },
  });

export const dataModelSchema = z.looseObject({ key: z.string() }).meta({
  id: 'DataModel',
  description: 'A standard data model; its fields vary by model.',
  example: { key: 'analytes', label: 'Analytes', singular: 'analyte', fields: [] },
});

export const roleSchema = z
  .object({
    organization_id: z.string(),
    role: z
      .enum(ROLES)
      .nullable()
      .meta({ description: 'Your role; a platform admin off the team has the rights of owner.' }),
    platform_admin: z.boolean(),
  })
  .meta({
    id: 'Role',
    example: { organization_id: 'test-company', role: 'owner', platform_admin: false },
  });

export const summarySchema = z
  .object({
    organization_id: z.string(),
    members: z.object({
      owner: z.number().int(),
      admin: z.number().int(),
      member: z.number().int(),
      viewer: z.number().int(),
      total: z.number().int(),
    }),
    pending_invitations: z.number().int(),
    data_models: z.number().int(),
    secrets: z.number().int(),
    created_at: dateTime,
    updated_at: dateTime,
    archived: z.boolean(),
    archived_at: dateTime.nullable(),
  })
  .meta({ id: 'Summary' });
