import type { DocumentSnapshot, Transaction } from 'firebase-admin/firestore';
import * as logger from 'firebase-functions/logger';
import * as z from 'zod';
import { db, firestoreSdk } from './firebase';
import { ApiError } from './errors';
import { GRPC } from './grpc';

/** Runs of a transaction the server closed under it, before the error is let through. */
const CLOSED_TRANSACTION_ATTEMPTS = 3;

/**
 * `db().runTransaction`, also run again when the server closed the transaction under it. The
 * client runs a transaction again on ABORTED, and on INVALID_ARGUMENT only as production words an
 * expired transaction ("transaction has expired"); the Firestore emulator words a transaction it
 * dropped under contention "Transaction is invalid or closed." (the model-based suite's concurrent
 * batches met it as a 500). A closed transaction wrote nothing, so running it again is what the
 * client does for ABORTED.
 */
export async function runTransaction<T>(
  work: (transaction: Transaction) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db().runTransaction(work);
    } catch (error) {
      const { code, details } = error as { code?: unknown; details?: unknown };
      const closed =
        code === GRPC.INVALID_ARGUMENT && details === 'Transaction is invalid or closed.';
      if (!closed || attempt >= CLOSED_TRANSACTION_ATTEMPTS) throw error;
    }
  }
}

/**
 * A Firestore document's data with its top-level `Timestamp`s as `Date`s: stores hand services
 * plain values, and services never see a Firestore type.
 */
function withDates<T>(data: FirebaseFirestore.DocumentData): T {
  const { Timestamp } = firestoreSdk();
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    out[key] = value instanceof Timestamp ? value.toDate() : value;
  }
  return out as T;
}

/**
 * A stored document parsed with its schema. One that does not match (written by an older version,
 * or by hand) is skipped: logged with its path and the failing fields, never its values, and read
 * as absent, so a bad document cannot turn a request into a 500 or show through.
 */
export function parseStored<S extends z.ZodType>(
  schema: S,
  snapshot: DocumentSnapshot,
): z.output<S> | null {
  const value = snapshot.data();
  if (!value) return null;
  const result = schema.safeParse(withDates(value));
  if (result.success) return result.data;
  logger.warn('Skipped a stored document that does not match its schema.', {
    path: snapshot.ref.path,
    issues: result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`),
  });
  return null;
}

/** Every document of a query result that parses; the others are skipped (see `parseStored`). */
export function parseAll<S extends z.ZodType>(
  schema: S,
  snapshots: DocumentSnapshot[],
): z.output<S>[] {
  return snapshots.flatMap((snapshot) => {
    const parsed = parseStored(schema, snapshot);
    return parsed === null ? [] : [parsed];
  });
}

/**
 * Whether a collection-group result is at `organizations/{organization_id}/{collection}/{id}` and
 * nowhere else: the one place the API writes such documents. A document of that collection name
 * anywhere deeper (which the rules no longer let a client write, but a database may still hold) is
 * never trusted.
 */
export function isOrganizationChild(
  snapshot: DocumentSnapshot,
  collection: string,
  organizationId: unknown,
  id: unknown,
): boolean {
  const segments = snapshot.ref.path.split('/');
  return (
    segments.length === 4 &&
    segments[0] === 'organizations' &&
    segments[1] === organizationId &&
    segments[2] === collection &&
    segments[3] === id
  );
}

/** Where a page ended: the sort value and the document id of its last item. */
export interface PagePosition {
  value: string | Date;
  id: string;
}

const cursorSchema = z.strictObject({
  l: z.string(),
  v: z.union([z.string(), z.number()]),
  t: z.literal(1).optional(),
  id: z.string(),
});

/**
 * Any id Firestore takes for a document: no `/`, not `.` or `..`, not `__…__`, at most 1,500
 * bytes. For lists whose ids the API does not choose itself (automatic ids).
 */
export const documentIdSchema = z
  .string()
  .min(1)
  .refine(
    (id) =>
      !id.includes('/') &&
      id !== '.' &&
      id !== '..' &&
      !/^__.*__$/.test(id) &&
      Buffer.byteLength(id) <= 1500,
    'Not a document id.',
  );

/** The list a cursor belongs to: its name (with what it is sorted by), and its ids and values. */
export interface CursorSpec {
  /** Names the list, its sort field and direction, e.g. `team:acme:name:asc`. */
  list: string;
  /** The document ids of the list (a cursor's id becomes a `startAfter` document id). */
  id: z.ZodType<string>;
  value: 'string' | 'date';
}

/** An opaque cursor for a position in one list (base64url JSON; dates travel as ISO strings). */
export function encodeCursor(position: PagePosition, list: string): string {
  const isDate = position.value instanceof Date;
  const value = isDate ? (position.value as Date).toISOString() : position.value;
  return Buffer.from(
    JSON.stringify({ l: list, v: value, ...(isDate ? { t: 1 } : {}), id: position.id }),
  ).toString('base64url');
}

/**
 * The position a cursor names. A cursor that did not come from this very list (another list, an
 * id this list cannot hold, a value of the wrong type) is a 400 naming `cursor`, never a query.
 */
export function decodeCursor(cursor: string, spec: CursorSpec): PagePosition {
  const refuse = () =>
    new ApiError('invalid-argument', 'The cursor is not one this API returned.', {
      details: [{ path: 'cursor', message: 'Not a valid cursor.' }],
    });
  let parsed: z.output<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw refuse();
  }
  if (parsed.l !== spec.list || !spec.id.safeParse(parsed.id).success) throw refuse();
  if (spec.value === 'date') {
    const value = new Date(parsed.v);
    if (parsed.t !== 1 || typeof parsed.v !== 'string' || Number.isNaN(value.getTime()))
      throw refuse();
    return { value, id: parsed.id };
  }
  if (parsed.t !== undefined || typeof parsed.v !== 'string') throw refuse();
  return { value: parsed.v, id: parsed.id };
}

/**
 * Where the page after a query's results starts, or null on the last page. The query read one
 * document more than the page (`limit + 1`); the position is that of the page's last document
 * *read*, parsed or not, so that a run of documents that do not parse cannot end a listing early.
 * (A document whose sort value no cursor can hold is passed over for the one before it.)
 */
export function pageEnd(
  docs: DocumentSnapshot[],
  limit: number,
  sortField: string,
): PagePosition | null {
  if (docs.length <= limit) return null;
  const { Timestamp } = firestoreSdk();
  for (const doc of docs.slice(0, limit).reverse()) {
    const raw: unknown = doc.get(sortField);
    const value = raw instanceof Timestamp ? raw.toDate() : raw;
    if (typeof value === 'string' || value instanceof Date) return { value, id: doc.id };
  }
  return null;
}

/** The cursor of the next page, or null on the last page. */
export function nextCursor(end: PagePosition | null, list: string): string | null {
  return end ? encodeCursor(end, list) : null;
}

/**
 * The field override of a single field queried by equality in one collection and across the
 * collection group (`firestore.indexes.json`); no TTL.
 */
export function collectionGroupField(collectionGroup: string, fieldPath: string) {
  return {
    collectionGroup,
    fieldPath,
    ttl: false,
    indexes: [
      { order: 'ASCENDING', queryScope: 'COLLECTION' },
      { order: 'ASCENDING', queryScope: 'COLLECTION_GROUP' },
    ],
  };
}
