// Webhook endpoints and their delivery by the platform: the in-process app makes the changes, the
// Functions emulator's Firestore trigger and the Cloud Tasks emulator's queue deliver them to a
// real HTTP receiver on loopback, which checks each signature with the `standardwebhooks` package.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { db } from '../../functions/src/firebase';
import { secretStore } from '../../functions/src/secrets/client';
import { as, createCast, createOrganization, ISO, joinAll, setRole } from '../helpers/api';
import { describeEmulators, wipe, type TestUser } from '../helpers/emulators';
import { failure } from '../helpers/envelope';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1: answers each path's planned statuses in turn, then 200. */
async function startReceiver() {
  const received: Received[] = [];
  const plans = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body });
      res.writeHead(plans.get(path)?.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    plan: (path: string, statuses: number[]) => plans.set(path, [...statuses]),
    at: (path: string) => received.filter((request) => request.path === path),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Polls until `check` returns a value (not undefined/false), or fails after `ms`. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | false | undefined> | T | false | undefined,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Deliveries go through the Functions and Cloud Tasks emulators: seconds each on an idle machine,
// but a test waits on several.
jest.setTimeout(180_000);

const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

describeEmulators('webhooks', () => {
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let orgId: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const secrets: string[] = [];
  const hooks = () => `/api/organizations/${orgId}/webhooks`;

  async function createEndpoint(path: string, events: string[], org = orgId) {
    const response = await as(admin).post(`/api/organizations/${org}/webhooks`, {
      url: receiver.url(path),
      events,
      description: `receiver ${path}`,
    });
    if (response.status !== 201) throw new Error(JSON.stringify(response.body));
    secrets.push(response.body.data.secret);
    return response.body.data as { id: string; secret: string };
  }

  const change = (city: string) =>
    as(admin).patch(`/api/organizations/${orgId}`, { city }).expect(200);

  /** The payload of a delivery, after its signature checks out under `secret`. */
  function verified(request: Received, secret: string) {
    return new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    }) as Record<string, unknown>;
  }

  beforeAll(async () => {
    process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
    await wipe();
    receiver = await startReceiver();
    ({ owner, admin, member, viewer, stranger } = await createCast());
    ({ organization_id: orgId } = await createOrganization(owner, {
      name: 'Webhook Org',
      team: [admin.uid, member.uid, viewer.uid],
    }));
    await joinAll(orgId, [admin, member, viewer]);
    await setRole(orgId, admin.uid, 'admin');
    await setRole(orgId, viewer.uid, 'viewer');
  });

  // Each test deletes its endpoints; one that failed half-way leaves none for the next either.
  afterEach(async () => {
    const left = await as(admin).get(hooks());
    for (const { id } of left.body.data as { id: string }[]) {
      await as(admin).delete(`${hooks()}/${id}`).expect(200);
    }
  });

  afterAll(async () => {
    delete process.env.WEBHOOKS_ALLOW_LOOPBACK;
    await receiver.close();
  });

  it('creates an endpoint for admins only, shows the secret once, writes its event', async () => {
    const body = { url: receiver.url('/rights'), events: ['organization.updated'] };
    for (const [user, status] of [
      [null, 401],
      [stranger, 404],
      [viewer, 403],
      [member, 403],
    ] as const) {
      expect((await as(user).post(hooks(), body)).status).toBe(status);
      expect((await as(user).get(hooks())).status).toBe(status);
    }
    const refused = await as(member).post(hooks(), body);
    expect(refused.body).toEqual(
      failure({
        code: 'permission-denied',
        message: `Only the owner or an admin of ${orgId} can manage its webhooks; you are a member.`,
      }),
    );
    const created = await as(admin).post(hooks(), body);
    expect(created.status).toBe(201);
    const { id, secret } = created.body.data;
    secrets.push(secret);
    expect(created.body.data).toEqual({
      id: expect.stringMatching(/^whk_[0-9a-z]{20}$/),
      organization_id: orgId,
      url: receiver.url('/rights'),
      events: ['organization.updated'],
      description: '',
      enabled: true,
      disabled_reason: null,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
      secret: expect.stringMatching(SECRET),
    });
    expect(created.headers.location).toBe(`${hooks()}/${id}`);
    const { secret: _shown, ...view } = created.body.data;
    expect((await as(owner).get(`${hooks()}/${id}`)).body.data).toEqual(view);
    expect((await as(admin).get(hooks())).body).toEqual({
      success: true,
      data: [view],
      next_cursor: null,
    });
    const events = await db()
      .collection('events')
      .where('organization_id', '==', orgId)
      .where('type', '==', 'webhook_endpoint.created')
      .get();
    // The event names the receiver by its origin only: its path may hold a token.
    expect(new URL(view.url).pathname).not.toBe('/');
    expect(events.docs.map((doc) => doc.get('data'))).toEqual([
      { ...view, url: new URL(view.url).origin },
    ]);
    await as(admin).delete(`${hooks()}/${id}`).expect(200);
  });

  it('refuses URLs that are not public https, and loopback outside the emulator', async () => {
    const post = (url: string) => as(admin).post(hooks(), { url, events: ['*'] });
    const http = await post('http://hooks.example.com/x');
    expect(http.status).toBe(400);
    expect(http.body.error.message).toBe('The url must be https.');
    for (const url of [
      'https://10.0.0.8/x',
      'https://169.254.169.254/latest',
      'https://[::1]/x',
      'https://100.64.0.1/x',
      'https://metadata.google.internal/x',
    ]) {
      expect({ url, status: (await post(url)).status }).toEqual({ url, status: 400 });
    }
    delete process.env.WEBHOOKS_ALLOW_LOOPBACK;
    try {
      const loopback = await post(receiver.url('/nope'));
      expect(loopback.status).toBe(400);
      expect(loopback.body.error.message).toBe('The url must be https.');
      expect((await post('https://127.0.0.1:8443/x')).status).toBe(400);
      expect((await post('https://localhost/x')).status).toBe(400);
    } finally {
      process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
    }
    expect((await as(admin).get(hooks())).body.data).toEqual([]);
  });

  it('delivers a subscribed event, signed, in sequence; never a type it is not subscribed to', async () => {
    const endpoint = await createEndpoint('/ok', ['organization.updated']);
    await change('Tulsa');
    await as(admin)
      .put(`/api/organizations/${orgId}/secrets/metrc`, { value: 'a-secret-value-1234' })
      .expect(201);
    await change('Norman');
    const [first, second] = await waitFor('two deliveries', () => {
      const got = receiver.at('/ok');
      return got.length >= 2 && got;
    });
    // Deliveries may arrive in any order: the sequence orders them.
    const payloads = [first, second]
      .map((request) => verified(request, endpoint.secret))
      .sort((a, b) => (a.sequence as number) - (b.sequence as number));
    expect(
      payloads.map((payload) => [
        payload.type,
        payload.sequence,
        (payload.data as { city: string }).city,
      ]),
    ).toEqual([
      ['organization.updated', 1, 'Tulsa'],
      ['organization.updated', 2, 'Norman'],
    ]);
    expect(first.headers['content-type']).toBe('application/json');
    expect([first, second].map((request) => request.headers['webhook-id']).sort()).toEqual(
      payloads.map((payload) => payload.id).sort(),
    );
    expect(payloads[0]).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'organization.updated',
      organization_id: orgId,
      created_at: expect.stringMatching(ISO),
      actor: { uid: admin.uid, credential: 'id_token', key_id: null },
      data: expect.objectContaining({ organization_id: orgId, changed_fields: ['city'] }),
      sequence: 1,
    });
    // The secret change was never sent to it.
    await as(admin).delete(`/api/organizations/${orgId}/secrets/metrc`).expect(200);
    await change('Edmond');
    await waitFor('the third delivery', () => receiver.at('/ok').length >= 3);
    expect(receiver.at('/ok').map((request) => JSON.parse(request.body).type)).toEqual([
      'organization.updated',
      'organization.updated',
      'organization.updated',
    ]);
    const deliveries = await as(admin).get(`${hooks()}/${endpoint.id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.data).toHaveLength(3);
    expect(deliveries.body.data[0]).toEqual({
      id: expect.stringMatching(/^dlv_/),
      endpoint_id: endpoint.id,
      event_id: JSON.parse(receiver.at('/ok')[2].body).id,
      event_type: 'organization.updated',
      attempt: 1,
      status_code: 200,
      duration_ms: expect.any(Number),
      error: null,
      succeeded: true,
      attempted_at: expect.stringMatching(ISO),
      next_retry_at: null,
    });
    await as(admin).delete(`${hooks()}/${endpoint.id}`).expect(200);
  });

  it('retries a failure: 500, 500, then 200 brings the same webhook-id three times', async () => {
    receiver.plan('/flaky', [500, 500]);
    const endpoint = await createEndpoint('/flaky', ['organization.updated']);
    await change('Lawton');
    const got = await waitFor('three attempts', () => {
      const requests = receiver.at('/flaky');
      return requests.length >= 3 && requests;
    });
    expect(got).toHaveLength(3);
    expect(new Set(got.map((request) => request.headers['webhook-id'])).size).toBe(1);
    got.forEach((request) => verified(request, endpoint.secret));
    const attempts = await waitFor('three delivery records', async () => {
      const page = await as(admin).get(`${hooks()}/${endpoint.id}/deliveries`);
      return page.body.data.length >= 3 && page.body.data;
    });
    expect(
      attempts.map((attempt: { attempt: number; status_code: number; succeeded: boolean }) => [
        attempt.attempt,
        attempt.status_code,
        attempt.succeeded,
      ]),
    ).toEqual([
      [3, 200, true],
      [2, 500, false],
      [1, 500, false],
    ]);
    expect(attempts[2].next_retry_at).toEqual(expect.stringMatching(ISO));
    expect(attempts[2].error).toBe('HTTP 500');
    await as(admin).delete(`${hooks()}/${endpoint.id}`).expect(200);
  });

  it('410 disables the endpoint, with a webhook_endpoint.updated event', async () => {
    receiver.plan('/gone', [410]);
    const endpoint = await createEndpoint('/gone', ['organization.updated']);
    await change('Moore');
    const disabled = await waitFor('the endpoint disabled', async () => {
      const found = await as(admin).get(`${hooks()}/${endpoint.id}`);
      return found.body.data.enabled === false && found.body.data;
    });
    expect(disabled).toMatchObject({ enabled: false, disabled_reason: 'gone' });
    expect(receiver.at('/gone')).toHaveLength(1);
    const updates = await db()
      .collection('events')
      .where('organization_id', '==', orgId)
      .where('type', '==', 'webhook_endpoint.updated')
      .get();
    expect(updates.docs.map((doc) => [doc.get('actor'), doc.get('data.disabled_reason')])).toEqual([
      [{ uid: null, credential: 'system', key_id: null }, 'gone'],
    ]);
    // Enabled again by an admin: delivered again.
    const enabled = await as(admin).patch(`${hooks()}/${endpoint.id}`, { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body.data).toMatchObject({ enabled: true, disabled_reason: null });
    await change('Yukon');
    await waitFor('a delivery after enabling', () => receiver.at('/gone').length >= 2);
    await as(admin).delete(`${hooks()}/${endpoint.id}`).expect(200);
  });

  it('an endpoint failing every attempt for 3 days is disabled, with a webhook_endpoint.updated event', async () => {
    const DAY = 24 * 60 * 60 * 1000;
    receiver.plan('/failing', [500]);
    receiver.plan('/recovering', [500]);
    const failing = await createEndpoint('/failing', ['organization.updated']);
    const recovering = await createEndpoint('/recovering', ['organization.updated']);
    // Their failures began 4 days ago, and 3 days less an hour ago (as a delivery records them).
    const endpointDoc = (id: string) =>
      db().collection('organizations').doc(orgId).collection('webhooks').doc(id);
    await endpointDoc(failing.id).update({ failing_since: new Date(Date.now() - 4 * DAY) });
    await endpointDoc(recovering.id).update({
      failing_since: new Date(Date.now() - 3 * DAY + 60 * 60 * 1000),
    });
    await change('Guthrie');
    const disabled = await waitFor('the failing endpoint disabled', async () => {
      const found = await as(admin).get(`${hooks()}/${failing.id}`);
      return found.body.data.enabled === false && found.body.data;
    });
    expect(disabled).toMatchObject({ enabled: false, disabled_reason: 'failing' });
    // The other one failed once (not yet 3 days), was retried, succeeded: enabled, its run over.
    await waitFor('the recovering endpoint’s retry', () => receiver.at('/recovering').length >= 2);
    await waitFor('its failure run cleared', async () => {
      const stored = await endpointDoc(recovering.id).get();
      return stored.get('failing_since') === null;
    });
    expect((await as(admin).get(`${hooks()}/${recovering.id}`)).body.data).toMatchObject({
      enabled: true,
      disabled_reason: null,
    });
    // The disabled one got its one attempt, and no retry.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(receiver.at('/failing')).toHaveLength(1);
    const updates = await db()
      .collection('events')
      .where('organization_id', '==', orgId)
      .where('type', '==', 'webhook_endpoint.updated')
      .get();
    expect(
      updates.docs
        .filter((doc) => [failing.id, recovering.id].includes(doc.get('data.id')))
        .map((doc) => [doc.get('data.id'), doc.get('actor'), doc.get('data')]),
    ).toEqual([
      [
        failing.id,
        { uid: null, credential: 'system', key_id: null },
        expect.objectContaining({
          enabled: false,
          disabled_reason: 'failing',
          changed_fields: ['enabled'],
        }),
      ],
    ]);
    await as(admin).delete(`${hooks()}/${failing.id}`).expect(200);
    await as(admin).delete(`${hooks()}/${recovering.id}`).expect(200);
  });

  it('a purge delivers organization.deleted to the endpoints subscribed then, and destroys their secrets after', async () => {
    const { organization_id: doomed } = await createOrganization(admin, { name: 'Doomed Org' });
    const told = await createEndpoint('/deleted', ['organization.deleted'], doomed);
    const other = await createEndpoint('/not-told', ['organization.updated'], doomed);
    const versionOf = async (id: string) =>
      (await db().collection('organizations').doc(doomed).collection('webhooks').doc(id).get()).get(
        'secret_version',
      ) as string;
    const [toldVersion, otherVersion] = [await versionOf(told.id), await versionOf(other.id)];
    await as(admin).delete(`/api/organizations/${doomed}`).expect(200);
    await as(admin).delete(`/api/organizations/${doomed}?purge=true`).expect(200);
    // The endpoint documents are gone with the organization.
    const left = await db().collection('organizations').doc(doomed).collection('webhooks').get();
    expect(left.size).toBe(0);
    const destroyed = (version: string) =>
      secretStore.access(version).then(
        () => false,
        () => true,
      );
    // The endpoint that does not hear of it lost its secret with the purge.
    expect(await destroyed(otherVersion)).toBe(true);
    const [request] = await waitFor('organization.deleted', () => {
      const got = receiver.at('/deleted');
      return got.length >= 1 && got;
    });
    expect(verified(request, told.secret)).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'organization.deleted',
      organization_id: doomed,
      created_at: expect.stringMatching(ISO),
      actor: { uid: admin.uid, credential: 'id_token', key_id: null },
      data: expect.objectContaining({ organization_id: doomed, name: 'Doomed Org' }),
      // After its webhook_endpoint.* events, which it is not subscribed to: its first.
      sequence: 1,
    });
    // Delivered, its secret is destroyed too.
    await waitFor('the secret destroyed after delivery', () => destroyed(toldVersion));
    expect(receiver.at('/deleted')).toHaveLength(1);
    expect(receiver.at('/not-told')).toEqual([]);
    // No attempt was recorded under the purged organization.
    expect((await db().collection('organizations').doc(doomed).listCollections()).length).toBe(0);
  });

  it('a rotation sends two signatures (new and old secret) and shows the new secret once', async () => {
    const endpoint = await createEndpoint('/rotated', ['organization.updated']);
    const rotated = await as(admin).post(`${hooks()}/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.secret).toMatch(SECRET);
    expect(rotated.body.data.secret).not.toBe(endpoint.secret);
    secrets.push(rotated.body.data.secret);
    await change('Enid');
    const [request] = await waitFor('the delivery', () => {
      const got = receiver.at('/rotated');
      return got.length >= 1 && got;
    });
    const signatures = String(request.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((signature) => signature.startsWith('v1,'))).toBe(true);
    const single = (secret: string, index: number) =>
      new Webhook(secret).verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': signatures[index],
      });
    expect(single(rotated.body.data.secret, 0)).toMatchObject({ type: 'organization.updated' });
    expect(single(endpoint.secret, 1)).toMatchObject({ type: 'organization.updated' });
    expect(() => single(endpoint.secret, 0)).toThrow();
    await as(admin).delete(`${hooks()}/${endpoint.id}`).expect(200);
  });

  it('test sends webhook_endpoint.test to that endpoint only; redeliver sends an attempt again', async () => {
    const one = await createEndpoint('/test-one', ['organization.updated']);
    const other = await createEndpoint('/test-other', ['*']);
    const tested = await as(admin).post(`${hooks()}/${one.id}/test`);
    expect(tested.status).toBe(200);
    expect(tested.body.data).toEqual({
      endpoint_id: one.id,
      event_id: expect.stringMatching(/^evt_/),
      queued: true,
    });
    const [request] = await waitFor('the test event', () => {
      const got = receiver.at('/test-one');
      return got.length >= 1 && got;
    });
    expect(verified(request, one.secret)).toMatchObject({
      id: tested.body.data.event_id,
      type: 'webhook_endpoint.test',
    });
    const [attempt] = await waitFor('its delivery record', async () => {
      const page = await as(admin).get(`${hooks()}/${one.id}/deliveries`);
      return page.body.data.length >= 1 && page.body.data;
    });
    const again = await as(admin).post(`${hooks()}/${one.id}/deliveries/${attempt.id}/redeliver`);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({
      endpoint_id: one.id,
      event_id: tested.body.data.event_id,
      queued: true,
    });
    const both = await waitFor('the redelivery', () => {
      const got = receiver.at('/test-one');
      return got.length >= 2 && got;
    });
    expect(both.map((got) => got.headers['webhook-id'])).toEqual([
      tested.body.data.event_id,
      tested.body.data.event_id,
    ]);
    expect(receiver.at('/test-other').map((got) => JSON.parse(got.body).type)).not.toContain(
      'webhook_endpoint.test',
    );
    await as(admin).delete(`${hooks()}/${one.id}`).expect(200);
    await as(admin).delete(`${hooks()}/${other.id}`).expect(200);
  });

  it('updates and deletes with one event each; at most 10 endpoints', async () => {
    const endpoint = await createEndpoint('/crud', ['secret.deleted']);
    const patched = await as(owner).patch(`${hooks()}/${endpoint.id}`, {
      events: ['secret.updated', 'secret.deleted'],
      description: 'Secrets',
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({
      events: ['secret.updated', 'secret.deleted'],
      description: 'Secrets',
    });
    expect((await as(viewer).patch(`${hooks()}/${endpoint.id}`, { enabled: false })).status).toBe(
      403,
    );
    expect((await as(admin).patch(`${hooks()}/${endpoint.id}`, {})).status).toBe(400);
    expect((await as(admin).patch(`${hooks()}/${endpoint.id}`, { events: ['nope'] })).status).toBe(
      400,
    );
    const ids = [endpoint.id];
    for (let i = 1; i < 10; i += 1)
      ids.push((await createEndpoint(`/crud-${i}`, ['secret.deleted'])).id);
    const eleventh = await as(admin).post(hooks(), { url: receiver.url('/x'), events: ['*'] });
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.error).toEqual({
      code: 'resource-exhausted',
      message: `An organization has at most 10 webhook endpoints; ${orgId} has 10.`,
    });
    for (const id of ids) await as(admin).delete(`${hooks()}/${id}`).expect(200);
    expect((await as(admin).get(`${hooks()}/${endpoint.id}`)).status).toBe(404);
    const events = await db().collection('events').where('organization_id', '==', orgId).get();
    const of = (type: string) =>
      events.docs.filter((doc) => doc.get('type') === type && doc.get('data.id') === endpoint.id)
        .length;
    expect([
      of('webhook_endpoint.created'),
      of('webhook_endpoint.updated'),
      of('webhook_endpoint.deleted'),
    ]).toEqual([1, 1, 1]);
  });

  it('no secret value in any event, delivery record or later response', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const stored = await db().collectionGroup('deliveries').get();
    const events = await db().collection('events').get();
    const endpoints = await db().collectionGroup('webhooks').get();
    const everything = JSON.stringify([
      ...stored.docs.map((doc) => doc.data()),
      ...events.docs.map((doc) => doc.data()),
      ...endpoints.docs.map((doc) => doc.data()),
      (await as(admin).get(`/api/organizations/${orgId}/events?limit=100`)).body,
      (await as(admin).get(hooks())).body,
    ]);
    for (const secret of secrets) {
      expect(everything).not.toContain(secret.slice('whsec_'.length));
    }
  });
});
