// The lone-surrogate check every JSON body passes (http/well-formed.ts), on the bodies a client
// can send within the 100 KB limit.
import { illFormedPath } from '../../functions/src/http/well-formed';

/** `[[[ ... value ... ]]]`, `depth` arrays deep. */
function nested(depth: number, value: unknown): unknown {
  let body = value;
  for (let i = 0; i < depth; i += 1) body = [body];
  return body;
}

describe('illFormedPath', () => {
  test('names the first field holding a lone surrogate, keys included', () => {
    expect(illFormedPath({ name: 'ok', licenses: [{ state: 'ok' }, { state: 'x\ud800' }] })).toBe(
      'licenses.1.state',
    );
    expect(illFormedPath({ a: 'x\udc00', b: 'y\ud800' })).toBe('a');
    expect(illFormedPath({ ['k\ud800']: 1 })).toBe('k\ud800');
    expect(illFormedPath('\ud800')).toBe('(body)');
    expect(illFormedPath({ name: 'Lab 🧪', n: 1, none: null })).toBeNull();
  });

  // A 40,000-deep array (80 KB) overflowed the stack of the recursive walk: a 500 on every route.
  test('walks a body nested 40,000 deep without running out of stack', () => {
    expect(illFormedPath(nested(40_000, 'fine'))).toBeNull();
    expect(illFormedPath(nested(40_000, '\ud800'))).toBe(Array(40_000).fill('0').join('.'));
  });
});
