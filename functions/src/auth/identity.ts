import type { DecodedIdToken, UserRecord } from 'firebase-admin/auth';
import { auth } from '../firebase';

/** The Firebase Auth user facts the API needs, read fresh (never from a token). */
export interface AuthUser {
  uid: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  disabled: boolean;
  admin: boolean;
}

export function toAuthUser(record: UserRecord): AuthUser {
  return {
    uid: record.uid,
    email: record.email ?? null,
    email_verified: record.emailVerified,
    name: record.displayName ?? null,
    disabled: record.disabled,
    admin: record.customClaims?.admin === true,
  };
}

/** Firebase Auth, the one module that talks to it for authentication. */
export const identity = {
  /** Verifies an ID token, refusing revoked tokens and disabled users. */
  verifyIdToken(token: string): Promise<DecodedIdToken> {
    return auth().verifyIdToken(token, true);
  },

  verifySessionCookie(cookie: string): Promise<DecodedIdToken> {
    return auth().verifySessionCookie(cookie, true);
  },

  createSessionCookie(idToken: string, expiresInMs: number): Promise<string> {
    return auth().createSessionCookie(idToken, { expiresIn: expiresInMs });
  },

  revokeRefreshTokens(uid: string): Promise<void> {
    return auth().revokeRefreshTokens(uid);
  },

  async getUser(uid: string): Promise<AuthUser | null> {
    try {
      return toAuthUser(await auth().getUser(uid));
    } catch (error) {
      if ((error as { code?: string }).code === 'auth/user-not-found') return null;
      throw error;
    }
  },
};

export type Identity = typeof identity;
