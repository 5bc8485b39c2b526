import type {
  DocumentReference,
  DocumentSnapshot,
  Query,
  Transaction,
} from 'firebase-admin/firestore';
import { GRPC } from '../grpc';
import { db, firestoreSdk } from '../firebase';
import { pageEnd, parseAll, parseStored, runTransaction, type PagePosition } from '../firestore';
import {
  accessRecord,
  dataModel,
  invitationRecord,
  logEntry,
  memberRecord,
  memberRoleRecord,
  organizationRecord,
  secretRef,
  tombstoneRecord,
  type AccessRecord,
  type TombstoneRecord,
} from '../model/records';
import type { Role } from './schemas';
import type {
  DataModel,
  InvitationRecord,
  LogEntry,
  MailRecord,
  MemberRecord,
  OrganizationRecord,
  SecretRef,
} from './types';
import { publicProfile, PUBLIC_FIELDS } from './views';
import {
  chargeInBatch,
  counterReads,
  counterRefs,
  transactionQuotas,
  type CounterRead,
} from '../limits/quota-store';
import type { QuotaCounter } from '../limits/quotas';
import { createOutbox, type DeliveryTarget, type EventRecord } from '../webhooks/events';
import { creationEvents } from '../webhooks/outbox';

const organizations = () => db().collection('organizations');
const orgRef = (orgId: string) => organizations().doc(orgId);
const memberRef = (orgId: string, uid: string) => orgRef(orgId).collection('members').doc(uid);
const logRef = (orgId: string) => orgRef(orgId).collection('logs').doc();
const secretRefs = (orgId: string) => orgRef(orgId).collection('secrets');
const invitationRef = (orgId: string, id: string) =>
  orgRef(orgId).collection('invitations').doc(id);
/** The public profile: the only organization document the rules open to non-members. */
const publicRef = (orgId: string) => db().collection('public_organizations').doc(orgId);
/** A purged id, kept so that it cannot be taken again for a while (a TTL policy removes it). */
const tombstoneRef = (orgId: string) => db().collection('purged_organizations').doc(orgId);
/** `events/{evt_id}`: the outbox of changes (webhooks/events.ts), top-level so a purge keeps it. */
const eventRef = (event: EventRecord) => db().collection('events').doc(event.id);

/** An organization and the caller's membership, read in one round trip. */
export interface OrgSnapshot {
  org: OrganizationRecord | null;
  member: MemberRecord | null;
}

async function readBoth(
  getAll: (...refs: DocumentReference[]) => Promise<DocumentSnapshot[]>,
  orgId: string,
  uid: string | null,
  /** More documents to read in the same round trip (quota counters): `extra` has them. */
  more: DocumentReference[] = [],
): Promise<OrgSnapshot & { extra: DocumentSnapshot[] }> {
  const refs = uid ? [orgRef(orgId), memberRef(orgId, uid)] : [orgRef(orgId)];
  const snapshots = await getAll(...refs, ...more);
  const [org, member] = uid ? snapshots : [snapshots[0], undefined];
  return {
    extra: snapshots.slice(refs.length),
    org: ownOrganization(parseStored(organizationRecord, org), orgId),
    member: member ? ownMember(parseStored(memberRecord, member), orgId, uid!) : null,
  };
}

/**
 * A stored record is trusted only where it says it is: an organization whose `organization_id`
 * (or a member whose `uid`/`organization_id`) is not its own path's is skipped like one that does
 * not parse (writes address the ids they name).
 */
function ownOrganization<T extends { organization_id: string }>(org: T | null, orgId: string) {
  return org && org.organization_id === orgId ? org : null;
}

function ownMember<T extends { uid: string; organization_id: string }>(
  member: T | null,
  orgId: string,
  uid: string,
) {
  return member && member.uid === uid && member.organization_id === orgId ? member : null;
}

/**
 * Keeps `public_organizations/{org_id}` equal to the public fields of the organization after a
 * change, in the same commit: present while it is public and not archived, absent otherwise.
 * Changes that touch none of those fields (membership, licenses...) write nothing.
 */
function syncPublicProfile(
  transaction: Transaction,
  patch: Partial<OrganizationRecord>,
  after: OrganizationRecord,
) {
  const relevant = ['archived', 'purging', ...PUBLIC_FIELDS].some((field) => field in patch);
  if (!relevant) return;
  if (after.public && !after.archived && !after.purging) {
    transaction.set(publicRef(after.organization_id), publicProfile(after));
  } else {
    transaction.delete(publicRef(after.organization_id));
  }
}

/** Writes within one transaction: every change lands with its log entry, or none does. */
function transactionWriter(transaction: Transaction) {
  const deletedSecrets = new Set<string>();
  // Every log entry below is written with its events, in this commit.
  const outbox = createOutbox();
  const logWithEvents = (
    orgId: string,
    log: LogEntry,
    after?: OrganizationRecord,
    /** For a purge: the endpoints its `organization.deleted` goes to (webhooks/purge.ts). */
    targets?: DeliveryTarget[],
  ) => {
    transaction.create(logRef(orgId), log);
    for (const event of outbox.eventsFor(orgId, log, after)) {
      const kept = targets && event.type === 'organization.deleted' ? { ...event, targets } : event;
      transaction.create(eventRef(kept), kept);
    }
  };
  const quotas = transactionQuotas(transaction);
  return {
    /**
     * The organization and the caller's membership; with them, in the same round trip, the quota
     * counters the transaction may `charge`.
     */
    async read(orgId: string, uid: string | null, counters: QuotaCounter[] = []) {
      const { extra, ...read } = await readBoth(
        (...refs) => transaction.getAll(...refs),
        orgId,
        uid,
        quotas.refs(counters),
      );
      quotas.remember(counters, extra);
      return read;
    },

    /** Uses a quota in this commit, or refuses the whole transaction with its 429. */
    charge: (counter: QuotaCounter, amount: number) => quotas.charge(counter, amount),

    /**
     * Changes the organization, with its log entry and its public profile, in this commit.
     * `after` is the organization as the change leaves it.
     */
    update(
      orgId: string,
      patch: Partial<OrganizationRecord>,
      log: LogEntry,
      after: OrganizationRecord,
    ) {
      transaction.update(orgRef(orgId), patch);
      logWithEvents(orgId, log, after);
      syncPublicProfile(transaction, patch, after);
    },

    /**
     * The first step of a purge: the mark every write path refuses, and the id's tombstone; its
     * `organization.deleted` event keeps the endpoints it goes to.
     */
    markPurging(
      org: OrganizationRecord,
      log: LogEntry,
      tombstone: TombstoneRecord,
      targets: DeliveryTarget[],
    ) {
      const patch = { purging: true };
      transaction.update(orgRef(org.organization_id), patch);
      logWithEvents(org.organization_id, log, { ...org, ...patch }, targets);
      transaction.set(tombstoneRef(org.organization_id), tombstone);
      syncPublicProfile(transaction, patch, { ...org, ...patch });
    },

    putMember(member: MemberRecord) {
      outbox.putMember(member);
      transaction.set(memberRef(member.organization_id, member.uid), member);
    },

    setRole(orgId: string, uid: string, role: Role) {
      outbox.setRole(orgId, uid, role);
      transaction.update(memberRef(orgId, uid), { role });
    },

    removeMember(orgId: string, uid: string) {
      outbox.removeMember(orgId, uid);
      transaction.delete(memberRef(orgId, uid));
    },

    async readMember(orgId: string, uid: string): Promise<MemberRecord | null> {
      return parseStored(memberRecord, await transaction.get(memberRef(orgId, uid)));
    },

    async readInvitation(orgId: string, id: string): Promise<InvitationRecord | null> {
      const invitation = parseStored(
        invitationRecord,
        await transaction.get(invitationRef(orgId, id)),
      );
      outbox.sawInvitation(invitation);
      return invitation;
    },

    /** The pending invitations of one invitee (by email or by uid) to the organization. */
    async pendingInvitations(
      orgId: string,
      invitee: { field: 'email' | 'uid'; value: string },
    ): Promise<InvitationRecord[]> {
      const snapshot = await transaction.get(
        orgRef(orgId)
          .collection('invitations')
          .where(invitee.field, '==', invitee.value)
          .where('status', '==', 'pending'),
      );
      const found = parseAll(invitationRecord, snapshot.docs);
      found.forEach((invitation) => outbox.sawInvitation(invitation));
      return found;
    },

    putInvitation(invitation: InvitationRecord) {
      outbox.putInvitation(invitation);
      transaction.set(
        invitationRef(invitation.organization_id, invitation.invitation_id),
        invitation,
      );
    },

    updateInvitation(orgId: string, id: string, patch: Partial<InvitationRecord>) {
      outbox.updateInvitation(id, patch);
      transaction.update(invitationRef(orgId, id), patch);
    },

    /** Queues an email for the "Trigger Email" extension, in the same commit as its cause. */
    queueMail(mail: MailRecord) {
      transaction.create(db().collection('mail').doc(), mail);
    },

    async secretRefs(orgId: string): Promise<SecretRef[]> {
      return parseAll(secretRef, (await transaction.get(secretRefs(orgId))).docs);
    },

    putSecretRef(orgId: string, ref: SecretRef) {
      transaction.set(secretRefs(orgId).doc(ref.name), ref);
    },

    deleteSecretRef(orgId: string, name: string) {
      transaction.delete(secretRefs(orgId).doc(name));
      deletedSecrets.add(name);
    },

    /** The secret references this transaction deletes (they no longer count against the quota). */
    deletedSecrets: (): ReadonlySet<string> => deletedSecrets,

    /** Records a change to the organization that touches no organization field. */
    log(orgId: string, entry: LogEntry) {
      logWithEvents(orgId, entry);
    },

    /** Writes an event that no log entry stands for (webhook endpoints, written by the API). */
    event(event: EventRecord) {
      transaction.create(eventRef(event), event);
    },

    /** The transaction itself, for a module's own documents (webhooks/store.ts). */
    raw: transaction,
  };
}

export type OrgTransaction = ReturnType<typeof transactionWriter>;

/** A new organization with everything that starts with it, written in one atomic commit. */
export interface NewOrganization {
  org: OrganizationRecord;
  members: MemberRecord[];
  dataModels: DataModel[];
  log: LogEntry;
  secrets: SecretRef[];
  /** Invitations of the other uids a creator posted in `team`, with their emails. */
  invitations: { invitation: InvitationRecord; mail: MailRecord | null }[];
}

/** The filters of a list page; `LIST_INDEXES` derives the composite indexes they need. */
export interface ListSpec {
  /** `all`: every organization (platform admins). */
  scope:
    | { field: 'team'; uid: string }
    | { field: 'owner'; uid: string }
    | { field: 'public' }
    | { field: 'all' };
  archived: boolean;
  nameEquals?: string;
  namePrefix?: string;
  sort: 'name_lower' | 'created_at';
  direction: 'asc' | 'desc';
  limit: number;
  after?: PagePosition;
}

/** The fields an access check needs, of the organization and of the caller's membership. */
const ACCESS_MASK = [...Object.keys(accessRecord.shape), 'role'];

export const organizationStore = {
  read: async (orgId: string, uid: string | null): Promise<OrgSnapshot> => {
    const { extra: _none, ...read } = await readBoth((...refs) => db().getAll(...refs), orgId, uid);
    return read;
  },

  /**
   * Just what an access check needs, in one round trip: a field mask keeps a large team's
   * `team` array and `roles` map off the wire for the routes that do not show them.
   */
  async readAccess(
    orgId: string,
    uid: string,
  ): Promise<{ org: AccessRecord | null; member: { role: Role } | null }> {
    const [org, member] = await db().getAll(orgRef(orgId), memberRef(orgId, uid), {
      fieldMask: ACCESS_MASK,
    });
    return {
      org: ownOrganization(parseStored(accessRecord, org), orgId),
      member: parseStored(memberRoleRecord, member),
    };
  },

  /**
   * What stands in the way of creating an organization with this id, in one round trip: the
   * organization, and the tombstone of a purged one (which also stands for anything a purge has
   * not deleted yet: see `purge`).
   */
  async readForCreate(
    orgId: string,
    /** The quota counters the creation charges, read in the same round trip. */
    counters: QuotaCounter[] = [],
  ): Promise<{
    org: OrganizationRecord | null;
    tombstone: TombstoneRecord | null;
    counters: CounterRead[];
  }> {
    const [org, tombstone, ...more] = await db().getAll(
      orgRef(orgId),
      tombstoneRef(orgId),
      ...counterRefs(counters),
    );
    return {
      org: ownOrganization(parseStored(organizationRecord, org), orgId),
      tombstone: parseStored(tombstoneRecord, tombstone),
      counters: counterReads(counters, more),
    };
  },

  /**
   * Creates it all in one batch, with the quotas it uses; false when the organization exists or
   * a counter changed since it was read (read again and retry).
   */
  async create(
    created: NewOrganization,
    charges: { read: CounterRead; amount: number }[] = [],
  ): Promise<boolean> {
    const { org, members, dataModels, log, secrets, invitations } = created;
    const batch = db().batch();
    chargeInBatch(batch, charges);
    const ref = orgRef(org.organization_id);
    batch.create(ref, org);
    for (const member of members) batch.create(memberRef(org.organization_id, member.uid), member);
    for (const model of dataModels)
      batch.create(ref.collection('data_models').doc(model.key), model);
    batch.create(logRef(org.organization_id), log);
    for (const event of creationEvents(created)) batch.create(eventRef(event), event);
    for (const secret of secrets)
      batch.create(secretRefs(org.organization_id).doc(secret.name), secret);
    for (const { invitation, mail } of invitations) {
      batch.create(invitationRef(org.organization_id, invitation.invitation_id), invitation);
      if (mail) batch.create(db().collection('mail').doc(), mail);
    }
    if (org.public) batch.create(publicRef(org.organization_id), publicProfile(org));
    try {
      await batch.commit();
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === GRPC.ALREADY_EXISTS || code === GRPC.FAILED_PRECONDITION) return false;
      throw error;
    }
  },

  transact<T>(work: (transaction: OrgTransaction) => Promise<T>): Promise<T> {
    return runTransaction((transaction) => work(transactionWriter(transaction)));
  },

  /** One query: a page of organizations plus one more to tell whether a next page exists. */
  async list(spec: ListSpec): Promise<{ items: OrganizationRecord[]; end: PagePosition | null }> {
    let query: Query = organizations();
    const { scope } = spec;
    if (scope.field === 'team') query = query.where('team', 'array-contains', scope.uid);
    if (scope.field === 'owner') query = query.where('owner', '==', scope.uid);
    if (scope.field === 'public') query = query.where('public', '==', true);
    query = query.where('archived', '==', spec.archived);
    if (spec.nameEquals !== undefined) query = query.where('name_lower', '==', spec.nameEquals);
    if (spec.namePrefix !== undefined) {
      query = query
        .where('name_lower', '>=', spec.namePrefix)
        .where('name_lower', '<', `${spec.namePrefix}\uf8ff`);
    }
    query = query
      .orderBy(spec.sort, spec.direction)
      .orderBy(firestoreSdk().FieldPath.documentId(), spec.direction);
    if (spec.after) query = query.startAfter(spec.after.value, spec.after.id);
    const snapshot = await query.limit(spec.limit + 1).get();
    const items = snapshot.docs
      .slice(0, spec.limit)
      .flatMap((doc) => ownOrganization(parseStored(organizationRecord, doc), doc.id) ?? []);
    return { items, end: pageEnd(snapshot.docs, spec.limit, spec.sort) };
  },

  async dataModels(orgId: string): Promise<DataModel[]> {
    const snapshot = await orgRef(orgId)
      .collection('data_models')
      .orderBy(firestoreSdk().FieldPath.documentId())
      .get();
    return parseAll(dataModel, snapshot.docs);
  },

  async logs(
    orgId: string,
    limit: number,
    after?: PagePosition,
  ): Promise<{ items: (LogEntry & { id: string })[]; end: PagePosition | null }> {
    let query = orgRef(orgId)
      .collection('logs')
      .orderBy('at', 'desc')
      .orderBy(firestoreSdk().FieldPath.documentId(), 'desc');
    if (after) query = query.startAfter(after.value, after.id);
    const snapshot = await query.limit(limit + 1).get();
    const items = snapshot.docs.slice(0, limit).flatMap((doc) => {
      const entry = parseStored(logEntry, doc);
      return entry ? [{ id: doc.id, ...entry }] : [];
    });
    return { items, end: pageEnd(snapshot.docs, limit, 'at') };
  },

  /** Counts for the summary, as parallel aggregation queries (no document is read). */
  async counts(orgId: string, now: Date) {
    const ref = orgRef(orgId);
    const count = async (query: Query) => (await query.count().get()).data().count;
    const members = ref.collection('members');
    const [owner, admin, member, viewer, invitations, dataModels, secrets] = await Promise.all([
      count(members.where('role', '==', 'owner')),
      count(members.where('role', '==', 'admin')),
      count(members.where('role', '==', 'member')),
      count(members.where('role', '==', 'viewer')),
      count(
        ref
          .collection('invitations')
          .where('status', '==', 'pending')
          .where('expires_at', '>', now),
      ),
      count(ref.collection('data_models')),
      count(ref.collection('secrets')),
    ]);
    return { members: { owner, admin, member, viewer }, invitations, dataModels, secrets };
  },

  async secretRefs(orgId: string): Promise<SecretRef[]> {
    const snapshot = await secretRefs(orgId).orderBy(firestoreSdk().FieldPath.documentId()).get();
    return parseAll(secretRef, snapshot.docs);
  },

  /**
   * Deletes the organization and every document under it, and its public profile. Runs only after
   * `markPurging` committed: no write path adds anything under it meanwhile.
   */
  async purge(orgId: string, tombstoneExpiry: Date): Promise<void> {
    await Promise.all([db().recursiveDelete(orgRef(orgId)), publicRef(orgId).delete()]);
    // Only now may the id expire: until this write, the tombstone keeps it taken (no TTL).
    await tombstoneRef(orgId).update({ expires_at: tombstoneExpiry });
  },
};

export type OrganizationStore = typeof organizationStore;

/** The composite indexes `list` needs: one per scope, sort field and direction. */
export const LIST_INDEXES = (['team', 'owner', 'public', 'all'] as const).flatMap((scope) =>
  (['name_lower', 'created_at'] as const).flatMap((sort) =>
    (['ASCENDING', 'DESCENDING'] as const).map((order) => ({
      collectionGroup: 'organizations',
      queryScope: 'COLLECTION',
      fields: [
        ...(scope === 'all'
          ? []
          : [
              scope === 'team'
                ? { fieldPath: 'team', arrayConfig: 'CONTAINS' }
                : { fieldPath: scope, order: 'ASCENDING' },
            ]),
        { fieldPath: 'archived', order: 'ASCENDING' },
        { fieldPath: sort, order },
      ],
    })),
  ),
);

/** The composite index of the summary's pending-invitations count. */
export const COUNT_INDEXES = [
  {
    collectionGroup: 'invitations',
    queryScope: 'COLLECTION',
    fields: [
      { fieldPath: 'status', order: 'ASCENDING' },
      { fieldPath: 'expires_at', order: 'ASCENDING' },
    ],
  },
];
