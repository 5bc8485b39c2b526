// Paging without the emulator: the shared limit/cursor schema and the cursor codec.
import * as z from 'zod';
import { ApiError } from '../../functions/src/errors';
import { decodeCursor, encodeCursor, nextCursor } from '../../functions/src/firestore';
import { DEFAULT_PAGE_SIZE, pageFields, pageQuery } from '../../functions/src/paging';

describe('pageQuery', () => {
  it('defaults to a page of 100 and no cursor', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(100);
    expect(pageQuery.parse({})).toEqual({ limit: 100 });
  });

  it('takes a limit from the query string, 1 to 100', () => {
    expect(pageQuery.parse({ limit: '1', cursor: 'abc' })).toEqual({ limit: 1, cursor: 'abc' });
    expect(pageQuery.parse({ limit: '100' }).limit).toBe(100);
    for (const limit of ['0', '101', '2.5', 'ten', '-1']) {
      expect(pageQuery.safeParse({ limit }).success).toBe(false);
    }
  });

  it('refuses a cursor over 1,024 characters', () => {
    expect(pageQuery.safeParse({ cursor: 'x'.repeat(1024) }).success).toBe(true);
    expect(pageQuery.safeParse({ cursor: 'x'.repeat(1025) }).success).toBe(false);
  });

  it('spreads into another query', () => {
    const query = z.object({ q: z.string().optional(), ...pageFields });
    expect(query.parse({ q: 'acme' })).toEqual({ q: 'acme', limit: 100 });
  });
});

describe('the cursor codec', () => {
  const names = { list: 'team:acme:name:asc', id: z.string().min(1), value: 'string' as const };
  const dates = { list: 'orgs:created_at:desc', id: z.string().min(1), value: 'date' as const };

  function refusal(cursor: string, spec: Parameters<typeof decodeCursor>[1]): ApiError {
    try {
      decodeCursor(cursor, spec);
    } catch (error) {
      if (error instanceof ApiError) return error;
      throw error;
    }
    throw new Error('decoded');
  }

  it('round-trips a string position and a date position', () => {
    const byName = { value: 'Zoë', id: 'u1' };
    expect(decodeCursor(encodeCursor(byName, names.list), names)).toEqual(byName);
    const byDate = { value: new Date('2026-01-02T03:04:05.678Z'), id: 'acme' };
    expect(decodeCursor(encodeCursor(byDate, dates.list), dates)).toEqual(byDate);
  });

  it('is opaque base64url', () => {
    expect(encodeCursor({ value: 'a/b+c', id: 'x' }, names.list)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses a cursor of another list, of the wrong value type, or not one at all', () => {
    const other = encodeCursor({ value: 'a', id: 'u1' }, 'team:other:name:asc');
    const date = encodeCursor({ value: new Date(0), id: 'u1' }, names.list);
    const string = encodeCursor({ value: 'a', id: 'u1' }, dates.list);
    const forged = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
    for (const [cursor, spec] of [
      [other, names],
      [date, names],
      [string, dates],
      ['not a cursor', names],
      [forged({ l: names.list, v: 'a', id: 'u1', extra: 1 }), names],
      [forged({ l: names.list, v: 1, id: 'u1' }), names],
      [forged({ l: dates.list, v: 'not a date', t: 1, id: 'u1' }), dates],
      [forged({ l: names.list, v: 'a', id: '' }), names],
    ] as const) {
      expect(refusal(cursor, spec)).toMatchObject({
        code: 'invalid-argument',
        message: 'The cursor is not one this API returned.',
        details: [{ path: 'cursor', message: 'Not a valid cursor.' }],
      });
    }
  });

  it('gives no next cursor on the last page', () => {
    expect(nextCursor(null, names.list)).toBeNull();
    const next = nextCursor({ value: 'b', id: 'u2' }, names.list);
    expect(next && decodeCursor(next, names)).toEqual({ value: 'b', id: 'u2' });
  });
});
