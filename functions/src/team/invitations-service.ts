import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import { decodeCursor, nextCursor, type CursorSpec } from '../firestore';
import { requireRights, requireWritable, roleOf } from '../organizations/access';
import { logEntry } from '../organizations/log';
import type { OrgTransaction } from '../organizations/store';
import type { InvitationRecord } from '../organizations/types';
import type { PageQuery } from '../paging';
import { asciiLower } from '../text';
import { DAY_MS, iso } from '../time';
import {
  invitationMail,
  inviteAll,
  isInvitee,
  pageOfInvitations,
  resendWaitSeconds,
} from './invitations';
import { invitationIdSchema, type InvitationInput } from './schemas';
import { invitationView } from './views';
import { commitMembership, teamKit, type TeamDeps } from './writes';

const invitationCursor = (orgId: string): CursorSpec => ({
  list: `invitations:${orgId}`,
  id: invitationIdSchema,
  value: 'date',
});

/** The invitee's own list: one cursor codec for every caller (their uid is not in it). */
const myInvitationCursor: CursorSpec = {
  list: 'my-invitations',
  id: invitationIdSchema,
  value: 'date',
};

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

const noInvitation = (orgId: string, id: string) =>
  new ApiError('not-found', `No invitation ${id} to ${orgId}.`);

async function readInvitationOrFail(transaction: OrgTransaction, orgId: string, id: string) {
  const invitation = await transaction.readInvitation(orgId, id);
  if (!invitation) throw noInvitation(orgId, id);
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
    throw new ApiError('failed-precondition', `This invitation was ${invitation.status}${advice}.`);
  }
  return invitation;
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

/** Invitations: an organization's admins create, revoke and resend them; invitees answer them. */
export function createInvitationService(deps: TeamDeps) {
  const { organizations, team, users, claims } = deps;
  const kit = teamKit(deps);

  /** The organization of an invitation the caller may answer (it is theirs). */
  async function inviteeOrganization(caller: Caller, id: string): Promise<string> {
    const found = await team.findInvitation(id);
    if (!found) throw new ApiError('not-found', `No invitation ${id}.`);
    requireInvitee(caller, found);
    return found.organization_id;
  }

  return {
    async list(caller: Caller, orgId: string, page: PageQuery) {
      const cursor = invitationCursor(orgId);
      const after = page.cursor ? decodeCursor(page.cursor, cursor) : undefined;
      await kit.readAccess(caller, orgId, 'admin', 'see its invitations');
      const { items, end } = await team.invitations(orgId, page.limit, after);
      const at = kit.now();
      return {
        items: items.map((invitation) => invitationView(invitation, at)),
        nextCursor: nextCursor(end, cursor.list),
      };
    },

    /** One invitation, for those who see the list (the owner and admins). */
    async get(caller: Caller, orgId: string, id: string) {
      await kit.readAccess(caller, orgId, 'admin', 'see its invitations');
      const invitation = await team.invitation(orgId, id);
      if (!invitation) throw noInvitation(orgId, id);
      return invitationView(invitation, kit.now());
    },

    async create(caller: Caller, orgId: string, input: InvitationInput, ifMatch?: string[]) {
      const existing = (await users.uidsByEmail([input.email])).get(input.email);
      const quotas = kit.invitationQuotas(orgId, [{ email: input.email }]);
      return kit.mutate(
        caller,
        orgId,
        ifMatch,
        async (transaction, access, at) => {
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
          await quotas.charge(transaction, [invitation]);
          return {
            action: 'invitation.created',
            changed: ['invitations'],
            target: invitation.invitation_id,
            result: () => invitationView(invitation, at),
          };
        },
        { quotas: quotas.counters },
      );
    },

    async revoke(caller: Caller, orgId: string, id: string, ifMatch?: string[]) {
      return kit.mutate(caller, orgId, ifMatch, async (transaction, access, at) => {
        requireRights(access, 'admin', 'revoke invitations');
        await readPendingInvitation(transaction, orgId, id, '');
        transaction.updateInvitation(orgId, id, { status: 'revoked', responded_at: at });
        return {
          action: 'invitation.revoked',
          changed: ['invitations'],
          target: id,
          result: () => ({ organization_id: orgId, invitation_id: id, revoked: true as const }),
        };
      });
    },

    /**
     * A new expiry and a new email for a pending (or expired) invitation; at most one resend per
     * invitation every ten minutes (each one mails the invitee).
     */
    async resend(caller: Caller, orgId: string, id: string, ifMatch?: string[]) {
      // The invitee is known once the invitation is read: their counter is read then.
      const quotas = kit.invitationQuotas(orgId, []);
      return kit.mutate(
        caller,
        orgId,
        ifMatch,
        async (transaction, access, at) => {
          requireRights(access, 'admin', 'resend invitations');
          const invitation = await readPendingInvitation(
            transaction,
            orgId,
            id,
            ': create a new one',
          );
          const seconds = resendWaitSeconds(invitation, at);
          if (seconds > 0) {
            throw new ApiError(
              'resource-exhausted',
              `This invitation was resent at ${iso(invitation.resent_at)}: resend it again in ${seconds} seconds.`,
              { headers: { 'Retry-After': String(seconds) } },
            );
          }
          // Before any write: the invitee's counter is read here (a transaction reads first).
          await quotas.charge(transaction, [invitation]);
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
            result: () => invitationView(renewed, at),
          };
        },
        { quotas: quotas.counters },
      );
    },

    /** Pending invitations to the caller's account, and to their address once verified. */
    async mine(caller: Caller, page: PageQuery) {
      const after = page.cursor ? decodeCursor(page.cursor, myInvitationCursor) : undefined;
      const at = kit.now();
      const pending = await team.pendingFor({
        uid: caller.uid,
        email: caller.email && caller.email_verified ? asciiLower(caller.email) : null,
      });
      const answerable = pending.filter(
        (invitation) => invitation.expires_at > at && isInvitee(caller, invitation),
      );
      const { items, end } = pageOfInvitations(answerable, page.limit, after);
      return {
        items: items.map((invitation) => invitationView(invitation, at)),
        nextCursor: nextCursor(end, myInvitationCursor.list),
      };
    },

    async accept(caller: Caller, id: string) {
      const at = kit.now();
      const orgId = await inviteeOrganization(caller, id);
      const profile = (await users.profiles([caller.uid])).get(caller.uid);
      if (!profile) throw new ApiError('not-found', 'Your user account no longer exists.');
      const added = kit.counters.members(orgId, at);
      const { result, affected } = await organizations.transact(async (transaction) => {
        const [{ org }, invitation] = await Promise.all([
          transaction.read(orgId, null, [added]),
          readAnswerable(transaction, caller, orgId, id, at),
        ]);
        if (!org) throw new ApiError('not-found', `No organization ${orgId}.`);
        requireWritable(org);
        transaction.updateInvitation(orgId, id, { status: 'accepted', responded_at: at });
        const current = roleOf(org, caller.uid);
        if (current) {
          transaction.log(orgId, logEntry(caller, 'invitation.accepted', ['invitations'], at, id));
          return { result: { organization_id: orgId, role: current }, affected: [] };
        }
        await transaction.charge(added, 1);
        const committed = commitMembership(
          transaction,
          org,
          { add: [{ profile, role: invitation.role }] },
          logEntry(caller, 'invitation.accepted', ['team'], at, id),
          at,
        );
        return {
          result: { organization_id: orgId, role: invitation.role },
          affected: committed.affected,
        };
      });
      await claims.sync(affected);
      return result;
    },

    /** Refuses an invitation; also one from an archived organization. */
    async decline(caller: Caller, id: string) {
      const at = kit.now();
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
      return { organization_id: orgId, invitation_id: id, declined: true as const };
    },
  };
}

export type InvitationService = ReturnType<typeof createInvitationService>;
