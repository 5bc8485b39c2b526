import type { CredentialKind } from '../auth/caller';
import type { Profile } from '../users/store';
import type { Role } from './schemas';

/**
 * A license of an organization. Its Metrc `user_api_key`, if posted, lives in Secret Manager;
 * the license keeps only the name of its secret.
 */
export interface License {
  license_number: string;
  license_type: string;
  state: string;
  user_api_key_secret: string | null;
}

/** `organizations/{org_id}/secrets/{name}`: where a secret is, never what it is. */
export interface SecretRef {
  name: string;
  secret_id: string;
  /** The version's resource name in Secret Manager. */
  version_name: string;
  version: string;
  last4: string;
  created_at: Date;
  updated_at: Date;
  updated_by: string;
}

/** `organizations/{org_id}`: the Cannlytics fields plus lifecycle and internal fields. */
export interface OrganizationRecord {
  organization_id: string;
  uid: string;
  name: string;
  trade_name: string;
  type: string;
  public: boolean;
  owner: string;
  team: string[];
  email: string;
  phone: string;
  website: string;
  linkedin: string;
  address: string;
  city: string;
  state: string;
  zip_code: string;
  country: string;
  external_id: string;
  photo_url: string;
  photo_ref: string;
  photo_size: number | null;
  photo_type: string;
  photo_modified_at: string | null;
  photo_uploaded_at: string | null;
  licenses: License[];
  created_at: Date;
  updated_at: Date;
  archived: boolean;
  archived_at: Date | null;
  /** Internal: bumped on every change; the ETag. */
  version: number;
  /** Internal: the lowercase name, for name ordering and `name=`/`q=` filters. */
  name_lower: string;
  /** Internal: every member's role, so a list page needs no membership reads. */
  roles: Record<string, Role>;
}

/**
 * `organizations/{org_id}/members/{uid}`: the source of truth of membership, with the member's
 * profile copied in so that a team listing is one query.
 */
export interface MemberRecord extends Profile {
  organization_id: string;
  role: Role;
  joined_at: Date;
}

/** `organizations/{org_id}/logs/{id}`: one entry per change; field names, never values. */
export interface LogEntry {
  action: string;
  actor_uid: string;
  credential: CredentialKind;
  key_id: string | null;
  changed_fields: string[];
  /** The member or invitation the change was about, if any. */
  target?: string;
  at: Date;
}

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'revoked';

/** `organizations/{org_id}/invitations/{invitation_id}`. */
export interface InvitationRecord {
  invitation_id: string;
  organization_id: string;
  organization_name: string;
  /** Lowercase. */
  email: string;
  role: Exclude<Role, 'owner'>;
  status: InvitationStatus;
  invited_by: string;
  created_at: Date;
  expires_at: Date;
  /** How long it is valid from its creation, and again from each resend. */
  valid_days: number;
  responded_at: Date | null;
}

/** A `mail` document in the format of the Firebase "Trigger Email" extension. */
export interface MailRecord {
  to: string;
  message: { subject: string; text: string; html: string };
}

export interface DataModel {
  key: string;
  [field: string]: unknown;
}
