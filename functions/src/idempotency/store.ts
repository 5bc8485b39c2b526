import type { Transaction } from 'firebase-admin/firestore';
import { db } from '../firebase';
import { parseStored, runTransaction } from '../firestore';
import { idempotencyRecord, type IdempotencyRecord } from '../model/records';

const ref = (id: string) => db().collection('idempotency_keys').doc(id);

/** Runs `write` in a transaction if the record still holds `claim`; says whether it did. */
async function holding(
  id: string,
  claim: string,
  write: (transaction: Transaction) => void,
): Promise<boolean> {
  return runTransaction(async (transaction) => {
    const found = parseStored(idempotencyRecord, await transaction.get(ref(id)));
    if (found?.claim !== claim) return false;
    write(transaction);
    return true;
  });
}

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
    return runTransaction(async (transaction) => {
      const found = parseStored(idempotencyRecord, await transaction.get(ref(id)));
      if (found && found.expires_at > claim.created_at && usable(found)) return found;
      transaction.set(ref(id), claim);
      return null;
    });
  },

  /** Keeps the answer of the run that holds the claim `claim`; false if another run took it. */
  async answer(
    id: string,
    claim: string,
    answer: Pick<IdempotencyRecord, 'status' | 'sealed' | 'expires_at'>,
  ): Promise<boolean> {
    return holding(id, claim, (transaction) => transaction.update(ref(id), answer));
  },

  /** Frees the id of a run that failed, so that a retry runs it again (unless another took it). */
  async release(id: string, claim: string): Promise<boolean> {
    return holding(id, claim, (transaction) => transaction.delete(ref(id)));
  },
};

export type IdempotencyStore = typeof idempotencyStore;
