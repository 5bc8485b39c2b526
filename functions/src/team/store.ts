import type { DocumentSnapshot, Query } from 'firebase-admin/firestore';
import { db, firestoreSdk } from '../firebase';
import {
  collectionGroupField,
  isOrganizationChild,
  pageEnd,
  parseAll,
  parseStored,
  type PagePosition,
} from '../firestore';
import { invitationRecord, memberRecord } from '../model/records';
import type { InvitationRecord } from '../organizations/types';
import type * as z from 'zod';

export type MemberSort = 'name' | 'email' | 'role' | 'joined_at';

const organization = (orgId: string) => db().collection('organizations').doc(orgId);

async function page<S extends z.ZodType>(
  schema: S,
  query: Query,
  sortField: string,
  limit: number,
  after?: PagePosition,
): Promise<{ items: z.output<S>[]; end: PagePosition | null }> {
  const snapshot = await (after ? query.startAfter(after.value, after.id) : query)
    .limit(limit + 1)
    .get();
  return {
    items: parseAll(schema, snapshot.docs.slice(0, limit)),
    end: pageEnd(snapshot.docs, limit, sortField),
  };
}

/**
 * The invitations of a collection-group result that are what they say: stored at
 * `organizations/{organization_id}/invitations/{invitation_id}`, by the API.
 */
function ownInvitations(docs: DocumentSnapshot[]): InvitationRecord[] {
  return docs.flatMap((doc) => {
    const invitation = parseStored(invitationRecord, doc);
    return invitation &&
      isOrganizationChild(doc, 'invitations', invitation.organization_id, invitation.invitation_id)
      ? [invitation]
      : [];
  });
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
    return page(memberRecord, query, sort, limit, after);
  },

  /** The organization's invitations, newest first. */
  invitations(orgId: string, limit: number, after?: PagePosition) {
    const query = organization(orgId)
      .collection('invitations')
      .orderBy('created_at', 'desc')
      .orderBy(firestoreSdk().FieldPath.documentId(), 'desc');
    return page(invitationRecord, query, 'created_at', limit, after);
  },

  /** One invitation of the organization, at its exact path (and saying so). */
  async invitation(orgId: string, id: string): Promise<InvitationRecord | null> {
    const doc = await organization(orgId).collection('invitations').doc(id).get();
    const invitation = parseStored(invitationRecord, doc);
    return invitation?.organization_id === orgId && invitation.invitation_id === id
      ? invitation
      : null;
  },

  /** An invitation by its id alone (ids are unique across organizations). */
  async findInvitation(id: string): Promise<InvitationRecord | null> {
    const snapshot = await db()
      .collectionGroup('invitations')
      .where('invitation_id', '==', id)
      .get();
    return ownInvitations(snapshot.docs)[0] ?? null;
  },

  /** Pending invitations to an email address or to an account, across organizations. */
  async pendingFor(invitee: { uid: string; email: string | null }): Promise<InvitationRecord[]> {
    const pending = (field: 'uid' | 'email', value: string) =>
      db()
        .collectionGroup('invitations')
        .where(field, '==', value)
        .where('status', '==', 'pending')
        .get();
    const [byUid, byEmail] = await Promise.all([
      pending('uid', invitee.uid),
      invitee.email === null ? null : pending('email', invitee.email),
    ]);
    const found = new Map<string, InvitationRecord>();
    for (const invitation of ownInvitations([...byUid.docs, ...(byEmail?.docs ?? [])]))
      found.set(invitation.invitation_id, invitation);
    return [...found.values()];
  },
};

export type TeamStore = typeof teamStore;

/** The indexes of the team's collection-group queries. */
export const TEAM_INDEXES = (['email', 'uid'] as const).map((field) => ({
  collectionGroup: 'invitations',
  queryScope: 'COLLECTION_GROUP',
  fields: [
    { fieldPath: field, order: 'ASCENDING' },
    { fieldPath: 'status', order: 'ASCENDING' },
  ],
}));

export const TEAM_FIELD_OVERRIDES = [collectionGroupField('invitations', 'invitation_id')];
