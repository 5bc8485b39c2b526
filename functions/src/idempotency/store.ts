import { db } from '../firebase';
import { parseStored } from '../firestore';
import { idempotencyRecord, type IdempotencyRecord } from '../model/records';

const ref = (id: string) => db().collection('idempotency_keys').doc(id);

/** `idempotency_keys/{id}`: claims, answers and releases of keyed requests. */
export const idempotencyStore = {
  /**
   * Claims the id for a request in one transaction: writes `claim` and answers null when no live,
   * usable record holds it (none, expired, unreadable), else answers that record.
   */
  async claim(
    id: string,
    claim: IdempotencyRecord,
    usable: (record: IdempotencyRecord) => boolean,
  ): Promise<IdempotencyRecord | null> {
    return db().runTransaction(async (transaction) => {
      const found = parseStored(idempotencyRecord, await transaction.get(ref(id)));
      if (found && found.expires_at > claim.created_at && usable(found)) return found;
      transaction.set(ref(id), claim);
      return null;
    });
  },

  /** Keeps the answer of the request that holds the claim. */
  async answer(id: string, answer: Pick<IdempotencyRecord, 'status' | 'sealed' | 'expires_at'>) {
    await ref(id).update(answer);
  },

  /** Frees the id of a request that failed, so that a retry runs it again. */
  async release(id: string): Promise<void> {
    await ref(id).delete();
  },
};

export type IdempotencyStore = typeof idempotencyStore;
