// The HTTP guarantees every write gets, table-driven over the operations the declarations
// generate: each write that takes `If-Match` refuses a stale one with 412 and writes nothing, and
// each POST that takes `Idempotency-Key` answers a retry with the first answer and writes once.
// A new operation with either header fails here until the table says how to call it.
import type { Test } from 'supertest';
import request from 'supertest';
import { app, as, bearer, createOrganization, dumpAll, joinAll } from '../helpers/api';
import { failure } from '../helpers/envelope';
import { createUser, describeEmulators, wipe, type TestUser } from '../helpers/emulators';
import { generatedDocument } from '../helpers/spec';

interface Cast {
  owner: TestUser;
  member: TestUser;
  invitee: TestUser;
  /** Someone with no standing toward the organization yet. */
  newcomer: TestUser;
  orgId: string;
  invitationId: string;
}

/**
 * How to call one operation on a fresh organization (with a member, an invitee and a secret):
 * `prepare` once (it may add to the cast), then `send`, again for a retry.
 */
interface Call {
  prepare?: (cast: Cast) => Promise<Partial<Cast> & { keyId?: string }>;
  send: (cast: Cast & { keyId?: string }) => Test;
}

const call = (send: Call['send']): Call => ({ send });

let counter = 0;
const fresh = () => `guarded-${++counter}`;

const CALLS: Record<string, Call> = {
  createOrganization: call(({ owner, orgId }) =>
    as(owner).post('/api/organizations', { organization_id: orgId, city: 'Oakland' }),
  ),
  postOrganization: call(({ owner, orgId }) =>
    as(owner).post(`/api/organizations/${orgId}`, { city: 'Oakland' }),
  ),
  updateOrganization: call(({ owner, orgId }) =>
    as(owner).patch(`/api/organizations/${orgId}`, { city: 'Oakland' }),
  ),
  deleteOrganization: call(({ owner, orgId }) => as(owner).delete(`/api/organizations/${orgId}`)),
  restoreOrganization: {
    prepare: async ({ owner, orgId }) => {
      await as(owner).delete(`/api/organizations/${orgId}`).expect(200);
      return {};
    },
    send: ({ owner, orgId }) => as(owner).post(`/api/organizations/${orgId}/restore`),
  },
  putSecret: call(({ owner, orgId }) =>
    as(owner).put(`/api/organizations/${orgId}/secrets/metrc`, { value: 'a-new-secret-value' }),
  ),
  deleteSecret: call(({ owner, orgId }) =>
    as(owner).delete(`/api/organizations/${orgId}/secrets/pin`),
  ),
  addTeamMembers: call(({ owner, orgId, newcomer }) =>
    as(owner).post(`/api/organizations/${orgId}/team`, { uid: newcomer.uid, role: 'viewer' }),
  ),
  setMemberRole: call(({ owner, orgId, member }) =>
    as(owner).patch(`/api/organizations/${orgId}/team/${member.uid}`, { role: 'viewer' }),
  ),
  removeMember: call(({ owner, orgId, member }) =>
    as(owner).delete(`/api/organizations/${orgId}/team/${member.uid}`),
  ),
  leaveOrganization: call(({ member, orgId }) =>
    as(member).post(`/api/organizations/${orgId}/leave`),
  ),
  transferOwnership: call(({ owner, orgId, member }) =>
    as(owner).post(`/api/organizations/${orgId}/transfer`, { uid: member.uid }),
  ),
  createInvitation: call(({ owner, orgId }) =>
    as(owner).post(`/api/organizations/${orgId}/invitations`, { email: 'new@example.com' }),
  ),
  revokeInvitation: call(({ owner, orgId, invitationId }) =>
    as(owner).delete(`/api/organizations/${orgId}/invitations/${invitationId}`),
  ),
  resendInvitation: call(({ owner, orgId, invitationId }) =>
    as(owner).post(`/api/organizations/${orgId}/invitations/${invitationId}/resend`),
  ),
  acceptInvitation: call(({ invitee, invitationId }) =>
    as(invitee).post(`/api/invitations/${invitationId}/accept`),
  ),
  declineInvitation: call(({ invitee, invitationId }) =>
    as(invitee).post(`/api/invitations/${invitationId}/decline`),
  ),
  createApiKey: call(({ owner }) => as(owner).post('/api/auth/keys', { name: 'retried' })),
  createApiKeyAliasAuthCreateKey: call(({ owner }) =>
    as(owner).post('/api/auth/create-key', { name: 'retried' }),
  ),
  revokeApiKeyCannlytics: {
    prepare: async ({ owner }) => {
      const key = await as(owner).post('/api/auth/keys', { name: 'to revoke' }).expect(201);
      return { keyId: key.body.data.key_id as string };
    },
    send: ({ owner, keyId }) => as(owner).post('/api/auth/delete-key', { key_id: keyId }),
  },
};

/** The operations whose document lists a request header, by operationId. */
function operationsWith(header: string): string[] {
  const ids: string[] = [];
  for (const item of Object.values(generatedDocument().paths)) {
    for (const operation of Object.values(item)) {
      const { parameters = [] } = operation as { parameters?: { name: string }[] };
      const names = parameters.map((parameter) => parameter.name);
      if (names.includes(header)) ids.push(operation.operationId);
    }
  }
  return ids.sort();
}

/** Every signed-in write of the document, as method and a path with its parameters filled in. */
function signedInWrites(): [string, string][] {
  const writes: [string, string][] = [];
  for (const [path, item] of Object.entries(generatedDocument().paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const { security = [] } = operation as { security?: unknown[] };
      if (method === 'get' || security.length === 0) continue;
      writes.push([method, `/api${path.replace(/\{\w+\}/g, 'guarded-1')}`]);
    }
  }
  return writes;
}

const conditional = operationsWith('If-Match');
const idempotent = operationsWith('Idempotency-Key');

describeEmulators('the guarantees of every write', () => {
  let owner: TestUser;
  let member: TestUser;

  /** A fresh organization with a member, a pending invitation to a new user, and a secret. */
  async function castFor(): Promise<Cast> {
    const orgId = fresh();
    const [invitee, newcomer] = await Promise.all([createUser(), createUser()]);
    await createOrganization(owner, { organization_id: orgId, name: `Lab ${orgId}` });
    await as(owner).post(`/api/organizations/${orgId}/team`, { uid: member.uid }).expect(201);
    await joinAll(orgId, [member]);
    await as(owner).put(`/api/organizations/${orgId}/secrets/pin`, { value: '1234' }).expect(201);
    const invited = await as(owner)
      .post(`/api/organizations/${orgId}/team`, { uid: invitee.uid })
      .expect(201);
    const invitationId = (
      (await as(owner).get(`/api/organizations/${orgId}/invitations`).expect(200)).body.data as {
        id: string;
        uid: string | null;
      }[]
    ).find((invitation) => invitation.uid === invitee.uid)!.id;
    expect(invited.body.success).toBe(true);
    return { owner, member, invitee, newcomer, orgId, invitationId };
  }

  /** The cast of a fresh organization, prepared for one operation. */
  async function prepared(id: string) {
    const cast = await castFor();
    return { ...cast, ...(await CALLS[id].prepare?.(cast)) };
  }

  beforeAll(async () => {
    await wipe();
    [owner, member] = await Promise.all([createUser(), createUser()]);
  });

  it('refuses every signed-in write to a read-only API key (403), writing nothing', async () => {
    const key = await as(owner)
      .post('/api/auth/keys', { name: 'read only', scopes: ['read'] })
      .expect(201);
    // A first use records the key's last use (once a minute): done before the snapshot.
    await request(app)
      .get('/api/auth/me')
      .set(bearer(key.body.data.key as string))
      .expect(200);
    const writes = signedInWrites();
    expect(writes.length).toBeGreaterThanOrEqual(22);
    const before = await dumpAll();
    const answers: Record<string, unknown> = {};
    for (const [method, path] of writes) {
      const response = await request(app)
        [method as 'post' | 'put' | 'patch' | 'delete'](path)
        .set(bearer(key.body.data.key as string))
        .send({});
      answers[`${method} ${path}`] = [response.status, response.body];
    }
    const refused = [
      403,
      failure({
        code: 'permission-denied',
        message: 'This API key is read-only: it has no "write" scope.',
      }),
    ];
    expect(answers).toEqual(Object.fromEntries(writes.map(([m, p]) => [`${m} ${p}`, refused])));
    expect(await dumpAll()).toEqual(before);
  });

  it('the table covers every operation that takes If-Match or Idempotency-Key', () => {
    expect([...new Set([...conditional, ...idempotent])].sort()).toEqual(Object.keys(CALLS).sort());
    expect(conditional.length).toBeGreaterThanOrEqual(14);
    expect(idempotent.length).toBeGreaterThanOrEqual(12);
  });

  it.each(conditional)(
    '%s: a stale If-Match is a 412 with the current ETag, nothing written',
    async (id) => {
      const cast = await prepared(id);
      const current = await as(owner).get(`/api/organizations/${cast.orgId}`).expect(200);
      const etag = current.headers.etag;
      expect(etag).toMatch(/^"\d+"$/);
      const before = await dumpAll();
      const response = await CALLS[id].send(cast).set('If-Match', '"999999"');
      expect(response.status).toBe(412);
      expect(response.headers.etag).toBe(etag);
      expect(response.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: `The organization has changed since you read it: its ETag is now ${etag}.`,
        }),
      );
      expect(await dumpAll()).toEqual(before);
      const accepted = await CALLS[id].send(cast).set('If-Match', etag);
      expect([200, 201]).toContain(accepted.status);
    },
  );

  it.each(idempotent)(
    '%s: a retry with the same Idempotency-Key replays, writing once',
    async (id) => {
      const cast = await prepared(id);
      const key = `retry-${id}-${cast.orgId}`;
      const first = await CALLS[id].send(cast).set('Idempotency-Key', key);
      expect([200, 201]).toContain(first.status);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const after = await dumpAll();
      const again = await CALLS[id].send(cast).set('Idempotency-Key', key);
      expect(again.status).toBe(first.status);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(first.headers.location);
      expect(await dumpAll()).toEqual(after);
    },
  );
});
