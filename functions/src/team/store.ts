import type { Query } from 'firebase-admin/firestore';
import { db, firestoreSdk } from '../firebase';
import { withDates, type PagePosition } from '../firestore';
import type { InvitationRecord, MemberRecord } from '../organizations/types';

export type MemberSort = 'name' | 'email' | 'role' | 'joined_at';

const organization = (orgId: string) => db().collection('organizations').doc(orgId);

async function page<T>(
  query: Query,
  limit: number,
  after?: PagePosition,
): Promise<{ items: T[]; more: boolean }> {
  const snapshot = await (after ? query.startAfter(after.value, after.id) : query)
    .limit(limit + 1)
    .get();
  const items = snapshot.docs.slice(0, limit).map((doc) => withDates<T>(doc.data()));
  return { items, more: snapshot.size > limit };
}

export const teamStore = {
  /** One query: a page of members plus one more to tell whether a next page exists. */
  members(
    orgId: string,
    sort: MemberSort,
    direction: 'asc' | 'desc',
    limit: number,
    after?: PagePosition,
  ) {
    const query = organization(orgId)
      .collection('members')
      .orderBy(sort, direction)
      .orderBy(firestoreSdk().FieldPath.documentId(), direction);
    return page<MemberRecord>(query, limit, after);
  },

  /** The organization's invitations, newest first. */
  invitations(orgId: string, limit: number, after?: PagePosition) {
    const query = organization(orgId)
      .collection('invitations')
      .orderBy('created_at', 'desc')
      .orderBy(firestoreSdk().FieldPath.documentId(), 'desc');
    return page<InvitationRecord>(query, limit, after);
  },

  /** An invitation by its id alone (ids are unique across organizations). */
  async findInvitation(id: string): Promise<InvitationRecord | null> {
    const snapshot = await db()
      .collectionGroup('invitations')
      .where('invitation_id', '==', id)
      .limit(1)
      .get();
    return snapshot.empty ? null : withDates<InvitationRecord>(snapshot.docs[0].data());
  },

  /** Pending invitations to an email address, across organizations. */
  async pendingFor(email: string): Promise<InvitationRecord[]> {
    const snapshot = await db()
      .collectionGroup('invitations')
      .where('email', '==', email)
      .where('status', '==', 'pending')
      .get();
    return snapshot.docs.map((doc) => withDates<InvitationRecord>(doc.data()));
  },
};

export type TeamStore = typeof teamStore;

/** The indexes of the team's collection-group queries. */
export const TEAM_INDEXES = [
  {
    collectionGroup: 'invitations',
    queryScope: 'COLLECTION_GROUP',
    fields: [
      { fieldPath: 'email', order: 'ASCENDING' },
      { fieldPath: 'status', order: 'ASCENDING' },
    ],
  },
];

export const TEAM_FIELD_OVERRIDES = [
  {
    collectionGroup: 'invitations',
    fieldPath: 'invitation_id',
    ttl: false,
    indexes: [
      { order: 'ASCENDING', queryScope: 'COLLECTION' },
      { order: 'ASCENDING', queryScope: 'COLLECTION_GROUP' },
    ],
  },
];
