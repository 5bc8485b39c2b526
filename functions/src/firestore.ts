import { firestoreSdk } from './firebase';
import * as z from 'zod';
import { ApiError } from './http/errors';

/**
 * A Firestore document's data with its top-level `Timestamp`s as `Date`s: stores hand services
 * plain values, and services never see a Firestore type.
 */
export function withDates<T>(data: FirebaseFirestore.DocumentData): T {
  const { Timestamp } = firestoreSdk();
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    out[key] = value instanceof Timestamp ? value.toDate() : value;
  }
  return out as T;
}

/** Where a page ended: the sort value and the document id of its last item. */
export interface PagePosition {
  value: string | number | Date;
  id: string;
}

const cursorSchema = z.object({
  v: z.union([z.string(), z.number()]),
  t: z.literal(1).optional(),
  id: z.string().min(1).max(1500),
});

/** An opaque cursor for a position (base64url JSON; dates travel as ISO strings). */
export function encodeCursor(position: PagePosition): string {
  const isDate = position.value instanceof Date;
  const value = isDate ? (position.value as Date).toISOString() : position.value;
  return Buffer.from(
    JSON.stringify({ v: value, ...(isDate ? { t: 1 } : {}), id: position.id }),
  ).toString('base64url');
}

/** The position a cursor names; a cursor this API did not write is a 400. */
export function decodeCursor(cursor: string): PagePosition {
  try {
    const parsed = cursorSchema.parse(
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')),
    );
    const value = parsed.t ? new Date(parsed.v) : parsed.v;
    if (value instanceof Date && Number.isNaN(value.getTime())) throw new Error('bad date');
    return { value, id: parsed.id };
  } catch {
    throw new ApiError('invalid-argument', 'The cursor is not one this API returned.', {
      details: [{ path: 'cursor', message: 'Not a valid cursor.' }],
    });
  }
}
