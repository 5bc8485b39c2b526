import * as z from 'zod';

/**
 * Email identity: exact equality after lower-casing ASCII letters only. No Unicode case mapping or
 * normalization: `'\u212Aate'.toLowerCase()` is `'kate'`, and two addresses that a mail server
 * delivers to different mailboxes must never compare equal.
 */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

// C0 controls and DEL, C1 controls, and the bidi embeddings/overrides (U+202A–U+202E) and
// isolates (U+2066–U+2069): a line break turns a name into a mail header, an override shows text
// reversed.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

export const SINGLE_LINE_MESSAGE =
  'Must be a single line of text without control or bidi-override characters.';

/** True when `text` has no C0/C1 control character and no bidi override or isolate character. */
export function isSingleLine(text: string): boolean {
  return !NOT_SINGLE_LINE.test(text);
}

/**
 * A single-line text field: trimmed, at most `max` characters, refusing control and bidi
 * override/isolate characters inside (at the ends, `trim()` removes line breaks and tabs first).
 */
export function singleLine(max: number) {
  return z.string().trim().max(max, { abort: true }).refine(isSingleLine, SINGLE_LINE_MESSAGE);
}

export const HTTP_URL_MESSAGE =
  'Must be an http: or https: URL with a host, like "https://example.com".';

/**
 * True for an absolute `http:`/`https:` URL that names a host. Whitespace and controls are refused
 * rather than silently dropped by the URL parser, and so is `\`, which browsers read as `/` in
 * such URLs but other parsers do not (the two would disagree about the host).
 */
export function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\/[^/?#]/i.test(text) || /[\s\\]/.test(text) || !isSingleLine(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A link a browser may follow: an `http:`/`https:` URL with a host, at most 2,048 characters. */
export const httpUrl = z
  .string()
  .trim()
  .max(2048, { abort: true })
  .refine(isHttpUrl, HTTP_URL_MESSAGE);

/** {@link httpUrl}, or `''` for "no link". */
export const httpUrlOrEmpty = z.union([z.literal(''), httpUrl]);
