import { randomBytes } from 'node:crypto';
import type { Caller } from '../auth/caller';
import type { ClaimsService } from '../claims/service';
import { config } from '../config';
import { decodeCursor, encodeCursor } from '../firestore';
import { ApiError } from '../http/errors';
import type { Reply } from '../http/handler';
import { requireRights, resolveAccess, type Access } from '../organizations/access';
import { logEntry } from '../organizations/log';
import { changeMembership, type MembershipChange } from '../organizations/membership';
import type { Role } from '../organizations/schemas';
import type { OrganizationStore, OrgTransaction } from '../organizations/store';
import type {
  InvitationRecord,
  MailRecord,
  MemberRecord,
  OrganizationRecord,
} from '../organizations/types';
import { DAY_MS, iso } from '../time';
import type { UserStore } from '../users/store';
import type {
  AddMembersInput,
  GrantableRole,
  InvitationInput,
  MemberEntry,
  TeamQuery,
} from './schemas';
import type { TeamStore } from './store';

const DEFAULT_INVITATION_DAYS = 7;

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
    role: invitation.role,
    status: expired ? 'expired' : invitation.status,
    invited_by: invitation.invited_by,
    created_at: iso(invitation.created_at),
    expires_at: iso(invitation.expires_at),
    responded_at: iso(invitation.responded_at),
  };
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );

/** The invitation email, in the "Trigger Email" extension's format. */
function invitationMail(invitation: InvitationRecord): MailRecord {
  const link = `${config.appUrl}/invitations/${invitation.invitation_id}`;
  const name = invitation.organization_name;
  const expires = invitation.expires_at.toUTCString();
  return {
    to: invitation.email,
    message: {
      subject: `You are invited to join ${name}`,
      text: `You are invited to join ${name} as ${invitation.role}.\n\nAccept the invitation: ${link}\n\nIt expires on ${expires}.`,
      html: `<p>You are invited to join <strong>${escapeHtml(name)}</strong> as ${invitation.role}.</p><p><a href="${escapeHtml(link)}">Accept the invitation</a></p><p>It expires on ${expires}.</p>`,
    },
  };
}

function notOnTeam(org: OrganizationRecord, uid: string): ApiError {
  return new ApiError('not-found', `${uid} is not on the team of ${org.organization_id}.`);
}

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
   * before the response is sent.
   */
  async function mutate(
    caller: Caller,
    orgId: string,
    work: (transaction: OrgTransaction, access: Access, at: Date) => Promise<Mutation>,
  ): Promise<Reply> {
    const { response, affected } = await organizations.transact(async (transaction) => {
      const { org, member } = await transaction.read(orgId, caller.uid);
      const access = resolveAccess(orgId, org, member, caller);
      if (access.org.archived) {
        throw new ApiError(
          'failed-precondition',
          `${orgId} is archived and read-only: restore it first.`,
        );
      }
      const at = now();
      const mutation = await work(transaction, access, at);
      const entry = logEntry(caller, mutation.action, mutation.changed, at, mutation.target);
      if (!mutation.change) {
        if (mutation.changed.length) transaction.log(orgId, entry);
        return { response: mutation.reply(access.org), affected: [] };
      }
      const { patch, affected } = changeMembership(transaction, access.org, mutation.change, at);
      const updated = { ...access.org, ...patch, version: access.org.version + 1, updated_at: at };
      transaction.update(orgId, { ...patch, version: updated.version, updated_at: at }, entry);
      return { response: mutation.reply(updated), affected };
    });
    await claims.sync(affected);
    return response;
  }

  /** An invitation for an email, or the pending one that already exists. */
  async function invite(
    transaction: OrgTransaction,
    org: OrganizationRecord,
    caller: Caller,
    email: string,
    role: GrantableRole,
    days: number,
    at: Date,
  ): Promise<{ invitation: InvitationRecord; created: boolean }> {
    const pending = (await transaction.pendingInvitations(org.organization_id, email)).find(
      (invitation) => invitation.expires_at > at,
    );
    if (pending) return { invitation: pending, created: false };
    const invitation: InvitationRecord = {
      invitation_id: randomBytes(18).toString('base64url'),
      organization_id: org.organization_id,
      organization_name: org.name,
      email,
      role,
      status: 'pending',
      invited_by: caller.uid,
      created_at: at,
      expires_at: new Date(at.getTime() + days * DAY_MS),
      valid_days: days,
      responded_at: null,
    };
    transaction.putInvitation(invitation);
    transaction.queueMail(invitationMail(invitation));
    return { invitation, created: true };
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

  /** The invitation as its invitee may act on it: theirs, pending and unexpired. */
  async function inviteeInvitation(caller: Caller, id: string) {
    const found = await team.findInvitation(id);
    if (!found) throw new ApiError('not-found', `No invitation ${id}.`);
    if (!caller.email_verified || caller.email?.toLowerCase() !== found.email) {
      throw new ApiError(
        'permission-denied',
        caller.email_verified
          ? 'This invitation is for another email address.'
          : 'Verify your email address to answer invitations to it.',
      );
    }
    return found.organization_id;
  }

  function checkAnswerable(invitation: InvitationRecord, at: Date) {
    if (invitation.status !== 'pending') {
      throw new ApiError('failed-precondition', `This invitation was ${invitation.status}.`);
    }
    if (invitation.expires_at <= at) {
      throw new ApiError(
        'failed-precondition',
        `This invitation expired at ${iso(invitation.expires_at)}: ask for a new one.`,
      );
    }
  }

  return {
    async list(caller: Caller, orgId: string, query: TeamQuery): Promise<Reply> {
      const { org, member } = await organizations.readAccess(orgId, caller.uid);
      requireRights(resolveAccess(orgId, org, member, caller), 'viewer', 'see its team');
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const { items, more } = await team.members(
        orgId,
        query.order_by,
        query.order,
        query.limit,
        after,
      );
      const last = items.at(-1);
      return {
        data: items.map(memberView),
        nextCursor:
          more && last ? encodeCursor({ value: last[query.order_by], id: last.uid }) : null,
      };
    },

    /**
     * Adds members by uid or email, one or up to 100, all or nothing: unknown uids fail the whole
     * request before anything is written; emails with no account become invitations.
     */
    async add(caller: Caller, orgId: string, input: AddMembersInput): Promise<Reply> {
      const uids = input.entries.flatMap((entry) => (entry.uid ? [entry.uid] : []));
      const emails = input.entries.flatMap((entry) => (entry.email ? [entry.email] : []));
      const byEmail = await users.uidsByEmail(emails);
      const resolved = input.entries.map((entry) => ({
        entry,
        uid: entry.uid ?? byEmail.get(entry.email!) ?? null,
      }));
      const profiles = await users.profiles(resolved.flatMap(({ uid }) => (uid ? [uid] : [])));
      const unknown = uids.filter((uid) => !profiles.has(uid));
      if (unknown.length) {
        throw new ApiError('invalid-argument', `No user with the uid ${unknown.join(', ')}.`, {
          details: unknown.map((uid) => ({
            path: `members.${uids.indexOf(uid)}.uid`,
            message: `No user ${uid}.`,
          })),
        });
      }
      return mutate(caller, orgId, async (transaction, access, at) => {
        requireRights(access, 'admin', 'add members');
        if (input.entries.some((entry: MemberEntry) => entry.role === 'admin')) {
          requireRights(access, 'owner', 'grant admin');
        }
        const add: MembershipChange['add'] = [];
        const results: AddResult[] = [];
        for (const { entry, uid } of resolved) {
          const base = {
            uid,
            email: entry.email ?? profiles.get(uid!)?.email ?? null,
            role: entry.role,
          };
          if (uid && (access.org.roles[uid] || add.some(({ profile }) => profile.uid === uid))) {
            results.push({
              ...base,
              role: access.org.roles[uid] ?? entry.role,
              status: 'already_member',
            });
          } else if (uid) {
            add.push({ profile: profiles.get(uid)!, role: entry.role });
            results.push({ ...base, status: 'added' });
          } else {
            const { invitation } = await invite(
              transaction,
              access.org,
              caller,
              entry.email!,
              entry.role,
              DEFAULT_INVITATION_DAYS,
              at,
            );
            results.push({ ...base, status: 'invited', invitation_id: invitation.invitation_id });
          }
        }
        const created = results.some((result) => result.status !== 'already_member');
        return {
          change: add.length ? { add } : undefined,
          action: 'member.added',
          changed: add.length
            ? ['team']
            : results.some((r) => r.status === 'invited')
              ? ['invitations']
              : [],
          reply: () => ({ status: created ? 201 : 200, data: input.bulk ? results : results[0] }),
        };
      });
    },

    async setRole(caller: Caller, orgId: string, uid: string, role: GrantableRole): Promise<Reply> {
      return mutate(caller, orgId, async (transaction, access) => {
        requireRights(access, 'admin', 'change roles');
        const current = access.org.roles[uid];
        if (!current) throw notOnTeam(access.org, uid);
        if (current === 'owner') {
          throw new ApiError(
            'failed-precondition',
            "The owner's role changes only by transferring ownership.",
          );
        }
        requireAdminRights(access, current, role);
        const member = (await transaction.readMember(orgId, uid))!;
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

    /** Removes a member: the owner and admins remove others, anyone removes themself. */
    async remove(caller: Caller, orgId: string, uid: string): Promise<Reply> {
      return mutate(caller, orgId, (_transaction, access) => {
        const current = access.org.roles[uid];
        if (uid !== caller.uid) requireRights(access, 'admin', 'remove members');
        if (!current) throw notOnTeam(access.org, uid);
        if (current === 'owner') {
          throw new ApiError(
            'failed-precondition',
            'The owner cannot be removed: transfer ownership first.',
          );
        }
        if (uid !== caller.uid) requireAdminRights(access, current, null);
        return Promise.resolve({
          change: { remove: [uid] },
          action: uid === caller.uid ? 'member.left' : 'member.removed',
          changed: ['team'],
          target: uid,
          reply: () => ({ status: 204 }),
        });
      });
    },

    async leave(caller: Caller, orgId: string): Promise<Reply> {
      return mutate(caller, orgId, (_transaction, access) => {
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
      });
    },

    async transfer(caller: Caller, orgId: string, uid: string): Promise<Reply> {
      return mutate(caller, orgId, (_transaction, access) => {
        requireRights(access, 'owner', 'transfer ownership');
        if (!access.org.roles[uid]) {
          throw new ApiError(
            'failed-precondition',
            `${uid} is not on the team of ${orgId}: add them first.`,
          );
        }
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
      const { org, member } = await organizations.readAccess(orgId, caller.uid);
      requireRights(resolveAccess(orgId, org, member, caller), 'admin', 'see its invitations');
      const { items, more } = await team.invitations(
        orgId,
        page.limit,
        page.cursor ? decodeCursor(page.cursor) : undefined,
      );
      const at = now();
      const last = items.at(-1);
      return {
        data: items.map((invitation) => invitationView(invitation, at)),
        nextCursor:
          more && last ? encodeCursor({ value: last.created_at, id: last.invitation_id }) : null,
      };
    },

    async createInvitation(caller: Caller, orgId: string, input: InvitationInput): Promise<Reply> {
      const existing = (await users.uidsByEmail([input.email])).get(input.email);
      return mutate(caller, orgId, async (transaction, access, at) => {
        requireRights(access, 'admin', 'invite members');
        if (input.role === 'admin') requireRights(access, 'owner', 'grant admin');
        if (existing && access.org.roles[existing]) {
          throw new ApiError(
            'already-exists',
            `${input.email} is already on the team of ${orgId}.`,
          );
        }
        const { invitation, created } = await invite(
          transaction,
          access.org,
          caller,
          input.email,
          input.role,
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

    /** A new expiry and a new email for a pending (or expired) invitation. */
    async resendInvitation(caller: Caller, orgId: string, id: string): Promise<Reply> {
      return mutate(caller, orgId, async (transaction, access, at) => {
        requireRights(access, 'admin', 'resend invitations');
        const invitation = await readPendingInvitation(
          transaction,
          orgId,
          id,
          ': create a new one',
        );
        const expiresAt = new Date(at.getTime() + invitation.valid_days * DAY_MS);
        const renewed = { ...invitation, expires_at: expiresAt };
        transaction.updateInvitation(orgId, id, { expires_at: renewed.expires_at });
        transaction.queueMail(invitationMail(renewed));
        return {
          action: 'invitation.resent',
          changed: ['invitations'],
          target: id,
          reply: () => ({ data: invitationView(renewed, at) }),
        };
      });
    },

    /** Pending invitations to the caller's verified email address. */
    async mine(caller: Caller): Promise<Reply> {
      if (!caller.email || !caller.email_verified) {
        throw new ApiError(
          'permission-denied',
          'Verify your email address to see invitations to it.',
        );
      }
      const at = now();
      const pending = await team.pendingFor(caller.email.toLowerCase());
      return {
        data: pending
          .filter((invitation) => invitation.expires_at > at)
          .sort((a, b) => b.created_at.getTime() - a.created_at.getTime())
          .map((invitation) => invitationView(invitation, at)),
      };
    },

    async accept(caller: Caller, id: string): Promise<Reply> {
      const at = now();
      const orgId = await inviteeInvitation(caller, id);
      const profile = (await users.profiles([caller.uid])).get(caller.uid);
      if (!profile) throw new ApiError('not-found', 'Your user account no longer exists.');
      const { response, affected } = await organizations.transact(async (transaction) => {
        const [{ org }, invitation] = await Promise.all([
          transaction.read(orgId, null),
          readInvitationOrFail(transaction, orgId, id),
        ]);
        if (!org) throw new ApiError('not-found', `No organization ${orgId}.`);
        checkAnswerable(invitation, at);
        if (org.archived) throw new ApiError('failed-precondition', `${orgId} is archived.`);
        transaction.updateInvitation(orgId, id, { status: 'accepted', responded_at: at });
        if (org.roles[caller.uid]) {
          return {
            response: { data: { organization_id: orgId, role: org.roles[caller.uid] } },
            affected: [],
          };
        }
        const { patch, affected } = changeMembership(
          transaction,
          org,
          { add: [{ profile, role: invitation.role }] },
          at,
        );
        transaction.update(
          orgId,
          { ...patch, version: org.version + 1, updated_at: at },
          logEntry(caller, 'invitation.accepted', ['team'], at, id),
        );
        return { response: { data: { organization_id: orgId, role: invitation.role } }, affected };
      });
      await claims.sync(affected);
      return response;
    },

    async decline(caller: Caller, id: string): Promise<Reply> {
      const at = now();
      const orgId = await inviteeInvitation(caller, id);
      await organizations.transact(async (transaction) => {
        const invitation = await readInvitationOrFail(transaction, orgId, id);
        checkAnswerable(invitation, at);
        transaction.updateInvitation(orgId, id, { status: 'declined', responded_at: at });
        transaction.log(orgId, logEntry(caller, 'invitation.declined', ['invitations'], at, id));
      });
      return { status: 204 };
    },
  };
}

export type TeamService = ReturnType<typeof createTeamService>;
