import type { DocumentSnapshot } from 'firebase-admin/firestore';
import * as z from 'zod';
import { db } from '../firebase';
import { parseStored, runTransaction } from '../firestore';
import { GRPC } from '../grpc';
import { chargeInBatch, counterReads, counterRefs, type CounterRead } from '../limits/quota-store';
import type { QuotaCounter } from '../limits/quotas';

/** An API key as stored in `api_keys/{digest}`: everything but the key itself. */
const apiKeyRecord = z.object({
  key_id: z.string(),
  uid: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(['read', 'write'])),
  prefix: z.string(),
  last4: z.string(),
  created_at: z.date(),
  expires_at: z.date(),
  last_used_at: z.date().nullable(),
  revoked_at: z.date().nullable(),
});
export type ApiKeyRecord = z.output<typeof apiKeyRecord>;

export interface StoredKey {
  digest: string;
  record: ApiKeyRecord;
}

const collection = () => db().collection('api_keys');

function fromSnapshot(snapshot: DocumentSnapshot): StoredKey | null {
  const record = parseStored(apiKeyRecord, snapshot);
  return record ? { digest: snapshot.id, record } : null;
}

/** API keys in Firestore, addressed by their digest: a lookup is one document read, never a scan. */
export const apiKeyStore = {
  /**
   * Creates a key with the quota it uses, in one commit; false when the counter changed since
   * it was read (a concurrent creation: read it again and retry).
   */
  async create(
    digest: string,
    record: ApiKeyRecord,
    charges: { read: CounterRead; amount: number }[] = [],
  ): Promise<boolean> {
    const batch = db().batch();
    chargeInBatch(batch, charges);
    batch.create(collection().doc(digest), record);
    try {
      await batch.commit();
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (charges.length && (code === GRPC.ALREADY_EXISTS || code === GRPC.FAILED_PRECONDITION)) {
        return false;
      }
      throw error;
    }
  },

  /** Quota counters, read in one round trip (alongside `listForUser`). */
  async counters(counters: QuotaCounter[]): Promise<CounterRead[]> {
    if (counters.length === 0) return [];
    return counterReads(counters, await db().getAll(...counterRefs(counters)));
  },

  async get(digest: string): Promise<StoredKey | null> {
    return fromSnapshot(await collection().doc(digest).get());
  },

  /** The user's keys that are not revoked. */
  async listForUser(uid: string): Promise<StoredKey[]> {
    const snapshot = await collection()
      .where('uid', '==', uid)
      .where('revoked_at', '==', null)
      .get();
    return snapshot.docs.flatMap((doc) => fromSnapshot(doc) ?? []);
  },

  async findForUser(uid: string, keyId: string): Promise<StoredKey | null> {
    const snapshot = await collection()
      .where('uid', '==', uid)
      .where('key_id', '==', keyId)
      .limit(1)
      .get();
    return snapshot.empty ? null : fromSnapshot(snapshot.docs[0]);
  },

  async revoke(digest: string, at: Date): Promise<void> {
    await collection().doc(digest).update({ revoked_at: at });
  },

  /**
   * Moves a key's document from one digest to another (a pepper rotation), in one transaction;
   * the key under `to` once moved (also by a concurrent call), or null when there is none.
   */
  async rehome(from: string, to: string): Promise<StoredKey | null> {
    return runTransaction(async (transaction) => {
      const [old, moved] = await transaction.getAll(collection().doc(from), collection().doc(to));
      // Another instance moved it first.
      if (moved.exists) return fromSnapshot(moved);
      const found = fromSnapshot(old);
      if (!found) return null;
      transaction.set(collection().doc(to), old.data()!);
      transaction.delete(old.ref);
      return { digest: to, record: found.record };
    });
  },

  async touch(digest: string, at: Date): Promise<void> {
    await collection().doc(digest).update({ last_used_at: at });
  },
};

export type ApiKeyStore = typeof apiKeyStore;
