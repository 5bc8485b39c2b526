import request from 'supertest';
import { db } from '../../functions/src/firebase';
import {
  app,
  as,
  bearer,
  createCast,
  createOrganization,
  ISO,
  joinAll,
  setRole,
} from '../helpers/api';
import {
  claimsOf,
  createUser,
  describeEmulators,
  dump,
  refreshIdToken,
  wipe,
  type TestUser,
} from '../helpers/emulators';
import { failure } from '../helpers/envelope';

describeEmulators('organizations', () => {
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let platform: TestUser;

  beforeAll(async () => {
    await wipe();
    ({ owner, admin, member, viewer, stranger, platform } = await createCast());
  });

  describe('creating', () => {
    it('creates with the Cannlytics fields, 21 data models and the owner’s claims', async () => {
      const response = await as(owner).post('/api/organizations', {
        name: 'Test Company',
        trade_name: 'Cannlytics',
        email: 'contact@cannlytics.com',
        website: 'https://cannlytics.com',
        public: 'false',
        type: 'lab',
      });
      expect(response.status).toBe(201);
      expect(response.headers.location).toBe('/api/organizations/test-company');
      expect(response.headers.etag).toBe('"1"');
      const data = response.body.data;
      expect(data).toEqual({
        organization_id: 'test-company',
        uid: 'test-company',
        name: 'Test Company',
        trade_name: 'Cannlytics',
        type: 'lab',
        public: false,
        owner: owner.uid,
        team: [owner.uid],
        email: 'contact@cannlytics.com',
        phone: '',
        website: 'https://cannlytics.com',
        linkedin: '',
        address: '',
        city: '',
        state: '',
        zip_code: '',
        country: '',
        external_id: '',
        photo_url: '',
        photo_ref: '',
        photo_size: null,
        photo_type: '',
        photo_modified_at: null,
        photo_uploaded_at: null,
        licenses: [],
        created_at: data.created_at,
        updated_at: data.created_at,
        archived: false,
        archived_at: null,
        role: 'owner',
      });
      expect(data.created_at).toMatch(ISO);

      const models = await db().collection('organizations/test-company/data_models').get();
      expect(models.size).toBe(21);
      expect(models.docs.map((doc) => doc.id)).toContain('analyses');
      const members = await db().collection('organizations/test-company/members').get();
      expect(members.docs.map((doc) => [doc.id, doc.data().role])).toEqual([[owner.uid, 'owner']]);

      const claims = claimsOf(await refreshIdToken(owner.refreshToken));
      expect(claims.owner).toEqual(['test-company']);
      expect(claims.team).toEqual(['test-company']);
    });

    it('keeps the user’s other claims', async () => {
      const response = await as(platform).post('/api/organizations', { name: 'Platform Lab' });
      expect(response.status).toBe(201);
      const claims = claimsOf(await refreshIdToken(platform.refreshToken));
      expect(claims).toMatchObject({
        admin: true,
        owner: ['platform-lab'],
        team: ['platform-lab'],
      });
    });

    it('updates when the id exists and the caller may edit it (Cannlytics upsert)', async () => {
      const response = await as(owner).post('/api/organizations', {
        organization_id: 'test-company',
        phone: '555-0100',
      });
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({
        organization_id: 'test-company',
        phone: '555-0100',
      });
      expect(response.headers.etag).toBe('"2"');
    });

    it('answers 409 to anyone else posting an existing id', async () => {
      const response = await as(stranger).post('/api/organizations', { name: 'Test Company' });
      expect(response.status).toBe(409);
      expect(response.body).toEqual(
        failure({
          code: 'already-exists',
          message: 'An organization with the id test-company already exists.',
        }),
      );
    });

    it('lets exactly one of ten concurrent creators win', async () => {
      const racers = await Promise.all(Array.from({ length: 10 }, () => createUser()));
      const responses = await Promise.all(
        racers.map((racer) => as(racer).post('/api/organizations', { name: 'Race Lab' })),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      const winner = racers[responses.findIndex((response) => response.status === 201)];
      const org = await db().doc('organizations/race-lab').get();
      expect(org.data()?.owner).toBe(winner.uid);
      const members = await db().collection('organizations/race-lab/members').get();
      expect(members.docs.map((doc) => [doc.id, doc.data().role])).toEqual([[winner.uid, 'owner']]);
      expect((await db().collection('organizations/race-lab/data_models').get()).size).toBe(21);
    });

    it('answers the same owner’s concurrent retries with one 201 and 200s', async () => {
      const retrier = await createUser();
      const responses = await Promise.all(
        Array.from({ length: 5 }, () =>
          as(retrier).post('/api/organizations', { name: 'Retry Lab' }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([
        200, 200, 200, 200, 201,
      ]);
      expect((await db().collection('organizations/retry-lab/members').get()).size).toBe(1);
    });

    it('replays the first response for a repeated Idempotency-Key', async () => {
      const user = await createUser();
      const send = (body: object) =>
        request(app)
          .post('/api/organizations')
          .set({ ...bearer(user.idToken), 'Idempotency-Key': 'create-once-42' })
          .send(body);
      const first = await send({ name: 'Once Lab' });
      const second = await send({ name: 'Once Lab' });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.headers.location).toBe('/api/organizations/once-lab');
      const other = await send({ name: 'Other Lab' });
      expect(other.status).toBe(409);
      expect(other.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: 'This Idempotency-Key was already used with a different request.',
        }),
      );
      const logs = await db().collection('organizations/once-lab/logs').get();
      expect(logs.size).toBe(1);
    });

    it('invites a posted team in the same commit; members join by accepting', async () => {
      const [first, second] = await Promise.all([createUser(), createUser()]);
      const response = await as(owner).post('/api/organizations', {
        name: 'Team Lab',
        team: [first.uid, second.uid],
      });
      expect(response.status).toBe(201);
      expect(response.body.data.team).toEqual([owner.uid]);
      const createdAt = response.body.data.created_at;
      // Only the creator's claims changed: the invitees have none yet.
      const before = claimsOf(await refreshIdToken(first.refreshToken));
      expect(before.owner).toBeUndefined();
      expect(before.team).toBeUndefined();
      const mine = await as(first).get('/api/invitations');
      expect(mine.status).toBe(200);
      const invitation = mine.body.data[0];
      expect(mine.body.data).toEqual([
        {
          id: invitation.id,
          organization_id: 'team-lab',
          organization_name: 'Team Lab',
          email: null,
          uid: first.uid,
          role: 'member',
          status: 'pending',
          invited_by: owner.uid,
          created_at: createdAt,
          expires_at: invitation.expires_at,
          responded_at: null,
        },
      ]);
      expect(Date.parse(invitation.expires_at) - Date.parse(createdAt)).toBe(7 * 86_400_000);
      const mail = await db().collection('mail').where('to', '==', first.email).get();
      expect(mail.size).toBe(1);

      await joinAll('team-lab', [first, second]);
      const org = await as(owner).get('/api/organizations/team-lab');
      expect(org.body.data.team).toEqual([owner.uid, first.uid, second.uid]);
      const claims = claimsOf(await refreshIdToken(first.refreshToken));
      expect(claims).toMatchObject({ owner: [], team: ['team-lab'] });
    });
  });

  describe('rights', () => {
    const orgPath = '/api/organizations/rights-lab';

    beforeAll(async () => {
      await createOrganization(owner, {
        name: 'Rights Lab',
        team: [admin.uid, member.uid, viewer.uid],
      });
      await joinAll('rights-lab', [admin, member, viewer]);
      await setRole('rights-lab', admin.uid, 'admin');
      await setRole('rights-lab', viewer.uid, 'viewer');
    });

    const callers = () =>
      ({
        anonymous: null,
        stranger,
        viewer,
        member,
        admin,
        owner,
        platform,
      }) as Record<string, TestUser | null>;

    async function statuses(call: (user: TestUser | null) => Promise<{ status: number }>) {
      const result: Record<string, number> = {};
      for (const [name, user] of Object.entries(callers()))
        result[name] = (await call(user)).status;
      return result;
    }

    it.each([
      ['GET the organization', '', { anonymous: 404, stranger: 404 }, 200],
      ['GET data_models', '/data_models', { anonymous: 401, stranger: 404 }, 200],
      ['GET role', '/role', { anonymous: 401, stranger: 404 }, 200],
      ['GET summary', '/summary', { anonymous: 401, stranger: 404 }, 200],
      ['GET team', '/team', { anonymous: 401, stranger: 404 }, 200],
      ['GET logs', '/logs', { anonymous: 401, stranger: 404, viewer: 403, member: 403 }, 200],
    ])('%s', async (_name, suffix, refused, allowed) => {
      const result = await statuses((user) => as(user).get(`${orgPath}${suffix}`));
      expect(result).toEqual({ ...mapAll(allowed), ...refused });
    });

    it('PATCH the profile: members and up', async () => {
      const result = await statuses((user) =>
        as(user).patch(orgPath, { city: `City ${Math.random()}` }),
      );
      expect(result).toEqual({ ...mapAll(200), anonymous: 401, stranger: 404, viewer: 403 });
    });

    it('PATCH the team: the owner (and platform admins) only', async () => {
      const team = [owner.uid, admin.uid, member.uid, viewer.uid];
      const result = await statuses((user) =>
        as(user)
          .patch(orgPath, { team: [...team, stranger.uid] })
          .then(async (response) => {
            if (response.status === 200) await as(owner).patch(orgPath, { team });
            return response;
          }),
      );
      expect(result).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 403,
        member: 403,
        admin: 403,
        owner: 200,
        platform: 200,
      });
      // The owner's change invited the stranger (the platform admin's added them directly, and
      // the owner removed them again): revoke that invitation, leaving the fixture as it was.
      const pending = await as(owner).get(`${orgPath}/invitations`);
      const invited = pending.body.data.filter(
        (invitation: { uid: string | null; status: string }) =>
          invitation.uid === stranger.uid && invitation.status === 'pending',
      );
      expect(invited).toHaveLength(1);
      await as(owner).delete(`${orgPath}/invitations/${invited[0].id}`).expect(200);
    });

    it('explains a refusal', async () => {
      const response = await as(admin).patch(orgPath, { owner: admin.uid });
      expect(response.status).toBe(403);
      expect(response.body).toEqual(
        failure({
          code: 'permission-denied',
          message: 'Only the owner of rights-lab can change its owner or team; you are an admin.',
        }),
      );
    });

    it('accepts an unchanged team from a member (a read-modify-write round trip)', async () => {
      const current = await as(member).get(orgPath);
      const response = await as(member).post(orgPath, {
        team: current.body.data.team,
        owner: current.body.data.owner,
        phone: '555-0199',
      });
      expect(response.status).toBe(200);
      expect(response.body.data.phone).toBe('555-0199');
    });

    it('DELETE (archive) and restore: the owner only', async () => {
      const result = await statuses(async (user) => {
        const response = await as(user).delete(orgPath);
        if (response.status === 200) await as(owner).post(`${orgPath}/restore`);
        return response;
      });
      expect(result).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 403,
        member: 403,
        admin: 403,
        owner: 200,
        platform: 200,
      });
    });

    it('reports the caller’s role', async () => {
      const roles: Record<string, unknown> = {};
      for (const [name, user] of Object.entries(callers())) {
        if (!user || name === 'stranger') continue;
        roles[name] = (await as(user).get(`${orgPath}/role`)).body.data;
      }
      const role = (value: string, platformAdmin = false) => ({
        organization_id: 'rights-lab',
        role: value,
        platform_admin: platformAdmin,
      });
      expect(roles).toEqual({
        viewer: role('viewer'),
        member: role('member'),
        admin: role('admin'),
        owner: role('owner'),
        platform: role('owner', true),
      });
    });

    it('shows a public organization’s profile to strangers and anonymous callers', async () => {
      await createOrganization(owner, {
        name: 'Open Lab',
        public: true,
        city: 'Oakland',
        address: '1 Main St',
      });
      for (const user of [null, stranger]) {
        const response = await as(user).get('/api/organizations/open-lab');
        expect(response.status).toBe(200);
        expect(response.body).toEqual({
          success: true,
          data: {
            organization_id: 'open-lab',
            uid: 'open-lab',
            name: 'Open Lab',
            trade_name: '',
            type: 'other',
            public: true,
            email: '',
            phone: '',
            website: '',
            linkedin: '',
            city: 'Oakland',
            state: '',
            country: '',
            photo_url: '',
            created_at: response.body.data.created_at,
          },
        });
      }
      const edit = await as(stranger).patch('/api/organizations/open-lab', { city: 'Elsewhere' });
      expect(edit.status).toBe(403);
      expect(edit.body.error.message).toBe(
        'Only members (not viewers) of open-lab can edit it; you are not on its team.',
      );
    });

    it('tells a stranger nothing of a private organization', async () => {
      const missing = await as(stranger).get('/api/organizations/no-such-org');
      const hidden = await as(stranger).get(orgPath);
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual(
        failure({ code: 'not-found', message: 'No organization rights-lab.' }),
      );
      expect(missing.body).toEqual(
        failure({ code: 'not-found', message: 'No organization no-such-org.' }),
      );
    });

    it('refuses a removed member on the next request despite a stale claim', async () => {
      const leaver = await createUser();
      await as(owner)
        .patch(orgPath, { team: [owner.uid, admin.uid, member.uid, viewer.uid, leaver.uid] })
        .expect(200);
      await joinAll('rights-lab', [leaver]);
      const token = await refreshIdToken(leaver.refreshToken);
      expect(claimsOf(token).team).toEqual(['rights-lab']);
      await as(owner).patch(orgPath, { team: [owner.uid, admin.uid, member.uid, viewer.uid] });
      const response = await request(app).get(orgPath).set(bearer(token));
      expect(response.status).toBe(404);
      expect(claimsOf(await refreshIdToken(leaver.refreshToken)).team).toEqual([]);
    });
  });

  describe('updating', () => {
    it('makes writes conditional on If-Match', async () => {
      await createOrganization(owner, { name: 'Match Lab' });
      const path = '/api/organizations/match-lab';
      const read = await as(owner).get(path);
      expect(read.headers.etag).toBe('"1"');
      const first = await as(owner).patch(path, { city: 'A' }).set('If-Match', '"1"');
      expect(first.status).toBe(200);
      expect(first.headers.etag).toBe('"2"');
      const stale = await as(owner).patch(path, { city: 'B' }).set('If-Match', '"1"');
      expect(stale.status).toBe(412);
      expect(stale.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: 'The organization has changed since you read it: its ETag is now "2".',
        }),
      );
      expect((await as(owner).get(path)).body.data.city).toBe('A');
    });

    it('logs every change with actor, credential and field names', async () => {
      await createOrganization(owner, { name: 'Log Lab', city: 'X' });
      const key = await as(owner).post('/api/auth/keys', { name: 'logger' });
      await request(app)
        .patch('/api/organizations/log-lab')
        .set(bearer(key.body.data.key))
        .send({ phone: '555-0123', city: 'Y', email: 'lab@example.com' });
      const response = await as(owner).get('/api/organizations/log-lab/logs');
      expect(response.status).toBe(200);
      expect(response.body.next_cursor).toBeNull();
      const [updated, created] = response.body.data;
      expect(updated).toEqual({
        id: updated.id,
        action: 'organization.updated',
        actor_uid: owner.uid,
        credential: 'api_key',
        key_id: key.body.data.key_id,
        changed_fields: ['city', 'email', 'phone'],
        at: updated.at,
      });
      expect(created).toEqual({
        id: created.id,
        action: 'organization.created',
        actor_uid: owner.uid,
        credential: 'id_token',
        key_id: null,
        changed_fields: ['city', 'name'],
        at: created.at,
      });
    });

    it('transfers ownership through the owner field; the old owner becomes admin', async () => {
      const heir = await createUser();
      await createOrganization(owner, { name: 'Heir Lab', team: [heir.uid] });
      await joinAll('heir-lab', [heir]);
      const response = await as(owner).patch('/api/organizations/heir-lab', { owner: heir.uid });
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({ owner: heir.uid, role: 'admin' });
      expect(claimsOf(await refreshIdToken(heir.refreshToken))).toMatchObject({
        owner: ['heir-lab'],
        team: ['heir-lab'],
      });
      const role = await as(owner).get('/api/organizations/heir-lab/role');
      expect(role.body.data.role).toBe('admin');
    });

    it('transfers only to a member: not to one invited in the same change', async () => {
      const newcomer = await createUser();
      await createOrganization(owner, { name: 'Swap Lab' });
      const before = await dump();
      const refused = await as(owner).patch('/api/organizations/swap-lab', {
        team: [owner.uid, newcomer.uid],
        owner: newcomer.uid,
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual(
        failure({
          code: 'invalid-argument',
          message: `${newcomer.uid} is not on the team yet: invite them first.`,
          details: [{ path: 'owner', message: 'Must be a member.' }],
        }),
      );
      expect(await dump()).toEqual(before);

      await as(owner)
        .patch('/api/organizations/swap-lab', { team: [owner.uid, newcomer.uid] })
        .expect(200);
      await joinAll('swap-lab', [newcomer]);
      const response = await as(owner).patch('/api/organizations/swap-lab', {
        team: [owner.uid, newcomer.uid],
        owner: newcomer.uid,
      });
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({
        owner: newcomer.uid,
        team: [owner.uid, newcomer.uid],
        role: 'admin',
      });
      const members = await db().collection('organizations/swap-lab/members').get();
      const roles = Object.fromEntries(members.docs.map((doc) => [doc.id, doc.data().role]));
      expect(roles).toEqual({ [owner.uid]: 'admin', [newcomer.uid]: 'owner' });
    });

    it('refuses a team without its owner and unknown users', async () => {
      await createOrganization(owner, { name: 'Guard Lab' });
      const without = await as(owner).patch('/api/organizations/guard-lab', { team: [member.uid] });
      expect(without.status).toBe(400);
      expect(without.body.error.message).toBe('The team must include the owner.');
      const unknown = await as(owner).patch('/api/organizations/guard-lab', {
        team: [owner.uid, 'no-such-user'],
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toBe('No user with the uid no-such-user.');
    });
  });

  describe('archive, restore, purge', () => {
    it('archives, hides, freezes, restores and purges', async () => {
      const teammate = await createUser();
      await createOrganization(owner, { name: 'Life Lab', team: [teammate.uid] });
      await joinAll('life-lab', [teammate]);
      const path = '/api/organizations/life-lab';

      const archived = await as(owner).delete(path);
      expect(archived.status).toBe(200);
      expect(archived.body.data).toMatchObject({ archived: true });
      expect(archived.body.data.archived_at).toMatch(ISO);

      const list = await as(owner).get('/api/organizations?limit=100');
      expect(
        list.body.data.map((org: { organization_id: string }) => org.organization_id),
      ).not.toContain('life-lab');
      const archivedList = await as(owner).get('/api/organizations?archived=true');
      expect(
        archivedList.body.data.map((org: { organization_id: string }) => org.organization_id),
      ).toEqual(['life-lab']);
      expect((await as(teammate).get(path)).status).toBe(200);

      const write = await as(owner).patch(path, { city: 'Z' });
      expect(write.status).toBe(409);
      expect(write.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: 'life-lab is archived and read-only: restore it first.',
        }),
      );

      const restored = await as(owner).post(`${path}/restore`);
      expect(restored.status).toBe(200);
      expect(restored.body.data).toMatchObject({ archived: false, archived_at: null });

      const early = await as(owner).delete(`${path}?purge=true`);
      expect(early.status).toBe(409);
      expect(early.body.error.message).toBe('Archive life-lab before purging it.');

      await as(owner).delete(path).expect(200);
      const purged = await as(owner).delete(`${path}?purge=true`);
      expect(purged.status).toBe(200);
      expect(purged.body).toEqual({
        success: true,
        data: { organization_id: 'life-lab', purged: true },
      });
      const left = Object.keys(await dump()).filter((docPath) =>
        docPath.startsWith('organizations/life-lab'),
      );
      expect(left).toEqual([]);
      expect((await as(owner).get(path)).status).toBe(404);
      expect(claimsOf(await refreshIdToken(teammate.refreshToken)).team).toEqual([]);
      // Its id stays taken for 30 days (a tombstone), so nobody can pose as it.
      const tombstone = (await db().doc('purged_organizations/life-lab').get()).data()!;
      const purgedAt = tombstone.purged_at.toDate() as Date;
      const expiresAt = tombstone.expires_at.toDate() as Date;
      // Thirty days from the end of the purge (the tombstone gets its expiry once all is deleted).
      expect(expiresAt.getTime() - purgedAt.getTime()).toBeGreaterThanOrEqual(30 * 86_400_000);
      expect(expiresAt.getTime() - purgedAt.getTime()).toBeLessThan(30 * 86_400_000 + 60_000);
      const again = await as(stranger).post('/api/organizations', {
        organization_id: 'life-lab',
        name: 'Life Lab',
      });
      expect(again.status).toBe(409);
      expect(again.body).toEqual(
        failure({
          code: 'already-exists',
          message: `life-lab was deleted on ${purgedAt.toISOString()}; the id can be taken again after ${expiresAt.toISOString()}.`,
        }),
      );
    });
  });

  describe('the contract: Cannlytics round trips, If-Match, Idempotency-Key, all=true', () => {
    it('takes back an organization posted as it was read: 200, only the edited field changes', async () => {
      await createOrganization(owner, {
        name: 'Round Lab',
        licenses: [{ license_number: 'R-1', user_api_key: 'ROUND-KEY-0123456789' }],
      });
      const path = '/api/organizations/round-lab';
      await as(owner)
        .patch(path, { team: [owner.uid, member.uid] })
        .expect(200);
      await joinAll('round-lab', [member]);
      const read = await as(owner).get(path);
      expect(read.status).toBe(200);
      const before = await dump();
      const unchanged = await as(owner).post(path, read.body.data);
      expect(unchanged.status).toBe(200);
      expect(unchanged.body.data).toEqual(read.body.data);
      expect(await dump()).toEqual(before);

      const edited = { ...read.body.data, website: 'https://example.com' };
      for (const [who, target] of [
        [owner, path],
        [owner, '/api/organizations'],
      ] as const) {
        const response = await as(who).post(target, edited);
        expect(response.status).toBe(200);
      }
      const after = (await as(owner).get(path)).body.data;
      expect(after).toEqual({
        ...read.body.data,
        website: 'https://example.com',
        updated_at: after.updated_at,
      });
      const logs = (await as(owner).get(`${path}/logs`)).body.data;
      expect(logs[0].changed_fields).toEqual(['website']);
      expect(logs[1].action).not.toBe('organization.updated');
      // A member posts the same back: the team and owner as read are no change.
      const asMember = await as(member).post(path, { ...after, phone: '555-0100' });
      expect(asMember.status).toBe(200);
      expect(asMember.body.data).toEqual({
        ...after,
        phone: '555-0100',
        role: 'member',
        updated_at: asMember.body.data.updated_at,
      });
    });

    it('refuses a stale object posted back that would change the team: 412, nobody dropped', async () => {
      await createOrganization(owner, { name: 'Stale Lab' });
      const path = '/api/organizations/stale-lab';
      const read = (await as(owner).get(path)).body.data;
      // Someone joins after the owner read the organization.
      await as(owner).post(`${path}/team`, { uid: member.uid }).expect(201);
      await joinAll('stale-lab', [member]);
      const current = await as(owner).get(path);
      const before = await dump();
      const stale = await as(owner).post(path, { ...read, city: 'Oakland' });
      expect(stale.status).toBe(412);
      expect(stale.headers.etag).toBe(current.headers.etag);
      expect(stale.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: `The organization has changed since you read it (at ${read.updated_at}): read it again before changing its team or owner.`,
        }),
      );
      expect(await dump()).toEqual(before);
      // Read again, the same edit goes through and keeps the member.
      const fresh = await as(owner).post(path, { ...current.body.data, city: 'Oakland' });
      expect(fresh.status).toBe(200);
      expect(fresh.body.data.team).toEqual([owner.uid, member.uid]);
      expect(fresh.body.data.city).toBe('Oakland');
    });

    it('refuses an organization_id that names another organization (400 naming it)', async () => {
      await createOrganization(owner, { name: 'Named Lab' });
      const path = '/api/organizations/named-lab';
      const read = (await as(owner).get(path)).body.data;
      const before = await dump();
      const conflicting = await as(owner).post(path, { ...read, organization_id: 'other-lab' });
      expect(conflicting.status).toBe(400);
      expect(conflicting.body).toEqual(
        failure({
          code: 'invalid-argument',
          message: 'organization_id is "named-lab": the body names another organization.',
          details: [{ path: 'organization_id', message: 'Must be "named-lab" or left out.' }],
        }),
      );
      const query = await as(owner).patch(`${path}?organization_id=other-lab`, { city: 'Q' });
      expect(query.status).toBe(400);
      expect(query.body.error.details).toEqual([
        { path: 'organization_id', message: 'Must be the same as the path.' },
      ]);
      const archived = await as(owner).post(path, { ...read, archived: true });
      expect(archived.status).toBe(400);
      expect(archived.body.error.details).toEqual([
        { path: 'archived', message: 'Must be false or left out.' },
      ]);
      expect(await dump()).toEqual(before);
      // The same id in the query, as Cannlytics clients send it, is accepted.
      const same = await as(owner).patch(`${path}?organization_id=named-lab`, { city: 'Q' });
      expect(same.status).toBe(200);
      expect((await as(owner).get(`${path}?organization_id=named-lab`)).body.data.city).toBe('Q');
    });

    it('makes archive, restore and purge conditional on If-Match (412)', async () => {
      await createOrganization(owner, { name: 'Cond Lab' });
      const path = '/api/organizations/cond-lab';
      const stale = (code: string) =>
        failure({
          code: 'failed-precondition',
          message: `The organization has changed since you read it: its ETag is now "${code}".`,
        });
      const archive = await as(owner).delete(path).set('If-Match', '"7"');
      expect(archive.status).toBe(412);
      expect(archive.body).toEqual(stale('1'));
      expect(archive.headers.etag).toBe('"1"');
      const archived = await as(owner).delete(path).set('If-Match', '"1"');
      expect(archived.status).toBe(200);
      expect(archived.headers.etag).toBe('"2"');
      const restore = await as(owner).post(`${path}/restore`).set('If-Match', '"1"');
      expect(restore.status).toBe(412);
      expect(restore.body).toEqual(stale('2'));
      const purge = await as(owner).delete(`${path}?purge=true`).set('If-Match', '"1"');
      expect(purge.status).toBe(412);
      expect(purge.body).toEqual(stale('2'));
      expect((await db().doc('organizations/cond-lab').get()).get('purging')).toBe(false);
      const purged = await as(owner).delete(`${path}?purge=true`).set('If-Match', '"2"');
      expect(purged.status).toBe(200);
      expect(purged.body.data).toEqual({ organization_id: 'cond-lab', purged: true });
    });

    it('replays a restore retried with the same Idempotency-Key', async () => {
      await createOrganization(owner, { name: 'Again Lab' });
      const path = '/api/organizations/again-lab';
      await as(owner).delete(path).expect(200);
      const restore = () =>
        request(app)
          .post(`${path}/restore`)
          .set({ ...bearer(owner.idToken), 'Idempotency-Key': 'restore-once' });
      const first = await restore();
      const second = await restore();
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.headers.etag).toBe('"3"');
      const restored = await db().collection('organizations/again-lab/logs').get();
      expect(
        restored.docs.filter((doc) => doc.get('action') === 'organization.restored'),
      ).toHaveLength(1);
      // Without the key, a second restore is a conflict: it is not archived.
      expect((await as(owner).post(`${path}/restore`)).status).toBe(409);
    });

    it('lists all organizations for platform admins (all=true), refuses anyone else', async () => {
      const refused = await as(owner).get('/api/organizations?all=true');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(
        failure({
          code: 'permission-denied',
          message: 'Only platform admins can list all organizations.',
          details: [{ path: 'all', message: 'Needs a platform admin.' }],
        }),
      );
      expect((await as(null).get('/api/organizations?all=true')).status).toBe(401);
      await createOrganization(owner, { name: 'Shelf Lab' });
      await as(owner).delete('/api/organizations/shelf-lab').expect(200);
      const all = await as(platform).get('/api/organizations?all=true&q=round');
      expect(all.status).toBe(200);
      expect(all.body.data.map((org: { organization_id: string }) => org.organization_id)).toEqual([
        'round-lab',
      ]);
      expect(all.body.data[0]).toMatchObject({ owner: owner.uid, role: null });
      const archived = await as(platform).get('/api/organizations?all=true&archived=true');
      expect(archived.status).toBe(200);
      expect(
        archived.body.data.map((org: { organization_id: string }) => org.organization_id),
      ).toEqual(['shelf-lab']);
      const page = await as(platform).get('/api/organizations?all=true&limit=1');
      expect(page.status).toBe(200);
      expect(page.body.data).toHaveLength(1);
      expect(page.body.next_cursor).toEqual(expect.any(String));
      expect(page.headers.link).toBe(
        `</api/organizations?all=true&limit=1&cursor=${encodeURIComponent(page.body.next_cursor)}>; rel="next"`,
      );
    });
  });

  describe('summary and data models', () => {
    it('counts members by role, data models and secrets', async () => {
      const response = await as(admin).get('/api/organizations/rights-lab/summary');
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({
        organization_id: 'rights-lab',
        members: { owner: 1, admin: 1, member: 1, viewer: 1, total: 4 },
        pending_invitations: 0,
        data_models: 21,
        secrets: 0,
        created_at: response.body.data.created_at,
        updated_at: response.body.data.updated_at,
        archived: false,
        archived_at: null,
      });
    });

    it('lists the standard data models', async () => {
      const response = await as(viewer).get('/api/organizations/rights-lab/data_models');
      expect(response.status).toBe(200);
      expect(response.body.data).toHaveLength(21);
      expect(response.body.data[0]).toEqual({
        key: 'analyses',
        label: 'Analyses',
        singular: 'analysis',
        abbreviation: 'AN',
        id_schema: '[abbreviation]%y%m%d',
        user_type: 'lab',
        fields: expect.any(Array),
      });
    });
  });
});

function mapAll(status: number) {
  return Object.fromEntries(
    ['anonymous', 'stranger', 'viewer', 'member', 'admin', 'owner', 'platform'].map((name) => [
      name,
      status,
    ]),
  );
}
