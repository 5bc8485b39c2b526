import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import * as logger from 'firebase-functions/logger';
import { ApiError } from '../errors';
import type { IdempotencyStore } from '../idempotency/store';
import { DAY_MS, MINUTE_MS } from '../time';
import type { HttpReply, IdempotencyGuard, IdempotentRequest } from './router';

/**
 * How long an answer is replayed, and how long a first request holds its key: longer than a
 * request may run (the function's timeout, 60 s), so that a claim outlives its run.
 */
const ANSWER_MS = DAY_MS;
const CLAIM_MS = 5 * MINUTE_MS;

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
    async run(
      { uid, principal, key, request }: IdempotentRequest,
      produce: () => Promise<HttpReply>,
    ) {
      // The key is the caller's, per credential: an API key cannot replay what an ID token got.
      const id = createHash('sha256').update(`${principal}\n${key}`).digest('hex');
      // Each use of the pepper under its own label, apart from its use for API-key digests.
      const hmac = (label: string, text: string) =>
        createHmac('sha256', pepper()).update(`idempotency-${label}\n${text}`);
      const requestHash = hmac('request', request).digest('hex');
      const sealKey = hmac('seal', `${principal}\n${key}`).digest();
      const claim = randomBytes(16).toString('hex');
      const at = now();
      const found = await store.claim(
        id,
        {
          uid,
          claim,
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
        if (found.request_hash !== requestHash) {
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
        await store.release(id, claim);
        throw error;
      }
      const headers = Object.fromEntries(
        Object.entries(reply.headers).filter(([name]) => KEPT_HEADERS.includes(name)),
      );
      try {
        await store.answer(id, claim, {
          status: reply.status,
          sealed: seal(sealKey, { headers, body: reply.body }),
          expires_at: new Date(now().getTime() + ANSWER_MS),
        });
      } catch (error) {
        // The write happened: answer it. A retry gets a 409 until the claim expires.
        logger.warn('Could not keep an idempotent answer', { error: String(error) });
      }
      return reply;
    },
  };
}
