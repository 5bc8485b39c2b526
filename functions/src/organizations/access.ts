import type { Caller } from '../auth/caller';
import { ApiError } from '../http/errors';
import type { Role } from './schemas';
import type { OrganizationRecord } from './types';

/** What access checks read of an organization (a field-masked read gets just this). */
export type AccessFields = Pick<
  OrganizationRecord,
  'organization_id' | 'public' | 'archived' | 'created_at' | 'updated_at' | 'archived_at'
>;

const RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3, owner: 4 };

/** The caller's standing in an organization: membership role, and the rights they act with. */
export interface Access<O extends AccessFields = OrganizationRecord> {
  org: O;
  /** The membership role; null for a non-member (also a platform admin who is not on the team). */
  role: Role | null;
  /** The rights: the role, or `owner` for a platform admin. */
  rights: Role | null;
}

export function notFound(orgId: string): ApiError {
  return new ApiError('not-found', `No organization ${orgId}.`);
}

/**
 * Resolves access from Firestore membership (never token claims). A private organization is
 * invisible to anyone off its team: the same 404 as one that does not exist.
 */
export function resolveAccess<O extends AccessFields>(
  orgId: string,
  org: O | null,
  member: { role: Role } | null,
  caller: Caller | null,
): Access<O> {
  if (!org) throw notFound(orgId);
  const role = member?.role ?? null;
  const rights = caller?.admin ? 'owner' : role;
  if (!rights && !org.public) throw notFound(orgId);
  return { org, role, rights };
}

export function atLeast(rights: Role | null, minimum: Role): boolean {
  return rights !== null && RANK[rights] >= RANK[minimum];
}

const WHO: Record<Role, string> = {
  owner: 'the owner',
  admin: 'the owner or an admin',
  member: 'members (not viewers)',
  viewer: 'the team',
};

/** A 403 unless the caller's rights reach `minimum`. */
export function requireRights(access: Access<AccessFields>, minimum: Role, action: string): void {
  if (atLeast(access.rights, minimum)) return;
  const standing = access.role
    ? `you are ${access.role === 'admin' ? 'an' : 'a'} ${access.role}`
    : 'you are not on its team';
  throw new ApiError(
    'permission-denied',
    `Only ${WHO[minimum]} of ${access.org.organization_id} can ${action}; ${standing}.`,
  );
}
