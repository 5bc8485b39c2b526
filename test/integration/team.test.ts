import request from 'supertest';
import { db } from '../../functions/src/firebase';
import {
  app,
  as,
  bearer,
  createCast,
  createOrganization,
  dumpAll,
  ISO,
  joinAll,
  setRole,
} from '../helpers/api';
import {
  claimsOf,
  createUser,
  describeEmulators,
  importUsers,
  refreshIdToken,
  wipe,
  type TestUser,
} from '../helpers/emulators';
import { meterFirestore } from '../helpers/firestore-meter';
import { failure } from '../helpers/envelope';

describeEmulators('team', () => {
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let platform: TestUser;
  let orgCount = 0;

  /** A fresh organization with one member of each role (each accepted their invitation). */
  async function organization(): Promise<string> {
    orgCount += 1;
    const { organization_id } = await createOrganization(owner, {
      name: `Team Org ${orgCount}`,
      team: [admin.uid, member.uid, viewer.uid],
    });
    await joinAll(organization_id, [admin, member, viewer]);
    await setRole(organization_id, admin.uid, 'admin');
    await setRole(organization_id, viewer.uid, 'viewer');
    return organization_id;
  }

  const everyone = () =>
    ({ anonymous: null, stranger, viewer, member, admin, owner, platform }) as Record<
      string,
      TestUser | null
    >;

  /** The status each caller gets, each against an organization of its own. */
  async function matrix(
    call: (user: TestUser | null, orgId: string) => Promise<{ status: number }>,
  ) {
    const result: Record<string, number> = {};
    for (const [name, user] of Object.entries(everyone())) {
      result[name] = (await call(user, await organization())).status;
    }
    return result;
  }

  beforeAll(async () => {
    await wipe();
    ({ owner, admin, member, viewer, stranger, platform } = await createCast());
  });

  describe('rights on every route', () => {
    it('POST team (add a member)', async () => {
      const newcomer = await createUser();
      expect(
        await matrix((user, orgId) =>
          as(user).post(`/api/organizations/${orgId}/team`, { uid: newcomer.uid }),
        ),
      ).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 403,
        member: 403,
        admin: 201,
        owner: 201,
        platform: 201,
      });
    });

    it('PATCH team/{uid} (member → viewer)', async () => {
      expect(
        await matrix((user, orgId) =>
          as(user).patch(`/api/organizations/${orgId}/team/${member.uid}`, { role: 'viewer' }),
        ),
      ).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 403,
        member: 403,
        admin: 200,
        owner: 200,
        platform: 200,
      });
    });

    it('DELETE team/{uid} (another member)', async () => {
      expect(
        await matrix((user, orgId) =>
          as(user).delete(`/api/organizations/${orgId}/team/${viewer.uid}`),
        ),
      ).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 200,
        member: 403,
        admin: 200,
        owner: 200,
        platform: 200,
      });
    });

    it('POST leave', async () => {
      expect(
        await matrix((user, orgId) => as(user).post(`/api/organizations/${orgId}/leave`)),
      ).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 200,
        member: 200,
        admin: 200,
        owner: 409,
        platform: 409,
      });
    });

    it('POST transfer', async () => {
      expect(
        await matrix((user, orgId) =>
          as(user).post(`/api/organizations/${orgId}/transfer`, { uid: member.uid }),
        ),
      ).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 403,
        member: 403,
        admin: 403,
        owner: 200,
        platform: 200,
      });
    });

    it('GET and POST invitations', async () => {
      expect(
        await matrix((user, orgId) => as(user).get(`/api/organizations/${orgId}/invitations`)),
      ).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 403,
        member: 403,
        admin: 200,
        owner: 200,
        platform: 200,
      });
      expect(
        await matrix((user, orgId) =>
          as(user).post(`/api/organizations/${orgId}/invitations`, {
            email: 'someone@example.com',
          }),
        ),
      ).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 403,
        member: 403,
        admin: 201,
        owner: 201,
        platform: 201,
      });
    });
  });

  describe('guards', () => {
    it('keeps the owner: no leaving, no removal, no role change', async () => {
      const orgId = await organization();
      const leave = await as(owner).post(`/api/organizations/${orgId}/leave`);
      expect(leave.status).toBe(409);
      expect(leave.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: `You own ${orgId}: transfer ownership to another member before leaving.`,
        }),
      );
      const remove = await as(admin).delete(`/api/organizations/${orgId}/team/${owner.uid}`);
      expect(remove.status).toBe(409);
      expect(remove.body.error.message).toBe(
        'The owner cannot be removed: transfer ownership first.',
      );
      const demote = await as(owner).patch(`/api/organizations/${orgId}/team/${owner.uid}`, {
        role: 'admin',
      });
      expect(demote.status).toBe(409);
      expect(demote.body.error.message).toBe(
        "The owner's role changes only by transferring ownership.",
      );
      const promote = await as(owner).patch(`/api/organizations/${orgId}/team/${member.uid}`, {
        role: 'owner',
      });
      expect(promote.status).toBe(400);
      expect(promote.body.error.details[0].path).toBe('role');
    });

    it('lets only the owner grant or revoke admin', async () => {
      const orgId = await organization();
      const grant = await as(admin).patch(`/api/organizations/${orgId}/team/${member.uid}`, {
        role: 'admin',
      });
      expect(grant.status).toBe(403);
      expect(grant.body).toEqual(
        failure({
          code: 'permission-denied',
          message: `Only the owner of ${orgId} can grant or revoke admin; you are an admin.`,
        }),
      );
      const second = await createUser();
      await as(owner)
        .post(`/api/organizations/${orgId}/team`, { uid: second.uid, role: 'admin' })
        .expect(201);
      await joinAll(orgId, [second]);
      const revoke = await as(admin).patch(`/api/organizations/${orgId}/team/${second.uid}`, {
        role: 'member',
      });
      expect(revoke.status).toBe(403);
      const removeAdmin = await as(admin).delete(`/api/organizations/${orgId}/team/${second.uid}`);
      expect(removeAdmin.status).toBe(403);
      const addAdmin = await as(admin).post(`/api/organizations/${orgId}/team`, {
        uid: stranger.uid,
        role: 'admin',
      });
      expect(addAdmin.status).toBe(403);
      const byOwner = await as(owner).patch(`/api/organizations/${orgId}/team/${second.uid}`, {
        role: 'viewer',
      });
      expect(byOwner.status).toBe(200);
      expect(byOwner.body.data).toMatchObject({ uid: second.uid, role: 'viewer' });
    });

    it('refuses a removed member on the very next request, whatever the token says', async () => {
      const orgId = await organization();
      const token = await refreshIdToken(member.refreshToken);
      expect(claimsOf(token).team).toContain(orgId);
      const removed = await as(owner).delete(`/api/organizations/${orgId}/team/${member.uid}`);
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({
        success: true,
        data: { organization_id: orgId, uid: member.uid, removed: true },
      });
      const response = await request(app).get(`/api/organizations/${orgId}`).set(bearer(token));
      expect(response.status).toBe(404);
      expect(claimsOf(await refreshIdToken(member.refreshToken)).team).not.toContain(orgId);
    });
  });

  describe('adding', () => {
    it('invites in bulk by uid and email, with or without an account, all in one change', async () => {
      const orgId = await organization();
      const [byUid, byEmail] = await Promise.all([createUser(), createUser()]);
      const response = await as(admin).post(`/api/organizations/${orgId}/team`, {
        members: [
          { uid: byUid.uid, role: 'viewer' },
          { email: byEmail.email.toUpperCase() },
          { email: 'newcomer@example.com' },
          { uid: member.uid },
        ],
      });
      expect(response.status).toBe(201);
      const ids = response.body.data.map(
        (entry: { invitation_id?: string }) => entry.invitation_id,
      );
      expect(response.body.data).toEqual([
        { uid: byUid.uid, email: null, role: 'viewer', status: 'invited', invitation_id: ids[0] },
        {
          uid: null,
          email: byEmail.email,
          role: 'member',
          status: 'invited',
          invitation_id: ids[1],
        },
        {
          uid: null,
          email: 'newcomer@example.com',
          role: 'member',
          status: 'invited',
          invitation_id: ids[2],
        },
        { uid: member.uid, email: null, role: 'member', status: 'already_member' },
      ]);
      expect(new Set(ids.slice(0, 3)).size).toBe(3);
      // Nobody joined yet: the team and the invitees' claims are as they were.
      const before = (await as(owner).get(`/api/organizations/${orgId}`)).body.data;
      expect(before.team).toEqual([owner.uid, admin.uid, member.uid, viewer.uid]);
      expect(claimsOf(await refreshIdToken(byEmail.refreshToken)).team ?? []).toEqual([]);

      await joinAll(orgId, [byUid, byEmail]);
      expect(claimsOf(await refreshIdToken(byEmail.refreshToken)).team).toEqual([orgId]);
      expect((await as(byUid).get(`/api/organizations/${orgId}/role`)).body.data.role).toBe(
        'viewer',
      );
      const org = (await as(owner).get(`/api/organizations/${orgId}`)).body.data;
      expect(org.team).toEqual([
        owner.uid,
        admin.uid,
        member.uid,
        viewer.uid,
        byUid.uid,
        byEmail.uid,
      ]);
    });

    it('lets a platform admin add accounts by uid directly; an address is invited', async () => {
      const orgId = await organization();
      const [byUid, byEmail] = await Promise.all([createUser(), createUser()]);
      const response = await as(platform).post(`/api/organizations/${orgId}/team`, {
        members: [
          { uid: byUid.uid, role: 'viewer' },
          { email: byEmail.email },
          { uid: member.uid },
        ],
      });
      expect(response.status).toBe(201);
      const invitation = response.body.data[1].invitation_id;
      expect(response.body.data).toEqual([
        { uid: byUid.uid, email: null, role: 'viewer', status: 'added' },
        {
          uid: null,
          email: byEmail.email,
          role: 'member',
          status: 'invited',
          invitation_id: invitation,
        },
        { uid: member.uid, email: null, role: 'member', status: 'already_member' },
      ]);
      expect(claimsOf(await refreshIdToken(byUid.refreshToken)).team).toEqual([orgId]);
      const org = (await as(owner).get(`/api/organizations/${orgId}`)).body.data;
      expect(org.team).toEqual([owner.uid, admin.uid, member.uid, viewer.uid, byUid.uid]);
    });

    it('writes nothing when one uid of a bulk add is unknown', async () => {
      const orgId = await organization();
      const newcomer = await createUser();
      const before = await dumpAll();
      const response = await as(owner).post(`/api/organizations/${orgId}/team`, {
        members: [{ uid: newcomer.uid }, { uid: 'ghost-user' }],
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(
        failure({
          code: 'invalid-argument',
          message: 'No user with the uid ghost-user.',
          details: [{ path: 'members.1.uid', message: 'No user ghost-user.' }],
        }),
      );
      expect(await dumpAll()).toEqual(before);
    });

    it.each([
      ['neither uid nor email', { role: 'member' }, ['uid']],
      ['both uid and email', { uid: 'abc', email: 'a@example.com' }, ['uid']],
      ['an unknown role', { uid: 'abc', role: 'boss' }, ['role']],
      [
        '101 entries',
        { members: Array.from({ length: 101 }, (_, i) => ({ uid: `u${i}` })) },
        ['members'],
      ],
      [
        'a bad entry in a list',
        { members: [{ uid: 'abc' }, { email: 'nope' }] },
        ['members.1.email'],
      ],
      ['an unknown field', { uid: 'abc', colour: 'red' }, ['colour']],
    ])('refuses %s', async (_name, body, fields) => {
      const response = await as(owner).post('/api/organizations/team-org-1/team', body);
      expect(response.status).toBe(400);
      expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toEqual(
        fields,
      );
    });
  });

  describe('ownership transfer', () => {
    it('makes the member owner in claims and rights; the old owner becomes admin', async () => {
      const orgId = await organization();
      const response = await as(owner).post(`/api/organizations/${orgId}/transfer`, {
        uid: member.uid,
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        success: true,
        data: { organization_id: orgId, owner: member.uid, previous_owner: owner.uid },
      });
      expect(claimsOf(await refreshIdToken(member.refreshToken)).owner).toContain(orgId);
      expect(claimsOf(await refreshIdToken(owner.refreshToken)).owner).not.toContain(orgId);
      expect((await as(owner).get(`/api/organizations/${orgId}/role`)).body.data.role).toBe(
        'admin',
      );
      await as(member).delete(`/api/organizations/${orgId}`).expect(200);
      const refused = await as(owner).post(`/api/organizations/${orgId}/restore`);
      expect(refused.status).toBe(403);
    });

    it('refuses to transfer to someone off the team', async () => {
      const orgId = await organization();
      const response = await as(owner).post(`/api/organizations/${orgId}/transfer`, {
        uid: stranger.uid,
      });
      expect(response.status).toBe(404);
      expect(response.body).toEqual(
        failure({
          code: 'not-found',
          message: `${stranger.uid} is not on the team of ${orgId}.`,
        }),
      );
    });
  });

  describe('custom claims', () => {
    it('converges after one user joins twenty organizations concurrently', async () => {
      const joiner = await createUser();
      const orgIds: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        orgIds.push((await createOrganization(owner, { name: `Claims Org ${i}` })).organization_id);
      }
      const invited = [];
      for (const orgId of orgIds) {
        invited.push(await as(owner).post(`/api/organizations/${orgId}/team`, { uid: joiner.uid }));
      }
      expect(invited.map((response) => response.status)).toEqual(orgIds.map(() => 201));
      const responses = await Promise.all(
        invited.map((response) =>
          as(joiner).post(`/api/invitations/${response.body.data.invitation_id}/accept`),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(orgIds.map(() => 200));
      expect(claimsOf(await refreshIdToken(joiner.refreshToken)).team).toEqual([...orgIds].sort());
    });

    it('flags overflowing claims and keeps every organization usable', async () => {
      const busy = await createUser();
      const orgIds: string[] = [];
      for (let i = 0; i < 40; i += 1) {
        const id = `overflowing-organization-number-${String(i).padStart(2, '0')}`;
        orgIds.push(
          (await createOrganization(busy, { organization_id: id, name: `Overflow ${i}` }))
            .organization_id,
        );
      }
      const claims = claimsOf(await refreshIdToken(busy.refreshToken));
      expect(claims.orgs_truncated).toBe(true);
      const listed = claims.team as string[];
      expect(listed.length).toBeLessThan(40);
      expect(claims.owner).toEqual(listed);
      const { admin: _admin, ...custom } = { ...claims } as Record<string, unknown>;
      expect(
        Buffer.byteLength(
          JSON.stringify({ owner: custom.owner, team: custom.team, orgs_truncated: true }),
        ),
      ).toBeLessThanOrEqual(1000);
      for (const orgId of orgIds) {
        const response = await as(busy).patch(`/api/organizations/${orgId}`, { city: 'Reachable' });
        expect(response.status).toBe(200);
      }
    });
  });

  describe('invitations', () => {
    it('runs the whole lifecycle: create, mail, list, accept', async () => {
      const orgId = await organization();
      const invitee = await createUser({ email: 'invitee@example.com' });
      const created = await as(admin).post(`/api/organizations/${orgId}/invitations`, {
        email: 'Invitee@Example.com',
        role: 'viewer',
        expires_in_days: 3,
      });
      expect(created.status).toBe(201);
      const invitation = created.body.data;
      expect(created.headers.location).toBe(
        `/api/organizations/${orgId}/invitations/${invitation.id}`,
      );
      expect(invitation).toEqual({
        id: invitation.id,
        organization_id: orgId,
        organization_name: `Team Org ${orgCount}`,
        email: 'invitee@example.com',
        uid: null,
        role: 'viewer',
        status: 'pending',
        invited_by: admin.uid,
        created_at: invitation.created_at,
        expires_at: invitation.expires_at,
        responded_at: null,
      });
      expect(Date.parse(invitation.expires_at) - Date.parse(invitation.created_at)).toBe(
        3 * 86_400_000,
      );

      const mail = await db().collection('mail').where('to', '==', 'invitee@example.com').get();
      expect(mail.size).toBe(1);
      const message = mail.docs[0].data();
      expect(Object.keys(message).sort()).toEqual(['message', 'to']);
      expect(message.message.subject).toBe(`You are invited to join Team Org ${orgCount}`);
      expect(message.message.text).toContain(`http://127.0.0.1:5000/invitations/${invitation.id}`);
      expect(message.message.html).toContain(
        `<a href="http://127.0.0.1:5000/invitations/${invitation.id}">`,
      );

      const duplicate = await as(admin).post(`/api/organizations/${orgId}/invitations`, {
        email: 'invitee@example.com',
      });
      expect(duplicate.status).toBe(409);

      const mine = await as(invitee).get('/api/invitations');
      expect(mine.status).toBe(200);
      expect(mine.body.data).toEqual([invitation]);

      const wrong = await as(stranger).post(`/api/invitations/${invitation.id}/accept`);
      expect(wrong.status).toBe(403);
      expect(wrong.body).toEqual(
        failure({ code: 'permission-denied', message: 'This invitation is for someone else.' }),
      );

      const accepted = await as(invitee).post(`/api/invitations/${invitation.id}/accept`);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual({
        success: true,
        data: { organization_id: orgId, role: 'viewer' },
      });
      expect(claimsOf(await refreshIdToken(invitee.refreshToken)).team).toEqual([orgId]);
      expect((await as(invitee).get(`/api/organizations/${orgId}/role`)).body.data.role).toBe(
        'viewer',
      );

      const again = await as(invitee).post(`/api/invitations/${invitation.id}/accept`);
      expect(again.status).toBe(409);
      expect(again.body.error.message).toBe('This invitation was accepted.');
      const logs = await as(owner).get(`/api/organizations/${orgId}/logs`);
      expect(logs.body.data[0]).toMatchObject({
        action: 'invitation.accepted',
        actor_uid: invitee.uid,
        changed_fields: ['team'],
        target: invitation.id,
      });
    });

    it('refuses an unverified email, an expired and a revoked invitation', async () => {
      const orgId = await organization();
      const unverified = await createUser({
        email: 'unverified@example.com',
        emailVerified: false,
      });
      const first = (
        await as(owner).post(`/api/organizations/${orgId}/invitations`, {
          email: 'unverified@example.com',
        })
      ).body.data;
      const refused = await as(unverified).post(`/api/invitations/${first.id}/accept`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe(
        'Verify your email address to answer invitations to it.',
      );

      const late = await createUser({ email: 'late@example.com' });
      const expiring = (
        await as(owner).post(`/api/organizations/${orgId}/invitations`, {
          email: 'late@example.com',
        })
      ).body.data;
      const past = new Date(Date.now() - 1000);
      await db()
        .doc(`organizations/${orgId}/invitations/${expiring.id}`)
        .update({ expires_at: past });
      const expired = await as(late).post(`/api/invitations/${expiring.id}/accept`);
      expect(expired.status).toBe(409);
      expect(expired.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: `This invitation expired at ${past.toISOString()}: ask for a new one.`,
        }),
      );
      const listed = await as(owner).get(`/api/organizations/${orgId}/invitations`);
      expect(listed.body.data.find((item: { id: string }) => item.id === expiring.id).status).toBe(
        'expired',
      );

      const resent = await as(owner).post(
        `/api/organizations/${orgId}/invitations/${expiring.id}/resend`,
      );
      expect(resent.status).toBe(200);
      expect(resent.body.data.status).toBe('pending');
      expect(Date.parse(resent.body.data.expires_at)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
      expect((await db().collection('mail').where('to', '==', 'late@example.com').get()).size).toBe(
        2,
      );
      // One resend per invitation per ten minutes: each one mails the invitee.
      const tooSoon = await as(owner).post(
        `/api/organizations/${orgId}/invitations/${expiring.id}/resend`,
      );
      expect(tooSoon.status).toBe(429);
      const wait = Number(tooSoon.headers['retry-after']);
      expect(wait).toBeGreaterThan(540);
      expect(wait).toBeLessThanOrEqual(600);
      const resentAt = (
        await db().doc(`organizations/${orgId}/invitations/${expiring.id}`).get()
      ).get('resent_at') as FirebaseFirestore.Timestamp;
      expect(tooSoon.body).toEqual(
        failure({
          code: 'resource-exhausted',
          message: `This invitation was resent at ${resentAt.toDate().toISOString()}: resend it again in ${wait} seconds.`,
        }),
      );
      expect((await db().collection('mail').where('to', '==', 'late@example.com').get()).size).toBe(
        2,
      );

      const revoked = await as(owner).delete(
        `/api/organizations/${orgId}/invitations/${expiring.id}`,
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({
        success: true,
        data: { organization_id: orgId, invitation_id: expiring.id, revoked: true },
      });
      const afterRevoke = await as(late).post(`/api/invitations/${expiring.id}/accept`);
      expect(afterRevoke.status).toBe(409);
      expect(afterRevoke.body.error.message).toBe('This invitation was revoked.');
    });

    it('lets people leave and invitees decline an archived organization; nothing else', async () => {
      const orgId = await organization();
      const [decliner, accepter] = await Promise.all([createUser(), createUser()]);
      const invited = await as(owner)
        .post(`/api/organizations/${orgId}/team`, {
          members: [{ uid: decliner.uid }, { uid: accepter.uid }],
        })
        .expect(201);
      const [declining, accepting] = invited.body.data.map(
        (entry: { invitation_id: string }) => entry.invitation_id,
      );
      await as(owner).delete(`/api/organizations/${orgId}`).expect(200);
      const readOnly = failure({
        code: 'failed-precondition',
        message: `${orgId} is archived and read-only: restore it first.`,
      });

      const left = await as(viewer).post(`/api/organizations/${orgId}/leave`).expect(200);
      expect(left.body).toEqual({ success: true, data: { organization_id: orgId, left: true } });
      const removedSelf = await as(member)
        .delete(`/api/organizations/${orgId}/team/${member.uid}`)
        .expect(200);
      expect(removedSelf.body.data).toEqual({
        organization_id: orgId,
        uid: member.uid,
        removed: true,
      });
      const declinedArchived = await as(decliner)
        .post(`/api/invitations/${declining}/decline`)
        .expect(200);
      expect(declinedArchived.body).toEqual({
        success: true,
        data: { organization_id: orgId, invitation_id: declining, declined: true },
      });

      const removeOther = await as(owner).delete(`/api/organizations/${orgId}/team/${admin.uid}`);
      expect(removeOther.status).toBe(409);
      expect(removeOther.body).toEqual(readOnly);
      const accept = await as(accepter).post(`/api/invitations/${accepting}/accept`);
      expect(accept.status).toBe(409);
      expect(accept.body).toEqual(readOnly);

      // Off the team now, they see an archived organization no more.
      const gone = await as(viewer).get(`/api/organizations/${orgId}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual(
        failure({ code: 'not-found', message: `No organization ${orgId}.` }),
      );
      const team = (await as(owner).get(`/api/organizations/${orgId}`)).body.data.team;
      expect(team).toEqual([owner.uid, admin.uid]);
    });

    it('lets the invitee decline', async () => {
      const orgId = await organization();
      const decliner = await createUser({ email: 'decliner@example.com' });
      const invitation = (
        await as(owner).post(`/api/organizations/${orgId}/invitations`, {
          email: 'decliner@example.com',
        })
      ).body.data;
      const declined = await as(decliner).post(`/api/invitations/${invitation.id}/decline`);
      expect(declined.status).toBe(200);
      expect(declined.body).toEqual({
        success: true,
        data: { organization_id: orgId, invitation_id: invitation.id, declined: true },
      });
      const listed = await as(owner).get(`/api/organizations/${orgId}/invitations`);
      expect(listed.body.data[0]).toMatchObject({ id: invitation.id, status: 'declined' });
      expect(listed.body.data[0].responded_at).toMatch(ISO);
      expect((await as(decliner).get('/api/invitations')).body.data).toEqual([]);
    });
  });

  describe('HTTP guarantees', () => {
    const etagOf = (response: { headers: Record<string, string> }) => {
      expect(response.headers.etag).toMatch(/^"\d+"$/);
      return response.headers.etag;
    };

    it('answers 412 to a team write with a stale If-Match, writes with the current one', async () => {
      const orgId = await organization();
      const read = await as(owner).get(`/api/organizations/${orgId}`).expect(200);
      const etag = etagOf(read);
      const stale = `"${Number(JSON.parse(etag)) - 1}"`;
      const before = await dumpAll();
      const refused = await as(owner)
        .patch(`/api/organizations/${orgId}/team/${member.uid}`, { role: 'viewer' })
        .set('If-Match', stale);
      expect(refused.status).toBe(412);
      expect(refused.headers.etag).toBe(etag);
      expect(refused.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: `The organization has changed since you read it: its ETag is now ${etag}.`,
        }),
      );
      expect(await dumpAll()).toEqual(before);

      const changed = await as(owner)
        .patch(`/api/organizations/${orgId}/team/${member.uid}`, { role: 'viewer' })
        .set('If-Match', etag);
      expect(changed.status).toBe(200);
      expect(changed.body.data).toMatchObject({ uid: member.uid, role: 'viewer' });
      const next = `"${Number(JSON.parse(etag)) + 1}"`;
      expect(changed.headers.etag).toBe(next);
      // The ETag read before the change is stale now; the new one takes the next write.
      const again = await as(owner)
        .delete(`/api/organizations/${orgId}/team/${member.uid}`)
        .set('If-Match', etag);
      expect(again.status).toBe(412);
      expect(again.headers.etag).toBe(next);
      const removed = await as(owner)
        .delete(`/api/organizations/${orgId}/team/${member.uid}`)
        .set('If-Match', next);
      expect(removed.status).toBe(200);
      expect(removed.headers.etag).toBe(`"${Number(JSON.parse(etag)) + 2}"`);
    });

    it('takes If-Match as `*` or as a list holding the current tag', async () => {
      // Every write that takes If-Match refuses a stale one: test/integration/write-guarantees.test.ts.
      const orgId = await organization();
      const invited = await as(owner)
        .post(`/api/organizations/${orgId}/invitations`, { email: 'if-match@example.com' })
        .expect(201);
      const current = etagOf(invited);
      const id = invited.body.data.id as string;
      const base = `/api/organizations/${orgId}`;
      // `*` matches any version, and so does a list holding the current tag.
      const resent = await as(owner)
        .post(`${base}/invitations/${id}/resend`)
        .set('If-Match', `"1", ${current}`);
      expect(resent.status).toBe(200);
      expect(resent.headers.etag).toBe(current);
      const revoked = await as(owner).delete(`${base}/invitations/${id}`).set('If-Match', '*');
      expect(revoked.status).toBe(200);
    });

    it('shows one invitation to the owner and admins, at the Location of its creation', async () => {
      const orgId = await organization();
      const created = await as(admin).post(`/api/organizations/${orgId}/invitations`, {
        email: 'located@example.com',
      });
      expect(created.status).toBe(201);
      const location = created.headers.location;
      expect(location).toBe(`/api/organizations/${orgId}/invitations/${created.body.data.id}`);
      for (const user of [admin, owner, platform]) {
        const got = await as(user).get(location);
        expect(got.status).toBe(200);
        expect(got.body).toEqual({ success: true, data: created.body.data });
      }
      const statuses: Record<string, number> = {};
      for (const [name, user] of Object.entries(everyone())) {
        statuses[name] = (await as(user).get(location)).status;
      }
      expect(statuses).toEqual({
        anonymous: 401,
        stranger: 404,
        viewer: 403,
        member: 403,
        admin: 200,
        owner: 200,
        platform: 200,
      });
      expect((await as(member).get(location)).body).toEqual(
        failure({
          code: 'permission-denied',
          message: `Only the owner or an admin of ${orgId} can see its invitations; you are a member.`,
        }),
      );
      expect((await as(stranger).get(location)).body).toEqual(
        failure({ code: 'not-found', message: `No organization ${orgId}.` }),
      );
      const missing = 'n0-such-invitation-0000';
      const notThere = await as(owner).get(`/api/organizations/${orgId}/invitations/${missing}`);
      expect(notThere.status).toBe(404);
      expect(notThere.body).toEqual(
        failure({ code: 'not-found', message: `No invitation ${missing} to ${orgId}.` }),
      );
    });

    it('sends one email for a resend retried with the same Idempotency-Key', async () => {
      const orgId = await organization();
      const email = 'resent-once@example.com';
      const created = await as(owner)
        .post(`/api/organizations/${orgId}/invitations`, { email })
        .expect(201);
      const mails = async () => (await db().collection('mail').where('to', '==', email).get()).size;
      expect(await mails()).toBe(1);
      const path = `/api/organizations/${orgId}/invitations/${created.body.data.id}/resend`;
      const first = await as(owner).post(path).set('Idempotency-Key', `resend-${orgId}`);
      expect(first.status).toBe(200);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const retry = await as(owner).post(path).set('Idempotency-Key', `resend-${orgId}`);
      expect(retry.status).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.headers.etag).toBe(first.headers.etag);
      expect(retry.body).toEqual(first.body);
      expect(await mails()).toBe(2);
      // Without the key, a second resend is a new request: throttled, still no email.
      const another = await as(owner).post(path);
      expect(another.status).toBe(429);
      expect(await mails()).toBe(2);
    });

    it('pages the invitee’s invitations with next_cursor', async () => {
      const invitee = await createUser();
      const orgIds: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const orgId = await organization();
        orgIds.push(orgId);
        await as(owner).post(`/api/organizations/${orgId}/team`, { uid: invitee.uid }).expect(201);
      }
      const first = await as(invitee).get('/api/invitations?limit=2');
      expect(first.status).toBe(200);
      expect(
        first.body.data.map((item: { organization_id: string }) => item.organization_id),
      ).toEqual([orgIds[2], orgIds[1]]);
      expect(typeof first.body.next_cursor).toBe('string');
      expect(first.headers.link).toContain('rel="next"');
      const second = await as(invitee).get(
        `/api/invitations?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`,
      );
      expect(second.status).toBe(200);
      expect(
        second.body.data.map((item: { organization_id: string }) => item.organization_id),
      ).toEqual([orgIds[0]]);
      expect(second.body.next_cursor).toBeNull();
      const all = await as(invitee).get('/api/invitations');
      expect(all.body.data).toHaveLength(3);
      expect(all.body.next_cursor).toBeNull();
      const foreign = await as(invitee).get('/api/invitations?cursor=bm90LWEtY3Vyc29y');
      expect(foreign.status).toBe(400);
    });
  });

  describe('profiles', () => {
    it('edits one’s profile and shows it in every team entry', async () => {
      const orgId = await organization();
      const me = await as(member).get('/api/users/me');
      expect(me.status).toBe(200);
      expect(me.body.data).toMatchObject({
        uid: member.uid,
        email: member.email,
        name: 'Mia Member',
      });
      const patched = await as(member).patch('/api/users/me', {
        name: 'Mia M.',
        position: 'Chemist',
        license: 'LIC-1',
      });
      expect(patched.status).toBe(200);
      expect(patched.body.data).toEqual({
        uid: member.uid,
        name: 'Mia M.',
        email: member.email,
        photo_url: '',
        position: 'Chemist',
        type: '',
        phone_number: '',
        license: 'LIC-1',
      });
      const teamList = await as(owner).get(`/api/organizations/${orgId}/team?order_by=email`);
      const entry = teamList.body.data.find((item: { uid: string }) => item.uid === member.uid);
      expect(entry).toMatchObject({
        name: 'Mia M.',
        position: 'Chemist',
        license: 'LIC-1',
        role: 'member',
      });
      expect(entry.joined_at).toMatch(ISO);
    });

    it('refuses fields one cannot set', async () => {
      const response = await as(member).patch('/api/users/me', { email: 'other@example.com' });
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([{ path: 'email', message: 'Unknown field.' }]);
    });
  });

  it('lists 1,000 members in pages of 100 with one query per page', async () => {
    const { organization_id: orgId } = await createOrganization(owner, { name: 'Big Lab' });
    const uids = await importUsers(999, 'bulk');
    for (let i = 0; i < uids.length; i += 100) {
      const members = uids.slice(i, i + 100).map((uid) => ({ uid }));
      // A platform admin adds accounts directly (an owner would only invite them).
      await as(platform).post(`/api/organizations/${orgId}/team`, { members }).expect(201);
    }
    const full = await as(platform).post(`/api/organizations/${orgId}/team`, { uid: stranger.uid });
    expect(full.status).toBe(429);
    expect(full.body.error.message).toBe(
      `An organization has at most 1000 members; ${orgId} would have 1001.`,
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      let body: { data: { uid: string }[]; next_cursor: string | null } = {
        data: [],
        next_cursor: null,
      };
      const use = await meterFirestore(async () => {
        const response = await as(owner).get(
          `/api/organizations/${orgId}/team?limit=100&order_by=joined_at${suffix}`,
        );
        expect(response.status).toBe(200);
        body = response.body;
      });
      expect(use).toEqual({
        getAll: [2],
        queries: [pages === 9 ? 100 : 101],
        commits: 0,
        transactions: 0,
      });
      seen.push(...body.data.map((entry) => entry.uid));
      cursor = body.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(10);
    expect(new Set(seen).size).toBe(1000);
  }, 120_000);
});
