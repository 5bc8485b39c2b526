import type { Options } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import { MemoryStore } from 'express-rate-limit';
import { createHash } from 'node:crypto';
import { SESSION_COOKIE } from '../auth/guards';
import { looksLikeKey } from '../auth/keys';
import type { RateLimits } from './config';
import { clientAddress, limitReached, secondsUntil } from './rate';

/** The kinds of credential whose failures are counted apart (`AuthService.authenticate`'s order). */
export type AttemptKind = 'api_key' | 'id_token' | 'session';

const KINDS: Record<AttemptKind, { policy: string; counted: string }> = {
  api_key: { policy: 'auth-failures-api-key', counted: 'failed API-key authentications' },
  id_token: { policy: 'auth-failures-id-token', counted: 'failed ID-token authentications' },
  session: { policy: 'auth-failures-session', counted: 'failed session-cookie authentications' },
};

/**
 * The credential a request's authentication will verify, as `AuthService.authenticate` picks it:
 * the `Authorization` header (a Bearer credential starting `orgk_` is an API key; anything else
 * there counts as an ID token), else the session cookie; null without either.
 */
export function attemptOf(req: Request): { kind: AttemptKind; credential: string } | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const credential = (/^Bearer(?: (.*))?$/i.exec(header.trim())?.[1] ?? '').trim();
    return { kind: looksLikeKey(credential) ? 'api_key' : 'id_token', credential };
  }
  const cookies = req.cookies as Record<string, string | undefined> | undefined;
  const session = cookies?.[SESSION_COOKIE];
  return session ? { kind: 'session', credential: session } : null;
}

/** The draft-8 partition key of a counter, as express-rate-limit writes it for its own policies. */
function partitionKey(key: string): string {
  return Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString(
    'base64',
  );
}

export interface BruteForceOptions {
  /**
   * Whether this instance has verified this API key before (`AuthService.knowsKey`: its digest is
   * in the key cache, no Firestore read). Such a key is still looked up from a cut-off address: a
   * guess cannot be one, so no guess costs a read, and the scripts that share the address keep
   * working.
   */
  knownKey?: (key: string) => boolean;
}

/**
 * Brute-force protection, per client address AND credential kind. Every 401 answered to a request
 * that carried credentials (an unknown, expired or revoked API key, a bad ID token or session
 * cookie) counts against its address in the bucket of its kind. Once a bucket holds
 * `rates.authFailures` failures in a window, that address's further attempts of that kind get 429
 * until the window ends, before anything reads Firestore or verifies a token; the other kinds are
 * not affected. So a client guessing API keys behind a shared address (a NAT, a CDN node) cuts off
 * the API keys this instance has not verified before (their lookup is what a guess costs), while
 * ID tokens and session cookies from the same address, whose verification reads nothing, keep
 * working, and so do keys already verified here. Requests without credentials are not attempts:
 * the anonymous limit counts them.
 */
export function bruteForceGuard(
  rates: RateLimits,
  options: BruteForceOptions = {},
): RequestHandler {
  if (!rates.enabled) return (_req, _res, next) => next();
  const failures = new MemoryStore();
  failures.init({ windowMs: rates.windowMs } as Options);
  const windowSeconds = Math.ceil(rates.windowMs / 1000);
  return async (req, res, next) => {
    const attempt = req.method === 'OPTIONS' ? null : attemptOf(req);
    if (!attempt) {
      next();
      return;
    }
    const key = `ip:${clientAddress(req)}:${attempt.kind}`;
    const seen = await failures.get(key);
    if (
      seen &&
      seen.totalHits >= rates.authFailures &&
      !(attempt.kind === 'api_key' && options.knownKey?.(attempt.credential))
    ) {
      const { policy, counted } = KINDS[attempt.kind];
      const seconds = secondsUntil(seen.resetTime, rates.windowMs);
      res.append('RateLimit', `"${policy}"; r=0; t=${seconds}`);
      res.append(
        'RateLimit-Policy',
        `"${policy}"; q=${rates.authFailures}; w=${windowSeconds}; pk=:${partitionKey(key)}:`,
      );
      throw limitReached(
        `${rates.authFailures} ${counted} per ${windowSeconds} s`,
        'this address',
        seen.resetTime!,
        seconds,
      );
    }
    res.on('finish', () => {
      if (res.statusCode === 401) void failures.increment(key);
    });
    next();
  };
}
