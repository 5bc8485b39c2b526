import type { Caller } from '../auth/caller';
import type { ClaimsService } from '../claims/service';
import { decodeCursor, nextCursor, type CursorSpec } from '../firestore';
import { ApiError } from '../errors';
import type { Reply } from '../http/handler';
import {
  requireRights,
  requireWritable,
  resolveAccess,
  roleOf,
  type Access,
} from '../organizations/access';
import { logEntry } from '../organizations/log';
import { changeMembership, type MembershipChange } from '../organizations/membership';
import { uidSchema, type Role } from '../organizations/schemas';
import type { OrganizationStore, OrgTransaction } from '../organizations/store';
import type { InvitationRecord, MemberRecord, OrganizationRecord } from '../organizations/types';
import { asciiLower } from '../text';
import { DAY_MS, iso, MINUTE_MS } from '../time';
import type { UserStore } from '../users/store';
import {
  DEFAULT_INVITATION_DAYS,
  inviteAll,
  invitationMail,
  type InvitationDraft,
} from './invitations';
import {
  invitationIdSchema,
  type AddMembersInput,
  type GrantableRole,
  type InvitationInput,
  type TeamQuery,
} from './schemas';
import type { TeamStore } from './store';

/** One resend per invitation per this long: each resend mails the invitee again. */
export const RESEND_INTERVAL_MS = 10 * MINUTE_MS;

/** A team entry: the Cannlytics team fields plus role and joined_at. */
function memberView(member: MemberRecord) {
  return {
    name: member.name,
    uid: member.uid,
    photo_url: member.photo_url,
    position: member.position,
    email: member.email,
    type: member.type,
    phone_number: member.phone_number,
    signed_in: member.signed_in,
    license: member.license,
    role: member.role,
    joined_at: iso(member.joined_at),
  };
}

function invitationView(invitation: InvitationRecord, at: Date) {
  const expired = invitation.status === 'pending' && invitation.expires_at <= at;
  return {
    id: invitation.invitation_id,
    organization_id: invitation.organization_id,
    organization_name: invitation.organization_name,
    email: invitation.email,
    uid: invitation.uid,
    role: invitation.role,
    status: expired ? 'expired' : invitation.status,
    invited_by: invitation.invited_by,
    created_at: iso(invitation.created_at),
    expires_at: iso(invitation.expires_at),
    responded_at: iso(invitation.responded_at),
  };
}

function notOnTeam(org: Pick<OrganizationRecord, 'organization_id'>, uid: string): ApiError {
  return new ApiError('not-found', `${uid} is not on the team of ${org.organization_id}.`);
}

/** Whether the invitation is the caller's: their account's, or their verified address's. */
function isInvitee(caller: Caller, invitation: InvitationRecord): boolean {
  if (invitation.uid !== null) return invitation.uid === caller.uid;
  return (
    caller.email_verified && caller.email !== null && asciiLower(caller.email) === invitation.email
  );
}

const memberCursor = (orgId: string, query: TeamQuery): CursorSpec => ({
  list: `team:${orgId}:${query.order_by}:${query.order}`,
  id: uidSchema,
  value: query.order_by === 'joined_at' ? 'date' : 'string',
});

const invitationCursor = (orgId: string): CursorSpec => ({
  list: `invitations:${orgId}`,
  id: invitationIdSchema,
  value: 'date',
});

/** Only the owner grants or revokes `admin`. */
function requireAdminRights(access: Access, from: Role | undefined, to: Role | null) {
  if (from === 'admin' || to === 'admin') requireRights(access, 'owner', 'grant or revoke admin');
}

export interface TeamServiceDeps {
  organizations: OrganizationStore;
  team: TeamStore;
  users: UserStore;
  claims: ClaimsService;
  now?: () => Date;
}

/** What happened to one entry of an add. */
interface AddResult {
  uid: string | null;
  email: string | null;
  role: Role;
  status: 'added' | 'invited' | 'already_member';
  invitation_id?: string;
}

interface Mutation {
  change?: MembershipChange;
  action: string;
  changed: string[];
  target?: string;
  reply: (org: OrganizationRecord) => Reply;
}

/** The team of an organization: members, roles, ownership and invitations. */
export function createTeamService({
  organizations,
  team,
  users,
  claims,
  now = () => new Date(),
}: TeamServiceDeps) {
  /**
   * Runs one team change in a transaction: checks rights on Firestore membership, applies the
   * membership change with its log entry, then brings every affected user's claims up to date
   * before the response is sent. Archived organizations take only the changes that say so.
   */
  async function mutate(
    caller: Caller,
    orgId: string,
    work: (transaction: OrgTransaction, access: Access, at: Date) => Promise<Mutation>,
    options: { archived?: 'allowed' } = {},
  ): Promise<Reply> {
    const { response, affected } = await organizations.transact(async (transaction) => {
      const { org, member } = await transaction.read(orgId, caller.uid);
      const access = resolveAccess(orgId, org, member, caller);
      requireWritable(access.org, options);
      const at = now();
      const mutation = await work(transaction, access, at);
      const entry = logEntry(caller, mutation.action, mutation.changed, at, mutation.target);
      if (!mutation.change) {
        if (mutation.changed.length) transaction.log(orgId, entry);
        return { response: mutation.reply(access.org), affected: [] };
      }
      const { patch, affected } = changeMembership(transaction, access.org, mutation.change, at);
      const updated = { ...access.org, ...patch, version: access.org.version + 1, updated_at: at };
      transaction.update(
        orgId,
        { ...patch, version: updated.version, updated_at: at },
        entry,
        updated,
      );
      return { response: mutation.reply(updated), affected };
    });
    await claims.sync(affected);
    return response;
  }

  async function readInvitationOrFail(transaction: OrgTransaction, orgId: string, id: string) {
    const invitation = await transaction.readInvitation(orgId, id);
    if (!invitation) throw new ApiError('not-found', `No invitation ${id} to ${orgId}.`);
    return invitation;
  }

  /** An invitation an admin may still act on: pending (expired or not). */
  async function readPendingInvitation(
    transaction: OrgTransaction,
    orgId: string,
    id: string,
    advice: string,
  ) {
    const invitation = await readInvitationOrFail(transaction, orgId, id);
    if (invitation.status !== 'pending') {
      throw new ApiError(
        'failed-precondition',
        `This invitation was ${invitation.status}${advice}.`,
      );
    }
    return invitation;
  }

  /** A 403 unless the invitation is the caller's (see `isInvitee`). */
  function requireInvitee(caller: Caller, invitation: InvitationRecord): void {
    if (isInvitee(caller, invitation)) return;
    throw new ApiError(
      'permission-denied',
      invitation.uid === null && !caller.email_verified
        ? 'Verify your email address to answer invitations to it.'
        : 'This invitation is for someone else.',
    );
  }

  /** The organization of an invitation the caller may answer (it is theirs). */
  async function inviteeOrganization(caller: Caller, id: string): Promise<string> {
    const found = await team.findInvitation(id);
    if (!found) throw new ApiError('not-found', `No invitation ${id}.`);
    requireInvitee(caller, found);
    return found.organization_id;
  }

  /**
   * The invitation, read again at its exact path inside the answer's transaction: still the
   * caller's, pending and unexpired.
   */
  async function readAnswerable(
    transaction: OrgTransaction,
    caller: Caller,
    orgId: string,
    id: string,
    at: Date,
  ) {
    const invitation = await readInvitationOrFail(transaction, orgId, id);
    requireInvitee(caller, invitation);
    if (invitation.status !== 'pending') {
      throw new ApiError('failed-precondition', `This invitation was ${invitation.status}.`);
    }
    if (invitation.expires_at <= at) {
      throw new ApiError(
        'failed-precondition',
        `This invitation expired at ${iso(invitation.expires_at)}: ask for a new one.`,
      );
    }
    return invitation;
  }

  return {
    async list(caller: Caller, orgId: string, query: TeamQuery): Promise<Reply> {
      const cursor = memberCursor(orgId, query);
      const after = query.cursor ? decodeCursor(query.cursor, cursor) : undefined;
      const { org, member } = await organizations.readAccess(orgId, caller.uid);
      requireRights(resolveAccess(orgId, org, member, caller), 'viewer', 'see its team');
      const { items, end } = await team.members(
        orgId,
        query.order_by,
        query.order,
        query.limit,
        after,
      );
      return {
        data: items.map(memberView),
        nextCursor: nextCursor(end, cursor.list),
      };
    },

    /**
     * Adds people by uid or email, one or up to 100: every one who is not on the team yet gets an
     * invitation that they accept (their consent), with the same answer, `invited`, whether or
     * not an address has an account. Platform admins add accounts by uid directly (an address may
     * belong to an account that never proved it owns it: that is always an invitation). Unknown
     * uids fail the whole request before anything is written.
     */
    async add(caller: Caller, orgId: string, input: AddMembersInput): Promise<Reply> {
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
      return mutate(caller, orgId, async (transaction, access, at) => {
        requireRights(access, 'admin', 'add members');
        if (input.entries.some((entry) => entry.role === 'admin')) {
          requireRights(access, 'owner', 'grant admin');
        }
        const add: NonNullable<MembershipChange['add']> = [];
        const drafts: { index: number; draft: InvitationDraft }[] = [];
        const results: AddResult[] = input.entries.map((entry, index) => {
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
        const created = add.length > 0 || invited.some((result) => result.created);
        return {
          change: add.length ? { add } : undefined,
          action: add.length ? 'member.added' : 'member.invited',
          changed: [
            ...(add.length ? ['team'] : []),
            ...(invited.some((result) => result.created) ? ['invitations'] : []),
          ],
          reply: () => ({ status: created ? 201 : 200, data: input.bulk ? results : results[0] }),
        };
      });
    },

    async setRole(caller: Caller, orgId: string, uid: string, role: GrantableRole): Promise<Reply> {
      return mutate(caller, orgId, async (transaction, access) => {
        requireRights(access, 'admin', 'change roles');
        const current = roleOf(access.org, uid);
        if (!current) throw notOnTeam(access.org, uid);
        if (current === 'owner') {
          throw new ApiError(
            'failed-precondition',
            "The owner's role changes only by transferring ownership.",
          );
        }
        requireAdminRights(access, current, role);
        const member = await transaction.readMember(orgId, uid);
        if (!member) throw notOnTeam(access.org, uid);
        const same = current === role;
        return {
          change: same ? undefined : { setRoles: [{ uid, role }] },
          action: 'member.role_changed',
          changed: same ? [] : ['roles'],
          target: uid,
          reply: () => ({ data: memberView({ ...member, role }) }),
        };
      });
    },

    /**
     * Removes a member: the owner and admins remove others, anyone removes themself (also from
     * an archived organization: nobody is kept on a team against their will).
     */
    async remove(caller: Caller, orgId: string, uid: string): Promise<Reply> {
      const self = uid === caller.uid;
      return mutate(
        caller,
        orgId,
        (_transaction, access) => {
          if (!self) requireRights(access, 'admin', 'remove members');
          if (!self) requireWritable(access.org);
          const current = roleOf(access.org, uid);
          if (!current) throw notOnTeam(access.org, uid);
          if (current === 'owner') {
            throw new ApiError(
              'failed-precondition',
              'The owner cannot be removed: transfer ownership first.',
            );
          }
          if (!self) requireAdminRights(access, current, null);
          return Promise.resolve({
            change: { remove: [uid] },
            action: self ? 'member.left' : 'member.removed',
            changed: ['team'],
            target: uid,
            reply: () => ({ status: 204 }),
          });
        },
        { archived: 'allowed' },
      );
    },

    /** Leaves the team, also of an archived organization; the owner must transfer first. */
    async leave(caller: Caller, orgId: string): Promise<Reply> {
      return mutate(
        caller,
        orgId,
        (_transaction, access) => {
          if (!access.role)
            throw new ApiError('failed-precondition', `You are not on the team of ${orgId}.`);
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
            reply: () => ({ status: 204 }),
          });
        },
        { archived: 'allowed' },
      );
    },

    async transfer(caller: Caller, orgId: string, uid: string): Promise<Reply> {
      return mutate(caller, orgId, (_transaction, access) => {
        requireRights(access, 'owner', 'transfer ownership');
        if (!roleOf(access.org, uid)) throw notOnTeam(access.org, uid);
        const same = access.org.owner === uid;
        return Promise.resolve({
          change: same ? undefined : { owner: uid },
          action: 'ownership.transferred',
          changed: same ? [] : ['owner'],
          target: uid,
          reply: (org: OrganizationRecord) => ({
            data: { organization_id: orgId, owner: org.owner, previous_owner: access.org.owner },
          }),
        });
      });
    },

    async listInvitations(
      caller: Caller,
      orgId: string,
      page: { limit: number; cursor?: string },
    ): Promise<Reply> {
      const cursor = invitationCursor(orgId);
      const after = page.cursor ? decodeCursor(page.cursor, cursor) : undefined;
      const { org, member } = await organizations.readAccess(orgId, caller.uid);
      requireRights(resolveAccess(orgId, org, member, caller), 'admin', 'see its invitations');
      const { items, end } = await team.invitations(orgId, page.limit, after);
      const at = now();
      return {
        data: items.map((invitation) => invitationView(invitation, at)),
        nextCursor: nextCursor(end, cursor.list),
      };
    },

    async createInvitation(caller: Caller, orgId: string, input: InvitationInput): Promise<Reply> {
      const existing = (await users.uidsByEmail([input.email])).get(input.email);
      return mutate(caller, orgId, async (transaction, access, at) => {
        requireRights(access, 'admin', 'invite members');
        if (input.role === 'admin') requireRights(access, 'owner', 'grant admin');
        if (existing && roleOf(access.org, existing)) {
          throw new ApiError(
            'already-exists',
            `${input.email} is already on the team of ${orgId}.`,
          );
        }
        const [{ invitation, created }] = await inviteAll(
          transaction,
          access.org,
          caller,
          [{ invitee: { email: input.email }, role: input.role, mailTo: input.email }],
          input.expires_in_days,
          at,
        );
        if (!created) {
          throw new ApiError(
            'already-exists',
            `${input.email} already has a pending invitation (${invitation.invitation_id}): resend it instead.`,
          );
        }
        return {
          action: 'invitation.created',
          changed: ['invitations'],
          target: invitation.invitation_id,
          reply: () => ({
            status: 201,
            data: invitationView(invitation, at),
            headers: {
              Location: `/api/organizations/${orgId}/invitations/${invitation.invitation_id}`,
            },
          }),
        };
      });
    },

    async revokeInvitation(caller: Caller, orgId: string, id: string): Promise<Reply> {
      return mutate(caller, orgId, async (transaction, access, at) => {
        requireRights(access, 'admin', 'revoke invitations');
        await readPendingInvitation(transaction, orgId, id, '');
        transaction.updateInvitation(orgId, id, { status: 'revoked', responded_at: at });
        return {
          action: 'invitation.revoked',
          changed: ['invitations'],
          target: id,
          reply: () => ({ status: 204 }),
        };
      });
    },

    /**
     * A new expiry and a new email for a pending (or expired) invitation; at most one resend per
     * invitation every ten minutes (each one mails the invitee).
     */
    async resendInvitation(caller: Caller, orgId: string, id: string): Promise<Reply> {
      return mutate(caller, orgId, async (transaction, access, at) => {
        requireRights(access, 'admin', 'resend invitations');
        const invitation = await readPendingInvitation(
          transaction,
          orgId,
          id,
          ': create a new one',
        );
        const wait =
          (invitation.resent_at?.getTime() ?? -Infinity) + RESEND_INTERVAL_MS - at.getTime();
        if (wait > 0) {
          const seconds = Math.ceil(wait / 1000);
          throw new ApiError(
            'resource-exhausted',
            `This invitation was resent at ${iso(invitation.resent_at)}: resend it again in ${seconds} seconds.`,
            { headers: { 'Retry-After': String(seconds) } },
          );
        }
        const renewed = {
          ...invitation,
          expires_at: new Date(at.getTime() + invitation.valid_days * DAY_MS),
          resent_at: at,
        };
        transaction.updateInvitation(orgId, id, {
          expires_at: renewed.expires_at,
          resent_at: at,
        });
        // An invitation to an account goes to its address as it is now.
        const account =
          invitation.uid === null
            ? undefined
            : (await users.profiles([invitation.uid])).get(invitation.uid);
        const to = invitation.email ?? (account?.email || null);
        if (to) transaction.queueMail(invitationMail(renewed, to));
        return {
          action: 'invitation.resent',
          changed: ['invitations'],
          target: id,
          reply: () => ({ data: invitationView(renewed, at) }),
        };
      });
    },

    /** Pending invitations to the caller's account, and to their address once verified. */
    async mine(caller: Caller): Promise<Reply> {
      const at = now();
      const pending = await team.pendingFor({
        uid: caller.uid,
        email: caller.email && caller.email_verified ? asciiLower(caller.email) : null,
      });
      return {
        data: pending
          .filter((invitation) => invitation.expires_at > at && isInvitee(caller, invitation))
          .sort((a, b) => b.created_at.getTime() - a.created_at.getTime())
          .map((invitation) => invitationView(invitation, at)),
      };
    },

    async accept(caller: Caller, id: string): Promise<Reply> {
      const at = now();
      const orgId = await inviteeOrganization(caller, id);
      const profile = (await users.profiles([caller.uid])).get(caller.uid);
      if (!profile) throw new ApiError('not-found', 'Your user account no longer exists.');
      const { response, affected } = await organizations.transact(async (transaction) => {
        const [{ org }, invitation] = await Promise.all([
          transaction.read(orgId, null),
          readAnswerable(transaction, caller, orgId, id, at),
        ]);
        if (!org) throw new ApiError('not-found', `No organization ${orgId}.`);
        requireWritable(org);
        transaction.updateInvitation(orgId, id, { status: 'accepted', responded_at: at });
        const current = roleOf(org, caller.uid);
        if (current) {
          transaction.log(orgId, logEntry(caller, 'invitation.accepted', ['invitations'], at, id));
          return { response: { data: { organization_id: orgId, role: current } }, affected: [] };
        }
        const { patch, affected } = changeMembership(
          transaction,
          org,
          { add: [{ profile, role: invitation.role }] },
          at,
        );
        const updated = { ...org, ...patch, version: org.version + 1, updated_at: at };
        transaction.update(
          orgId,
          { ...patch, version: updated.version, updated_at: at },
          logEntry(caller, 'invitation.accepted', ['team'], at, id),
          updated,
        );
        return { response: { data: { organization_id: orgId, role: invitation.role } }, affected };
      });
      await claims.sync(affected);
      return response;
    },

    /** Refuses an invitation; also one from an archived organization. */
    async decline(caller: Caller, id: string): Promise<Reply> {
      const at = now();
      const orgId = await inviteeOrganization(caller, id);
      await organizations.transact(async (transaction) => {
        const [{ org }] = await Promise.all([
          transaction.read(orgId, null),
          readAnswerable(transaction, caller, orgId, id, at),
        ]);
        if (!org) throw new ApiError('not-found', `No organization ${orgId}.`);
        requireWritable(org, { archived: 'allowed' });
        transaction.updateInvitation(orgId, id, { status: 'declined', responded_at: at });
        transaction.log(orgId, logEntry(caller, 'invitation.declined', ['invitations'], at, id));
      });
      return { status: 204 };
    },
  };
}

export type TeamService = ReturnType<typeof createTeamService>;
