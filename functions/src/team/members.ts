import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import { decodeCursor, nextCursor, type CursorSpec } from '../firestore';
import { requireRights, requireWritable, roleOf, type Access } from '../organizations/access';
import type { MembershipChange } from '../organizations/membership';
import { uidSchema, type Role } from '../organizations/schemas';
import { DEFAULT_INVITATION_DAYS, inviteAll, type InvitationDraft } from './invitations';
import type { AddMembersInput, GrantableRole, TeamQuery } from './schemas';
import { memberView } from './views';
import { notOnTeam, teamKit, type TeamDeps } from './writes';

/** A member's role, refusing the owner (whose role changes only by a transfer). */
function nonOwnerRole(access: Access, uid: string, ownerRefusal: string): Role {
  const current = roleOf(access.org, uid);
  if (!current) throw notOnTeam(access.org, uid);
  if (current === 'owner') throw new ApiError('failed-precondition', ownerRefusal);
  return current;
}

/** What happened to one entry of an add. */
export interface Addition {
  uid: string | null;
  email: string | null;
  role: Role;
  status: 'added' | 'invited' | 'already_member';
  invitation_id?: string;
}

const memberCursor = (orgId: string, query: TeamQuery): CursorSpec => ({
  list: `team:${orgId}:${query.order_by}:${query.order}`,
  id: uidSchema,
  value: query.order_by === 'joined_at' ? 'date' : 'string',
});

/** Only the owner grants or revokes `admin`. */
export function requireAdminRights(access: Access, from: Role | undefined, to: Role | null) {
  if (from === 'admin' || to === 'admin') requireRights(access, 'owner', 'grant or revoke admin');
}

/** The team's members, their roles and the organization's ownership. */
export function createMemberService(deps: TeamDeps) {
  const { team, users } = deps;
  const kit = teamKit(deps);

  return {
    async list(caller: Caller, orgId: string, query: TeamQuery) {
      const cursor = memberCursor(orgId, query);
      const after = query.cursor ? decodeCursor(query.cursor, cursor) : undefined;
      await kit.readAccess(caller, orgId, 'viewer', 'see its team');
      const { items, end } = await team.members(
        orgId,
        query.order_by,
        query.order,
        query.limit,
        after,
      );
      return { items: items.map(memberView), nextCursor: nextCursor(end, cursor.list) };
    },

    /**
     * Adds people by uid or email, one or up to 100: every one who is not on the team yet gets an
     * invitation that they accept (their consent), with the same answer, `invited`, whether or
     * not an address has an account. Platform admins add accounts by uid directly (an address may
     * belong to an account that never proved it owns it: that is always an invitation). Unknown
     * uids fail the whole request before anything is written. `created` when anyone was added or
     * invited anew.
     */
    async add(caller: Caller, orgId: string, input: AddMembersInput, ifMatch?: string[]) {
      const uids = input.entries.flatMap((entry) => (entry.uid ? [entry.uid] : []));
      const emails = input.entries.flatMap((entry) => (entry.email ? [entry.email] : []));
      const [profiles, byEmail] = await Promise.all([
        users.profiles(uids),
        users.uidsByEmail(emails),
      ]);
      const unknown = uids.filter((uid) => !profiles.has(uid));
      if (unknown.length) {
        throw new ApiError('invalid-argument', `No user with the uid ${unknown.join(', ')}.`, {
          details: unknown.map((uid) => ({
            path: input.bulk ? `members.${uids.indexOf(uid)}.uid` : 'uid',
            message: `No user ${uid}.`,
          })),
        });
      }
      const invitationQuotas = kit.invitationQuotas(
        orgId,
        input.entries.map((entry) => (entry.uid ? { uid: entry.uid } : { email: entry.email })),
      );
      const added = kit.counters.members(orgId, kit.now());
      return kit.mutate(
        caller,
        orgId,
        ifMatch,
        async (transaction, access, at) => {
          requireRights(access, 'admin', 'add members');
          if (input.entries.some((entry) => entry.role === 'admin')) {
            requireRights(access, 'owner', 'grant admin');
          }
          const add: NonNullable<MembershipChange['add']> = [];
          const drafts: { index: number; draft: InvitationDraft }[] = [];
          const results: Addition[] = input.entries.map((entry, index) => {
            const account = entry.uid ?? byEmail.get(entry.email!);
            const current = account === undefined ? undefined : roleOf(access.org, account);
            const profile = account === undefined ? undefined : profiles.get(account);
            const shown = { uid: entry.uid ?? null, email: entry.email ?? null, role: entry.role };
            if (current || (account !== undefined && add.some((a) => a.profile.uid === account))) {
              return {
                ...shown,
                uid: account!,
                role: current ?? entry.role,
                status: 'already_member',
              };
            }
            if (caller.admin && entry.uid && profile) {
              add.push({ profile, role: entry.role });
              return { ...shown, uid: account!, status: 'added' };
            }
            drafts.push({
              index,
              draft: {
                invitee: entry.uid ? { uid: entry.uid } : { email: entry.email! },
                role: entry.role,
                mailTo: entry.email ?? (profile?.email || null),
              },
            });
            return { ...shown, status: 'invited' };
          });
          const invited = await inviteAll(
            transaction,
            access.org,
            caller,
            drafts.map(({ draft }) => draft),
            DEFAULT_INVITATION_DAYS,
            at,
          );
          drafts.forEach(({ index }, i) => {
            results[index].invitation_id = invited[i].invitation.invitation_id;
          });
          await invitationQuotas.charge(
            transaction,
            invited.flatMap((result) => (result.created ? [result.invitation] : [])),
          );
          await transaction.charge(added, add.length);
          const anyInvited = invited.some((result) => result.created);
          return {
            change: add.length ? { add } : undefined,
            action: add.length ? 'member.added' : 'member.invited',
            changed: [...(add.length ? ['team'] : []), ...(anyInvited ? ['invitations'] : [])],
            result: () => ({
              additions: input.bulk ? results : results[0],
              created: add.length > 0 || anyInvited,
            }),
          };
        },
        { quotas: [...invitationQuotas.counters, added] },
      );
    },

    async setRole(
      caller: Caller,
      orgId: string,
      uid: string,
      role: GrantableRole,
      ifMatch?: string[],
    ) {
      return kit.mutate(caller, orgId, ifMatch, async (transaction, access) => {
        requireRights(access, 'admin', 'change roles');
        const current = nonOwnerRole(
          access,
          uid,
          "The owner's role changes only by transferring ownership.",
        );
        requireAdminRights(access, current, role);
        const member = await transaction.readMember(orgId, uid);
        if (!member) throw notOnTeam(access.org, uid);
        const same = current === role;
        return {
          change: same ? undefined : { setRoles: [{ uid, role }] },
          action: 'member.role_changed',
          changed: same ? [] : ['roles'],
          target: uid,
          result: () => memberView({ ...member, role }),
        };
      });
    },

    /**
     * Removes a member: the owner and admins remove others, anyone removes themself (also from
     * an archived organization: nobody is kept on a team against their will).
     */
    async remove(caller: Caller, orgId: string, uid: string, ifMatch?: string[]) {
      const self = uid === caller.uid;
      return kit.mutate(
        caller,
        orgId,
        ifMatch,
        (_transaction, access) => {
          if (!self) requireRights(access, 'admin', 'remove members');
          if (!self) requireWritable(access.org);
          const current = nonOwnerRole(
            access,
            uid,
            'The owner cannot be removed: transfer ownership first.',
          );
          if (!self) requireAdminRights(access, current, null);
          return Promise.resolve({
            change: { remove: [uid] },
            action: self ? 'member.left' : 'member.removed',
            changed: ['team'],
            target: uid,
            result: () => ({ organization_id: orgId, uid, removed: true as const }),
          });
        },
        { archived: 'allowed' },
      );
    },

    /** Leaves the team, also of an archived organization; the owner must transfer first. */
    async leave(caller: Caller, orgId: string, ifMatch?: string[]) {
      return kit.mutate(
        caller,
        orgId,
        ifMatch,
        (_transaction, access) => {
          if (!access.role) {
            throw new ApiError('failed-precondition', `You are not on the team of ${orgId}.`);
          }
          if (access.role === 'owner') {
            throw new ApiError(
              'failed-precondition',
              `You own ${orgId}: transfer ownership to another member before leaving.`,
            );
          }
          return Promise.resolve({
            change: { remove: [caller.uid] },
            action: 'member.left',
            changed: ['team'],
            target: caller.uid,
            result: () => ({ organization_id: orgId, left: true as const }),
          });
        },
        { archived: 'allowed' },
      );
    },

    async transfer(caller: Caller, orgId: string, uid: string, ifMatch?: string[]) {
      return kit.mutate(caller, orgId, ifMatch, (_transaction, access) => {
        requireRights(access, 'owner', 'transfer ownership');
        if (!roleOf(access.org, uid)) throw notOnTeam(access.org, uid);
        const same = access.org.owner === uid;
        return Promise.resolve({
          change: same ? undefined : { owner: uid },
          action: 'ownership.transferred',
          changed: same ? [] : ['owner'],
          target: uid,
          result: (org) => ({
            organization_id: orgId,
            owner: org.owner,
            previous_owner: access.org.owner,
          }),
        });
      });
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
