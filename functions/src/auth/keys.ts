import { createHmac, randomBytes } from 'node:crypto';

/** Every API key starts with this, so that a leaked key is recognizable (and scannable). */
export const KEY_PREFIX = 'orgk_';

/** A new API key: the prefix and 256 random bits, base64url. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function looksLikeKey(credential: string): boolean {
  return credential.startsWith(KEY_PREFIX);
}

/** The key's HMAC-SHA256 under the server pepper, hex: the only form in which a key is stored. */
export function keyDigest(key: string, pepper: string): string {
  return createHmac('sha256', pepper).update(key).digest('hex');
}

/** A short public id for a key, safe to show and to use in URLs. */
export function generateKeyId(): string {
  return randomBytes(9).toString('base64url');
}
