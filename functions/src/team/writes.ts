import type { Caller } from '../auth/caller';
import type { ClaimsService } from '../claims/service';
import { ApiError } from '../errors';
import {
  readRights,
  requireVersion,
  requireWritable,
  resolveAccess,
  type Access,
} from '../organizations/access';
import { logEntry } from '../organizations/log';
import { changeMembership, type MembershipChange } from '../organizations/membership';
import { commitChange } from '../organizations/writes';
import type { Role } from '../organizations/schemas';
import type { OrganizationStore, OrgTransaction } from '../organizations/store';
import type { LogEntry, OrganizationRecord } from '../organizations/types';
import type { UserStore } from '../users/store';
import type { TeamStore } from './store';
import type { Quotas } from '../limits/config';
import { quotaCounters, type QuotaCounter } from '../limits/quotas';
import type { InvitationRecord } from '../organizations/types';

export interface TeamDeps {
  organizations: OrganizationStore;
  team: TeamStore;
  users: UserStore;
  claims: ClaimsService;
  now?: () => Date;
  /** The quotas on invitations and added members (default: the environment's). */
  quotas?: Quotas;
}

/** What one team write does, decided inside its transaction. */
export interface TeamChange<R> {
  /** The membership change, if the team changes (a new version of the organization). */
  change?: MembershipChange;
  action: string;
  /** The fields the audit entry names; none (and no change) writes no entry. */
  changed: string[];
  target?: string;
  /** The write's result, from the organization as it is after the write. */
  result: (org: OrganizationRecord) => R;
}

/** A team write's result, and the organization's version after it (its new ETag). */
export interface Written<R> {
  result: R;
  version: number;
}

export function notOnTeam(org: Pick<OrganizationRecord, 'organization_id'>, uid: string): ApiError {
  return new ApiError('not-found', `${uid} is not on the team of ${org.organization_id}.`);
}

/**
 * A membership change with what every change of the organization document carries: the next
 * version, `updated_at`, and its audit entry, in the same commit. Returns the organization as
 * written and the users whose claims change.
 */
export function commitMembership(
  transaction: OrgTransaction,
  org: OrganizationRecord,
  change: MembershipChange,
  entry: LogEntry,
  at: Date,
): { org: OrganizationRecord; affected: string[] } {
  const { patch, affected } = changeMembership(transaction, org, change, at);
  return { org: commitChange(transaction, org, { patch, entry, at }), affected };
}

/** The shared idioms of the team's use cases: the access check and the transactional write. */
export function teamKit({ organizations, claims, now = () => new Date(), quotas }: TeamDeps) {
  const counters = quotaCounters(quotas);
  return {
    now,
    counters,

    /**
     * The quotas of sending invitations to `invitees` of an organization: the counters, to read
     * with the transaction's first read (`mutate`'s `quotas`), and the charge of the invitations
     * a write created (one mail each), which refuses the whole write when a quota is spent.
     */
    invitationQuotas(orgId: string, invitees: { email?: string | null; uid?: string | null }[]) {
      const at = now();
      const organization = counters.invitations(orgId, at);
      const invitee = (who: { email?: string | null; uid?: string | null }) =>
        counters.invitee(who, at);
      return {
        counters: [organization, ...invitees.map(invitee)],
        async charge(transaction: OrgTransaction, created: InvitationRecord[]) {
          // Invitees first: a counter not read with the first read is read here, before any write.
          for (const invitation of created) await transaction.charge(invitee(invitation), 1);
          await transaction.charge(organization, created.length);
        },
      };
    },

    /** A read of the team: the caller's rights on Firestore membership must reach `minimum`. */
    readAccess: (caller: Caller, orgId: string, minimum: Role, action: string) =>
      readRights(organizations, caller, orgId, minimum, action),

    /**
     * Runs one team write in a transaction: checks rights on Firestore membership, applies the
     * membership change with its log entry, then brings every affected user's claims up to date
     * before the answer is sent. A stale `If-Match` is a 412 once the write is otherwise allowed
     * (a refusal for another reason wins). Archived organizations take only the writes that say so.
     */
    async mutate<R>(
      caller: Caller,
      orgId: string,
      ifMatch: string[] | undefined,
      work: (transaction: OrgTransaction, access: Access, at: Date) => Promise<TeamChange<R>>,
      options: { archived?: 'allowed'; quotas?: QuotaCounter[] } = {},
    ): Promise<Written<R>> {
      const { written, affected } = await organizations.transact(async (transaction) => {
        // The quota counters the write may charge come with its first read.
        const { org, member } = await transaction.read(orgId, caller.uid, options.quotas);
        const access = resolveAccess(orgId, org, member, caller);
        requireWritable(access.org, options);
        const at = now();
        const mutation = await work(transaction, access, at);
        requireVersion(access.org, ifMatch);
        const entry = logEntry(caller, mutation.action, mutation.changed, at, mutation.target);
        if (!mutation.change) {
          if (mutation.changed.length) transaction.log(orgId, entry);
          const result = mutation.result(access.org);
          return { written: { result, version: access.org.version }, affected: [] };
        }
        const committed = commitMembership(transaction, access.org, mutation.change, entry, at);
        const result = mutation.result(committed.org);
        return {
          written: { result, version: committed.org.version },
          affected: committed.affected,
        };
      });
      await claims.sync(affected);
      return written;
    },
  };
}

export type TeamKit = ReturnType<typeof teamKit>;
