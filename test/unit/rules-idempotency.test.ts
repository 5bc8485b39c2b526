// The Idempotency-Key guard without the emulator, on an in-memory store (the integration tests
// run it on Firestore): answers are sealed, replayed to a retry, and unreadable to another pepper.
import { ApiError } from '../../functions/src/errors';
import { idempotencyGuard } from '../../functions/src/http/idempotency';
import type { HttpReply } from '../../functions/src/http/router';
import type { IdempotencyStore } from '../../functions/src/idempotency/store';
import type { IdempotencyRecord } from '../../functions/src/model/records';

function memoryStore() {
  const records = new Map<string, IdempotencyRecord>();
  const store: IdempotencyStore = {
    claim(id, claim, usable) {
      const found = records.get(id);
      if (found && found.expires_at > claim.created_at && usable(found)) {
        return Promise.resolve(found);
      }
      records.set(id, claim);
      return Promise.resolve(null);
    },
    answer(id, claim, answer) {
      const found = records.get(id);
      if (found?.claim !== claim) return Promise.resolve(false);
      records.set(id, { ...found, ...answer });
      return Promise.resolve(true);
    },
    release(id, claim) {
      if (records.get(id)?.claim !== claim) return Promise.resolve(false);
      records.delete(id);
      return Promise.resolve(true);
    },
  };
  return { store, records };
}

const created: HttpReply = {
  status: 201,
  headers: { ETag: '"1"', Location: '/api/auth/keys/k1', 'Set-Cookie': 'x=1' },
  body: { success: true, data: { key_id: 'k1', key: 'secret-key-value' } },
};

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('resolved');
}

describe('idempotencyGuard', () => {
  const request = {
    uid: 'alice',
    principal: 'alice\nid_token\n',
    key: 'retry-1',
    request: 'POST /auth/keys\n{"name":"ci"}',
  };

  it('runs once, seals the answer, and replays it (API headers only) to a retry', async () => {
    const { store, records } = memoryStore();
    const guard = idempotencyGuard(store, () => 'pepper');
    const produce = jest.fn(() => Promise.resolve(created));
    expect(await guard.run(request, produce)).toEqual(created);
    const [record] = [...records.values()];
    expect(record).toMatchObject({ uid: 'alice', status: 201 });
    expect(record.sealed).toEqual(expect.any(String));
    // Sealed: neither the key nor the body can be read from what is stored.
    const stored = JSON.stringify([...records.entries()]);
    for (const plain of ['secret-key-value', 'retry-1', 'k1', '{"name":"ci"}']) {
      expect(stored).not.toContain(plain);
    }
    const replay = await guard.run(request, produce);
    expect(produce).toHaveBeenCalledTimes(1);
    expect(replay).toEqual({
      status: 201,
      headers: { ETag: '"1"', Location: '/api/auth/keys/k1', 'Idempotent-Replayed': 'true' },
      body: created.body,
    });
  });

  it('refuses the same key with another request, and a retry while the first runs', async () => {
    const { store } = memoryStore();
    const guard = idempotencyGuard(store, () => 'pepper');
    await guard.run(request, () => Promise.resolve(created));
    const other = { ...request, request: 'POST /auth/keys\n{"name":"other"}' };
    expect(await rejection(guard.run(other, () => Promise.resolve(created)))).toMatchObject({
      code: 'failed-precondition',
      message: 'This Idempotency-Key was already used with a different request.',
    });
    let finish: (reply: HttpReply) => void = () => undefined;
    const running = guard.run({ ...request, key: 'slow' }, () => new Promise((r) => (finish = r)));
    const busy = await rejection(
      guard.run({ ...request, key: 'slow' }, () => Promise.resolve(created)),
    );
    expect(busy).toMatchObject({ code: 'failed-precondition', headers: { 'Retry-After': '1' } });
    finish(created);
    expect(await running).toEqual(created);
  });

  it('keys are per user and credential: another uid, or an API key of the same, runs anew', async () => {
    const { store } = memoryStore();
    const guard = idempotencyGuard(store, () => 'pepper');
    await guard.run(request, () => Promise.resolve(created));
    const produce = jest.fn(() => Promise.resolve(created));
    const bob = { ...request, uid: 'bob', principal: 'bob\nid_token\n' };
    expect(await guard.run(bob, produce)).toEqual(created);
    const key = { ...request, principal: 'alice\napi_key\nk2' };
    expect(await guard.run(key, produce)).toEqual(created);
    expect(produce).toHaveBeenCalledTimes(2);
  });

  it('a run whose claim expired neither answers nor frees the claim of the run after it', async () => {
    const { store, records } = memoryStore();
    let now = new Date('2026-01-01T00:00:00Z');
    const guard = idempotencyGuard(
      store,
      () => 'pepper',
      () => now,
    );
    let fail: (error: Error) => void = () => undefined;
    const slow = guard.run(request, () => new Promise((_resolve, reject) => (fail = reject)));
    await Promise.resolve();
    now = new Date('2026-01-01T00:06:00Z');
    let finish: (reply: HttpReply) => void = () => undefined;
    const retry = guard.run(request, () => new Promise((resolve) => (finish = resolve)));
    await Promise.resolve();
    const [claimOfRetry] = [...records.values()].map((record) => record.claim);
    fail(new Error('timed out'));
    await expect(slow).rejects.toThrow('timed out');
    expect([...records.values()].map((record) => record.claim)).toEqual([claimOfRetry]);
    finish(created);
    expect(await retry).toEqual(created);
    expect([...records.values()][0]).toMatchObject({ claim: claimOfRetry, status: 201 });
  });

  it('answers a write whose answer could not be kept', async () => {
    const { store } = memoryStore();
    const guard = idempotencyGuard(
      { ...store, answer: () => Promise.reject(new Error('Firestore is down')) },
      () => 'pepper',
    );
    expect(await guard.run(request, () => Promise.resolve(created))).toEqual(created);
  });

  it('frees the key when the first request fails', async () => {
    const { store, records } = memoryStore();
    const guard = idempotencyGuard(store, () => 'pepper');
    const failure = new ApiError('not-found', 'No organization acme.');
    expect(await rejection(guard.run(request, () => Promise.reject(failure)))).toBe(failure);
    expect(records.size).toBe(0);
    expect(await guard.run(request, () => Promise.resolve(created))).toEqual(created);
  });

  it('an answer sealed under another pepper is as good as none: the request runs again', async () => {
    const { store } = memoryStore();
    await idempotencyGuard(store, () => 'old pepper').run(request, () => Promise.resolve(created));
    const produce = jest.fn(() => Promise.resolve(created));
    expect(await idempotencyGuard(store, () => 'new pepper').run(request, produce)).toEqual(
      created,
    );
    expect(produce).toHaveBeenCalledTimes(1);
  });

  it('replays for a day, then runs again', async () => {
    const { store } = memoryStore();
    let now = new Date('2026-01-01T00:00:00Z');
    const guard = idempotencyGuard(
      store,
      () => 'pepper',
      () => now,
    );
    const produce = jest.fn(() => Promise.resolve(created));
    await guard.run(request, produce);
    now = new Date('2026-01-01T23:59:00Z');
    await guard.run(request, produce);
    expect(produce).toHaveBeenCalledTimes(1);
    now = new Date('2026-01-02T00:01:00Z');
    await guard.run(request, produce);
    expect(produce).toHaveBeenCalledTimes(2);
  });
});
