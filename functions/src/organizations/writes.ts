import type { Quotas } from '../limits/config';
import type { ClaimsService } from '../claims/service';
import { ApiError } from '../errors';
import { licenseSecretName, type SecretInput, type SecretService } from '../secrets/service';
import type { Profile, UserStore } from '../users/store';
import { requireRights, type Access } from './access';
import type { LicenseInput, Role } from './schemas';
import type { OrganizationStore, OrgTransaction } from './store';
import type { License, LogEntry, OrganizationRecord } from './types';

// What the organization use cases (create, update, lifecycle, queries) share.

export interface OrganizationServiceDeps {
  store: OrganizationStore;
  users: UserStore;
  claims: ClaimsService;
  secrets: SecretService;
  now?: () => Date;
  /** The quotas on creating organizations and invitations (default: the environment's). */
  quotas?: Quotas;
}

/** Members added or removed by one request: a transaction stays well inside Firestore's limits. */
export const MAX_TEAM_CHANGES = 100;

/** An organization and the caller's role in it: what a read or a write answers. */
export interface Standing {
  org: OrganizationRecord;
  role: Role | null;
}

/** A write's outcome: the organization after it, and whose claims it changed. */
export interface Written extends Standing {
  affected: string[];
  /** Secrets whose license (or key) the write removed: destroyed once it committed. */
  dropped: string[];
}

/**
 * Commits a change to the organization in the transaction: the next version, `updated_at`, and
 * the audit entry naming the changed fields. Answers the organization as the change leaves it.
 */
export function commitChange(
  transaction: OrgTransaction,
  org: OrganizationRecord,
  change: { patch: Partial<OrganizationRecord>; entry: LogEntry; at: Date },
): OrganizationRecord {
  const patch = { ...change.patch, version: org.version + 1, updated_at: change.at };
  const updated = { ...org, ...patch };
  transaction.update(org.organization_id, patch, change.entry, updated);
  return updated;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The licenses as stored: each `user_api_key` replaced by the name of its secret. A license posted
 * without the field keeps its key (reads never show it); `user_api_key: null` removes it.
 */
export function storedLicenses(input: LicenseInput[], current: License[]): License[] {
  return input.map(({ user_api_key, license_number, license_type, state }) => ({
    license_number,
    license_type,
    state,
    user_api_key_secret:
      user_api_key === null
        ? null
        : user_api_key
          ? licenseSecretName(license_number)
          : (current.find((old) => old.license_number === license_number)?.user_api_key_secret ??
            null),
  }));
}

export function licenseSecrets(input: LicenseInput[] | undefined): SecretInput[] {
  return (input ?? []).flatMap(({ license_number, user_api_key }) =>
    user_api_key ? [{ name: licenseSecretName(license_number), value: user_api_key }] : [],
  );
}

/** The secrets that licenses keep (by name). */
export const keptSecrets = (licenses: License[]) =>
  new Set(licenses.flatMap((license) => license.user_api_key_secret ?? []));

/**
 * Secrets are for the owner and admins however they arrive: posting a `user_api_key`, like
 * `PUT .../secrets`, needs admin rights (a 403 naming the field), and so does dropping a license
 * that holds one, which destroys it.
 */
export function requireSecretRights(access: Access, input: LicenseInput[], dropped: string[]) {
  const keyed = input.findIndex((license) => license.user_api_key);
  if (keyed >= 0) {
    requireRights(access, 'admin', 'store license API keys', `licenses.${keyed}.user_api_key`);
  }
  if (dropped.length) requireRights(access, 'admin', 'remove license API keys', 'licenses');
}

/** A 400 naming every uid with no account. */
export function requireProfiles(uids: string[], profiles: Map<string, Profile>): void {
  const unknown = uids.filter((uid) => !profiles.has(uid));
  if (unknown.length > 0) {
    throw new ApiError('invalid-argument', `No user with the uid ${unknown.join(', ')}.`, {
      details: unknown.map((uid) => ({ path: 'team', message: `No user ${uid}.` })),
    });
  }
}

/** A 400 naming `field` when a body's read-only value differs from the organization's. */
export function requireSame(field: string, posted: unknown, stored: unknown, hint: string) {
  if (posted === undefined || posted === stored) return;
  throw new ApiError('invalid-argument', `${field} is ${JSON.stringify(stored)}: ${hint}`, {
    details: [{ path: field, message: `Must be ${JSON.stringify(stored)} or left out.` }],
  });
}
