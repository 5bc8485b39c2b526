import request from 'supertest';
import { app, as, bearer, createOrganization } from '../helpers/api';
import { createUser, describeEmulators, wipe, type TestUser } from '../helpers/emulators';
import { meterFirestore } from '../helpers/firestore-meter';
import { failure } from '../helpers/envelope';

const ids = (body: { data: { organization_id: string }[] }) =>
  body.data.map((org) => org.organization_id);
const pad = (n: number) => String(n).padStart(3, '0');

async function readAll(user: TestUser, query: string, between?: () => Promise<void>) {
  const seen: string[] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await as(user).get(`/api/organizations?${query}${suffix}`);
    expect(response.status).toBe(200);
    seen.push(...ids(response.body));
    pages.push(response.body.data.length);
    cursor = response.body.next_cursor;
    if (pages.length === 1 && between) await between();
  } while (cursor);
  return { seen, pages };
}

describeEmulators('listing organizations', () => {
  let pager: TestUser;
  let other: TestUser;
  const all: string[] = [];

  beforeAll(async () => {
    await wipe();
    [pager, other] = await Promise.all([createUser(), createUser()]);
    for (let start = 1; start <= 120; start += 10) {
      const batch = Array.from({ length: 10 }, (_, i) => start + i);
      await Promise.all(
        batch.map((n) =>
          createOrganization(pager, { name: `Page Org ${pad(n)}`, public: n % 4 === 0 }),
        ),
      );
      all.push(...batch.map((n) => `page-org-${pad(n)}`));
    }
    await createOrganization(other, { name: 'Someone Else', public: false });
  }, 120_000);

  it('reads 120 organizations in pages of 25 with no duplicate and no gap', async () => {
    const { seen, pages } = await readAll(pager, 'limit=25');
    expect(pages).toEqual([25, 25, 25, 25, 20]);
    expect(seen).toEqual(all);
  });

  it('pages by 100 by default, with a Link header to the next page and none on the last', async () => {
    const first = await as(pager).get('/api/organizations');
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(100);
    const cursor = first.body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    expect(first.headers.link).toBe(
      `</api/organizations?cursor=${encodeURIComponent(cursor)}>; rel="next"`,
    );
    const next = await as(pager).get(/^<([^>]+)>/.exec(first.headers.link)![1]);
    expect(next.status).toBe(200);
    expect(next.body.next_cursor).toBeNull();
    expect(next.headers.link).toBeUndefined();
    expect([...ids(first.body), ...ids(next.body)]).toEqual(all);
  });

  it('stays exact when organizations are created between two pages', async () => {
    const { seen } = await readAll(pager, 'limit=25', async () => {
      await createOrganization(pager, { name: 'Page Org 000' }); // before the cursor
      await createOrganization(pager, { name: 'Page Org 050a' }); // after it
    });
    const expected = [...all, 'page-org-050a'].sort();
    expect(seen).toEqual(expected);
  });

  it('pages in descending order, by name and by creation time', async () => {
    const byName = await readAll(pager, 'limit=25&order=desc');
    expect(byName.seen).toEqual([...all, 'page-org-000', 'page-org-050a'].sort().reverse());

    const byTime = await readAll(pager, 'limit=30&order_by=created_at&order=desc');
    expect(byTime.seen).toHaveLength(122);
    expect(new Set(byTime.seen).size).toBe(122);
    expect(byTime.seen.slice(0, 2)).toEqual(['page-org-050a', 'page-org-000']);
  });

  it('gives each organization the caller’s role and only the caller’s organizations', async () => {
    const response = await as(other).get('/api/organizations');
    expect(response.status).toBe(200);
    expect(response.body.next_cursor).toBeNull();
    expect(ids(response.body)).toEqual(['someone-else']);
    expect(response.body.data[0].role).toBe('owner');
  });

  it('lists public organizations for anonymous callers and ?public=true', async () => {
    const anonymous = await request(app).get('/api/organizations?limit=100');
    expect(anonymous.status).toBe(200);
    const expected = all.filter((_, i) => (i + 1) % 4 === 0);
    expect(ids(anonymous.body)).toEqual(expected);
    expect(anonymous.body.data[0].team).toBeUndefined();
    const signedIn = await as(other).get('/api/organizations?public=true&limit=100');
    expect(ids(signedIn.body)).toEqual(expected);
  });

  it('filters by exact name and by name prefix', async () => {
    const exact = await as(pager).get('/api/organizations?name=page%20org%20007');
    expect(ids(exact.body)).toEqual(['page-org-007']);
    const prefix = await as(pager).get('/api/organizations?q=Page%20Org%2011');
    expect(ids(prefix.body)).toEqual(Array.from({ length: 10 }, (_, i) => `page-org-11${i}`));
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['order=up', 'order'],
    ['order_by=owner', 'order_by'],
    ['q=a&order_by=created_at', 'order_by'],
  ])('refuses %s', async (query, field) => {
    const response = await as(pager).get(`/api/organizations?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid-argument');
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toEqual([
      field,
    ]);
  });

  it('refuses a cursor it did not write', async () => {
    const response = await as(pager).get('/api/organizations?cursor=bm90LWEtY3Vyc29y');
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      failure({
        code: 'invalid-argument',
        message: 'The cursor is not one this API returned.',
        details: [{ path: 'cursor', message: 'Not a valid cursor.' }],
      }),
    );
  });

  it('refuses a cursor of another list: another order or sort, or a team', async () => {
    const byName = await as(pager).get('/api/organizations?limit=25');
    const cursor = encodeURIComponent(byName.body.next_cursor);
    const refused = failure({
      code: 'invalid-argument',
      message: 'The cursor is not one this API returned.',
      details: [{ path: 'cursor', message: 'Not a valid cursor.' }],
    });
    for (const path of [
      `/api/organizations?limit=25&order=desc&cursor=${cursor}`,
      `/api/organizations?limit=25&order_by=created_at&cursor=${cursor}`,
      `/api/organizations/page-org-001/team?cursor=${cursor}`,
    ]) {
      const response = await as(pager).get(path);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(refused);
    }
  });

  it('reads an organization with the caller’s membership in one round trip', async () => {
    const use = await meterFirestore(() =>
      as(pager).get('/api/organizations/page-org-001').expect(200),
    );
    expect(use).toEqual({ getAll: [2], queries: [], commits: 0, transactions: 0 });
  });

  it('reads a list page with one query of at most page size + 1 documents', async () => {
    const use = await meterFirestore(() =>
      as(pager).get('/api/organizations?limit=25').expect(200),
    );
    expect(use).toEqual({ getAll: [], queries: [26], commits: 0, transactions: 0 });
  });

  it('serves a Cannlytics client unchanged: API key, list, get, team', async () => {
    const key = (await as(other).post('/api/auth/keys', { name: 'cannlytics' })).body.data.key;
    const headers = { ...bearer(key), 'Content-type': 'application/json' };
    const list = await request(app).get('/api/organizations').set(headers);
    expect(list.status).toBe(200);
    expect(Object.keys(list.body)).toEqual(['success', 'data', 'next_cursor']);
    expect(ids(list.body)).toEqual(['someone-else']);
    // Its docs pass organization_id with every request: unknown query parameters are ignored.
    const passing = await request(app)
      .get('/api/organizations?organization_id=someone-else')
      .set(headers);
    expect(passing.status).toBe(200);
    expect(passing.body).toEqual(list.body);
    const org = await request(app).get('/api/organizations/someone-else').set(headers);
    expect(org.status).toBe(200);
    expect(org.body.data).toMatchObject({
      organization_id: 'someone-else',
      uid: 'someone-else',
      owner: other.uid,
      team: [other.uid],
    });
    const team = await request(app).get('/api/organizations/someone-else/team').set(headers);
    expect(team.status).toBe(200);
    expect(team.body).toEqual({
      success: true,
      data: [
        {
          name: team.body.data[0].name,
          uid: other.uid,
          photo_url: '',
          position: '',
          email: other.email,
          type: '',
          phone_number: '',
          signed_in: true,
          license: '',
          role: 'owner',
          joined_at: team.body.data[0].joined_at,
        },
      ],
      next_cursor: null,
    });
  });
});
