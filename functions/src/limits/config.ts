import { DAY_MS, MINUTE_MS } from '../time';

/** Request rates per caller, kept in each instance's memory (see README "Limits"). */
export interface RateLimits {
  /** The window of every rate limit. */
  windowMs: number;
  /** GET (and HEAD) requests per window of one caller: an API key, else a user. */
  reads: number;
  /** Every other method per window of one caller. */
  writes: number;
  /** Requests per window without credentials, per client IP address. */
  anonymous: number;
  /**
   * Failed authentications per window per IP address and credential kind (API key, ID token,
   * session cookie) before that address's attempts of that kind get 429 (limits/brute-force.ts).
   */
  authFailures: number;
  /** `POST /auth/login` and `/auth/logout` requests per window per IP address, credentials or not. */
  signIns: number;
  /** Whether platform administrators skip the rate limits (not by default). */
  exemptAdmins: boolean;
  /** False only to measure the app without its limiters (tools/bench/limits.js); never by env. */
  enabled: boolean;
}

/** Quotas on costly actions, exact across instances (counter documents in Firestore). */
export interface Quotas {
  organizationsPerUserPerDay: number;
  invitationsPerOrganizationPerDay: number;
  invitationsPerInviteePerDay: number;
  membersPerOrganizationPerHour: number;
  apiKeysPerUserPerDay: number;
}

export interface Limits {
  rates: RateLimits;
  quotas: Quotas;
}

/** What an app may override: any part of the limits (tests pass short windows, small quotas). */
export interface LimitOverrides {
  rates?: Partial<RateLimits>;
  quotas?: Partial<Quotas>;
}

/** The documented defaults, and the environment variable that overrides each. */
export const LIMIT_SETTINGS = {
  rates: {
    reads: { env: 'RATE_LIMIT_READS_PER_MINUTE', default: 600 },
    writes: { env: 'RATE_LIMIT_WRITES_PER_MINUTE', default: 120 },
    anonymous: { env: 'RATE_LIMIT_ANONYMOUS_PER_MINUTE', default: 60 },
    authFailures: { env: 'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', default: 20 },
    signIns: { env: 'RATE_LIMIT_SIGN_INS_PER_MINUTE', default: 30 },
  },
  quotas: {
    organizationsPerUserPerDay: { env: 'QUOTA_ORGANIZATIONS_PER_USER_PER_DAY', default: 20 },
    invitationsPerOrganizationPerDay: {
      env: 'QUOTA_INVITATIONS_PER_ORGANIZATION_PER_DAY',
      default: 200,
    },
    invitationsPerInviteePerDay: { env: 'QUOTA_INVITATIONS_PER_INVITEE_PER_DAY', default: 5 },
    membersPerOrganizationPerHour: {
      env: 'QUOTA_MEMBERS_PER_ORGANIZATION_PER_HOUR',
      default: 1000,
    },
    apiKeysPerUserPerDay: { env: 'QUOTA_API_KEYS_PER_USER_PER_DAY', default: 20 },
  },
} as const;

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, least = 1): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < least) {
    throw new Error(
      `${name} is ${JSON.stringify(raw)}: it must be a whole number of at least ${least}.`,
    );
  }
  return value;
}

/** The limits an environment sets: each variable a positive whole number, or its default. */
export function limitsFrom(env: NodeJS.ProcessEnv): Limits {
  const read = <K extends string>(settings: Record<K, { env: string; default: number }>) =>
    Object.fromEntries(
      Object.entries<{ env: string; default: number }>(settings).map(([key, setting]) => [
        key,
        wholeNumber(env, setting.env, setting.default),
      ]),
    ) as Record<K, number>;
  return {
    rates: {
      windowMs: MINUTE_MS,
      ...read(LIMIT_SETTINGS.rates),
      exemptAdmins: env.RATE_LIMIT_EXEMPT_ADMINS?.trim() === 'true',
      enabled: true,
    },
    quotas: read(LIMIT_SETTINGS.quotas),
  };
}

/**
 * How many proxies in front of the function append to `X-Forwarded-For` (`TRUST_PROXY_HOPS`,
 * default 1): Google's front end appends the address that connected to it, and Express takes the
 * address that many entries from the end as `req.ip`, so what a client writes in the header
 * itself is never believed. See README "Limits" for Hosting.
 */
export const trustProxyHops = wholeNumber(process.env, 'TRUST_PROXY_HOPS', 1, 0);

/** The limits of this process's environment, read once at load. */
export const limits: Limits = limitsFrom(process.env);

/** The limits with an app's overrides applied. */
export function limitsWith(overrides: LimitOverrides = {}, base: Limits = limits): Limits {
  return {
    rates: { ...base.rates, ...overrides.rates },
    quotas: { ...base.quotas, ...overrides.quotas },
  };
}

/** The windows of the quotas: fixed, aligned to UTC days and hours. */
export const QUOTA_WINDOWS = { day: DAY_MS, hour: 60 * MINUTE_MS } as const;
