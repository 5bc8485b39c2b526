import type {
  DocumentReference,
  DocumentSnapshot,
  Timestamp,
  Transaction,
  WriteBatch,
} from 'firebase-admin/firestore';
import * as z from 'zod';
import { db } from '../firebase';
import { parseStored } from '../firestore';
import { checkQuota, type QuotaCounter } from './quotas';

/**
 * `quota_counters/{quota}-{subject digest}-{window start}`: the uses of one quota by one subject
 * in one fixed window. A TTL policy on `expires_at` deletes it once its window is over. Each
 * counter is written only with the action it counts, whose own documents (the organization, the
 * key, the invitation) take the same write: it never limits throughput below what they allow.
 */
export const QUOTA_COLLECTION = 'quota_counters';

const counterRecord = z.object({
  quota: z.string(),
  count: z.number().int().nonnegative(),
  window_start: z.date(),
  expires_at: z.date(),
});

const counterRef = (counter: QuotaCounter): DocumentReference =>
  db().collection(QUOTA_COLLECTION).doc(counter.id);

/** What a counter has used in its window, from its snapshot (none yet: 0). */
function usedOf(snapshot: DocumentSnapshot): number {
  return parseStored(counterRecord, snapshot)?.count ?? 0;
}

function counterDocument(counter: QuotaCounter, count: number) {
  return {
    quota: counter.name,
    count,
    window_start: counter.windowStart,
    expires_at: counter.windowEnd,
  };
}

/** A counter as a batch read it: its uses, and the version a batched write must still find. */
export interface CounterRead {
  counter: QuotaCounter;
  used: number;
  /** The snapshot's update time; null when the counter does not exist yet. */
  updateTime: Timestamp | null;
}

/** The references of counters, to read with an action's own `getAll`. */
export const counterRefs = (counters: QuotaCounter[]) => counters.map(counterRef);

/** Counters as read by an action's own `getAll` (same order as `counters`). */
export function counterReads(
  counters: QuotaCounter[],
  snapshots: DocumentSnapshot[],
): CounterRead[] {
  return counters.map((counter, i) => ({
    counter,
    used: usedOf(snapshots[i]),
    updateTime: snapshots[i].exists ? (snapshots[i].updateTime ?? null) : null,
  }));
}

/**
 * Charges counters in a batch (an action that commits one batch, not a transaction): checks each
 * against its quota, then writes it on the condition that nobody changed it since it was read. A
 * concurrent charge makes the whole commit fail (ALREADY_EXISTS or FAILED_PRECONDITION), and the
 * action reads again: the quota holds exactly, as in a transaction, without holding locks.
 */
export function chargeInBatch(batch: WriteBatch, charges: { read: CounterRead; amount: number }[]) {
  for (const { read, amount } of charges) checkQuota(read.counter, read.used, amount);
  for (const { read, amount } of charges) {
    if (amount <= 0) continue;
    const data = counterDocument(read.counter, read.used + amount);
    if (read.updateTime) {
      batch.update(counterRef(read.counter), data, { lastUpdateTime: read.updateTime });
    } else {
      batch.create(counterRef(read.counter), data);
    }
  }
}

/**
 * The quotas of one transaction: counters read along with the transaction's own first read
 * (`remember`), charged as the action decides (`charge`: checked, then written in its commit).
 * A counter charged without having been read is read then: one more round trip.
 */
export function transactionQuotas(transaction: Transaction) {
  const used = new Map<string, number>();
  return {
    refs: counterRefs,
    remember(counters: QuotaCounter[], snapshots: DocumentSnapshot[]) {
      counters.forEach((counter, i) => used.set(counter.id, usedOf(snapshots[i])));
    },
    async charge(counter: QuotaCounter, amount: number): Promise<void> {
      if (amount <= 0) return;
      const before = used.get(counter.id) ?? usedOf(await transaction.get(counterRef(counter)));
      checkQuota(counter, before, amount);
      used.set(counter.id, before + amount);
      transaction.set(counterRef(counter), counterDocument(counter, before + amount));
    },
  };
}

export type TransactionQuotas = ReturnType<typeof transactionQuotas>;

/** The uses of counters, for the caller's own quotas (`GET /limits`): one read of them all. */
export async function readCounters(counters: QuotaCounter[]): Promise<number[]> {
  if (counters.length === 0) return [];
  const snapshots = await db().getAll(...counterRefs(counters));
  return snapshots.map(usedOf);
}
