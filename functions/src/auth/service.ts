import type { DecodedIdToken } from 'firebase-admin/auth';
import * as logger from 'firebase-functions/logger';
import { ApiError } from '../errors';
import { decodeCursor, encodeCursor, type CursorSpec } from '../firestore';
import type { Role } from '../organizations/schemas';
import type { PageQuery } from '../paging';
import { DAY_MS, iso, MINUTE_MS } from '../time';
import type { Caller, CredentialKind, Scope } from './caller';
import type { AuthUser, Identity } from './identity';
import { generateKey, generateKeyId, keyDigest, KEY_PREFIX, looksLikeKey } from './keys';
import { keyIdSchema, type CreateKeyInput } from './schemas';
import type { Quotas } from '../limits/config';
import { quotaCounters } from '../limits/quotas';
import type { ApiKeyRecord, ApiKeyStore } from './store';

/** A verified key is trusted from memory this long; it is also how long a revocation may take. */
export const KEY_CACHE_TTL_MS = 30_000;
const KEY_CACHE_MAX = 1000;
const LAST_USED_RESOLUTION_MS = MINUTE_MS;
const MAX_KEYS_PER_USER = 100;
/** Reads and commits of one key creation, when concurrent ones keep changing its quota counter. */
const MAX_CREATE_ATTEMPTS = 10;
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

/** The caller's organizations and roles, for `GET /auth/me`. */
export type MembershipLookup = (uid: string) => Promise<{ organization_id: string; role: Role }[]>;

export interface AuthServiceDeps {
  keys: ApiKeyStore;
  identity: Identity;
  memberships: MembershipLookup;
  pepper: () => string;
  /** The pepper before the last rotation, during its grace period (config.ts), else null. */
  previousPepper?: () => string | null;
  now?: () => Date;
  /** The quota on creating API keys (default: the environment's). */
  quotas?: Quotas;
  /**
   * Runs after a sign-in (`POST /auth/login`), e.g. to refresh the user's team entries from Auth;
   * a failure is logged, never a failed sign-in.
   */
  onSignIn?: (uid: string) => Promise<unknown>;
}

/** A page of a user's keys, newest first (ties by key id), for the cursor codec. */
const keysCursor = (uid: string): CursorSpec => ({
  list: `keys:${uid}:created_at:desc`,
  id: keyIdSchema,
  value: 'date',
});

interface KeyPosition {
  created_at: Date;
  key_id: string;
}

/** Newest first; the key id (descending) orders keys created in the same millisecond. */
function newestFirst(a: KeyPosition, b: KeyPosition): number {
  return b.created_at.getTime() - a.created_at.getTime() || b.key_id.localeCompare(a.key_id);
}

/** Authentication and API-key management. */
export function createAuthService({
  keys,
  identity,
  memberships,
  pepper,
  previousPepper = () => null,
  now = () => new Date(),
  quotas,
  onSignIn,
}: AuthServiceDeps) {
  const counters = quotaCounters(quotas);
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

  /**
   * During a pepper rotation's grace period, a key stored under the previous pepper's digest:
   * moved to the current one's (the same record, one transaction), so that it outlives the grace
   * period once used in it. Null without a previous pepper or such a key.
   */
  async function underPreviousPepper(key: string, digest: string) {
    const previous = previousPepper();
    if (!previous) return null;
    return keys.rehome(keyDigest(key, previous), digest);
  }

  async function verifyKey(key: string): Promise<Caller> {
    const digest = keyDigest(key, pepper());
    const at = now();
    let entry = cache.get(digest);
    if (!entry || at.getTime() - entry.cachedAt >= KEY_CACHE_TTL_MS) {
      // A stale entry goes until the lookup confirms the key: one that fails it is not known here.
      cache.delete(digest);
      const stored = (await keys.get(digest)) ?? (await underPreviousPepper(key, digest));
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

  async function activeKey(caller: Caller, keyId: string) {
    const stored = await keys.findForUser(caller.uid, keyId);
    if (!stored || stored.record.revoked_at) {
      throw new ApiError('not-found', `You have no API key ${keyId}.`);
    }
    return stored;
  }

  return {
    /**
     * Whether this instance has verified this API key (one of its last 1,000, not failed since):
     * local, no read. The brute-force guard still looks such a key up from a cut-off address.
     */
    knowsKey(key: string): boolean {
      return cache.has(keyDigest(key, pepper()));
    },

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
      // The daily quota's counter is read alongside the list: the same round trip.
      const quota = counters.apiKeys(caller.uid, now());
      for (let attempt = 1; ; attempt += 1) {
        const [active, [counter]] = await Promise.all([
          keys.listForUser(caller.uid),
          keys.counters([quota]),
        ]);
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
        const charge = [{ read: counter, amount: 1 }];
        if (await keys.create(keyDigest(key, pepper()), record, charge)) {
          return { ...keyView(record), key };
        }
        if (attempt >= MAX_CREATE_ATTEMPTS) {
          throw new ApiError(
            'unavailable',
            'Too many concurrent key creations by this user: try again shortly.',
            { headers: { 'Retry-After': '1' } },
          );
        }
      }
    },

    /**
     * A page of the caller's active keys, newest first. A user has at most 100 of them, read in
     * one query (the creation limit counts them too), so the page is cut from them in memory.
     */
    async listKeys(caller: Caller, page: PageQuery) {
      const spec = keysCursor(caller.uid);
      const after = page.cursor ? decodeCursor(page.cursor, spec) : undefined;
      const sorted = (await keys.listForUser(caller.uid))
        .map(({ record }) => record)
        .sort(newestFirst)
        .filter(
          (record) =>
            !after ||
            newestFirst(record, { created_at: after.value as Date, key_id: after.id }) > 0,
        );
      const items = sorted.slice(0, page.limit);
      const last = items.at(-1);
      return {
        items: items.map(keyView),
        nextCursor:
          sorted.length > page.limit && last
            ? encodeCursor({ value: last.created_at, id: last.key_id }, spec.list)
            : null,
      };
    },

    /** One of the caller's active keys: a revoked key, or another user's, is not found. */
    async getKey(caller: Caller, keyId: string) {
      return keyView((await activeKey(caller, keyId)).record);
    },

    /** Revokes at once on this instance; other instances stop trusting it within the cache TTL. */
    async revokeKey(caller: Caller, keyId: string) {
      const stored = await activeKey(caller, keyId);
      await keys.revoke(stored.digest, now());
      cache.delete(stored.digest);
      return { key_id: keyId, revoked: true as const };
    },

    /** The caller and their organizations with their roles, sorted by id. */
    async me(caller: Caller) {
      const organizations = (await memberships(caller.uid))
        .map(({ organization_id, role }) => ({ organization_id, role }))
        .sort((a, b) => a.organization_id.localeCompare(b.organization_id));
      return { ...caller, organizations };
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
      await onSignIn?.(token.uid).catch((error: unknown) => {
        logger.warn('Could not refresh the team entries after a sign-in.', {
          uid: token.uid,
          error: String(error),
        });
      });
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
