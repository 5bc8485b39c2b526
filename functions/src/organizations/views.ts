import { iso } from '../time';
import type { Role } from './schemas';
import type { OrganizationRecord } from './types';

/** The fields anyone may see of a public organization. */
export const PUBLIC_FIELDS = [
  'organization_id',
  'uid',
  'name',
  'trade_name',
  'type',
  'public',
  'email',
  'phone',
  'website',
  'linkedin',
  'city',
  'state',
  'country',
  'photo_url',
] as const;

/** The full organization, as its team sees it (internal fields left out). */
export function memberView(org: OrganizationRecord, role: Role | null) {
  return {
    organization_id: org.organization_id,
    uid: org.uid,
    name: org.name,
    trade_name: org.trade_name,
    type: org.type,
    public: org.public,
    owner: org.owner,
    team: org.team,
    email: org.email,
    phone: org.phone,
    website: org.website,
    linkedin: org.linkedin,
    address: org.address,
    city: org.city,
    state: org.state,
    zip_code: org.zip_code,
    country: org.country,
    external_id: org.external_id,
    photo_url: org.photo_url,
    photo_ref: org.photo_ref,
    photo_size: org.photo_size,
    photo_type: org.photo_type,
    photo_modified_at: org.photo_modified_at,
    photo_uploaded_at: org.photo_uploaded_at,
    licenses: org.licenses,
    created_at: iso(org.created_at),
    updated_at: iso(org.updated_at),
    archived: org.archived,
    archived_at: iso(org.archived_at),
    role,
  };
}

/** The public profile as stored in `public_organizations/{org_id}` (dates as dates). */
export function publicProfile(org: OrganizationRecord) {
  const profile: Record<string, unknown> = {};
  for (const field of PUBLIC_FIELDS) profile[field] = org[field];
  profile.created_at = org.created_at;
  return profile;
}

/** The public profile, for callers off the team. */
export function publicView(org: OrganizationRecord) {
  const fields = Object.fromEntries(PUBLIC_FIELDS.map((field) => [field, org[field]])) as Pick<
    OrganizationRecord,
    (typeof PUBLIC_FIELDS)[number]
  >;
  return { ...fields, created_at: iso(org.created_at) };
}

/** The caller's view: full for the team and platform admins, public profile for others. */
export function viewFor(org: OrganizationRecord, role: Role | null, full: boolean) {
  return full ? memberView(org, role) : publicView(org);
}
