// Request rate limits, per caller and per client address, kept in this instance's memory: no
// Firestore read or write for a normal request. Each instance counts on its own, so the effective
// limit is the configured one times the number of instances serving (README "Limits").
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Options } from 'express-rate-limit';
import { SESSION_COOKIE } from '../auth/guards';
import { ApiError } from '../errors';
import { iso } from '../time';
import type { RateLimits } from './config';

const READ_METHODS = new Set(['GET', 'HEAD']);

/** The client address as `trust proxy` resolves it; IPv6 addresses by their /56 network. */
export function clientAddress(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown', 56);
}

/** Whether a request carries credentials (a Bearer header or the session cookie). */
export function hasCredentials(req: Request): boolean {
  const cookies = req.cookies as Record<string, string | undefined> | undefined;
  return req.headers.authorization !== undefined || Boolean(cookies?.[SESSION_COOKIE]);
}

/** Who a request counts against: its API key, else its user, else its client address. */
export function callerKey(req: Request): string {
  if (req.caller?.key_id) return `key:${req.caller.key_id}`;
  if (req.caller) return `user:${req.caller.uid}`;
  return `ip:${clientAddress(req)}`;
}

const WHO = { key: 'this API key', user: 'this user', ip: 'this address' } as const;

/** Seconds until `resetTime`, at least 1 (what `Retry-After` says). */
export function secondsUntil(resetTime: Date | undefined, windowMs: number): number {
  const ms = resetTime ? resetTime.getTime() - Date.now() : windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The 429 of a limit: names the limit, whom it counts and when it resets; `Retry-After` too. */
export function limitReached(what: string, who: string, resetTime: Date, seconds: number) {
  return new ApiError(
    'resource-exhausted',
    `Rate limit reached: ${what} for ${who}. It resets at ${iso(resetTime)} (in ${seconds} s).`,
    { headers: { 'Retry-After': String(seconds) } },
  );
}

function windowText(windowMs: number): string {
  return windowMs % 60_000 === 0 ? `${windowMs / 60_000} minute` : `${windowMs / 1000} s`;
}

interface LimiterSpec {
  /** The policy's name in the `RateLimit` and `RateLimit-Policy` headers. */
  name: string;
  limit: number;
  windowMs: number;
  /** What is counted, for the message: "GET requests". */
  counted: string;
  skip: (req: Request) => boolean;
  key: (req: Request) => string;
}

function limiter(spec: LimiterSpec): RequestHandler {
  const options: Partial<Options> = {
    windowMs: spec.windowMs,
    limit: spec.limit,
    identifier: spec.name,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new MemoryStore(),
    skip: spec.skip,
    keyGenerator: spec.key,
    handler: (req: Request, _res: Response, next) => {
      const info = (req as Request & { rateLimit: { resetTime?: Date } }).rateLimit;
      const resetTime = info.resetTime ?? new Date(Date.now() + spec.windowMs);
      const seconds = secondsUntil(resetTime, spec.windowMs);
      const who = WHO[spec.key(req).split(':')[0] as keyof typeof WHO];
      const what = `${spec.limit} ${spec.counted} per ${windowText(spec.windowMs)}`;
      next(limitReached(what, who, resetTime, seconds));
    },
  };
  return rateLimit(options);
}

/**
 * The limiter of requests without credentials, per client address: it runs before
 * authentication (a request with credentials is counted by `callerLimits` once authenticated).
 */
export function anonymousLimit(rates: RateLimits): RequestHandler {
  if (!rates.enabled) return (_req, _res, next) => next();
  return limiter({
    name: 'anonymous',
    limit: rates.anonymous,
    windowMs: rates.windowMs,
    counted: 'requests without credentials',
    skip: (req) => req.method === 'OPTIONS' || hasCredentials(req),
    key: (req) => `ip:${clientAddress(req)}`,
  });
}

/**
 * The limiters of signed-in requests, per API key (else per user): reads and writes apart. They
 * run after authentication, which set `req.caller`.
 */
export function callerLimits(rates: RateLimits): RequestHandler[] {
  if (!rates.enabled) return [];
  const exempt = (req: Request) => !req.caller || (rates.exemptAdmins && req.caller.admin);
  return [
    limiter({
      name: 'reads',
      limit: rates.reads,
      windowMs: rates.windowMs,
      counted: 'GET requests',
      skip: (req) => exempt(req) || !READ_METHODS.has(req.method),
      key: callerKey,
    }),
    limiter({
      name: 'writes',
      limit: rates.writes,
      windowMs: rates.windowMs,
      counted: 'writes (POST, PUT, PATCH, DELETE)',
      skip: (req) => exempt(req) || READ_METHODS.has(req.method) || req.method === 'OPTIONS',
      key: callerKey,
    }),
  ];
}

/**
 * The limiter of `POST /auth/login` and `/auth/logout`, per client address, with or without
 * credentials: they read their credentials themselves (`auth: 'none'`), so no per-caller limit
 * counts them, and each sign-in calls Firebase Auth (`createSessionCookie`), each sign-out revokes
 * a user's sign-ins. Mounted on those two paths only (app.ts).
 */
export function signInLimit(rates: RateLimits): RequestHandler {
  if (!rates.enabled) return (_req, _res, next) => next();
  return limiter({
    name: 'sign-ins',
    limit: rates.signIns,
    windowMs: rates.windowMs,
    counted: 'sign-ins and sign-outs',
    skip: (req) => req.method === 'OPTIONS',
    key: (req) => `ip:${clientAddress(req)}`,
  });
}
