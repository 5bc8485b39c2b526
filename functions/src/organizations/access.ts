import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import type { AccessRecord } from '../model/records';
import type { Role } from './schemas';
import type { OrganizationRecord } from './types';

/** What access checks read of an organization (a field-masked read gets just this). */
export type AccessFields = AccessRecord;

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
 * A uid's role from an organization's role map, or undefined. The map's keys come from requests
 * too: only its own keys count (`__proto__`, `constructor` or `toString` are nobody's role).
 */
export function roleOf(org: Pick<OrganizationRecord, 'roles'>, uid: string): Role | undefined {
  return Object.hasOwn(org.roles, uid) ? org.roles[uid] : undefined;
}

/**
 * Resolves access from Firestore membership (never token claims). A private organization is
 * invisible to anyone off its team: the same 404 as one that does not exist; so is an archived
 * one, public or not.
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
  if (!rights && (!org.public || org.archived)) throw notFound(orgId);
  return { org, role, rights };
}

/**
 * A 409 unless the organization takes this write: never while a purge is deleting it, and
 * not while archived (read-only) unless the write is one an archived organization allows
 * (restore, leaving, declining).
 */
export function requireWritable(
  org: Pick<AccessFields, 'organization_id' | 'archived' | 'purging'>,
  options: { archived?: 'allowed' } = {},
): void {
  if (org.purging) {
    throw new ApiError(
      'failed-precondition',
      `${org.organization_id} is being deleted for good: it takes no more changes.`,
    );
  }
  if (org.archived && options.archived !== 'allowed') {
    throw new ApiError(
      'failed-precondition',
      `${org.organization_id} is archived and read-only: restore it first.`,
    );
  }
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

/** A 403 unless the caller's rights reach `minimum`; `field` names the input that needs them. */
export function requireRights(
  access: Access<AccessFields>,
  minimum: Role,
  action: string,
  field?: string,
): void {
  if (atLeast(access.rights, minimum)) return;
  const standing = access.role
    ? `you are ${access.role === 'admin' ? 'an' : 'a'} ${access.role}`
    : 'you are not on its team';
  const message = `Only ${WHO[minimum]} of ${access.org.organization_id} can ${action}; ${standing}.`;
  throw new ApiError(
    'permission-denied',
    message,
    field ? { details: [{ path: field, message: `Needs ${WHO[minimum]}.` }] } : undefined,
  );
}

/**
 * Refuses a write whose `If-Match` names another version of the organization (412, with the
 * current ETag): the caller read it before someone else changed it. `*` admits any version;
 * no `If-Match` at all admits the write.
 */
export function requireVersion(org: { version: number }, ifMatch: string[] | undefined): void {
  const etag = `"${org.version}"`;
  if (ifMatch === undefined || ifMatch.some((tag) => tag === '*' || tag === etag)) return;
  throw new ApiError(
    'failed-precondition',
    `The organization has changed since you read it: its ETag is now ${etag}.`,
    { status: 412, headers: { ETag: etag } },
  );
}

/** A store that reads what an access check needs of an organization and the caller's membership. */
export interface AccessReader {
  readAccess(
    orgId: string,
    uid: string,
  ): Promise<{ org: AccessFields | null; member: { role: Role } | null }>;
}

/**
 * The access check of a read: the caller's rights on Firestore membership (one field-masked read)
 * must reach `minimum`, else 403 (404 for an organization the caller may not see at all).
 */
export async function readRights(
  store: AccessReader,
  caller: Caller,
  orgId: string,
  minimum: Role,
  action: string,
): Promise<Access<AccessFields>> {
  const { org, member } = await store.readAccess(orgId, caller.uid);
  const access = resolveAccess(orgId, org, member, caller);
  requireRights(access, minimum, action);
  return access;
}
