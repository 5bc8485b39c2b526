import { auth, db } from '../firebase';
import { isOrganizationChild, parseStored } from '../firestore';
import { membershipRecord, type Membership } from '../model/records';

export type { Membership } from '../model/records';

/** Memberships (Firestore, the source of truth) and custom claims (Firebase Auth, the mirror). */
export const claimsStore = {
  /**
   * Every organization the user is a member of: one collection-group query, of which only the
   * documents at `organizations/{org}/members/{uid}` count (see `isOrganizationChild`).
   */
  async membershipsOf(uid: string): Promise<Membership[]> {
    const snapshot = await db()
      .collectionGroup('members')
      .where('uid', '==', uid)
      .select('organization_id', 'role')
      .get();
    return snapshot.docs.flatMap((doc) => {
      const membership = parseStored(membershipRecord, doc);
      return membership && isOrganizationChild(doc, 'members', membership.organization_id, uid)
        ? [membership]
        : [];
    });
  },

  /** The user's current custom claims, or null when the user does not exist. */
  async claimsOf(uid: string): Promise<Record<string, unknown> | null> {
    try {
      return (await auth().getUser(uid)).customClaims ?? {};
    } catch (error) {
      if ((error as { code?: string }).code === 'auth/user-not-found') return null;
      throw error;
    }
  },

  async setClaims(uid: string, claims: Record<string, unknown>): Promise<void> {
    await auth().setCustomUserClaims(uid, claims);
  },
};

export type ClaimsStore = typeof claimsStore;
