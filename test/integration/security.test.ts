// The audit of the tenancy boundary (issue 20), replayed as the attacker's requests: forged nested
// documents, membership without consent, secrets by role, an unfenced purge, and the smaller
// findings. Each test names the finding it proves closed.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { auth, db } from '../../functions/src/firebase';
import { app, as, bearer, createOrganization, joinAll } from '../helpers/api';
import {
  claimsOf,
  createUser,
  describeEmulators,
  projectId,
  refreshIdToken,
  wipe,
  type TestUser,
} from '../helpers/emulators';
import { failure } from '../helpers/envelope';

const firestoreRest = `http://${process.env.FIRESTORE_EMULATOR_HOST}/v1/projects/${projectId}/databases/(default)/documents`;

/** A client write over Firestore REST with the user's ID token: the security rules decide. */
async function clientWrite(user: TestUser, path: string, fields: Record<string, string>) {
  const response = await fetch(`${firestoreRest}/${path}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${user.idToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      fields: Object.fromEntries(
        Object.entries(fields).map(([key, value]) => [key, { stringValue: value }]),
      ),
    }),
  });
  return response.status;
}

async function freshClaims(user: TestUser) {
  return claimsOf(await refreshIdToken(user.refreshToken));
}

const everythingUnder = async (orgId: string) => ({
  org: (await db().doc(`organizations/${orgId}`).get()).exists,
  collections: (await db().doc(`organizations/${orgId}`).listCollections()).map((c) => c.id),
});

describeEmulators('security: the tenancy boundary', () => {
  let owner: TestUser;
  let bob: TestUser;
  let mallory: TestUser;

  beforeAll(async () => {
    await wipe();
    [owner, bob, mallory] = await Promise.all([
      createUser({ name: 'Olive Owner' }),
      createUser({ name: 'Bob Invitee' }),
      createUser({ name: 'Mallory Attacker' }),
    ]);
    await createOrganization(mallory, { name: 'Aaa Mallory' });
  });

  describe('1. documents that clients wrote are never trusted', () => {
    it('refuses a client write of an invitation under lab data, and a planted one cannot be accepted', async () => {
      await createOrganization(owner, { name: 'Victim Lab' });
      const invited = await as(owner)
        .post('/api/organizations/victim-lab/invitations', { email: bob.email, role: 'admin' })
        .expect(201);
      const id = invited.body.data.id as string;
      const forged = {
        invitation_id: id,
        organization_id: 'victim-lab',
        email: mallory.email,
        status: 'pending',
      };
      // Through the rules (what a client can do): refused at every depth.
      expect(
        await clientWrite(mallory, `organizations/aaa-mallory/samples/x/invitations/${id}`, forged),
      ).toBe(403);
      expect(
        await clientWrite(mallory, `organizations/aaa-mallory/labdata/x/invitations/${id}`, forged),
      ).toBe(403);
      // Planted anyway (a database that held one before the rules changed): never trusted.
      await db()
        .doc(`organizations/aaa-mallory/samples/x/invitations/${id}`)
        .set({ ...forged, created_at: new Date(), expires_at: new Date(Date.now() + 86_400_000) });
      const stolen = await as(mallory).post(`/api/invitations/${id}/accept`);
      expect(stolen.status).toBe(403);
      expect(stolen.body).toEqual(
        failure({ code: 'permission-denied', message: 'This invitation is for someone else.' }),
      );
      const declined = await as(mallory).post(`/api/invitations/${id}/decline`);
      expect(declined.status).toBe(403);
      const real = await db().doc(`organizations/victim-lab/invitations/${id}`).get();
      expect(real.get('status')).toBe('pending');
      expect((await db().doc('organizations/victim-lab').get()).get('team')).toEqual([owner.uid]);
      // Bob's own acceptance still works.
      await as(bob).post(`/api/invitations/${id}/accept`).expect(200);
    });

    it('ignores planted member documents: not in /auth/me, not in claims', async () => {
      await createOrganization(owner, { name: 'Claimed Lab' });
      await db()
        .doc(`organizations/aaa-mallory/samples/x/members/${mallory.uid}`)
        .set({ uid: mallory.uid, organization_id: 'claimed-lab', role: 'owner' });
      await createOrganization(mallory, { name: 'Second Mallory' });
      const me = await as(mallory).get('/api/auth/me').expect(200);
      const ids = (me.body.data.organizations as { organization_id: string }[]).map(
        (org) => org.organization_id,
      );
      expect(ids.sort()).toEqual(['aaa-mallory', 'second-mallory']);
      const claims = await freshClaims(mallory);
      expect(claims.owner).toEqual(['aaa-mallory', 'second-mallory']);
      expect(claims.team).toEqual(['aaa-mallory', 'second-mallory']);
    });

    it('skips stored documents of the wrong shape instead of answering 500', async () => {
      const victim = await createUser({ name: 'Vera Victim' });
      const at = new Date();
      // An invitation at the API's own path, but malformed; two malformed member documents.
      await db()
        .doc('organizations/aaa-mallory/invitations/forged-bad-date-0001')
        .set({
          invitation_id: 'forged-bad-date-0001',
          organization_id: 'aaa-mallory',
          organization_name: 'Totally Legit <b>Bank</b>',
          email: victim.email,
          status: 'pending',
          created_at: 'not-a-date',
          expires_at: new Date(at.getTime() + 86_400_000),
        });
      await db()
        .doc(`organizations/aaa-mallory/samples/a/members/${victim.uid}`)
        .set({ uid: victim.uid, organization_id: 111, role: 'owner' });
      await db()
        .doc(`organizations/second-mallory/members/${victim.uid}`)
        .set({ uid: victim.uid, organization_id: 111, role: 'owner' });

      const inbox = await as(victim).get('/api/invitations');
      expect(inbox.status).toBe(200);
      expect(inbox.body).toEqual({ success: true, data: [], next_cursor: null });
      const me = await as(victim).get('/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.data.organizations).toEqual([]);
      const created = await as(victim).post('/api/organizations', { name: 'Vera Lab' });
      expect(created.status).toBe(201);
      const added = await as(owner).post('/api/organizations/victim-lab/team', { uid: victim.uid });
      expect(added.status).toBe(201);
      expect(added.body.data).toMatchObject({ uid: victim.uid, status: 'invited' });
    });

    it('never copies a profile edit into a planted member document', async () => {
      const path = `organizations/aaa-mallory/samples/b/members/${bob.uid}`;
      await db().doc(path).set({ uid: bob.uid, organization_id: 'aaa-mallory', phone_number: '' });
      await as(bob)
        .patch('/api/users/me', { phone_number: '+1 555 0100', position: 'CSO' })
        .expect(200);
      expect((await db().doc(path).get()).data()).toEqual({
        uid: bob.uid,
        organization_id: 'aaa-mallory',
        phone_number: '',
      });
      expect(
        (await db().doc(`organizations/victim-lab/members/${bob.uid}`).get()).get('position'),
      ).toBe('CSO');
    });
  });

  describe('2. nobody joins without consenting', () => {
    it('invites an existing account and an unknown address with the same answer', async () => {
      await createOrganization(owner, { name: 'Consent Lab' });
      const carol = await createUser({ name: 'Carol Existing' });
      const response = await as(owner).post('/api/organizations/consent-lab/team', {
        members: [
          { email: carol.email, role: 'admin' },
          { email: 'nobody-here@example.com', role: 'admin' },
        ],
      });
      expect(response.status).toBe(201);
      const [existing, unknown] = response.body.data as Record<string, unknown>[];
      expect(Object.keys(existing).sort()).toEqual(Object.keys(unknown).sort());
      expect(existing).toEqual({
        uid: null,
        email: carol.email,
        role: 'admin',
        status: 'invited',
        invitation_id: expect.any(String),
      });
      expect(unknown).toEqual({
        ...existing,
        email: 'nobody-here@example.com',
        invitation_id: expect.any(String),
      });
      // Not a member, and the team shows no profile of hers, until she accepts.
      const team = await as(owner).get('/api/organizations/consent-lab/team').expect(200);
      expect(team.body.data.map((entry: { uid: string }) => entry.uid)).toEqual([owner.uid]);
      await joinAll('consent-lab', [carol]);
      const after = await as(owner)
        .get('/api/organizations/consent-lab/team?order_by=joined_at')
        .expect(200);
      expect(
        after.body.data.map((entry: { uid: string; role: string }) => [entry.uid, entry.role]),
      ).toEqual([
        [owner.uid, 'owner'],
        [carol.uid, 'admin'],
      ]);
    });

    it('lets no unverified account take an invitation to its address (pre-registration)', async () => {
      const squatter = await createUser({
        emailVerified: false,
        email: 'ceo@victim-corp.example.com',
      });
      const invited = await as(owner)
        .post('/api/organizations/consent-lab/team', {
          email: 'ceo@victim-corp.example.com',
          role: 'admin',
        })
        .expect(201);
      expect(invited.body.data.status).toBe('invited');
      const inbox = await as(squatter).get('/api/invitations').expect(200);
      expect(inbox.body).toEqual({ success: true, data: [], next_cursor: null });
      const taken = await as(squatter).post(
        `/api/invitations/${invited.body.data.invitation_id}/accept`,
      );
      expect(taken.status).toBe(403);
      expect(taken.body.error.message).toBe(
        'Verify your email address to answer invitations to it.',
      );
    });

    it('turns a posted team into invitations, on create and on update', async () => {
      const [dave, erin] = await Promise.all([createUser(), createUser()]);
      const created = await as(owner).post('/api/organizations', {
        name: 'Posted Team',
        team: [dave.uid],
      });
      expect(created.status).toBe(201);
      expect(created.body.data.team).toEqual([owner.uid]);
      const updated = await as(owner).patch('/api/organizations/posted-team', {
        team: [owner.uid, erin.uid],
      });
      expect(updated.status).toBe(200);
      expect(updated.body.data.team).toEqual([owner.uid]);
      expect((await freshClaims(dave)).team).toBeUndefined();
      await joinAll('posted-team', [dave]);
      await joinAll('posted-team', [erin]);
      expect((await freshClaims(dave)).team).toEqual(['posted-team']);
    });

    it('lets a member leave an archived organization and decline its invitations', async () => {
      const [frank, gina] = await Promise.all([createUser(), createUser()]);
      await createOrganization(owner, { name: 'Frozen Lab', team: [frank.uid, gina.uid] });
      await joinAll('frozen-lab', [frank]);
      await as(owner).delete('/api/organizations/frozen-lab').expect(200);
      expect((await as(frank).post('/api/organizations/frozen-lab/leave')).status).toBe(200);
      const inbox = await as(gina).get('/api/invitations').expect(200);
      const [invitation] = inbox.body.data as { id: string }[];
      expect((await as(gina).post(`/api/invitations/${invitation.id}/decline`)).status).toBe(200);
      expect((await freshClaims(frank)).team).toEqual([]);
    });
  });

  describe('3. secrets are for the owner and admins however they arrive', () => {
    let member: TestUser;
    beforeAll(async () => {
      member = await createUser({ name: 'Mia Member' });
      await createOrganization(owner, {
        name: 'Keyed Lab',
        team: [member.uid],
        licenses: [{ license_number: 'L-1', user_api_key: 'OWNER-METRC-KEY-0123456789' }],
      });
      await joinAll('keyed-lab', [member]);
    });

    it('refuses a member posting a license key, naming the field, and changes nothing', async () => {
      const before = (
        await db()
          .doc('organizations/keyed-lab/secrets/' + (await secretName()))
          .get()
      ).data();
      const response = await as(member).patch('/api/organizations/keyed-lab', {
        licenses: [{ license_number: 'L-1', user_api_key: 'ATTACKER-KEY-0123456789' }],
      });
      expect(response.status).toBe(403);
      expect(response.body.error).toMatchObject({
        code: 'permission-denied',
        details: [{ path: 'licenses.0.user_api_key', message: 'Needs the owner or an admin.' }],
      });
      const after = (
        await db()
          .doc('organizations/keyed-lab/secrets/' + (await secretName()))
          .get()
      ).data();
      expect(after).toEqual(before);
    });

    it('refuses a member dropping a keyed license; an admin dropping it destroys its secret', async () => {
      const refused = await as(member).patch('/api/organizations/keyed-lab', { licenses: [] });
      expect(refused.status).toBe(403);
      expect(refused.body.error.details).toEqual([
        { path: 'licenses', message: 'Needs the owner or an admin.' },
      ]);
      await as(owner).patch('/api/organizations/keyed-lab', { licenses: [] }).expect(200);
      const refs = await db().collection('organizations/keyed-lab/secrets').get();
      expect(refs.size).toBe(0);
    });

    it('destroys a license key removed with user_api_key: null, the license kept', async () => {
      await as(owner)
        .patch('/api/organizations/keyed-lab', {
          licenses: [{ license_number: 'N-1', user_api_key: 'NULLED-KEY-0123456789' }],
        })
        .expect(200);
      const removed = await as(owner).patch('/api/organizations/keyed-lab', {
        licenses: [{ license_number: 'N-1', user_api_key: null }],
      });
      expect(removed.status).toBe(200);
      expect(removed.body.data.licenses).toEqual([
        { license_number: 'N-1', license_type: '', state: '', user_api_key_secret: null },
      ]);
      expect((await db().collection('organizations/keyed-lab/secrets').get()).size).toBe(0);
      await as(owner).patch('/api/organizations/keyed-lab', { licenses: [] }).expect(200);
    });

    it('counts live secrets only against the quota of 50', async () => {
      const licenses = Array.from({ length: 50 }, (_, i) => ({
        license_number: `Q-${i}`,
        user_api_key: `quota-key-${i}-0123456789abcdef`,
      }));
      await as(owner).patch('/api/organizations/keyed-lab', { licenses }).expect(200);
      const full = await as(owner).put('/api/organizations/keyed-lab/secrets/metrc', {
        value: 'x'.repeat(20),
      });
      expect(full.status).toBe(429);
      await as(owner).patch('/api/organizations/keyed-lab', { licenses: [] }).expect(200);
      const room = await as(owner).put('/api/organizations/keyed-lab/secrets/metrc', {
        value: 'x'.repeat(20),
      });
      expect(room.status).toBe(201);
    });

    async function secretName() {
      const org = await db().doc('organizations/keyed-lab').get();
      return (org.get('licenses') as { user_api_key_secret: string }[])[0].user_api_key_secret;
    }
  });

  describe('4. a purge is fenced: nothing written meanwhile survives it', () => {
    it('never lets a write racing a purge survive it, and a re-created id starts empty', async () => {
      const [carl, mia, ivy] = await Promise.all([
        createUser({ name: 'Carl Concurrent' }),
        createUser({ name: 'Mia Member' }),
        createUser({ name: 'Ivy Invitee' }),
      ]);
      const ok = (response: { status: number }) => response.status < 300;
      let purged: string | undefined;
      // The audit's race, three times over: purge, restore, an add, a secret, a member leaving and
      // an invitee declining, all at once. Either the purge wins (and then no restore, add or
      // secret succeeded, and nothing is left under the id), or the restore does (and the
      // purge is refused, the organization whole).
      for (const round of [1, 2, 3]) {
        const orgId = `doomed-lab-${round}`;
        await createOrganization(owner, { name: `Doomed Lab ${round}`, team: [mia.uid, ivy.uid] });
        await joinAll(orgId, [mia]);
        await as(owner)
          .put(`/api/organizations/${orgId}/secrets/metrc`, { value: 'old-metrc-value-0123456789' })
          .expect(201);
        const inbox = await as(ivy).get('/api/invitations').expect(200);
        const invitation = (inbox.body.data as { id: string; organization_id: string }[]).find(
          (candidate) => candidate.organization_id === orgId,
        )!;
        await as(owner).delete(`/api/organizations/${orgId}`).expect(200);
        const [purge, restore, add, secret, leave, decline] = await Promise.all([
          as(owner).delete(`/api/organizations/${orgId}?purge=true`),
          as(owner).post(`/api/organizations/${orgId}/restore`),
          as(owner).post(`/api/organizations/${orgId}/team`, { uid: carl.uid, role: 'admin' }),
          as(owner).put(`/api/organizations/${orgId}/secrets/metrc`, {
            value: 'new-metrc-value-0123456789',
          }),
          as(mia).post(`/api/organizations/${orgId}/leave`),
          as(ivy).post(`/api/invitations/${invitation.id}/decline`),
        ]);
        for (const response of [purge, restore, add, secret, leave, decline])
          expect(response.status).toBeLessThan(500);
        if (ok(purge)) {
          expect(purge.status).toBe(200);
          expect(purge.body).toEqual({
            success: true,
            data: { organization_id: orgId, purged: true },
          });
          expect([restore, add, secret].filter(ok)).toEqual([]);
          expect(await everythingUnder(orgId)).toEqual({ org: false, collections: [] });
          expect((await freshClaims(owner)).team).not.toContain(orgId);
          expect((await freshClaims(mia)).team).not.toContain(orgId);
          purged ??= orgId;
        } else {
          expect(purge.status).toBe(409);
          expect(restore.status).toBe(200);
          const org = (await db().doc(`organizations/${orgId}`).get()).data()!;
          expect({ archived: org.archived, purging: org.purging }).toEqual({
            archived: false,
            purging: false,
          });
        }
      }
      if (!purged) {
        // The restore won every round: purge one for the rest of the test.
        purged = 'doomed-lab-1';
        await as(owner).delete(`/api/organizations/${purged}`).expect(200);
        await as(owner).delete(`/api/organizations/${purged}?purge=true`).expect(200);
      }

      const retaken = await as(mallory).post('/api/organizations', {
        organization_id: purged,
        name: 'Doomed Lab',
      });
      expect(retaken.status).toBe(409);
      expect(retaken.body.error.code).toBe('already-exists');
      // Thirty days later (the tombstone's TTL), the id starts empty for its new owner.
      await db().doc(`purged_organizations/${purged}`).delete();
      await as(mallory)
        .post('/api/organizations', { organization_id: purged, name: 'Doomed Lab' })
        .expect(201);
      const team = await as(mallory).get(`/api/organizations/${purged}/team`).expect(200);
      expect(team.body.data.map((entry: { uid: string }) => entry.uid)).toEqual([mallory.uid]);
      const secrets = await as(mallory).get(`/api/organizations/${purged}/secrets`).expect(200);
      expect(secrets.body).toEqual({ success: true, data: [], next_cursor: null });
      expect((await as(carl).get(`/api/organizations/${purged}`)).status).toBe(404);
      expect((await as(mia).get(`/api/organizations/${purged}`)).status).toBe(404);
    });

    it('keeps the id of a purge that stopped half-way taken; a finished one for 30 days', async () => {
      // A purge that stopped after its first step: the tombstone has no expiry, a leftover remains.
      await db().doc('purged_organizations/half-gone').set({
        organization_id: 'half-gone',
        purged_at: new Date(),
        purged_by: owner.uid,
        expires_at: null,
      });
      await db()
        .doc('organizations/half-gone/logs/leftover')
        .set({ action: 'organization.created' });
      const early = await as(mallory).post('/api/organizations', { name: 'Half Gone' });
      expect(early.status).toBe(409);
      expect(early.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: 'half-gone is still being deleted: try again later.',
        }),
      );
      expect(early.headers['retry-after']).toBe('60');

      await createOrganization(owner, { name: 'Gone Lab' });
      await as(owner).delete('/api/organizations/gone-lab').expect(200);
      const before = Date.now();
      await as(owner).delete('/api/organizations/gone-lab?purge=true').expect(200);
      const tombstone = (await db().doc('purged_organizations/gone-lab').get()).data()!;
      const expiry = (tombstone.expires_at as { toDate(): Date }).toDate().getTime();
      expect(expiry - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1000);
      expect(expiry - before).toBeLessThan(30 * 86_400_000 + 60_000);
    });

    it('refuses every write to an organization being purged with a 409', async () => {
      await createOrganization(owner, { name: 'Purging Lab' });
      await as(owner).delete('/api/organizations/purging-lab').expect(200);
      await db().doc('organizations/purging-lab').update({ purging: true });
      const message = 'purging-lab is being deleted for good: it takes no more changes.';
      for (const response of [
        await as(owner).post('/api/organizations/purging-lab/restore'),
        await as(owner).put('/api/organizations/purging-lab/secrets/metrc', {
          value: 'v'.repeat(20),
        }),
        await as(owner).post('/api/organizations/purging-lab/team', { uid: bob.uid }),
      ]) {
        expect(response.status).toBe(409);
        expect(response.body.error).toEqual({ code: 'failed-precondition', message });
      }
    });
  });

  describe('5. smaller findings', () => {
    beforeAll(async () => {
      await createOrganization(owner, { name: 'Small Lab', public: true });
    });

    it.each([
      [
        'POST transfer {uid: constructor}',
        () => as(owner).post('/api/organizations/small-lab/transfer', { uid: 'constructor' }),
        'constructor',
      ],
      [
        'PATCH team/toString',
        () => as(owner).patch('/api/organizations/small-lab/team/toString', { role: 'viewer' }),
        'toString',
      ],
      [
        'DELETE team/hasOwnProperty',
        () => as(owner).delete('/api/organizations/small-lab/team/hasOwnProperty'),
        'hasOwnProperty',
      ],
    ])('5.1 %s → 404, nothing written', async (_name, call, uid) => {
      const logs = (await db().collection('organizations/small-lab/logs').get()).size;
      const response = await call();
      expect(response.status).toBe(404);
      expect(response.body).toEqual(
        failure({ code: 'not-found', message: `${uid} is not on the team of small-lab.` }),
      );
      expect((await db().collection('organizations/small-lab/logs').get()).size).toBe(logs);
      expect((await db().doc('organizations/small-lab').get()).get('owner')).toBe(owner.uid);
    });

    it.each(['/api/organizations', '/api/organizations/small-lab/team'])(
      '5.2 a forged cursor on %s → 400 naming cursor',
      async (path) => {
        for (const forged of [
          { v: 'a', id: 'a/b' },
          { l: 'organizations:team:false:::name_lower:asc', v: 'a', id: 'a/b' },
          { l: `team:small-lab:name:asc`, v: 'a', id: '../x' },
        ]) {
          const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
          const response = await as(owner).get(`${path}?cursor=${cursor}`);
          expect(response.status).toBe(400);
          expect(response.body.error.details).toEqual([
            { path: 'cursor', message: 'Not a valid cursor.' },
          ]);
        }
      },
    );

    it('5.7 shows no last 4 of a short secret; idempotency hashes are keyed and hold no key', async () => {
      const short = await as(owner)
        .put('/api/organizations/small-lab/secrets/pin', { value: '1234' })
        .expect(201);
      expect(short.body.data.last4).toBe('');
      const long = await as(owner)
        .put('/api/organizations/small-lab/secrets/token', { value: 'abcdefghijklmnop-WXYZ' })
        .expect(201);
      expect(long.body.data.last4).toBe('WXYZ');
      const body = {
        name: 'Hashed Lab',
        licenses: [{ license_number: 'H-1', user_api_key: 'HASHED-KEY-0123456789' }],
      };
      await request(app)
        .post('/api/organizations')
        .set(bearer(owner.idToken))
        .set('Idempotency-Key', 'k-1')
        .send(body)
        .expect(201);
      const [record] = (await db().collection('idempotency_keys').get()).docs;
      const parsedBody = {
        ...body,
        licenses: [
          {
            license_number: 'H-1',
            license_type: '',
            state: '',
            user_api_key: 'HASHED-KEY-0123456789',
          },
        ],
      };
      const plain = (text: string) => createHash('sha256').update(text).digest('hex');
      expect(record.data()).toEqual({
        uid: owner.uid,
        claim: expect.stringMatching(/^[0-9a-f]{32}$/),
        request_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        status: 201,
        sealed: expect.any(String),
        created_at: expect.anything(),
        expires_at: expect.anything(),
      });
      for (const text of [
        JSON.stringify(parsedBody),
        `POST /organizations\n${JSON.stringify(parsedBody)}`,
      ]) {
        expect(record.get('request_hash')).not.toBe(plain(text));
      }
      expect(record.id).not.toBe(plain('k-1'));
      // The answer is sealed: neither the key nor the organization shows, in text or base64.
      const sealed = Buffer.from(record.get('sealed') as string, 'base64').toString('latin1');
      for (const text of [JSON.stringify(record.data()), sealed]) {
        expect(text).not.toContain('HASHED-KEY');
        expect(text).not.toContain('hashed-lab');
      }
    });

    it('5.8 refuses an oversized posted team before any Auth lookup', async () => {
      const lookups = jest.spyOn(auth(), 'getUsers');
      const team = Array.from({ length: 1000 }, (_, i) => `fake-uid-${i}`);
      const response = await as(owner).post('/api/organizations', { name: 'Huge Team Lab', team });
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([
        { path: 'team', message: 'Too many members at once.' },
      ]);
      expect(lookups).not.toHaveBeenCalled();
      lookups.mockRestore();
    });

    it('5.8 resends an invitation at most once per ten minutes', async () => {
      const invited = await as(owner)
        .post('/api/organizations/small-lab/invitations', { email: 'flood@example.com' })
        .expect(201);
      const resend = () =>
        as(owner).post(`/api/organizations/small-lab/invitations/${invited.body.data.id}/resend`);
      expect((await resend()).status).toBe(200);
      const flood = await resend();
      expect(flood.status).toBe(429);
      expect(flood.body.error.code).toBe('resource-exhausted');
      expect(Number(flood.headers['retry-after'])).toBeGreaterThan(590);
      const mails = await db().collection('mail').where('to', '==', 'flood@example.com').get();
      expect(mails.size).toBe(2);
    });

    it('5.10 hides an archived public organization from anonymous callers', async () => {
      await request(app).get('/api/organizations/small-lab').expect(200);
      await as(owner).delete('/api/organizations/small-lab').expect(200);
      const hidden = await request(app).get('/api/organizations/small-lab');
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual(
        failure({ code: 'not-found', message: 'No organization small-lab.' }),
      );
      await as(owner).post('/api/organizations/small-lab/restore').expect(200);
    });

    it('5.11 keeps the public profile in its own document, in step with the organization', async () => {
      const profile = () => db().doc('public_organizations/small-lab').get();
      expect((await profile()).data()).toMatchObject({
        organization_id: 'small-lab',
        name: 'Small Lab',
        public: true,
      });
      expect(Object.keys((await profile()).data()!)).not.toContain('team');
      await as(owner)
        .patch('/api/organizations/small-lab', { name: 'Small Lab Renamed' })
        .expect(200);
      expect((await profile()).get('name')).toBe('Small Lab Renamed');
      await as(owner).patch('/api/organizations/small-lab', { public: false }).expect(200);
      expect((await profile()).exists).toBe(false);
    });
  });
});
