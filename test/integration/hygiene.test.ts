// The input-hygiene findings of the security audit, each replayed as the attacker's request:
// every one is a 400 naming the field, and nothing is written.
import type { Response } from 'supertest';
import { as, createCast, createOrganization } from '../helpers/api';
import { describeEmulators, dump, wipe, type TestUser } from '../helpers/emulators';
import { failure } from '../helpers/envelope';

const SINGLE_LINE = 'Must be a single line of text without control or bidi-override characters.';
const HTTP_URL = 'Must be an http: or https: URL with a host, like "https://example.com".';
const INVITEE_EMAIL =
  'Not an email address: give one in ASCII characters, like "kate@example.com".';
const RESERVED_UID = 'Not a user id: ids that start and end with "__" are reserved by Firestore.';
const SECRET_NAME =
  'A secret name has 1 to 63 lowercase letters, digits, "-" and "_", starting with a letter or digit.';

/** The exact answer to a request refused for one field. */
const refusal = (path: string, message: string) =>
  failure({
    code: 'invalid-argument',
    message: `Invalid input: ${path}.`,
    details: [{ path, message }],
  });

/** One of each character class the single-line rule refuses, named for the test titles. */
const HOSTILE_CHARACTERS: [string, string][] = [
  ['CR LF', '\r\n'],
  ['NUL', '\u0000'],
  ['a tab', '\t'],
  ['ESC', '\u001B'],
  ['DEL', '\u007F'],
  ['NEL (C1)', '\u0085'],
  ['CSI (C1)', '\u009B'],
  ['U+202E right-to-left override', '\u202E'],
  ['U+202A left-to-right embedding', '\u202A'],
  ['U+2066 left-to-right isolate', '\u2066'],
  ['U+2069 pop directional isolate', '\u2069'],
];

/** Field i gets character i (cycling): every field and every character class is replayed. */
function pairs(fields: string[]): [string, string, string][] {
  return fields.map((field, i) => {
    const [name, char] = HOSTILE_CHARACTERS[i % HOSTILE_CHARACTERS.length];
    return [field, name, char];
  });
}

describeEmulators('input hygiene (the audit findings)', () => {
  let owner: TestUser;
  let orgId: string;
  const org = () => `/api/organizations/${orgId}`;

  beforeAll(async () => {
    await wipe();
    ({ owner } = await createCast());
    ({ organization_id: orgId } = await createOrganization(owner, {
      name: 'Hygiene Lab',
      website: 'https://hygiene.example',
      linkedin: 'https://www.linkedin.com/company/hygiene-lab',
      photo_url: 'https://hygiene.example/logo.png',
      city: 'Denver',
    }));
  });

  /** What a refused request must leave as it was: the organization, the profile, every document. */
  async function state() {
    const [organization, profile, keys, documents] = await Promise.all([
      as(owner).get(org()),
      as(owner).get('/api/users/me'),
      as(owner).get('/api/auth/keys'),
      dump(),
    ]);
    return {
      organization: organization.body as unknown,
      profile: profile.body as unknown,
      keys: keys.body as unknown,
      documents,
    };
  }

  /** Sends the request and expects exactly the 400 for `path`, with nothing written. */
  async function expectRefused(send: () => Promise<Response>, path: string, message: string) {
    const before = await state();
    const response = await send();
    expect(response.status).toBe(400);
    expect(response.body).toEqual(refusal(path, message));
    expect(await state()).toEqual(before);
  }

  describe('1. URL fields take http: and https: URLs with a host only', () => {
    it.each([
      ['PATCH', 'website', 'javascript:alert(document.cookie)'],
      ['POST', 'website', 'javascript:alert(document.cookie)'],
      ['PATCH', 'linkedin', 'javascript://www.linkedin.com/%0Aalert(document.cookie)'],
      ['POST', 'linkedin', 'vbscript:msgbox(1)'],
      ['PATCH', 'photo_url', 'data:text/html,<script>alert(document.cookie)</script>'],
      ['POST', 'photo_url', 'file:///etc/passwd'],
      ['PATCH', 'website', 'https:/hygiene.example'],
      ['PATCH', 'website', 'http://'],
    ])('%s of the organization refuses %s %j', async (method, field, url) => {
      await expectRefused(
        () =>
          method === 'PATCH'
            ? as(owner).patch(org(), { [field]: url })
            : as(owner).post(org(), { [field]: url }),
        field,
        HTTP_URL,
      );
    });

    it('refuses creating an organization with a javascript: website', async () => {
      await expectRefused(
        () =>
          as(owner).post('/api/organizations', {
            name: 'Script Lab',
            website: 'javascript:alert(document.cookie)',
          }),
        'website',
        HTTP_URL,
      );
      expect((await as(owner).get('/api/organizations/script-lab')).status).toBe(404);
    });

    it.each([
      'data:text/html,<script>alert(document.cookie)</script>',
      'javascript:alert(document.cookie)',
    ])('PATCH /api/users/me refuses the photo_url %j', async (url) => {
      await expectRefused(
        () => as(owner).patch('/api/users/me', { photo_url: url }),
        'photo_url',
        HTTP_URL,
      );
    });

    it("still takes https: and http: URLs, and '' for no link", async () => {
      const website = 'https://hygiene.example/about?lang=en#team';
      const updated = await as(owner).patch(org(), { website, linkedin: '' });
      expect(updated.status).toBe(200);
      expect(updated.body.data).toMatchObject({ website, linkedin: '' });

      const profile = await as(owner).patch('/api/users/me', {
        photo_url: 'http://localhost/me.png',
      });
      expect(profile.status).toBe(200);
      expect(profile.body.data.photo_url).toBe('http://localhost/me.png');
      expect((await as(owner).patch('/api/users/me', { photo_url: '' })).body.data.photo_url).toBe(
        '',
      );
    });
  });

  describe('2. email identity is ASCII-only, lower-cased in ASCII only', () => {
    const KELVIN = '\u212Aate@example.com';

    it('refuses an invitation to a Kelvin-sign address', async () => {
      await expectRefused(
        () => as(owner).post(`${org()}/invitations`, { email: KELVIN }),
        'email',
        INVITEE_EMAIL,
      );
    });

    it('refuses adding a Kelvin-sign address to the team', async () => {
      await expectRefused(
        () => as(owner).post(`${org()}/team`, { email: KELVIN, role: 'admin' }),
        'email',
        INVITEE_EMAIL,
      );
    });

    it('refuses a bulk add with one non-ASCII address, inviting nobody', async () => {
      await expectRefused(
        () =>
          as(owner).post(`${org()}/team`, {
            members: [{ email: 'kate@example.com' }, { email: 'kate@exämple.com' }],
          }),
        'members.1.email',
        INVITEE_EMAIL,
      );
    });

    it('lower-cases an ASCII address', async () => {
      const response = await as(owner).post(`${org()}/invitations`, {
        email: 'Kate.Case@Example.COM',
      });
      expect(response.status).toBe(201);
      expect(response.body.data.email).toBe('kate.case@example.com');
    });

    it("keeps the organization's contact email as posted, never folded", async () => {
      const response = await as(owner).patch(org(), { email: 'Info@Hygiene.Example' });
      expect(response.status).toBe(200);
      expect(response.body.data.email).toBe('Info@Hygiene.Example');
      await expectRefused(
        () => as(owner).patch(org(), { email: KELVIN }),
        'email',
        'Invalid email address',
      );
    });
  });

  describe('3. single-line text fields refuse control and bidi-override characters', () => {
    it('refuses the name that became a mail header', async () => {
      await expectRefused(
        () => as(owner).patch(org(), { name: 'Acme\r\nBcc: all@example.com' }),
        'name',
        SINGLE_LINE,
      );
    });

    it('refuses creating an organization with that name', async () => {
      await expectRefused(
        () => as(owner).post('/api/organizations', { name: 'Acme\r\nBcc: all@example.com' }),
        'name',
        SINGLE_LINE,
      );
    });

    it.each(
      pairs([
        'name',
        'trade_name',
        'phone',
        'address',
        'city',
        'state',
        'zip_code',
        'country',
        'external_id',
        'photo_ref',
        'photo_type',
      ]),
    )('the organization refuses %s with %s inside', async (field, _name, char) => {
      await expectRefused(
        () => as(owner).patch(org(), { [field]: `Acme${char}Lab` }),
        field,
        SINGLE_LINE,
      );
    });

    it.each(pairs(['license_number', 'license_type', 'state']))(
      'a license refuses %s with %s inside',
      async (field, _name, char) => {
        const license = { license_number: 'L-1', license_type: 'lab', state: 'CO' };
        await expectRefused(
          () => as(owner).patch(org(), { licenses: [{ ...license, [field]: `CO${char}1` }] }),
          `licenses.0.${field}`,
          SINGLE_LINE,
        );
      },
    );

    it.each(pairs(['name', 'position', 'phone_number', 'type', 'license']))(
      'PATCH /api/users/me refuses %s with %s inside',
      async (field, _name, char) => {
        await expectRefused(
          () => as(owner).patch('/api/users/me', { [field]: `Kate${char}Case` }),
          field,
          SINGLE_LINE,
        );
      },
    );

    it.each(['/api/auth/keys', '/api/auth/create-key'])(
      'POST %s refuses a key name with a bidi override',
      async (path) => {
        await expectRefused(
          () => as(owner).post(path, { name: 'deploy\u202Egnp.exe' }),
          'name',
          SINGLE_LINE,
        );
      },
    );

    it('still trims, and takes any other Unicode text', async () => {
      const response = await as(owner).patch(org(), {
        trade_name: ' Café Hygiène ☕ 東京 \r\n',
        city: '\tBoulder ',
      });
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({
        trade_name: 'Café Hygiène ☕ 東京',
        city: 'Boulder',
      });
    });
  });

  describe('4. hostile ids', () => {
    it.each([
      ['PATCH a member', () => as(owner).patch(`${org()}/team/__proto__`, { role: 'viewer' })],
      ['DELETE a member', () => as(owner).delete(`${org()}/team/__name__`)],
    ])('%s named by a reserved uid is refused', async (_name, send) => {
      await expectRefused(send, 'uid', RESERVED_UID);
    });

    it.each([
      ['transfer', 'transfer', { uid: '__proto__' }, 'uid'],
      ['add one', 'team', { uid: '__name__' }, 'uid'],
      ['add in bulk', 'team', { members: [{ uid: '__proto__' }] }, 'members.0.uid'],
    ])('%s with a reserved uid in the body is refused', async (_name, route, body, path) => {
      await expectRefused(() => as(owner).post(`${org()}/${route}`, body), path, RESERVED_UID);
    });

    it.each([
      [{ owner: '__proto__' }, 'owner'],
      [{ team: ['a-real-uid', '__name__'] }, 'team.1'],
    ])('the organization refuses %j', async (body, path) => {
      await expectRefused(() => as(owner).patch(org(), body), path, RESERVED_UID);
    });

    it.each(['..%2Fx', 'a%2Fb'])('a member path uid %s is refused', async (uid) => {
      await expectRefused(() => as(owner).delete(`${org()}/team/${uid}`), 'uid', 'Not a user id.');
    });

    it.each(['..%2Fx', 'a%2Fb', '__proto__', `__${'a'.repeat(20)}__`])(
      'an invitation id %s is refused',
      async (id) => {
        await expectRefused(
          () => as(owner).delete(`${org()}/invitations/${id}`),
          'invitation_id',
          'Not an invitation id.',
        );
        await expectRefused(
          () => as(owner).post(`/api/invitations/${id}/accept`),
          'invitation_id',
          'Not an invitation id.',
        );
      },
    );

    it.each(['..%2Fx', 'a%2Fb', '__proto__'])('an API key id %s is refused', async (id) => {
      await expectRefused(
        () => as(owner).delete(`/api/auth/keys/${id}`),
        'key_id',
        'Not an API key id.',
      );
    });

    it.each(['..%2Fx', 'a%2Fb', '__proto__'])('a secret name %s is refused', async (name) => {
      await expectRefused(
        () => as(owner).put(`${org()}/secrets/${name}`, { value: 'x' }),
        'name',
        SECRET_NAME,
      );
    });

    it("a secret name of the webhooks' signing secrets (whk_…) is refused", async () => {
      await expectRefused(
        () => as(owner).put(`${org()}/secrets/whk_abc`, { value: 'x' }),
        'name',
        'Secret names starting with "whk_" are reserved for webhook signing secrets.',
      );
    });

    it.each(['constructor', 'tostring'])(
      'an organization id %s is a valid id, answered 404 when there is none',
      async (id) => {
        const response = await as(owner).get(`/api/organizations/${id}`);
        expect(response.status).toBe(404);
        expect(response.body.error.code).toBe('not-found');
      },
    );
  });
});
