import { ApiError } from '../errors';
import type { Profile } from '../model/records';
import { MAX_MEMBERS, type Role } from './schemas';
import type { OrgTransaction } from './store';
import type { MemberRecord, OrganizationRecord } from './types';

/** One change to who is on a team, applied to the organization and its member documents. */
export interface MembershipChange {
  add?: { profile: Profile; role: Role }[];
  remove?: string[];
  setRoles?: { uid: string; role: Role }[];
  /** A new owner (a member after this change); the old owner stays on as admin. */
  owner?: string;
}

export function memberRecord(orgId: string, profile: Profile, role: Role, at: Date): MemberRecord {
  return { ...profile, organization_id: orgId, role, joined_at: at };
}

/**
 * Writes a membership change into a transaction and returns the organization fields it changes
 * (`team`, `roles`, `owner`) and the users whose claims it changes. The organization's `team` and
 * `roles` mirror the member documents, in the same commit.
 */
export function changeMembership(
  transaction: OrgTransaction,
  org: OrganizationRecord,
  change: MembershipChange,
  at: Date,
): { patch: Partial<OrganizationRecord>; affected: string[] } {
  const orgId = org.organization_id;
  // A Map, not an object: uids come from requests, and `__proto__` or `constructor` must be
  // plain keys like any other.
  const before = new Map(Object.entries(org.roles));
  const roles = new Map(before);
  const affected = new Set<string>();
  // The final roles first, so that each member document is written once, with its final role.
  for (const uid of change.remove ?? []) roles.delete(uid);
  for (const { profile, role } of change.add ?? []) roles.set(profile.uid, role);
  for (const { uid, role } of change.setRoles ?? []) roles.set(uid, role);
  const patch: Partial<OrganizationRecord> = {};
  if (change.owner && change.owner !== org.owner) {
    roles.set(change.owner, 'owner');
    if (roles.has(org.owner)) roles.set(org.owner, 'admin');
    patch.owner = change.owner;
  }

  const added = new Set((change.add ?? []).map(({ profile }) => profile.uid));
  for (const uid of change.remove ?? []) {
    transaction.removeMember(orgId, uid);
    affected.add(uid);
  }
  for (const { profile } of change.add ?? []) {
    transaction.putMember(memberRecord(orgId, profile, roles.get(profile.uid)!, at));
    affected.add(profile.uid);
  }
  for (const [uid, role] of roles) {
    if (added.has(uid) || before.get(uid) === role) continue;
    transaction.setRole(orgId, uid, role);
    affected.add(uid);
  }
  const team = [...roles.keys()];
  if (team.length > MAX_MEMBERS) {
    throw new ApiError(
      'resource-exhausted',
      `An organization has at most ${MAX_MEMBERS} members; ${orgId} would have ${team.length}.`,
    );
  }
  // Keep the existing order (Cannlytics clients show `team` as is) and append newcomers.
  const previous = new Set(org.team);
  patch.team = [
    ...org.team.filter((uid) => roles.has(uid)),
    ...team.filter((uid) => !previous.has(uid)),
  ];
  patch.roles = Object.fromEntries(roles);
  return { patch, affected: [...affected] };
}
