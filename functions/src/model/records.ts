import * as z from 'zod';
import { ROLES } from '../organizations/schemas';

// The documents the API stores, as zod schemas. Every store parses what it reads with these
// (functions/src/firestore.ts `parseStored`): a document that does not match is skipped and
// logged, never a 500 and never shown. Unknown fields are dropped.

const role = z.enum(ROLES);
const date = z.date();
const nullableDate = z.date().nullable();

/** A license; its Metrc key lives in Secret Manager under `user_api_key_secret`. */
export const licenseRecord = z.object({
  license_number: z.string(),
  license_type: z.string(),
  state: z.string(),
  user_api_key_secret: z.string().nullable(),
});

/** `organizations/{org_id}`. */
export const organizationRecord = z.object({
  organization_id: z.string(),
  uid: z.string(),
  name: z.string(),
  trade_name: z.string(),
  type: z.string(),
  public: z.boolean(),
  owner: z.string(),
  team: z.array(z.string()),
  email: z.string(),
  phone: z.string(),
  website: z.string(),
  linkedin: z.string(),
  address: z.string(),
  city: z.string(),
  state: z.string(),
  zip_code: z.string(),
  country: z.string(),
  external_id: z.string(),
  photo_url: z.string(),
  photo_ref: z.string(),
  photo_size: z.number().nullable(),
  photo_type: z.string(),
  photo_modified_at: z.string().nullable(),
  photo_uploaded_at: z.string().nullable(),
  licenses: z.array(licenseRecord),
  created_at: date,
  updated_at: date,
  archived: z.boolean(),
  archived_at: nullableDate,
  /** Set by the first step of a purge: every write path refuses the organization from then on. */
  purging: z.boolean().default(false),
  version: z.number().int(),
  name_lower: z.string(),
  roles: z.record(z.string(), role),
});

/** What access checks read of an organization, through a field mask. */
export const accessRecord = organizationRecord.pick({
  organization_id: true,
  public: true,
  archived: true,
  purging: true,
  created_at: true,
  updated_at: true,
  archived_at: true,
});

/** The profile fields a team entry shows (Cannlytics' team fields). */
export const profileRecord = z.object({
  uid: z.string(),
  name: z.string(),
  email: z.string(),
  photo_url: z.string(),
  position: z.string(),
  type: z.string(),
  phone_number: z.string(),
  license: z.string(),
  signed_in: z.boolean(),
});

/** `organizations/{org_id}/members/{uid}`. */
export const memberRecord = profileRecord.extend({
  organization_id: z.string(),
  role,
  joined_at: date,
});

/** What an access check reads of the caller's member document (through a field mask). */
export const memberRoleRecord = memberRecord.pick({ role: true });

/** A membership as the claims and `/auth/me` read it (a projection of a member document). */
export const membershipRecord = z.object({ organization_id: z.string(), role });

export const INVITATION_STATUSES = ['pending', 'accepted', 'declined', 'revoked'] as const;

/** `organizations/{org_id}/invitations/{invitation_id}`. */
export const invitationRecord = z.object({
  invitation_id: z.string(),
  organization_id: z.string(),
  organization_name: z.string(),
  /** The invitee's address, lower-cased (ASCII only), when invited by email. */
  email: z.string().nullable(),
  /** The invitee's account, when invited by uid (or added through `team`). */
  uid: z.string().nullable().default(null),
  role: z.enum(['admin', 'member', 'viewer']),
  status: z.enum(INVITATION_STATUSES),
  invited_by: z.string(),
  created_at: date,
  expires_at: date,
  /** How long it is valid from its creation, and again from each resend. */
  valid_days: z.number().int(),
  /** When it was last resent: resends are throttled on it. */
  resent_at: nullableDate.default(null),
  responded_at: nullableDate,
});

/** `organizations/{org_id}/secrets/{name}`: where a secret is, never what it is. */
export const secretRef = z.object({
  name: z.string(),
  secret_id: z.string(),
  version_name: z.string(),
  version: z.string(),
  last4: z.string(),
  created_at: date,
  updated_at: date,
  updated_by: z.string(),
});

/** `organizations/{org_id}/logs/{id}`: one entry per change; field names, never values. */
export const logEntry = z.object({
  action: z.string(),
  actor_uid: z.string(),
  credential: z.enum(['id_token', 'session', 'api_key']),
  key_id: z.string().nullable(),
  changed_fields: z.array(z.string()),
  target: z.string().optional(),
  at: date,
});

/** `organizations/{org_id}/data_models/{key}`: a standard data model (fields vary by model). */
export const dataModel = z.looseObject({ key: z.string() });

/**
 * `idempotency_keys/{id}`: a request with an `Idempotency-Key`, claimed while it runs
 * (`status` null) and then its answer, sealed with a key only the pepper and the client's
 * Idempotency-Key give (an answer can hold a new API key: nothing readable is stored).
 */
export const idempotencyRecord = z.object({
  uid: z.string(),
  /** Which run holds the claim: only it may answer or release it. */
  claim: z.string(),
  request_hash: z.string(),
  /** Null while the first request runs; then its status (only successes are kept). */
  status: z.number().int().min(200).max(299).nullable(),
  /** The answer's headers and body, AES-256-GCM sealed; null while the first request runs. */
  sealed: z.string().nullable(),
  created_at: date,
  expires_at: date,
});

/**
 * `purged_organizations/{org_id}`: a purged id, not reusable until `expires_at` (a TTL policy
 * deletes it then). `expires_at` is null while the purge is still deleting.
 */
export const tombstoneRecord = z.object({
  organization_id: z.string(),
  purged_at: date,
  purged_by: z.string(),
  expires_at: nullableDate,
});

export type OrganizationRecord = z.output<typeof organizationRecord>;
export type AccessRecord = z.output<typeof accessRecord>;
export type License = z.output<typeof licenseRecord>;
export type Profile = z.output<typeof profileRecord>;
export type MemberRecord = z.output<typeof memberRecord>;
export type Membership = z.output<typeof membershipRecord>;
export type InvitationRecord = z.output<typeof invitationRecord>;
export type InvitationStatus = InvitationRecord['status'];
export type SecretRef = z.output<typeof secretRef>;
export type LogEntry = z.output<typeof logEntry>;
export type DataModel = z.output<typeof dataModel>;
export type IdempotencyRecord = z.output<typeof idempotencyRecord>;
export type TombstoneRecord = z.output<typeof tombstoneRecord>;
