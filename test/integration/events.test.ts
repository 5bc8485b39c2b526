// Events: every write through the API produces its events in the same commit (one per change),
// a refused write produces none, and the events API lists and replays them.
import { db } from '../../functions/src/firebase';
import { as, createCast, createOrganization, ISO, joinAll, setRole } from '../helpers/api';
import { createUser, describeEmulators, wipe, type TestUser } from '../helpers/emulators';
import { failure } from '../helpers/envelope';
import type { Caller } from '../../functions/src/auth/caller';
import { organizationStore } from '../../functions/src/organizations/store';
import { secretStore } from '../../functions/src/secrets/client';
import { createWebhookService } from '../../functions/src/webhooks/service';

/** A signed-in user as the API sees them (for the service called directly, on its own clock). */
const caller = (user: TestUser): Caller => ({
  uid: user.uid,
  email: null,
  email_verified: true,
  name: null,
  credential: 'id_token',
  key_id: null,
  scopes: ['read', 'write'],
  admin: false,
});

interface StoredEvent {
  id: string;
  type: string;
  organization_id: string;
  actor: { uid: string | null; credential: string; key_id: string | null };
  data: Record<string, unknown>;
}

describeEmulators('events', () => {
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let orgId: string;
  const seen = new Set<string>();

  /** The organization's events not seen before, oldest first (read from Firestore directly). */
  async function newEvents(org = orgId): Promise<StoredEvent[]> {
    const snapshot = await db().collection('events').where('organization_id', '==', org).get();
    const events = snapshot.docs
      .map((doc) => doc.data() as StoredEvent)
      .filter((event) => !seen.has(event.id))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    events.forEach((event) => seen.add(event.id));
    return events;
  }
  const types = async (org = orgId) => (await newEvents(org)).map((event) => event.type);

  beforeAll(async () => {
    await wipe();
    ({ owner, admin, member, viewer, stranger } = await createCast());
    ({ organization_id: orgId } = await createOrganization(owner, {
      name: 'Events Org',
      team: [admin.uid, member.uid, viewer.uid],
    }));
    await joinAll(orgId, [admin, member, viewer]);
    await setRole(orgId, admin.uid, 'admin');
    await setRole(orgId, viewer.uid, 'viewer');
  });

  it('creating the organization and joining it: one event per change, with the actor', async () => {
    const events = await newEvents();
    expect(events.map((event) => event.type)).toEqual([
      'organization.created',
      'organization_membership.created',
      'invitation.created',
      'invitation.created',
      'invitation.created',
      'invitation.accepted',
      'organization_membership.created',
      'invitation.accepted',
      'organization_membership.created',
      'invitation.accepted',
      'organization_membership.created',
    ]);
    expect(events[0]).toMatchObject({
      organization_id: orgId,
      actor: { uid: owner.uid, credential: 'id_token', key_id: null },
      data: { organization_id: orgId, name: 'Events Org', owner: owner.uid },
    });
    // The creator's membership, in the creation's commit (as Clerk reports it).
    expect(events[1]).toEqual({
      ...events[0],
      id: events[1].id,
      type: 'organization_membership.created',
      data: { organization_id: orgId, uid: owner.uid, role: 'owner' },
    });
    expect(events[1].id > events[0].id).toBe(true);
    expect(events[6]).toMatchObject({
      actor: { uid: admin.uid },
      data: { organization_id: orgId, uid: admin.uid, role: 'member' },
    });
    expect(events.every((event) => /^evt_[0-9a-z]{20}$/.test(event.id))).toBe(true);
  });

  it('each write route produces its events exactly once', async () => {
    const newcomer = await createUser();
    const decliner = await createUser();
    const steps: [string, () => Promise<{ status: number }>, number, string[]][] = [
      [
        'update',
        () => as(admin).patch(`/api/organizations/${orgId}`, { city: 'Tulsa' }),
        200,
        ['organization.updated'],
      ],
      [
        'add by uid',
        () => as(owner).post(`/api/organizations/${orgId}/team`, { uid: newcomer.uid }),
        201,
        ['invitation.created'],
      ],
      [
        'accept',
        async () => {
          const [invitation] = (await as(newcomer).get('/api/invitations')).body.data as {
            id: string;
          }[];
          return as(newcomer).post(`/api/invitations/${invitation.id}/accept`);
        },
        200,
        ['invitation.accepted', 'organization_membership.created'],
      ],
      [
        'set role',
        () =>
          as(owner).patch(`/api/organizations/${orgId}/team/${newcomer.uid}`, { role: 'viewer' }),
        200,
        ['organization_membership.updated'],
      ],
      [
        'remove',
        () => as(admin).delete(`/api/organizations/${orgId}/team/${newcomer.uid}`),
        200,
        ['organization_membership.deleted'],
      ],
      [
        'leave',
        () => as(member).post(`/api/organizations/${orgId}/leave`),
        200,
        ['organization_membership.deleted'],
      ],
      [
        'invite',
        () =>
          as(admin).post(`/api/organizations/${orgId}/invitations`, { email: 'kate@example.com' }),
        201,
        ['invitation.created'],
      ],
      [
        'resend',
        async () => {
          const [pending] = (
            await db()
              .collection('organizations')
              .doc(orgId)
              .collection('invitations')
              .where('email', '==', 'kate@example.com')
              .get()
          ).docs;
          return as(admin).post(`/api/organizations/${orgId}/invitations/${pending.id}/resend`);
        },
        200,
        ['invitation.resent'],
      ],
      [
        'revoke',
        async () => {
          const [pending] = (
            await db()
              .collection('organizations')
              .doc(orgId)
              .collection('invitations')
              .where('email', '==', 'kate@example.com')
              .get()
          ).docs;
          return as(admin).delete(`/api/organizations/${orgId}/invitations/${pending.id}`);
        },
        200,
        ['invitation.revoked'],
      ],
      [
        'invite to decline',
        () => as(owner).post(`/api/organizations/${orgId}/team`, { uid: decliner.uid }),
        201,
        ['invitation.created'],
      ],
      [
        'decline',
        async () => {
          const [invitation] = (await as(decliner).get('/api/invitations')).body.data as {
            id: string;
          }[];
          return as(decliner).post(`/api/invitations/${invitation.id}/decline`);
        },
        200,
        ['invitation.declined'],
      ],
      [
        'put secret',
        () =>
          as(admin).put(`/api/organizations/${orgId}/secrets/metrc`, {
            value: 'metrc-secret-value-0001',
          }),
        201,
        ['secret.updated'],
      ],
      [
        'rotate secret',
        () =>
          as(admin).put(`/api/organizations/${orgId}/secrets/metrc`, {
            value: 'metrc-secret-value-0002',
          }),
        200,
        ['secret.updated'],
      ],
      [
        'delete secret',
        () => as(admin).delete(`/api/organizations/${orgId}/secrets/metrc`),
        200,
        ['secret.deleted'],
      ],
    ];
    for (const [name, call, status, expected] of steps) {
      const response = await call();
      expect({ name, status: response.status }).toEqual({ name, status });
      expect({ name, events: await types() }).toEqual({ name, events: expected });
    }
  });

  it('an update names its changed fields; no event ever holds a secret value', async () => {
    await as(admin).patch(`/api/organizations/${orgId}`, { phone: '555-0100' }).expect(200);
    const [event] = await newEvents();
    expect(event).toMatchObject({
      type: 'organization.updated',
      data: { phone: '555-0100', changed_fields: ['phone'] },
    });
    const all = await db().collection('events').get();
    const text = JSON.stringify(all.docs.map((doc) => doc.data()));
    expect(text).not.toContain('metrc-secret-value');
  });

  it('a refused or failed write produces no event', async () => {
    const refused: [() => Promise<{ status: number }>, number][] = [
      [() => as(viewer).patch(`/api/organizations/${orgId}`, { city: 'Nope' }), 403],
      [() => as(stranger).patch(`/api/organizations/${orgId}`, { city: 'Nope' }), 404],
      [() => as(admin).patch(`/api/organizations/${orgId}`, { city: 42 }), 400],
      [
        () =>
          as(admin)
            .patch(`/api/organizations/${orgId}`)
            .set('If-Match', '"1"')
            .send({ city: 'Stale' }),
        412,
      ],
      [
        () => as(viewer).put(`/api/organizations/${orgId}/secrets/x`, { value: 'viewer-secret' }),
        403,
      ],
      [() => as(admin).delete(`/api/organizations/${orgId}/secrets/missing`), 404],
      [() => as(admin).post(`/api/organizations/${orgId}/transfer`, { uid: admin.uid }), 403],
      [() => as(viewer).delete(`/api/organizations/${orgId}/team/${admin.uid}`), 403],
      [() => as(admin).delete(`/api/organizations/${orgId}`), 403],
    ];
    for (const [call, status] of refused) {
      expect((await call()).status).toBe(status);
    }
    expect(await types()).toEqual([]);
  });

  it('transfer, archive, restore and purge: one event each', async () => {
    await as(owner).post(`/api/organizations/${orgId}/transfer`, { uid: admin.uid }).expect(200);
    const [transferred, ...others] = await newEvents();
    expect(others).toEqual([]);
    expect(transferred).toMatchObject({
      type: 'organization.ownership_transferred',
      data: { organization_id: orgId, owner: admin.uid, previous_owner: owner.uid },
    });
    await as(admin).delete(`/api/organizations/${orgId}`).expect(200);
    expect(await types()).toEqual(['organization.archived']);
    await as(admin).post(`/api/organizations/${orgId}/restore`).expect(200);
    expect(await types()).toEqual(['organization.restored']);
  });

  describe('GET /organizations/{org_id}/events', () => {
    it('newest first, for the owner and admins only', async () => {
      const response = await as(owner).get(`/api/organizations/${orgId}/events?limit=3`);
      expect(response.status).toBe(200);
      const ids = [...seen].sort().reverse().slice(0, 3);
      expect(response.body.data.map((event: { id: string }) => event.id)).toEqual(ids);
      expect(response.body.data[0]).toEqual({
        id: ids[0],
        type: 'organization.restored',
        organization_id: orgId,
        created_at: expect.stringMatching(ISO),
        actor: { uid: admin.uid, credential: 'id_token', key_id: null },
        data: expect.objectContaining({
          organization_id: orgId,
          archived: false,
          changed_fields: ['archived'],
        }),
      });
      expect(typeof response.body.next_cursor).toBe('string');
      for (const [user, status] of [
        [viewer, 403],
        [stranger, 404],
        [null, 401],
      ] as const) {
        expect((await as(user).get(`/api/organizations/${orgId}/events`)).status).toBe(status);
      }
      const refused = await as(viewer).get(`/api/organizations/${orgId}/events`);
      expect(refused.body).toEqual(
        failure({
          code: 'permission-denied',
          message: `Only the owner or an admin of ${orgId} can see its events; you are a viewer.`,
        }),
      );
    });

    it('pages newest first with the cursor', async () => {
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `limit=7&cursor=${cursor}` : 'limit=7';
        const page = await as(admin).get(`/api/organizations/${orgId}/events?${query}`);
        expect(page.status).toBe(200);
        all.push(...page.body.data.map((event: { id: string }) => event.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(all).toEqual([...seen].sort().reverse());
    });

    it('filters by type, repeated or comma-separated', async () => {
      const comma = await as(admin).get(
        `/api/organizations/${orgId}/events?type=organization.archived,organization.restored`,
      );
      expect(comma.status).toBe(200);
      expect(comma.body.data.map((event: { type: string }) => event.type)).toEqual([
        'organization.restored',
        'organization.archived',
      ]);
      const repeated = await as(admin).get(
        `/api/organizations/${orgId}/events?type=secret.deleted&type=secret.updated`,
      );
      expect(repeated.body.data.map((event: { type: string }) => event.type)).toEqual([
        'secret.deleted',
        'secret.updated',
        'secret.updated',
      ]);
      const bad = await as(admin).get(`/api/organizations/${orgId}/events?type=nope`);
      expect(bad.status).toBe(400);
    });

    /** Every event `after=from` replays now, following the cursor. */
    async function replay(from: string): Promise<string[]> {
      const replayed: string[] = [];
      let next = `after=${from}&limit=4`;
      for (;;) {
        const page = await as(admin).get(`/api/organizations/${orgId}/events?${next}`);
        expect(page.status).toBe(200);
        replayed.push(...page.body.data.map((event: { id: string }) => event.id));
        if (!page.body.next_cursor) break;
        next = `after=${from}&limit=4&cursor=${page.body.next_cursor}`;
      }
      return replayed;
    }

    afterEach(() => {
      delete process.env.EVENTS_SETTLE_SECONDS;
    });

    it('after= replays every later event in order, across pages', async () => {
      process.env.EVENTS_SETTLE_SECONDS = '0';
      const ordered = [...seen].sort();
      expect(await replay(ordered[4])).toEqual(ordered.slice(5));
    });

    it('after= returns only events older than the settle window', async () => {
      const ordered = [...seen].sort();
      // An hour's window (the default is a minute: test/unit/webhooks.test.ts): none is settled.
      process.env.EVENTS_SETTLE_SECONDS = '3600';
      expect(await replay(ordered[4])).toEqual([]);
      // The cut-off to the millisecond, on a clock the test sets: two events 10 ms apart, and
      // "now" one settle window after a moment between them.
      await as(admin).patch(`/api/organizations/${orgId}`, { city: 'Settled' }).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 10));
      await as(admin).patch(`/api/organizations/${orgId}`, { city: 'Fresh' }).expect(200);
      const [settled, fresh] = await newEvents();
      const builtAt = (id: string) => Number.parseInt(id.slice(4, 14), 36);
      expect(builtAt(fresh.id)).toBeGreaterThan(builtAt(settled.id));
      const at = (ms: number) =>
        createWebhookService({
          organizations: organizationStore,
          vault: secretStore,
          now: () => new Date(ms + 60_000),
          settleMs: () => 60_000,
        }).events(caller(admin), orgId, { limit: 100, after: ordered[4] });
      const ids = async (ms: number) => (await at(ms)).items.map((event) => event.id);
      expect(await ids(builtAt(fresh.id))).toEqual([...ordered.slice(5), settled.id]);
      expect(await ids(builtAt(settled.id))).toEqual(ordered.slice(5));
      expect(await ids(builtAt(fresh.id) + 1)).toEqual([...ordered.slice(5), settled.id, fresh.id]);
      // The list without `after` shows the newest at once.
      const newest = await as(admin).get(`/api/organizations/${orgId}/events?limit=1`);
      expect(newest.body.data.map((event: { id: string }) => event.id)).toEqual([fresh.id]);
    });
  });

  it('a purge produces organization.deleted, kept after the organization is gone', async () => {
    await as(admin).delete(`/api/organizations/${orgId}`).expect(200);
    expect(await types()).toEqual(['organization.archived']);
    await as(admin).delete(`/api/organizations/${orgId}?purge=true`).expect(200);
    expect(await types()).toEqual(['organization.deleted']);
    expect((await as(admin).get(`/api/organizations/${orgId}/events`)).status).toBe(404);
  });
});
