import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type {
  InvitationRecord,
  LogEntry,
  MemberRecord,
  OrganizationRecord,
} from '../organizations/types';
import { memberView } from '../organizations/views';
import { iso } from '../time';

/** Every event type a change produces (`webhook_endpoint.test` only comes from `POST .../test`). */
export const EVENT_TYPES = [
  'organization.created',
  'organization.updated',
  'organization.archived',
  'organization.restored',
  'organization.deleted',
  'organization.ownership_transferred',
  'organization_membership.created',
  'organization_membership.updated',
  'organization_membership.deleted',
  'invitation.created',
  'invitation.resent',
  'invitation.accepted',
  'invitation.declined',
  'invitation.revoked',
  'secret.updated',
  'secret.deleted',
  'webhook_endpoint.created',
  'webhook_endpoint.updated',
  'webhook_endpoint.deleted',
  'webhook_endpoint.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events are kept 30 days: a TTL policy on `expires_at` deletes them. */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

const date = z.preprocess(
  (value) =>
    value && typeof value === 'object' && 'toDate' in value
      ? (value as { toDate(): Date }).toDate()
      : value,
  z.date(),
);

/** An endpoint as an `organization.deleted` event keeps it (see `targets`). */
export const deliveryTarget = z.object({
  id: z.string(),
  url: z.string(),
  /** The sequence the purge gave this event at the endpoint. */
  sequence: z.number().int(),
  secret_version: z.string(),
  previous_secret_version: z.string().nullable(),
  previous_secret_until: date.nullable(),
});
export type DeliveryTarget = z.output<typeof deliveryTarget>;

/** `events/{evt_id}`: one change, written in the same commit as the change (an outbox). */
export const eventRecord = z.object({
  id: z.string().regex(/^evt_[0-9a-z]{20}$/),
  type: z.enum(EVENT_TYPES),
  organization_id: z.string(),
  created_at: date,
  expires_at: date,
  actor: z.object({
    uid: z.string().nullable(),
    credential: z.enum(['id_token', 'session', 'api_key', 'system']),
    key_id: z.string().nullable(),
  }),
  data: z.record(z.string(), z.unknown()),
  /** Only for `webhook_endpoint.test`: the one endpoint it goes to. */
  endpoint_id: z.string().nullable().default(null),
  /**
   * Only for `organization.deleted`: the endpoints subscribed to it when the purge committed, as
   * they were then (the purge deletes their documents right after): its fan-out and delivery use
   * these. Never sent, never shown (`eventView`); no secret value, only Secret Manager names.
   */
  targets: z.array(deliveryTarget).nullable().default(null),
});
export type EventRecord = z.output<typeof eventRecord>;

let lastMs = 0;
let counter = 0;

/**
 * `evt_` + 10 base-36 digits of milliseconds + 4 of a per-process counter + 6 random: ids sort by
 * creation time (then by order within a process), which `after=` replay relies on.
 */
export function eventId(at: Date): string {
  const ms = at.getTime();
  if (ms === lastMs) counter += 1;
  else {
    lastMs = ms;
    counter = 0;
  }
  const random = BigInt(`0x${randomBytes(5).toString('hex')}`)
    .toString(36)
    .padStart(8, '0')
    .slice(-6);
  return `evt_${ms.toString(36).padStart(10, '0')}${(counter % 36 ** 4).toString(36).padStart(4, '0')}${random}`;
}

/**
 * The smallest event id of the millisecond `at`: every event built before `at` sorts below it, every
 * one built at or after it does not (the ids' first 10 digits are the milliseconds).
 */
export const eventIdBound = (at: Date) => `evt_${at.getTime().toString(36).padStart(10, '0')}`;

/** Plain JSON (dates as ISO strings, no undefined): what is stored and sent as `data`. */
function plain(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

export type Actor = EventRecord['actor'];

export const actorOf = (entry: LogEntry): Actor => ({
  uid: entry.actor_uid,
  credential: entry.credential,
  key_id: entry.key_id,
});

export function newEvent(
  type: EventType,
  organizationId: string,
  actor: Actor,
  data: Record<string, unknown>,
  at: Date,
  endpointId: string | null = null,
): EventRecord {
  return {
    id: eventId(at),
    type,
    organization_id: organizationId,
    created_at: at,
    expires_at: new Date(at.getTime() + EVENT_RETENTION_MS),
    actor,
    data: plain(data),
    endpoint_id: endpointId,
    targets: null,
  };
}

/** The organization as its team sees it (no caller role), for `data`. */
export function organizationData(org: OrganizationRecord): Record<string, unknown> {
  const { role: _role, ...view } = memberView(org, null);
  return view;
}

export function membershipData(
  member: Pick<MemberRecord, 'organization_id' | 'uid'> & { role?: string },
) {
  return { organization_id: member.organization_id, uid: member.uid, role: member.role ?? null };
}

export function invitationData(invitation: InvitationRecord): Record<string, unknown> {
  return {
    invitation_id: invitation.invitation_id,
    organization_id: invitation.organization_id,
    email: invitation.email,
    uid: invitation.uid,
    role: invitation.role,
    status: invitation.status,
    invited_by: invitation.invited_by,
    created_at: iso(invitation.created_at),
    expires_at: iso(invitation.expires_at),
    resent_at: iso(invitation.resent_at),
    responded_at: iso(invitation.responded_at),
  };
}

/** The audit actions whose event is the action's own (the others come from what they write). */
const PRIMARY: Record<string, EventType> = {
  'organization.created': 'organization.created',
  'organization.updated': 'organization.updated',
  'organization.archived': 'organization.archived',
  'organization.restored': 'organization.restored',
  'organization.purged': 'organization.deleted',
  'ownership.transferred': 'organization.ownership_transferred',
  'invitation.resent': 'invitation.resent',
  'invitation.accepted': 'invitation.accepted',
  'invitation.declined': 'invitation.declined',
  'invitation.revoked': 'invitation.revoked',
  'secret.created': 'secret.updated',
  'secret.rotated': 'secret.updated',
  'secret.deleted': 'secret.deleted',
};

/**
 * Collects what one transaction writes (members, roles, invitations) and turns each audit entry
 * it logs into its events: the action's own event, then one per membership or invitation the
 * transaction created, changed or removed that no earlier entry reported. Every write path logs
 * its change, so every write gets its events, in the same commit, without knowing of them.
 */
export function createOutbox() {
  const invitations = new Map<string, InvitationRecord>();
  const createdInvitations: string[] = [];
  const members: MemberRecord[] = [];
  const removed: { organization_id: string; uid: string }[] = [];
  const roles: { organization_id: string; uid: string; role: string }[] = [];
  let reported = { invitations: 0, members: 0, removed: 0, roles: 0 };

  return {
    sawInvitation(invitation: InvitationRecord | null) {
      if (invitation) invitations.set(invitation.invitation_id, invitation);
    },
    putInvitation(invitation: InvitationRecord) {
      if (!invitations.has(invitation.invitation_id))
        createdInvitations.push(invitation.invitation_id);
      invitations.set(invitation.invitation_id, invitation);
    },
    updateInvitation(id: string, patch: Partial<InvitationRecord>) {
      const current = invitations.get(id);
      if (current) invitations.set(id, { ...current, ...patch });
    },
    putMember: (member: MemberRecord) => members.push(member),
    removeMember: (organizationId: string, uid: string) =>
      removed.push({ organization_id: organizationId, uid }),
    setRole: (organizationId: string, uid: string, role: string) =>
      roles.push({ organization_id: organizationId, uid, role }),

    /** The events of one audit entry; `after` is the organization after the change, if written. */
    eventsFor(orgId: string, entry: LogEntry, after?: OrganizationRecord): EventRecord[] {
      const actor = actorOf(entry);
      const at = entry.at;
      const events: EventRecord[] = [];
      const make = (type: EventType, data: Record<string, unknown>) =>
        events.push(newEvent(type, orgId, actor, data, at));
      const primary = PRIMARY[entry.action];
      if (primary?.startsWith('organization.')) {
        if (primary === 'organization.ownership_transferred' && after) {
          make(primary, {
            organization_id: orgId,
            owner: after.owner,
            // The previous owner is the member the transfer made an admin.
            previous_owner:
              roles.slice(reported.roles).find((role) => role.role !== 'owner')?.uid ?? null,
            organization: organizationData(after),
          });
        } else if (after) {
          make(primary, { ...organizationData(after), changed_fields: entry.changed_fields });
        } else {
          make(primary, { organization_id: orgId });
        }
      } else if (primary?.startsWith('invitation.')) {
        const invitation = entry.target ? invitations.get(entry.target) : undefined;
        make(
          primary,
          invitation
            ? invitationData(invitation)
            : { invitation_id: entry.target, organization_id: orgId },
        );
      } else if (primary?.startsWith('secret.')) {
        make(primary, { organization_id: orgId, name: entry.target ?? null });
      }
      for (const id of createdInvitations.slice(reported.invitations)) {
        make('invitation.created', invitationData(invitations.get(id)!));
      }
      for (const member of members.slice(reported.members)) {
        make('organization_membership.created', membershipData(member));
      }
      for (const member of removed.slice(reported.removed)) {
        make('organization_membership.deleted', membershipData(member));
      }
      // An ownership transfer is its own event; the two role changes it makes are part of it.
      if (entry.action !== 'ownership.transferred') {
        for (const role of roles.slice(reported.roles)) {
          make('organization_membership.updated', {
            ...membershipData(role),
            changed_fields: ['role'],
          });
        }
      }
      reported = {
        invitations: createdInvitations.length,
        members: members.length,
        removed: removed.length,
        roles: roles.length,
      };
      return events;
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
