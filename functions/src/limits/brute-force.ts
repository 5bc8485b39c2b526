import type { Options } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { MemoryStore } from 'express-rate-limit';
import { createHash } from 'node:crypto';
import type { RateLimits } from './config';
import { clientAddress, hasCredentials, limitReached, secondsUntil } from './rate';

const NAME = 'auth-failures';

/** The draft-8 partition key of an address, as express-rate-limit writes it for its own policies. */
function partitionKey(key: string): string {
  return Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString(
    'base64',
  );
}

/**
 * Brute-force protection: every 401 answered to a request that carried credentials (an unknown,
 * expired or revoked API key, a bad token or session) counts against its client address. Once an
 * address has `rates.authFailures` of them in a window, its requests with credentials get 429
 * until the window ends, before anything reads Firestore or verifies a token. Requests without
 * credentials are not attempts: the anonymous limit counts them.
 */
export function bruteForceGuard(rates: RateLimits): RequestHandler {
  if (!rates.enabled) return (_req, _res, next) => next();
  const failures = new MemoryStore();
  failures.init({ windowMs: rates.windowMs } as Options);
  return async (req, res, next) => {
    if (req.method === 'OPTIONS' || !hasCredentials(req)) {
      next();
      return;
    }
    const key = `ip:${clientAddress(req)}`;
    const seen = await failures.get(key);
    if (seen && seen.totalHits >= rates.authFailures) {
      const seconds = secondsUntil(seen.resetTime, rates.windowMs);
      const windowSeconds = Math.ceil(rates.windowMs / 1000);
      res.append('RateLimit', `"${NAME}"; r=0; t=${seconds}`);
      res.append(
        'RateLimit-Policy',
        `"${NAME}"; q=${rates.authFailures}; w=${windowSeconds}; pk=:${partitionKey(key)}:`,
      );
      throw limitReached(
        `${rates.authFailures} failed authentications per ${windowSeconds} s`,
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
