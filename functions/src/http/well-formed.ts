import type { RequestHandler } from 'express';
import { ApiError } from '../errors';

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const wellFormed = (text: string) => !LONE_SURROGATE.test(text);

/**
 * The path of the first string in a parsed JSON value that is not well-formed UTF-16, if any.
 * Walked with a stack of its own, not recursion: a body of 40,000 nested arrays fits in 100 KB.
 */
export function illFormedPath(value: unknown): string | null {
  const pending: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (pending.length) {
    const { value, path } = pending.pop()!;
    if (typeof value === 'string') {
      if (!wellFormed(value)) return path || '(body)';
    } else if (value && typeof value === 'object') {
      const entries: [string, unknown][] = Object.entries(value);
      // Reversed onto the stack, so the first field is looked at first.
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, item] = entries[i];
        const here = path ? `${path}.${key}` : key;
        if (!wellFormed(key)) return here;
        pending.push({ value: item, path: here });
      }
    }
  }
  return null;
}

/**
 * Refuses a JSON body holding a lone surrogate (`"\ud800"`): valid JSON, but no text. Firestore,
 * Secret Manager and Auth cannot store it, and refuse it with an error that was a 500; here it is
 * a 400 naming the field, on every route at once.
 */
export const wellFormedBody: RequestHandler = (req, _res, next) => {
  const path = illFormedPath(req.body);
  if (path) {
    throw new ApiError('invalid-argument', `Invalid input: ${path} is not valid Unicode text.`, {
      details: [{ path, message: 'Holds a lone surrogate: not valid Unicode text.' }],
    });
  }
  next();
};
