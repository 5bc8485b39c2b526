// Quotas on costly actions: fixed-window counters kept in Firestore (limits/quota-store.ts), read
// with the reads the action's own transaction makes anyway and written in the same commit, so a
// quota holds exactly across instances and costs no extra round trip. The rules here are pure.
import { createHash } from 'node:crypto';
import { ApiError } from '../errors';
import { asciiLower } from '../text';
import { iso } from '../time';
import { limits, QUOTA_WINDOWS, type Quotas } from './config';

export type QuotaName = 'organizations' | 'invitations' | 'invitee' | 'members' | 'api_keys';

interface QuotaRule {
  setting: keyof Quotas;
  windowMs: number;
  /** The quota in words: "20 organizations created per user per day". */
  text: (limit: number) => string;
}

export const QUOTA_RULES: Record<QuotaName, QuotaRule> = {
  organizations: {
    setting: 'organizationsPerUserPerDay',
    windowMs: QUOTA_WINDOWS.day,
    text: (limit) => `${limit} organizations created per user per day`,
  },
  invitations: {
    setting: 'invitationsPerOrganizationPerDay',
    windowMs: QUOTA_WINDOWS.day,
    text: (limit) => `${limit} invitations and resends per organization per day`,
  },
  invitee: {
    setting: 'invitationsPerInviteePerDay',
    windowMs: QUOTA_WINDOWS.day,
    text: (limit) => `${limit} invitations and resends per invitee per day`,
  },
  members: {
    setting: 'membersPerOrganizationPerHour',
    windowMs: QUOTA_WINDOWS.hour,
    text: (limit) => `${limit} members added per organization per hour`,
  },
  api_keys: {
    setting: 'apiKeysPerUserPerDay',
    windowMs: QUOTA_WINDOWS.day,
    text: (limit) => `${limit} API keys created per user per day`,
  },
};

/** One quota's counter for one subject in the window that holds `at`. */
export interface QuotaCounter {
  name: QuotaName;
  /** The counter document's id: the quota, a digest of the subject, the window's start. */
  id: string;
  limit: number;
  windowStart: Date;
  windowEnd: Date;
}

/** The digest that names a subject: ids, uids and addresses never appear in a counter's id. */
function digest(subject: string): string {
  return createHash('sha256').update(subject).digest('hex').slice(0, 32);
}

/** The counters of the configured quotas, by subject, in the windows of a moment. */
export function quotaCounters(quotas: Quotas = limits.quotas) {
  const counter = (name: QuotaName, subject: string, at: Date): QuotaCounter => {
    const rule = QUOTA_RULES[name];
    const start = Math.floor(at.getTime() / rule.windowMs) * rule.windowMs;
    return {
      name,
      id: `${name}-${digest(subject)}-${start}`,
      limit: quotas[rule.setting],
      windowStart: new Date(start),
      windowEnd: new Date(start + rule.windowMs),
    };
  };
  return {
    quotas,
    organizations: (uid: string, at: Date) => counter('organizations', uid, at),
    invitations: (orgId: string, at: Date) => counter('invitations', orgId, at),
    /** An invitee by address (ASCII letters lowered, as addresses compare) or by account. */
    invitee: (invitee: { email?: string | null; uid?: string | null }, at: Date) =>
      counter(
        'invitee',
        invitee.email ? `email:${asciiLower(invitee.email)}` : `uid:${invitee.uid}`,
        at,
      ),
    members: (orgId: string, at: Date) => counter('members', orgId, at),
    apiKeys: (uid: string, at: Date) => counter('api_keys', uid, at),
  };
}

export type QuotaCounters = ReturnType<typeof quotaCounters>;

/** The 429 of a quota: which one, and when its window resets. */
export function quotaExceeded(counter: QuotaCounter, used: number, now = new Date()): ApiError {
  const seconds = Math.max(1, Math.ceil((counter.windowEnd.getTime() - now.getTime()) / 1000));
  const left = Math.max(0, counter.limit - used);
  return new ApiError(
    'resource-exhausted',
    `Quota reached: ${QUOTA_RULES[counter.name].text(counter.limit)}` +
      `${left > 0 ? ` (${left} left, fewer than this request needs)` : ''}. ` +
      `It resets at ${iso(counter.windowEnd)}.`,
    { headers: { 'Retry-After': String(seconds) } },
  );
}

/** Refuses `amount` more uses of a counter that has `used` when that passes its limit. */
export function checkQuota(counter: QuotaCounter, used: number, amount: number): void {
  if (amount > 0 && used + amount > counter.limit) throw quotaExceeded(counter, used);
}
