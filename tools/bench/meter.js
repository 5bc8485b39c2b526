// Counts the Firestore round trips, document reads and writes, and the Firebase Auth calls that a
// piece of work makes, by wrapping the real clients' entry points (the approach of
// test/helpers/firestore-meter.ts): nothing is mocked, every call goes through to the emulators.
// `DocumentReference.get` goes through `Firestore.getAll`, and `DocumentReference.create/update`
// through `WriteBatch.commit`, so each round trip is counted once.
'use strict';

const { functionsRequire } = require('./paths');

const { DocumentReference, Firestore, Query, Transaction, WriteBatch } = functionsRequire(
  'firebase-admin/firestore',
);
const { BaseAuth } = functionsRequire('firebase-admin/auth');

/** Auth calls that are one round trip to Firebase Auth each. */
const AUTH_METHODS = ['getUser', 'getUsers', 'getUserByEmail', 'setCustomUserClaims'];

let current = null;

const refsOf = (args) => args.filter((arg) => arg instanceof DocumentReference);

/** Wraps `proto[name]`; `record(use, self, args, result)` runs for calls made while metering. */
function wrap(proto, name, record) {
  const original = proto[name];
  proto[name] = function metered(...args) {
    const use = current;
    const result = original.apply(this, args);
    if (use) record(use, this, args, result);
    return result;
  };
}

function readOp(use, kind, refs) {
  use.ops.push({ kind, reads: refs.length, paths: refs.map((ref) => ref.path) });
}

function queryOp(use, kind, result, path) {
  const op = { kind, reads: 0, paths: [path] };
  use.ops.push(op);
  use.pending.push(
    Promise.resolve(result).then(
      (snapshot) => {
        op.reads = typeof snapshot?.size === 'number' ? snapshot.size : 1;
      },
      () => {},
    ),
  );
}

function commitOp(use, kind, ops) {
  use.ops.push({ kind, reads: 0, writes: ops.length, paths: ops.map((op) => op.docPath) });
}

const queryPath = (query) => query._queryOptions?.collectionId ?? 'query';

wrap(Firestore.prototype, 'getAll', (use, _self, args) => readOp(use, 'getAll', refsOf(args)));
wrap(Query.prototype, 'get', (use, self, _args, result) =>
  queryOp(use, 'query', result, queryPath(self)),
);
wrap(WriteBatch.prototype, 'commit', (use, self) => commitOp(use, 'commit', self._ops ?? []));
wrap(Firestore.prototype, 'runTransaction', (use) => {
  use.transactions += 1;
});
wrap(Transaction.prototype, 'get', (use, _self, [refOrQuery], result) => {
  if (refOrQuery instanceof DocumentReference) readOp(use, 'tx.get', [refOrQuery]);
  else queryOp(use, 'tx.query', result, queryPath(refOrQuery));
});
wrap(Transaction.prototype, 'getAll', (use, _self, args) => readOp(use, 'tx.getAll', refsOf(args)));
// Internal: runTransaction commits through it (not through WriteBatch.commit), once per attempt.
wrap(Transaction.prototype, 'commit', (use, self) => {
  const ops = self._writeBatch?._ops ?? [];
  if (ops.length || self._transactionIdPromise) commitOp(use, 'tx.commit', ops);
});
for (const method of AUTH_METHODS) {
  wrap(BaseAuth.prototype, method, (use) => {
    use.auth.push(method);
  });
}

/**
 * Runs `work` with every Firestore and Auth call it makes counted. Work must not overlap with
 * other metered work (the benchmark sends one request at a time).
 */
async function metered(work) {
  const use = { ops: [], auth: [], transactions: 0, pending: [] };
  const previous = current;
  current = use;
  let result;
  try {
    result = await work();
  } finally {
    current = previous;
  }
  await Promise.all(use.pending);
  return { result, cost: summarize(use) };
}

const isKeyPath = (path) => path.startsWith('api_keys/');

function summarize(use) {
  const reads = use.ops.reduce((sum, op) => sum + op.reads, 0);
  return {
    roundTrips: use.ops.length,
    queries: use.ops.filter((op) => op.kind.endsWith('query')).length,
    reads,
    commits: use.ops.filter((op) => op.kind.endsWith('commit')).length,
    writes: use.ops.reduce((sum, op) => sum + (op.writes ?? 0), 0),
    transactions: use.transactions,
    auth: use.auth.length,
    /** Reads of `api_keys/*`: the API key verified against Firestore (not from the cache). */
    keyReads: use.ops
      .filter((op) => !op.kind.endsWith('commit'))
      .reduce((sum, op) => sum + op.paths.filter(isKeyPath).length, 0),
    /** Commits writing `api_keys/*`: the key's `last_used_at` recorded. */
    keyWrites: use.ops.filter((op) => op.kind.endsWith('commit') && op.paths.some(isKeyPath))
      .length,
    calls: [
      ...use.ops.map((op) => (op.writes === undefined ? `${op.kind}(${op.reads})` : op.kind)),
      ...use.auth.map((method) => `auth.${method}`),
    ],
  };
}

module.exports = { metered };
