/**
 * The entity tags of an `If-Match` header (RFC 9110 §13.1.1): comma-separated, each quoted and
 * maybe weak (`W/"7"`), or `*`. Weak prefixes are dropped: a version is a strong validator either
 * way. Undefined without the header; a malformed one gives tags that match nothing (a 412, as a
 * header naming another version would).
 */
export function parseIfMatch(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .filter((tag) => tag !== '');
}
