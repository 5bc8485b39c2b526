import { FieldPath, type Query } from 'firebase-admin/firestore';
import { db } from '../firebase';
import { withDates, type PagePosition } from '../firestore';
import type { MemberRecord } from '../organizations/types';

export type MemberSort = 'name' | 'email' | 'role' | 'joined_at';

export const teamStore = {
  /** One query: a page of members plus one more to tell whether a next page exists. */
  async page(
    orgId: string,
    sort: MemberSort,
    direction: 'asc' | 'desc',
    limit: number,
    after?: PagePosition,
  ): Promise<{ items: MemberRecord[]; more: boolean }> {
    let query: Query = db()
      .collection('organizations')
      .doc(orgId)
      .collection('members')
      .orderBy(sort, direction)
      .orderBy(FieldPath.documentId(), direction);
    if (after) query = query.startAfter(after.value, after.id);
    const snapshot = await query.limit(limit + 1).get();
    const items = snapshot.docs.slice(0, limit).map((doc) => withDates<MemberRecord>(doc.data()));
    return { items, more: snapshot.size > limit };
  },
};

export type TeamStore = typeof teamStore;
