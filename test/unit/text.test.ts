import { keyIdSchema } from '../../functions/src/auth/schemas';
import { orgIdSchema, uidSchema, updateBody } from '../../functions/src/organizations/schemas';
import { putSecretBody, secretNameSchema } from '../../functions/src/secrets/schemas';
import { invitationBody, invitationIdSchema, memberEntry } from '../../functions/src/team/schemas';
import {
  asciiLower,
  HTTP_URL_MESSAGE,
  httpUrl,
  httpUrlOrEmpty,
  SINGLE_LINE_MESSAGE,
  singleLine,
} from '../../functions/src/text';

const hex = (char: string) =>
  `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Every character the single-line rule refuses: C0, DEL, C1, bidi overrides and isolates. */
const REFUSED = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  ...Array.from({ length: 5 }, (_, i) => 0x202a + i),
  ...Array.from({ length: 4 }, (_, i) => 0x2066 + i),
].map((code) => String.fromCodePoint(code));

describe('singleLine', () => {
  const field = singleLine(100);

  it('refuses exactly the 74 characters of the rule', () => {
    expect(REFUSED).toHaveLength(74);
  });

  it.each(REFUSED.map((char) => [hex(char), char]))(
    'refuses %s inside the text with one clear issue',
    (_name, char) => {
      const result = field.safeParse(`Acme${char}Lab`);
      expect(result.success).toBe(false);
      expect(result.error?.issues.map(({ path, message }) => ({ path, message }))).toEqual([
        { path: [], message: SINGLE_LINE_MESSAGE },
      ]);
    },
  );

  it('refuses the mail-header injection of the audit', () => {
    expect(field.safeParse('Acme\r\nBcc: all@example.com').success).toBe(false);
  });

  it.each([
    ['a space', ' '],
    ['U+00A0 (no-break space, after the C1 block)', '\u00A0'],
    ['U+00A1', '\u00A1'],
    ['U+200F (right-to-left mark, not an override)', '\u200F'],
    ['U+202F (after the overrides)', '\u202F'],
    ['U+2065 (before the isolates)', '\u2065'],
    ['U+206A (after the isolates)', '\u206A'],
    ['an accent, a CJK character and an emoji', 'é東☕'],
  ])('accepts %s', (_name, char) => {
    expect(field.parse(`Acme${char}Lab`)).toBe(`Acme${char}Lab`);
  });

  it('trims first, as before: line breaks and tabs at the ends go, not inside', () => {
    expect(field.parse('\t Acme Lab \r\n')).toBe('Acme Lab');
    expect(field.safeParse('\t Acme\tLab \r\n').success).toBe(false);
  });

  it('keeps its length limit, counted after trimming, with one issue for a long hostile text', () => {
    expect(singleLine(5).parse('  abcde  ')).toBe('abcde');
    const issues = singleLine(5).safeParse('abc\r\ndef').error?.issues;
    expect(issues?.map((issue) => issue.code)).toEqual(['too_big']);
  });
});

describe('what is not a text field', () => {
  it('a secret value keeps any character, line breaks and controls included', () => {
    const value = 'line one\r\nline two\u0000\u202E';
    expect(putSecretBody.parse({ value })).toEqual({ value });
    const licenses = [{ license_number: 'L-1', user_api_key: value }];
    expect(updateBody.parse({ licenses }).licenses?.[0].user_api_key).toBe(value);
  });
});

describe('httpUrl', () => {
  it.each([
    'https://example.com',
    'http://example.com',
    'https://example.com/a/b?c=d#e',
    'HTTPS://EXAMPLE.COM/Path',
    'http://localhost:8080/x',
    'http://127.0.0.1/',
    'http://[::1]/',
    'https://www.linkedin.com/company/acme-lab',
    'https://firebasestorage.googleapis.com/v0/b/x/o/a%20b.png?alt=media',
  ])('accepts %s as it is', (url) => {
    expect(httpUrl.parse(url)).toBe(url);
  });

  it('trims, as before', () => {
    expect(httpUrl.parse('  https://example.com \n')).toBe('https://example.com');
  });

  it.each([
    ['a javascript: URL', 'javascript:alert(document.cookie)'],
    ['an upper-case javascript: URL', 'JAVASCRIPT:alert(1)'],
    ['a javascript: URL dressed as a host', 'javascript://example.com/%0Aalert(1)'],
    ['a scheme split by a tab', 'java\tscript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a vbscript: URL', 'vbscript:msgbox(1)'],
    ['a file: URL', 'file:///etc/passwd'],
    ['an ftp: URL', 'ftp://example.com/'],
    ['a mailto: URL', 'mailto:kate@example.com'],
    ['no slashes', 'http:example.com'],
    ['one slash', 'https:/example.com'],
    ['no host', 'http://'],
    ['an empty host', 'http:///example.com'],
    ['a protocol-relative URL', '//example.com'],
    ['no scheme', 'example.com'],
    ['a line break inside', 'https://example.com/\r\nX'],
    ['a tab inside', 'https://exa\tmple.com'],
    ['a space inside', 'https://example.com/a b'],
    ['a backslash', 'https://example.com\\@evil.example'],
    ['a bidi override', 'https://example.com/\u202Egnp.exe'],
    ['nothing', ''],
    ['only spaces', '   '],
  ])('refuses %s with one clear issue', (_name, url) => {
    const result = httpUrl.safeParse(url);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([HTTP_URL_MESSAGE]);
  });

  it('refuses a URL over 2,048 characters', () => {
    expect(httpUrl.safeParse(`https://example.com/${'a'.repeat(2048)}`).success).toBe(false);
  });

  it("also takes '' where it stands for no link, and nothing else blank", () => {
    expect(httpUrlOrEmpty.parse('')).toBe('');
    expect(httpUrlOrEmpty.safeParse('   ').error?.issues.map((issue) => issue.message)).toEqual([
      HTTP_URL_MESSAGE,
    ]);
    expect(httpUrlOrEmpty.safeParse('javascript:alert(1)').success).toBe(false);
  });
});

describe('asciiLower', () => {
  it('lower-cases ASCII letters', () => {
    expect(asciiLower('Kate.SMITH@Example.COM')).toBe('kate.smith@example.com');
  });

  it('keeps the Kelvin sign U+212A as it is (toLowerCase would make it a k)', () => {
    expect('\u212Aate@example.com'.toLowerCase()).toBe('kate@example.com');
    expect(asciiLower('\u212Aate@example.com')).toBe('\u212Aate@example.com');
  });

  it('keeps every other non-ASCII character as it is', () => {
    expect(asciiLower('İSTANBUL-ÄÖÜ-ß-Σ')).toBe('İstanbul-ÄÖÜ-ß-Σ');
  });
});

describe('the invitee email', () => {
  it('is lower-cased in ASCII only', () => {
    expect(invitationBody.parse({ email: 'Kate.Smith@Example.COM' }).email).toBe(
      'kate.smith@example.com',
    );
    expect(memberEntry.parse({ email: 'KATE@EXAMPLE.COM' }).email).toBe('kate@example.com');
  });

  it.each([
    ['a Kelvin sign for a K', '\u212Aate@example.com'],
    ['a dotless i', 'kat\u0131e@example.com'],
    ['a non-ASCII domain', 'kate@exämple.com'],
    ['a combining accent', 'ka\u0301te@example.com'],
    ['a line break', 'kate@example.com\r\nBcc: all@example.com'],
    ['a bidi override', 'kate\u202E@example.com'],
  ])('refuses %s (z.email() takes ASCII addresses only)', (_name, email) => {
    expect(invitationBody.safeParse({ email }).success).toBe(false);
    expect(memberEntry.safeParse({ email }).success).toBe(false);
  });
});

describe('ids', () => {
  const HOSTILE = ['../x', 'a/b', '..', '.', '__proto__', '__name__', 'a b', 'a\u0000b', ''];

  it.each(HOSTILE)('an organization id refuses %j', (id) => {
    expect(orgIdSchema.safeParse(id).success).toBe(false);
  });

  it.each(HOSTILE)('a uid refuses %j', (id) => {
    expect(uidSchema.safeParse(id).success).toBe(false);
  });

  it.each(['__proto__', '__name__', '____', '__a-b_c__'])(
    'a uid of the Firestore-reserved form %s is refused with a clear message',
    (uid) => {
      expect(uidSchema.safeParse(uid).error?.issues.map((issue) => issue.message)).toEqual([
        'Not a user id: ids that start and end with "__" are reserved by Firestore.',
      ]);
    },
  );

  it.each(['__a/b__', `__${'a'.repeat(200)}__`])(
    'a uid %s that is malformed as well gets one issue, not two',
    (uid) => {
      expect(uidSchema.safeParse(uid).error?.issues).toHaveLength(1);
    },
  );

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto', 'proto__', '_a_', '___'])(
    'a uid %s stays valid (the services answer 404 for non-members)',
    (uid) => {
      expect(uidSchema.parse(uid)).toBe(uid);
    },
  );

  it.each(['constructor', 'tostring', 'valueof'])('an organization id %s stays valid', (id) => {
    expect(orgIdSchema.parse(id)).toBe(id);
  });

  it.each([...HOSTILE, '../aaaaaaaaaaaaaaaaaaaaaa', `__${'a'.repeat(20)}__`])(
    'an invitation id refuses %j',
    (id) => {
      expect(invitationIdSchema.safeParse(id).success).toBe(false);
    },
  );

  it('an invitation id of the reserved form that is malformed as well gets one issue', () => {
    expect(invitationIdSchema.safeParse('__proto__').error?.issues).toHaveLength(1);
  });

  it('an invitation id accepts the ids the API makes (24 base64url characters)', () => {
    expect(invitationIdSchema.parse('Ab3_-Zx9Qw7Er5Ty1Ui2Op0L')).toBe('Ab3_-Zx9Qw7Er5Ty1Ui2Op0L');
  });

  it.each([...HOSTILE, '../aaaaaaaaa', 'aaaaa/bbbbbb'])('an API key id refuses %j', (id) => {
    expect(keyIdSchema.safeParse(id).success).toBe(false);
  });

  it.each([...HOSTILE, '_a', '-a', 'A'])('a secret name refuses %j', (name) => {
    expect(secretNameSchema.safeParse(name).success).toBe(false);
  });
});
