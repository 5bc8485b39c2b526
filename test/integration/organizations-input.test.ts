import { as } from '../helpers/api';
import { createUser, describeEmulators, dump, wipe, type TestUser } from '../helpers/emulators';
import { failure } from '../helpers/envelope';

describeEmulators('bad input to organizations', () => {
  let user: TestUser;

  beforeAll(async () => {
    await wipe();
    user = await createUser();
    await as(user).post('/api/organizations', { name: 'Input Lab' }).expect(201);
  });

  const paths = (body: { error: { details?: { path: string }[] } }) =>
    body.error.details?.map((detail) => detail.path);

  it.each([
    ['an unknown field', { name: 'A Lab', colour: 'red' }, ['colour']],
    // Read-only fields as read are accepted (and ignored): not one that could not have been read.
    [
      'a read-only date that is no date',
      { name: 'A Lab', created_at: 'yesterday' },
      ['created_at'],
    ],
    ['a role that is none', { name: 'A Lab', role: 'boss' }, ['role']],
    ['a number for the name', { name: 5 }, ['name']],
    ['an empty name', { name: '' }, ['name']],
    ['a 101-character name', { name: 'x'.repeat(101) }, ['name']],
    ['a 10 kB name', { name: 'x'.repeat(10_240) }, ['name']],
    ['a non-boolean public', { name: 'A Lab', public: 'yes' }, ['public']],
    ['a string photo_size', { name: 'A Lab', photo_size: 'big' }, ['photo_size']],
    ['an unknown type', { name: 'A Lab', type: 'farm' }, ['type']],
    ['a bad email', { name: 'A Lab', email: 'not-an-email' }, ['email']],
    ['an id that is not a slug', { name: 'A Lab', organization_id: 'Bad_Id' }, ['organization_id']],
    ['a two-character id', { name: 'A Lab', organization_id: 'ab' }, ['organization_id']],
    ['a hostile id', { name: 'A Lab', organization_id: '../x' }, ['organization_id']],
    ['a team that is not a list', { name: 'A Lab', team: 'everyone' }, ['team']],
  ])('refuses %s with 400 naming the field, writing nothing', async (_name, body, fields) => {
    const before = await dump();
    const response = await as(user).post('/api/organizations', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid-argument');
    expect(paths(response.body)).toEqual(fields);
    expect(response.body.error.message).toBe(`Invalid input: ${fields.join(', ')}.`);
    expect(await dump()).toEqual(before);
  });

  it('explains an unknown field', async () => {
    const response = await as(user).patch('/api/organizations/input-lab', { colour: 'red' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      failure({
        code: 'invalid-argument',
        message: 'Invalid input: colour.',
        details: [{ path: 'colour', message: 'Unknown field.' }],
      }),
    );
  });

  it('refuses a name whose slug is too short', async () => {
    const response = await as(user).post('/api/organizations', { name: 'é!' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe(
      'The name gives the id "e", which is too short: post an organization_id of 3 to 64 characters.',
    );
  });

  it.each([
    ['..%2Fx'],
    ['a%2Fb'],
    ['__proto__'],
    ['%C3%A9t%C3%A9-lab'],
    ['x'.repeat(5000)],
    ['constructor%00'],
  ])('answers the hostile path id %s with 400 on every route, writing nothing', async (id) => {
    const before = await dump();
    const calls = [
      as(user).get(`/api/organizations/${id}`),
      as(user).patch(`/api/organizations/${id}`, { city: 'x' }),
      as(user).post(`/api/organizations/${id}`, { city: 'x' }),
      as(user).delete(`/api/organizations/${id}`),
      as(user).post(`/api/organizations/${id}/restore`),
      as(user).get(`/api/organizations/${id}/team`),
      as(user).get(`/api/organizations/${id}/logs`),
    ];
    for (const response of await Promise.all(calls)) {
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid-argument');
      expect(paths(response.body)).toEqual(['org_id']);
    }
    expect(await dump()).toEqual(before);
  });

  it('refuses an invalid Idempotency-Key', async () => {
    const response = await as(user)
      .post('/api/organizations', { name: 'Key Lab' })
      .set('Idempotency-Key', 'x'.repeat(300));
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe(
      'Idempotency-Key must be 1 to 255 visible ASCII characters.',
    );
  });
});
