import type { Caller } from '../auth/caller';
import { iso } from '../time';
import type { Limits } from './config';
import { readCounters } from './quota-store';
import { QUOTA_RULES, quotaCounters, type QuotaName } from './quotas';

const SCOPES: Record<QuotaName, 'user' | 'organization' | 'invitee'> = {
  organizations: 'user',
  api_keys: 'user',
  invitations: 'organization',
  invitee: 'invitee',
  members: 'organization',
};

/** What `GET /limits` tells a caller: the rate limits that apply to them, and their quotas. */
export function createLimitsService(limits: Limits, now: () => Date = () => new Date()) {
  const counters = quotaCounters(limits.quotas);
  return {
    async forCaller(caller: Caller) {
      const at = now();
      // The caller's own counters, in one read; the others count per organization or invitee.
      const own = [counters.organizations(caller.uid, at), counters.apiKeys(caller.uid, at)];
      const used = await readCounters(own);
      const usedOf = new Map(own.map((counter, i) => [counter.name, used[i]]));
      const samples = {
        organizations: own[0],
        api_keys: own[1],
        invitations: counters.invitations('-', at),
        invitee: counters.invitee({ uid: '-' }, at),
        members: counters.members('-', at),
      };
      const exempt = limits.rates.exemptAdmins && caller.admin;
      return {
        rate_limits: {
          counted_per: caller.key_id ? ('api_key' as const) : ('user' as const),
          window_seconds: Math.ceil(limits.rates.windowMs / 1000),
          reads: exempt ? null : limits.rates.reads,
          writes: exempt ? null : limits.rates.writes,
          anonymous_per_address: limits.rates.anonymous,
          failed_authentications_per_address: limits.rates.authFailures,
          sign_ins_per_address: limits.rates.signIns,
        },
        quotas: (Object.keys(samples) as QuotaName[]).map((name) => {
          const counter = samples[name];
          const spent = usedOf.get(name);
          return {
            name,
            description: QUOTA_RULES[name].text(counter.limit),
            per: SCOPES[name],
            limit: counter.limit,
            window_seconds: (counter.windowEnd.getTime() - counter.windowStart.getTime()) / 1000,
            used: spent ?? null,
            remaining: spent === undefined ? null : Math.max(0, counter.limit - spent),
            resets_at: iso(counter.windowEnd),
          };
        }),
      };
    },
  };
}

export type LimitsService = ReturnType<typeof createLimitsService>;
