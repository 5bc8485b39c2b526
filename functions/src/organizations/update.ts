import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import { DEFAULT_INVITATION_DAYS, inviteAll } from '../team/invitations';
import type { Profile } from '../users/store';
import { iso } from '../time';
import {
  requireRights,
  requireVersion,
  requireWritable,
  resolveAccess,
  roleOf,
  type Access,
} from './access';
import { logEntry } from './log';
import { changeMembership } from './membership';
import type { UpdateInput } from './schemas';
import type { OrgTransaction } from './store';
import type { OrganizationRecord } from './types';
import {
  commitChange,
  keptSecrets,
  licenseSecrets,
  MAX_TEAM_CHANGES,
  requireProfiles,
  requireSame,
  requireSecretRights,
  sameValue,
  storedLicenses,
  type OrganizationServiceDeps,
  type Written,
} from './writes';

/** The fields a body may carry that are never written from it. */
type ReadOnly =
  'organization_id' | 'uid' | 'archived' | 'role' | 'created_at' | 'updated_at' | 'archived_at';

/** What a body changes: its editable fields. */
export type Changes = Omit<UpdateInput, ReadOnly>;

type ProfileField = Exclude<keyof Changes, 'owner' | 'team' | 'licenses'>;

/**
 * The changes of a body posted to an organization: its `organization_id` and `uid` must name it
 * (a 400 naming the field otherwise); the other read-only fields are checked in the transaction.
 */
export function changesOf(orgId: string, body: UpdateInput): Changes {
  const { organization_id, uid, archived, role, created_at, updated_at, archived_at, ...changes } =
    body;
  requireSame('organization_id', organization_id, orgId, 'the body names another organization.');
  requireSame('uid', uid, orgId, 'the body names another organization.');
  return changes;
}

/**
 * A whole organization posted back (as the Cannlytics console does) carries the `updated_at` it was
 * read at. When that is not the organization's any more, its `team` and `owner` are stale: applying
 * them would drop whoever joined since, without a word. A 412, as a stale `If-Match` gets.
 */
function requireFresh(org: OrganizationRecord, readAt: string | null | undefined): void {
  if (readAt === undefined || readAt === null || readAt === iso(org.updated_at)) return;
  throw new ApiError(
    'failed-precondition',
    `The organization has changed since you read it (at ${readAt}): read it again before changing its team or owner.`,
    { status: 412, headers: { ETag: `"${org.version}"` } },
  );
}

/** The update use case: a partial update by the team, with its rights per field. */
export function updates({
  store,
  users,
  claims,
  secrets,
  now = () => new Date(),
}: OrganizationServiceDeps) {
  async function profilesOrFail(uids: string[]): Promise<Map<string, Profile>> {
    const profiles = await users.profiles(uids);
    requireProfiles(uids, profiles);
    return profiles;
  }

  /**
   * A transaction whose change may carry license keys: the keys go to Secret Manager first, their
   * references are written in the same commit, and a failed commit destroys them again.
   */
  async function transactWithSecrets<T>(
    caller: Caller,
    orgId: string,
    licenses: Changes['licenses'],
    work: (transaction: OrgTransaction) => Promise<T>,
  ): Promise<T> {
    const inputs = licenseSecrets(licenses);
    if (inputs.length === 0) return store.transact(work);
    const { org, member } = await store.read(orgId, caller.uid);
    const access = resolveAccess(orgId, org, member, caller);
    requireSecretRights(access, licenses ?? [], []);
    requireWritable(access.org);
    return secrets.withStaged(await secrets.stage(orgId, caller, inputs), work, orgId);
  }

  /**
   * Applies a partial update inside a transaction: profile fields for members and up, license
   * keys for admins, `owner` and `team` for the owner only (403 for anyone else, never a silent
   * drop). Uids new to `team` are invited (they join by accepting); platform admins add them.
   * `archived` as posted must be the organization's state.
   */
  async function applyUpdate(
    transaction: OrgTransaction,
    caller: Caller,
    access: Access,
    body: Changes,
    { archived, updated_at }: Pick<UpdateInput, 'archived' | 'updated_at'>,
  ): Promise<Written> {
    const { org } = access;
    requireRights(access, 'member', 'edit it');
    requireWritable(org);
    requireSame('archived', archived, org.archived, 'archive it with DELETE.');
    const at = now();
    const patch: Partial<OrganizationRecord> = {};
    const changed: string[] = [];
    for (const [field, value] of Object.entries(body) as [ProfileField, unknown][]) {
      if (['owner', 'team', 'licenses'].includes(field)) continue;
      if (!sameValue(org[field], value)) {
        (patch as Record<string, unknown>)[field] = value;
        changed.push(field);
      }
    }

    let dropped: string[] = [];
    if (body.licenses) {
      const licenses = storedLicenses(body.licenses, org.licenses);
      const kept = keptSecrets(licenses);
      dropped = [...keptSecrets(org.licenses)].filter((name) => !kept.has(name));
      requireSecretRights(access, body.licenses, dropped);
      for (const name of dropped) transaction.deleteSecretRef(org.organization_id, name);
      const rotated = licenseSecrets(body.licenses).length > 0;
      if (rotated || !sameValue(org.licenses, licenses)) {
        patch.licenses = licenses;
        changed.push('licenses');
      }
    }
    const owner = body.owner ?? org.owner;
    const team = body.team ? [...new Set(body.team)] : org.team;
    const wanted = new Set(team);
    const added = team.filter((uid) => !roleOf(org, uid));
    const removed = org.team.filter((uid) => !wanted.has(uid));
    let affected: string[] = [];
    let invited = false;
    if (added.length || removed.length || owner !== org.owner) {
      requireRights(access, 'owner', 'change its owner or team');
      requireFresh(org, updated_at);
      if (!wanted.has(owner)) {
        throw new ApiError('invalid-argument', 'The team must include the owner.', {
          details: [{ path: 'team', message: `The owner ${owner} is not in the team.` }],
        });
      }
      if (owner !== org.owner && !roleOf(org, owner)) {
        throw new ApiError(
          'invalid-argument',
          `${owner} is not on the team yet: invite them first.`,
          {
            details: [{ path: 'owner', message: 'Must be a member.' }],
          },
        );
      }
      if (added.length + removed.length > MAX_TEAM_CHANGES) {
        throw new ApiError(
          'invalid-argument',
          `A request adds or removes at most ${MAX_TEAM_CHANGES} members.`,
          { details: [{ path: 'team', message: 'Too many changes at once.' }] },
        );
      }
      const profiles = await profilesOrFail(added);
      const direct = caller.admin ? added : [];
      if (!caller.admin && added.length) {
        const results = await inviteAll(
          transaction,
          org,
          caller,
          added.map((uid) => ({
            invitee: { uid },
            role: 'member' as const,
            mailTo: profiles.get(uid)!.email || null,
          })),
          DEFAULT_INVITATION_DAYS,
          at,
        );
        invited = results.some((result) => result.created);
      }
      if (direct.length || removed.length || owner !== org.owner) {
        const membership = changeMembership(
          transaction,
          org,
          {
            add: direct.map((uid) => ({ profile: profiles.get(uid)!, role: 'member' as const })),
            remove: removed,
            owner,
          },
          at,
        );
        Object.assign(patch, membership.patch);
        affected = membership.affected;
        if (owner !== org.owner) changed.push('owner');
        if (direct.length || removed.length) changed.push('team');
      }
    }
    if (invited) {
      transaction.log(org.organization_id, logEntry(caller, 'member.invited', ['invitations'], at));
    }
    if (changed.length === 0) return { org, role: access.role, affected: [], dropped };

    if (patch.name !== undefined) patch.name_lower = patch.name.toLowerCase();
    const updated = commitChange(transaction, org, {
      patch,
      entry: logEntry(caller, 'organization.updated', changed.sort(), at),
      at,
    });
    return { org: updated, role: roleOf(updated, caller.uid) ?? null, affected, dropped };
  }

  /**
   * Updates the organization with the body's changes, in one transaction that checks `If-Match`.
   * `conflictIfStranger`: a caller off the team gets 409 (`POST /organizations` on a taken id).
   */
  async function update(
    caller: Caller,
    orgId: string,
    body: UpdateInput,
    options: { ifMatch: string[] | undefined; conflictIfStranger?: boolean },
  ): Promise<Written> {
    const changes = changesOf(orgId, body);
    const written = await transactWithSecrets(
      caller,
      orgId,
      changes.licenses,
      async (transaction) => {
        const { org, member } = await transaction.read(orgId, caller.uid);
        if (org && options.conflictIfStranger && !member && !caller.admin) {
          throw new ApiError(
            'already-exists',
            `An organization with the id ${orgId} already exists.`,
          );
        }
        const access = resolveAccess(orgId, org, member, caller);
        requireVersion(access.org, options.ifMatch);
        return applyUpdate(transaction, caller, access, changes, body);
      },
    );
    await Promise.all([claims.sync(written.affected), secrets.destroy(orgId, written.dropped)]);
    return written;
  }

  return { update };
}
