import type { DecodedIdToken } from 'firebase-admin/auth';
import { ApiError } from '../errors';
import { DAY_MS, iso, MINUTE_MS } from '../time';
import type { Caller, CredentialKind, Scope } from './caller';
import type { AuthUser, Identity } from './identity';
import { generateKey, generateKeyId, keyDigest, KEY_PREFIX, looksLikeKey } from './keys';
import type { CreateKeyInput } from './schemas';
import type { ApiKeyRecord, ApiKeyStore } from './store';

/** A verified key is trusted from memory this long; it is also how long a revocation may take. */
export const KEY_CACHE_TTL_MS = 30_000;
const KEY_CACHE_MAX = 1000;
const LAST_USED_RESOLUTION_MS = MINUTE_MS;
const MAX_KEYS_PER_USER = 100;
const MAX_CREDENTIAL_LENGTH = 4096;
export const SESSION_MS = 7 * DAY_MS;
const RECENT_SIGN_IN_MS = 5 * MINUTE_MS;
const ALL_SCOPES: Scope[] = ['read', 'write'];

const unauthenticated = (message: string) => new ApiError('unauthenticated', message);

/** Firebase Auth's verification errors, each as its own clear 401. */
function tokenError(error: unknown, kind: 'ID token' | 'session'): ApiError {
  const { code, message = '' } = error as { code?: string; message?: string };
  switch (code) {
    case 'auth/id-token-expired':
    case 'auth/session-cookie-expired':
      return unauthenticated(
        kind === 'session'
          ? 'The session has expired: sign in again.'
          : 'The ID token has expired: refresh it and try again.',
      );
    case 'auth/id-token-revoked':
    case 'auth/session-cookie-revoked':
      return unauthenticated(`The ${kind} has been revoked: sign in again.`);
    case 'auth/user-disabled':
      return unauthenticated('This user account is disabled.');
    case 'auth/user-not-found':
      return unauthenticated('This user account no longer exists.');
    case 'auth/argument-error':
    case 'auth/invalid-id-token':
    case 'auth/invalid-session-cookie-duration':
      return unauthenticated(
        message.includes('"aud"')
          ? `The ${kind} was issued for another Firebase project.`
          : `The ${kind} is malformed or its signature is invalid.`,
      );
    default:
      throw error;
  }
}

function keyCaller(user: AuthUser, record: ApiKeyRecord): Caller {
  return {
    uid: user.uid,
    email: user.email,
    email_verified: user.email_verified,
    name: user.name,
    credential: 'api_key',
    key_id: record.key_id,
    scopes: record.scopes,
    admin: user.admin,
  };
}

/** What a key's owner may see of it: never the key, nor its digest. */
export function keyView(record: ApiKeyRecord) {
  return {
    key_id: record.key_id,
    name: record.name,
    prefix: record.prefix,
    last4: record.last4,
    scopes: record.scopes,
    created_at: iso(record.created_at),
    expires_at: iso(record.expires_at),
    last_used_at: iso(record.last_used_at),
  };
}

interface CachedKey {
  caller: Caller;
  record: ApiKeyRecord;
  cachedAt: number;
}

export interface AuthServiceDeps {
  keys: ApiKeyStore;
  identity: Identity;
  pepper: () => string;
  now?: () => Date;
}

/** Authentication and API-key management. */
export function createAuthService({
  keys,
  identity,
  pepper,
  now = () => new Date(),
}: AuthServiceDeps) {
  // Bounded: the oldest entry goes first (a Map iterates in insertion order).
  const cache = new Map<string, CachedKey>();

  function remember(digest: string, entry: CachedKey) {
    cache.delete(digest);
    cache.set(digest, entry);
    if (cache.size > KEY_CACHE_MAX) cache.delete(cache.keys().next().value!);
  }

  async function touch(digest: string, entry: CachedKey, at: Date) {
    const last = entry.record.last_used_at?.getTime() ?? 0;
    if (at.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    entry.record.last_used_at = at;
    await keys.touch(digest, at);
  }

  function checkRecord(record: ApiKeyRecord, at: Date) {
    if (record.revoked_at) throw unauthenticated('This API key was revoked.');
    if (record.expires_at <= at) {
      throw unauthenticated(`This API key expired at ${iso(record.expires_at)}.`);
    }
  }

  async function verifyKey(key: string): Promise<Caller> {
    const digest = keyDigest(key, pepper());
    const at = now();
    let entry = cache.get(digest);
    if (!entry || at.getTime() - entry.cachedAt >= KEY_CACHE_TTL_MS) {
      const stored = await keys.get(digest);
      if (!stored) throw unauthenticated('Unknown API key.');
      checkRecord(stored.record, at);
      const user = await identity.getUser(stored.record.uid);
      if (!user) throw unauthenticated("The API key's user account no longer exists.");
      if (user.disabled) throw unauthenticated('This user account is disabled.');
      entry = {
        caller: keyCaller(user, stored.record),
        record: stored.record,
        cachedAt: at.getTime(),
      };
      remember(digest, entry);
    } else {
      checkRecord(entry.record, at);
    }
    await touch(digest, entry, at);
    return entry.caller;
  }

  /**
   * The caller a verified token names. Its `admin` claim may be an hour old, and a revoked platform
   * admin must not keep owner rights everywhere that long: a token claiming it is checked against
   * the user's current claims (one Auth read, for platform admins only).
   */
  async function tokenCaller(token: DecodedIdToken, credential: CredentialKind): Promise<Caller> {
    const admin = token.admin === true && (await identity.getUser(token.uid))?.admin === true;
    return {
      uid: token.uid,
      email: token.email ?? null,
      email_verified: token.email_verified ?? false,
      name: (token.name as string | undefined) ?? null,
      credential,
      key_id: null,
      scopes: ALL_SCOPES,
      admin,
    };
  }

  /** Verifies an ID token or a session cookie: each way it can fail is its own 401. */
  async function decode(credential: string, kind: 'ID token' | 'session') {
    try {
      return await (kind === 'session'
        ? identity.verifySessionCookie(credential)
        : identity.verifyIdToken(credential));
    } catch (error) {
      throw tokenError(error, kind);
    }
  }

  return {
    /**
     * The caller of a request from its `Authorization` header or, without one, its `__session`
     * cookie; `null` when it carries neither. Bad credentials are a 401 saying what is wrong.
     */
    async authenticate(header: string | undefined, session: string | undefined) {
      if (header === undefined) {
        return session ? tokenCaller(await decode(session, 'session'), 'session') : null;
      }
      const match = /^Bearer(?: (.*))?$/i.exec(header.trim());
      if (!match) {
        throw unauthenticated(
          'The Authorization header must use the Bearer scheme: "Authorization: Bearer <ID token or API key>".',
        );
      }
      const credential = (match[1] ?? '').trim();
      if (!credential)
        throw unauthenticated('The Authorization header has an empty Bearer credential.');
      if (credential.length > MAX_CREDENTIAL_LENGTH) {
        throw unauthenticated('The Bearer credential is too long to be an ID token or an API key.');
      }
      if (looksLikeKey(credential)) return verifyKey(credential);
      return tokenCaller(await decode(credential, 'ID token'), 'id_token');
    },

    async createKey(caller: Caller, input: CreateKeyInput) {
      if (caller.credential === 'api_key') {
        throw new ApiError(
          'permission-denied',
          'An API key cannot create API keys: sign in with an ID token or a session.',
        );
      }
      const active = await keys.listForUser(caller.uid);
      if (active.length >= MAX_KEYS_PER_USER) {
        throw new ApiError(
          'resource-exhausted',
          `You have ${MAX_KEYS_PER_USER} API keys, the most allowed: revoke one first.`,
        );
      }
      const key = generateKey();
      const at = now();
      const record: ApiKeyRecord = {
        key_id: generateKeyId(),
        uid: caller.uid,
        name: input.name,
        scopes: input.scopes,
        prefix: KEY_PREFIX,
        last4: key.slice(-4),
        created_at: at,
        expires_at: new Date(at.getTime() + input.expires_in_days * DAY_MS),
        last_used_at: null,
        revoked_at: null,
      };
      await keys.create(keyDigest(key, pepper()), record);
      return { ...keyView(record), key };
    },

    async listKeys(caller: Caller) {
      const stored = await keys.listForUser(caller.uid);
      return stored
        .map(({ record }) => record)
        .sort((a, b) => b.created_at.getTime() - a.created_at.getTime())
        .map(keyView);
    },

    /** Revokes at once on this instance; other instances stop trusting it within the cache TTL. */
    async revokeKey(caller: Caller, keyId: string) {
      const stored = await keys.findForUser(caller.uid, keyId);
      if (!stored || stored.record.revoked_at) {
        throw new ApiError('not-found', `You have no API key ${keyId}.`);
      }
      await keys.revoke(stored.digest, now());
      cache.delete(stored.digest);
    },

    /** A session cookie for a freshly signed-in user (Firebase's recommendation: ≤ 5 minutes). */
    async login(idToken: string) {
      const token = await decode(idToken, 'ID token');
      if (now().getTime() - token.auth_time * 1000 > RECENT_SIGN_IN_MS) {
        throw unauthenticated(
          'Sign in again: a session needs a sign-in within the last 5 minutes.',
        );
      }
      const cookie = await identity.createSessionCookie(idToken, SESSION_MS);
      return { uid: token.uid, cookie, expiresAt: new Date(now().getTime() + SESSION_MS) };
    },

    /** Ends the session's user's sign-ins everywhere; an invalid cookie has nothing to revoke. */
    async logout(session: string | undefined) {
      if (!session) return;
      const token = await identity.verifySessionCookie(session).catch(() => null);
      if (token) await identity.revokeRefreshTokens(token.uid);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
