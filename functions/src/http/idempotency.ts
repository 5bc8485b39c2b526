import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { ApiError } from '../errors';
import type { IdempotencyStore } from '../idempotency/store';
import { DAY_MS, MINUTE_MS } from '../time';
import type { HttpReply, IdempotencyGuard, IdempotentRequest } from './router';

/** How long an answer is replayed, and how long a crashed first request holds its key. */
const ANSWER_MS = DAY_MS;
const CLAIM_MS = MINUTE_MS;

/** The headers a replay repeats: the API's own, never a cookie. */
const KEPT_HEADERS = ['ETag', 'Location', 'Link'];

interface Sealed {
  headers: Record<string, string>;
  body: unknown;
}

function seal(key: Buffer, answer: Sealed): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const text = Buffer.concat([cipher.update(JSON.stringify(answer)), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), text]).toString('base64');
}

function unseal(key: Buffer, sealed: string): Sealed | null {
  try {
    const bytes = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
    return JSON.parse(text.toString('utf8')) as Sealed;
  } catch {
    return null;
  }
}

/**
 * `Idempotency-Key` on every POST, as Stripe has it: the first request claims the key, runs, and
 * keeps its answer for a day; a retry with the same key and request gets that answer again
 * (`Idempotent-Replayed: true`), one with another request a 409, and one while the first still
 * runs a 409 with `Retry-After`. A failed first request frees the key. Stored: the key's hash,
 * the request's keyed hash, and the answer sealed with a key that needs the Idempotency-Key itself.
 */
export function idempotencyGuard(
  store: IdempotencyStore,
  pepper: () => string,
  now: () => Date = () => new Date(),
): IdempotencyGuard {
  return {
    async run({ uid, key, request }: IdempotentRequest, produce: () => Promise<HttpReply>) {
      const id = createHash('sha256').update(`${uid}\n${key}`).digest('hex');
      const hmac = (text: string) => createHmac('sha256', pepper()).update(text);
      const requestHash = hmac(request).digest('hex');
      const sealKey = hmac(`seal\n${uid}\n${key}`).digest();
      const at = now();
      const found = await store.claim(
        id,
        {
          uid,
          request_hash: requestHash,
          status: null,
          sealed: null,
          created_at: at,
          expires_at: new Date(at.getTime() + CLAIM_MS),
        },
        // An answer that cannot be unsealed (another pepper) is as good as none.
        (record) => record.sealed === null || unseal(sealKey, record.sealed) !== null,
      );
      if (found) {
        if (found.uid !== uid || found.request_hash !== requestHash) {
          throw new ApiError(
            'failed-precondition',
            'This Idempotency-Key was already used with a different request.',
          );
        }
        const answer = found.sealed === null ? null : unseal(sealKey, found.sealed);
        if (found.status === null || answer === null) {
          throw new ApiError(
            'failed-precondition',
            'A request with this Idempotency-Key is still running: retry shortly.',
            { headers: { 'Retry-After': '1' } },
          );
        }
        return {
          status: found.status,
          headers: { ...answer.headers, 'Idempotent-Replayed': 'true' },
          body: answer.body,
        };
      }
      let reply: HttpReply;
      try {
        reply = await produce();
      } catch (error) {
        await store.release(id);
        throw error;
      }
      const headers = Object.fromEntries(
        Object.entries(reply.headers).filter(([name]) => KEPT_HEADERS.includes(name)),
      );
      await store.answer(id, {
        status: reply.status,
        sealed: seal(sealKey, { headers, body: reply.body }),
        expires_at: new Date(now().getTime() + ANSWER_MS),
      });
      return reply;
    },
  };
}
