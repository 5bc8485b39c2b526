// Counts the Firestore round trips and document reads a piece of work makes, by spying on the
// real client's entry points (nothing is mocked: every call goes through to the emulator).
import { DocumentReference, Firestore, Query, WriteBatch } from 'firebase-admin/firestore';

export interface FirestoreUse {
  /** `getAll` calls (a `DocumentReference.get` is one too) and their document counts. */
  getAll: number[];
  /** Query `get` calls and the documents each returned. */
  queries: number[];
  commits: number;
  transactions: number;
}

export async function meterFirestore(work: () => Promise<unknown>): Promise<FirestoreUse> {
  const getAll = jest.spyOn(Firestore.prototype, 'getAll');
  const query = jest.spyOn(Query.prototype, 'get');
  const commit = jest.spyOn(WriteBatch.prototype, 'commit');
  const transaction = jest.spyOn(Firestore.prototype, 'runTransaction');
  try {
    await work();
    const sizes = await Promise.all(
      query.mock.results.map(async (result) => ((await result.value) as { size: number }).size),
    );
    return {
      getAll: getAll.mock.calls.map(
        (args) => args.filter((arg) => arg instanceof DocumentReference).length,
      ),
      queries: sizes,
      commits: commit.mock.calls.length,
      transactions: transaction.mock.calls.length,
    };
  } finally {
    [getAll, query, commit, transaction].forEach((spy) => spy.mockRestore());
  }
}
