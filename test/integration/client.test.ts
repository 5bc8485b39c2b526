// The typed client (client/) against the app on a loopback port: the calls a console makes, typed
// end to end by the types generated from openapi.json.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '../../client';
import { app } from '../helpers/api';
import { createUser, describeEmulators, wipe, type TestUser } from '../helpers/emulators';

describeEmulators('the typed client', () => {
  let server: Server;
  let owner: TestUser;
  let baseUrl: string;

  beforeAll(async () => {
    await wipe();
    owner = await createUser({ name: 'Client Owner' });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('creates, reads, updates with If-Match and lists an organization', async () => {
    const api = createClient({ baseUrl, credential: owner.idToken });

    const created = await api.POST('/organizations', {
      body: { organization_id: 'client-lab', name: 'Client Lab', type: 'lab' },
    });
    expect(created.response.status).toBe(201);
    expect(created.response.headers.get('location')).toBe('/api/organizations/client-lab');
    expect(created.data?.data).toMatchObject({ organization_id: 'client-lab', role: 'owner' });

    const read = await api.GET('/organizations/{org_id}', {
      params: { path: { org_id: 'client-lab' } },
    });
    const etag = read.response.headers.get('etag')!;
    expect(read.response.status).toBe(200);
    expect(etag).toBe('"1"');
    expect(read.data).toEqual({ success: true, data: created.data?.data });

    const updated = await api.PATCH('/organizations/{org_id}', {
      params: { path: { org_id: 'client-lab' }, header: { 'If-Match': etag } },
      body: { city: 'Oakland' },
    });
    expect(updated.response.status).toBe(200);
    expect(updated.response.headers.get('etag')).toBe('"2"');
    expect(updated.data?.data).toMatchObject({ city: 'Oakland' });

    const stale = await api.PATCH('/organizations/{org_id}', {
      params: { path: { org_id: 'client-lab' }, header: { 'If-Match': etag } },
      body: { city: 'Berkeley' },
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error).toEqual({
      success: false,
      message: 'The organization has changed since you read it: its ETag is now "2".',
      error: {
        code: 'failed-precondition',
        message: 'The organization has changed since you read it: its ETag is now "2".',
      },
    });

    const list = await api.GET('/organizations', { params: { query: { limit: 10 } } });
    expect(list.response.status).toBe(200);
    expect(list.data).toEqual({ success: true, data: [updated.data?.data], next_cursor: null });
  });

  it('answers an anonymous caller with the typed Error body', async () => {
    const api = createClient({ baseUrl });
    const { response, error } = await api.GET('/auth/me');
    expect(response.status).toBe(401);
    expect(error).toEqual({
      success: false,
      message: 'Sign in: send "Authorization: Bearer <ID token or API key>" or a session cookie.',
      error: {
        code: 'unauthenticated',
        message: 'Sign in: send "Authorization: Bearer <ID token or API key>" or a session cookie.',
      },
    });
  });
});
