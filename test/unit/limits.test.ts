// The abuse limits' pure rules (functions/src/limits/): the environment's settings and the quota
// counters' windows, ids and refusals. The limits in action: test/integration/limits.test.ts.
import { limitsFrom, limitsWith } from '../../functions/src/limits/config';
import { checkQuota, quotaCounters } from '../../functions/src/limits/quotas';

describe('the limits of an environment', () => {
  it('has the documented defaults', () => {
    expect(limitsFrom({})).toEqual({
      rates: {
        windowMs: 60_000,
        reads: 600,
        writes: 120,
        anonymous: 60,
        authFailures: 20,
        signIns: 30,
        exemptAdmins: false,
        enabled: true,
      },
      quotas: {
        organizationsPerUserPerDay: 20,
        invitationsPerOrganizationPerDay: 200,
        invitationsPerInviteePerDay: 5,
        membersPerOrganizationPerHour: 1000,
        apiKeysPerUserPerDay: 20,
      },
    });
  });

  it('takes each from its variable', () => {
    const limits = limitsFrom({
      RATE_LIMIT_READS_PER_MINUTE: '1000',
      RATE_LIMIT_EXEMPT_ADMINS: 'true',
      QUOTA_API_KEYS_PER_USER_PER_DAY: ' 3 ',
    });
    expect(limits.rates.reads).toBe(1000);
    expect(limits.rates.exemptAdmins).toBe(true);
    expect(limits.quotas.apiKeysPerUserPerDay).toBe(3);
  });

  it('refuses a value that is not a whole number of at least 1, naming the variable', () => {
    expect(() => limitsFrom({ RATE_LIMIT_WRITES_PER_MINUTE: '0' })).toThrow(
      'RATE_LIMIT_WRITES_PER_MINUTE is "0": it must be a whole number of at least 1.',
    );
    expect(() => limitsFrom({ QUOTA_ORGANIZATIONS_PER_USER_PER_DAY: '2.5' })).toThrow(
      'QUOTA_ORGANIZATIONS_PER_USER_PER_DAY is "2.5": it must be a whole number of at least 1.',
    );
  });

  it('lets an app override any part', () => {
    const base = limitsFrom({});
    const limits = limitsWith({ rates: { reads: 5 }, quotas: { apiKeysPerUserPerDay: 1 } }, base);
    expect(limits.rates).toEqual({ ...base.rates, reads: 5 });
    expect(limits.quotas).toEqual({ ...base.quotas, apiKeysPerUserPerDay: 1 });
  });
});

describe('quota counters', () => {
  const counters = quotaCounters(limitsFrom({}).quotas);
  const at = new Date('2026-12-02T13:45:10.000Z');

  it('count in fixed UTC windows: days, and hours for members', () => {
    const day = counters.organizations('uid-1', at);
    expect([day.windowStart.toISOString(), day.windowEnd.toISOString()]).toEqual([
      '2026-12-02T00:00:00.000Z',
      '2026-12-03T00:00:00.000Z',
    ]);
    const hour = counters.members('acme', at);
    expect([hour.windowStart.toISOString(), hour.windowEnd.toISOString()]).toEqual([
      '2026-12-02T13:00:00.000Z',
      '2026-12-02T14:00:00.000Z',
    ]);
    expect(hour.limit).toBe(1000);
  });

  it('name a subject by a digest, the same for an address in any ASCII case, another per window', () => {
    const upper = counters.invitee({ email: 'Someone@Example.com' }, at);
    const lower = counters.invitee({ email: 'someone@example.com' }, at);
    expect(upper.id).toBe(lower.id);
    expect(upper.id).toMatch(/^invitee-[0-9a-f]{32}-1796169600000$/);
    expect(upper.id).not.toContain('example');
    expect(counters.invitee({ uid: 'someone@example.com' }, at).id).not.toBe(upper.id);
    const tomorrow = new Date(at.getTime() + 86_400_000);
    expect(counters.invitee({ email: 'someone@example.com' }, tomorrow).id).not.toBe(upper.id);
  });

  it('refuse what would pass the limit, with the quota and its reset in the message', () => {
    const counter = counters.apiKeys('uid-1', at);
    expect(() => checkQuota(counter, 19, 1)).not.toThrow();
    expect(() => checkQuota(counter, 20, 0)).not.toThrow();
    let refusal: unknown;
    try {
      checkQuota(counter, 20, 1);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({
      code: 'resource-exhausted',
      status: 429,
      message:
        'Quota reached: 20 API keys created per user per day. It resets at 2026-12-03T00:00:00.000Z.',
    });
    expect(() => checkQuota(counters.invitations('acme', at), 199, 2)).toThrow(
      'Quota reached: 200 invitations and resends per organization per day (1 left, fewer than this request needs). It resets at 2026-12-03T00:00:00.000Z.',
    );
  });
});
