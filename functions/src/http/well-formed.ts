import type { RequestHandler } from 'express';
import { ApiError } from '../errors';

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const wellFormed = (text: string) => !LONE_SURROGATE.test(text);

/** The path of the first string in a parsed JSON value that is not well-formed UTF-16, if any. */
export function illFormedPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return wellFormed(value) ? null : path || '(body)';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = illFormedPath(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      if (!wellFormed(key)) return here;
      const found = illFormedPath(item, here);
      if (found) return found;
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
