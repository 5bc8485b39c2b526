// The parts of webhook delivery that need no emulator: signatures (checked with the
// `standardwebhooks` package), the SSRF address checks, the retry schedule, event ids.
import { Webhook } from 'standardwebhooks';
import type { LookupAddress } from 'node:dns';
import { eventsSettleMs } from '../../functions/src/webhooks/config';
import { guardedLookup, post } from '../../functions/src/webhooks/delivery';
import { eventId, eventIdBound } from '../../functions/src/webhooks/events';
import {
  newSigningSecret,
  nextRetryAt,
  retryConfig,
  sign,
} from '../../functions/src/webhooks/queue';
import { isBlockedAddress, urlProblem } from '../../functions/src/webhooks/ssrf';

describe('webhook signatures', () => {
  it('are Standard Webhooks signatures: the package verifies them, and only under the secret', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ id: 'evt_1', type: 'organization.updated' });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(secret, 'evt_1', timestamp, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });

  it('two signatures (after a rotation) verify under either secret', () => {
    const [fresh, old] = [newSigningSecret(), newSigningSecret()];
    const body = '{"id":"evt_2"}';
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'evt_2',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': [fresh, old].map((s) => sign(s, 'evt_2', timestamp, body)).join(' '),
    };
    expect(new Webhook(fresh).verify(body, headers)).toEqual({ id: 'evt_2' });
    expect(new Webhook(old).verify(body, headers)).toEqual({ id: 'evt_2' });
  });
});

describe('SSRF checks', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '224.0.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::7f00:1',
    '::ffff:0:7f00:1',
  ])('blocks %s', (address) => expect(isBlockedAddress(address)).toBe(true));

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => expect(isBlockedAddress(address)).toBe(false),
  );

  it('refuses http, credentials, metadata hosts and blocked literals; loopback only when allowed', () => {
    delete process.env.WEBHOOKS_ALLOW_LOOPBACK;
    expect(urlProblem('http://hooks.example.com/')).toBe('must be https.');
    expect(urlProblem('https://user:pw@hooks.example.com/')).toBe('must not carry credentials.');
    expect(urlProblem('https://metadata.google.internal/')).toBe(
      'must not point to a local or metadata host.',
    );
    expect(urlProblem('https://[::1]/x')).toMatch(/^must not point to a loopback/);
    expect(urlProblem('http://127.0.0.1:9000/x')).toBe('must be https.');
    expect(urlProblem('https://hooks.example.com/x')).toBeNull();
    process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
    try {
      expect(urlProblem('http://127.0.0.1:9000/x')).toBeNull();
      expect(urlProblem('http://localhost:9000/x')).toBeNull();
      expect(urlProblem('http://10.0.0.1:9000/x')).toBe('must be https.');
    } finally {
      delete process.env.WEBHOOKS_ALLOW_LOOPBACK;
    }
  });
});

describe('retries', () => {
  it('8 attempts over about 24 hours in production', () => {
    expect(retryConfig().maxAttempts).toBe(8);
    const at = new Date(0);
    const waits = [1, 2, 3, 4, 5, 6, 7].map(
      (attempt) => nextRetryAt(attempt, at)!.getTime() / 1000,
    );
    expect(waits).toEqual([900, 1800, 3600, 7200, 14400, 28800, 28800]);
    const total = waits.reduce((sum, wait) => sum + wait, 0) / 3600;
    expect(total).toBeGreaterThan(22);
    expect(total).toBeLessThan(25);
    expect(nextRetryAt(8, at)).toBeNull();
  });
});

describe('event ids', () => {
  it('sort by time, also within one millisecond', () => {
    const at = new Date();
    const ids = [eventId(at), eventId(at), eventId(new Date(at.getTime() + 1))];
    expect(ids.every((id) => /^evt_[0-9a-z]{20}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('after= replay cut-off', () => {
  it('the bound of a millisecond is above every earlier event id and at most any later one', () => {
    const at = new Date(Date.UTC(2026, 11, 2, 7, 0, 0, 500));
    const bound = eventIdBound(at);
    const before = [eventId(new Date(at.getTime() - 1)), eventId(new Date(at.getTime() - 1))];
    const after = [eventId(at), eventId(at), eventId(new Date(at.getTime() + 1))];
    expect(before.every((id) => id < bound)).toBe(true);
    expect(after.every((id) => id >= bound)).toBe(true);
  });

  it('the settle window is 60 s unless EVENTS_SETTLE_SECONDS says otherwise', () => {
    expect(eventsSettleMs({})).toBe(60_000);
    expect(eventsSettleMs({ EVENTS_SETTLE_SECONDS: '0' })).toBe(0);
    expect(eventsSettleMs({ EVENTS_SETTLE_SECONDS: ' 2.5 ' })).toBe(2500);
    expect(() => eventsSettleMs({ EVENTS_SETTLE_SECONDS: '-1' })).toThrow(
      'EVENTS_SETTLE_SECONDS is "-1", which is not a number of seconds ≥ 0.',
    );
    expect(() => eventsSettleMs({ EVENTS_SETTLE_SECONDS: 'soon' })).toThrow(
      'EVENTS_SETTLE_SECONDS is "soon"',
    );
  });
});

describe('delivery-time DNS check', () => {
  /** A resolver answering `addresses` for every host (what DNS says at delivery time). */
  const resolving =
    (...addresses: string[]) =>
    (
      _host: string,
      _options: { all: true },
      callback: (error: NodeJS.ErrnoException | null, found: LookupAddress[]) => void,
    ) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );

  const lookUp = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; found: unknown }>((resolve) =>
      lookup('hooks.example.com', { all }, (error, found) => resolve({ error, found })),
    );

  it('passes a public address and refuses a host that now resolves to a blocked one', async () => {
    const fine = await lookUp(guardedLookup(resolving('93.184.215.14')), false);
    expect(fine).toEqual({ error: null, found: '93.184.215.14' });
    const all = await lookUp(guardedLookup(resolving('93.184.215.14', '2606:2800:21f::1')), true);
    expect(all.found).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f::1', family: 6 },
    ]);
    // One blocked address among public ones is enough to refuse (a rebinding answer).
    for (const addresses of [['10.0.0.8'], ['93.184.215.14', '169.254.169.254'], ['::1'], []]) {
      const refused = await lookUp(guardedLookup(resolving(...addresses)), true);
      expect({ addresses, code: refused.error?.code, message: refused.error?.message }).toEqual({
        addresses,
        code: 'EBLOCKED',
        message: 'hooks.example.com resolves to a blocked address.',
      });
    }
  });

  it('a delivery POST to a host that resolves to a blocked address is never sent', async () => {
    delete process.env.WEBHOOKS_ALLOW_LOOPBACK;
    const hosts: string[] = [];
    const attempt = await post(
      'https://hooks.example.com/receive',
      { 'content-type': 'application/json' },
      '{}',
      (host, options, callback) => {
        hosts.push(host);
        resolving('127.0.0.1')(host, options, callback);
      },
    );
    expect(hosts).toEqual(['hooks.example.com']);
    expect(attempt).toEqual({
      status: null,
      error: 'hooks.example.com resolves to a blocked address.',
      durationMs: expect.any(Number),
    });
  });
});
