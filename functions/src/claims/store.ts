import { auth, db } from '../firebase';
import type { Role } from '../organizations/schemas';

export interface Membership {
  organization_id: string;
  role: Role;
}

/** Memberships (Firestore, the source of truth) and custom claims (Firebase Auth, the mirror). */
export const claimsStore = {
  /** Every organization the user is a member of: one collection-group query. */
  async membershipsOf(uid: string): Promise<Membership[]> {
    const snapshot = await db()
      .collectionGroup('members')
      .where('uid', '==', uid)
      .select('organization_id', 'role')
      .get();
    return snapshot.docs.map((doc) => doc.data() as Membership);
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
