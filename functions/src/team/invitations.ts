import { randomBytes } from 'node:crypto';
import type { Caller } from '../auth/caller';
import { config } from '../config';
import type { OrgTransaction } from '../organizations/store';
import type { InvitationRecord, MailRecord, OrganizationRecord } from '../organizations/types';
import type { PagePosition } from '../firestore';
import { asciiLower } from '../text';
import { DAY_MS, MINUTE_MS } from '../time';
import type { GrantableRole } from './schemas';

export const DEFAULT_INVITATION_DAYS = 7;

/** One resend per invitation per this long: each resend mails the invitee. */
export const RESEND_INTERVAL_MS = 10 * MINUTE_MS;

/** Whether the invitation is the caller's: their account's, or their verified address's. */
export function isInvitee(
  caller: Pick<Caller, 'uid' | 'email' | 'email_verified'>,
  invitation: Pick<InvitationRecord, 'uid' | 'email'>,
): boolean {
  if (invitation.uid !== null) return invitation.uid === caller.uid;
  return (
    caller.email_verified && caller.email !== null && asciiLower(caller.email) === invitation.email
  );
}

/** How many seconds until the invitation may be resent again: 0 when it may be now. */
export function resendWaitSeconds(
  invitation: Pick<InvitationRecord, 'resent_at'>,
  at: Date,
): number {
  const wait = (invitation.resent_at?.getTime() ?? -Infinity) + RESEND_INTERVAL_MS - at.getTime();
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

/**
 * One page of invitations gathered in memory (the invitee's, from two queries): newest first,
 * ties by id, after the position of the previous page's last one.
 */
export function pageOfInvitations(
  invitations: InvitationRecord[],
  limit: number,
  after?: PagePosition,
): { items: InvitationRecord[]; end: PagePosition | null } {
  const sorted = [...invitations].sort(
    (a, b) =>
      b.created_at.getTime() - a.created_at.getTime() ||
      (a.invitation_id < b.invitation_id ? 1 : a.invitation_id > b.invitation_id ? -1 : 0),
  );
  const rest = after
    ? sorted.filter((invitation) => {
        const time = (after.value as Date).getTime();
        const created = invitation.created_at.getTime();
        return created < time || (created === time && invitation.invitation_id < after.id);
      })
    : sorted;
  const items = rest.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    end: rest.length > limit ? { value: last.created_at, id: last.invitation_id } : null,
  };
}

/** Who an invitation is for: an email address (any account that verifies it), or one account. */
export type Invitee = { email: string; uid?: undefined } | { uid: string; email?: undefined };

/** Where its email goes: the invited address, or the invited account's address if it has one. */
export interface InvitationDraft {
  invitee: Invitee;
  role: GrantableRole;
  mailTo: string | null;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );

/** One line of text: a mail header never carries a line break, whatever was stored. */
const oneLine = (text: string) => text.replace(/[\r\n\u0085\u2028\u2029]+/g, ' ');

/** The invitation email, in the "Trigger Email" extension's format. */
export function invitationMail(invitation: InvitationRecord, to: string): MailRecord {
  const link = `${config.appUrl}/invitations/${invitation.invitation_id}`;
  const name = oneLine(invitation.organization_name);
  const expires = invitation.expires_at.toUTCString();
  return {
    to,
    message: {
      subject: `You are invited to join ${name}`,
      text: `You are invited to join ${name} as ${invitation.role}.\n\nAccept the invitation: ${link}\n\nIt expires on ${expires}.`,
      html: `<p>You are invited to join <strong>${escapeHtml(name)}</strong> as ${invitation.role}.</p><p><a href="${escapeHtml(link)}">Accept the invitation</a></p><p>It expires on ${expires}.</p>`,
    },
  };
}

/** A new pending invitation to the organization. */
export function newInvitation(
  org: Pick<OrganizationRecord, 'organization_id' | 'name'>,
  caller: Caller,
  invitee: Invitee,
  role: GrantableRole,
  days: number,
  at: Date,
): InvitationRecord {
  return {
    invitation_id: randomBytes(18).toString('base64url'),
    organization_id: org.organization_id,
    organization_name: org.name,
    email: invitee.email ?? null,
    uid: invitee.uid ?? null,
    role,
    status: 'pending',
    invited_by: caller.uid,
    created_at: at,
    expires_at: new Date(at.getTime() + days * DAY_MS),
    valid_days: days,
    resent_at: null,
    responded_at: null,
  };
}

const inviteeKey = (invitee: Invitee) =>
  invitee.uid !== undefined ? `uid:${invitee.uid}` : `email:${invitee.email}`;

/**
 * Invites each draft's invitee, or finds the unexpired pending invitation they already have; a
 * draft repeated in the list is invited once. All reads come before any write (a transaction's
 * rule), and each new invitation queues its email in the same commit.
 */
export async function inviteAll(
  transaction: OrgTransaction,
  org: Pick<OrganizationRecord, 'organization_id' | 'name'>,
  caller: Caller,
  drafts: InvitationDraft[],
  days: number,
  at: Date,
): Promise<{ invitation: InvitationRecord; created: boolean }[]> {
  const keys = [...new Set(drafts.map(({ invitee }) => inviteeKey(invitee)))];
  const pending = new Map(
    await Promise.all(
      keys.map(async (key) => {
        const { invitee } = drafts.find((draft) => inviteeKey(draft.invitee) === key)!;
        const field = invitee.uid !== undefined ? 'uid' : 'email';
        const found = await transaction.pendingInvitations(org.organization_id, {
          field,
          value: invitee.uid ?? invitee.email,
        });
        return [key, found.find((invitation) => invitation.expires_at > at)] as const;
      }),
    ),
  );
  const made = new Map<string, InvitationRecord>();
  return drafts.map(({ invitee, role, mailTo }) => {
    const key = inviteeKey(invitee);
    const existing = pending.get(key) ?? made.get(key);
    if (existing) return { invitation: existing, created: false };
    const invitation = newInvitation(org, caller, invitee, role, days, at);
    made.set(key, invitation);
    transaction.putInvitation(invitation);
    if (mailTo) transaction.queueMail(invitationMail(invitation, mailTo));
    return { invitation, created: true };
  });
}
