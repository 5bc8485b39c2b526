// The floor of each endpoint: the bare firebase-admin operations it cannot avoid, run on the same
// emulators, with the same client, in the same sequence and parallelism an implementation needs.
// The endpoint's latency is reported as a multiple of its floor's.
'use strict';

const { functionsRequire } = require('./paths');
const { memberRecord, organizationRecord, profile } = require('./seed');

const { FieldPath } = functionsRequire('firebase-admin/firestore');

const PAGE = 25;
/** What an access check needs of the organization and the caller's member document. */
const ACCESS_FIELDS = ['organization_id', 'public', 'archived', 'role'];

/** The documents' data: an endpoint cannot answer without decoding what it read. */
const decode = (snapshots) => snapshots.map((snapshot) => snapshot.data());

/** What each floor does, one line each, for the report. */
const FLOOR_DESCRIPTIONS = {
  get: '`getAll(organization, caller’s member document)`: one round trip, 2 documents, decoded.',
  list: 'the page query (`team array-contains uid`, `archived == false`, by name, `limit 26`), its documents decoded.',
  team: 'the access check, `getAll(organization, caller’s member document)` with a field mask (`organization_id`, `public`, `archived`, `role`: the organization’s `team` and `roles` grow with the team and are not needed), then the members query (by name, `limit 26`), decoded.',
  create:
    'the creator’s profile (`auth.getUsers` ∥ `getAll(users/uid)`), one batch creating organization, owner’s member document, 21 data models and log entry (24 writes), then the claims sync the README promises before the 201: memberships query ∥ `auth.getUser`, `setCustomUserClaims`, memberships query again (the convergence check).',
  patch:
    'a transaction: `getAll(organization, caller’s member document)`, then commit the update and its log entry.',
  add: 'adding a uid invites it (the person joins by accepting): the invitee’s profile for the mail address (`auth.getUsers` ∥ `getAll(users/uid)`), then a transaction (`getAll(organization, caller’s member document)` ∥ the pending-invitations query of that uid, commit invitation + mail + log entry).',
};

function createFloors({ db, auth, dataModels }) {
  const orgRef = (id) => db.collection('organizations').doc(id);
  const memberRef = (id, uid) => orgRef(id).collection('members').doc(uid);
  const logRef = (id) => orgRef(id).collection('logs').doc();
  const memberships = (uid) =>
    db.collectionGroup('members').where('uid', '==', uid).select('organization_id', 'role');
  const log = (caller, action, changed, at) => ({
    action,
    actor_uid: caller.uid,
    credential: 'api_key',
    key_id: caller.keyId,
    changed_fields: changed,
    at,
  });

  async function profileOf(uid) {
    const [{ users }, [document]] = await Promise.all([
      auth.getUsers([{ uid }]),
      db.getAll(db.collection('users').doc(uid)),
    ]);
    const record = users[0];
    const saved = document.data() ?? {};
    return {
      ...profile(uid, {
        name: saved.name || record.displayName || '',
        email: record.email ?? '',
        signedIn: Boolean(record.metadata?.lastSignInTime),
      }),
    };
  }

  async function syncClaims(uid) {
    const [snapshot, record] = await Promise.all([memberships(uid).get(), auth.getUser(uid)]);
    const list = snapshot.docs.map((doc) => doc.data());
    await auth.setCustomUserClaims(uid, {
      ...record.customClaims,
      owner: list
        .filter((membership) => membership.role === 'owner')
        .map((membership) => membership.organization_id)
        .sort(),
      team: list.map((membership) => membership.organization_id).sort(),
    });
    await memberships(uid).get();
  }

  return {
    get: async (orgId, uid) => decode(await db.getAll(orgRef(orgId), memberRef(orgId, uid))),

    list: async (uid) => {
      const page = await db
        .collection('organizations')
        .where('team', 'array-contains', uid)
        .where('archived', '==', false)
        .orderBy('name_lower', 'asc')
        .orderBy(FieldPath.documentId(), 'asc')
        .limit(PAGE + 1)
        .get();
      return decode(page.docs);
    },

    async team(orgId, uid) {
      decode(await db.getAll(orgRef(orgId), memberRef(orgId, uid), { fieldMask: ACCESS_FIELDS }));
      const page = await orgRef(orgId)
        .collection('members')
        .orderBy('name', 'asc')
        .orderBy(FieldPath.documentId(), 'asc')
        .limit(PAGE + 1)
        .get();
      return decode(page.docs);
    },

    async create(caller, orgId, name) {
      const owner = await profileOf(caller.uid);
      const at = new Date();
      const batch = db.batch();
      batch.create(
        orgRef(orgId),
        organizationRecord(orgId, name, [{ profile: owner, role: 'owner' }], at),
      );
      batch.create(memberRef(orgId, caller.uid), memberRecord(orgId, owner, 'owner', at));
      for (const model of dataModels) {
        batch.create(orgRef(orgId).collection('data_models').doc(model.key), model);
      }
      batch.create(logRef(orgId), log(caller, 'organization.created', ['name', 'type'], at));
      await batch.commit();
      await syncClaims(caller.uid);
    },

    patch: (caller, orgId, city) =>
      db.runTransaction(async (transaction) => {
        const [org] = decode(await transaction.getAll(orgRef(orgId), memberRef(orgId, caller.uid)));
        const at = new Date();
        transaction.update(orgRef(orgId), {
          city,
          version: org.version + 1,
          updated_at: at,
        });
        transaction.create(logRef(orgId), log(caller, 'organization.updated', ['city'], at));
      }),

    async add(caller, orgId, uid) {
      const member = await profileOf(uid);
      await db.runTransaction(async (transaction) => {
        const invitations = orgRef(orgId).collection('invitations');
        const [[org], pending] = await Promise.all([
          transaction.getAll(orgRef(orgId), memberRef(orgId, caller.uid)),
          transaction.get(invitations.where('uid', '==', uid).where('status', '==', 'pending')),
        ]);
        const at = new Date();
        const id = `floor-${uid}`.slice(0, 40);
        if (!org.exists || pending.size > 0) throw new Error('floor: unexpected state');
        transaction.create(invitations.doc(id), {
          invitation_id: id,
          organization_id: orgId,
          organization_name: org.get('name'),
          email: null,
          uid,
          role: 'member',
          status: 'pending',
          invited_by: caller.uid,
          created_at: at,
          expires_at: new Date(at.getTime() + 7 * 86_400_000),
          valid_days: 7,
          resent_at: null,
          responded_at: null,
        });
        transaction.create(db.collection('mail').doc(), {
          to: member.email,
          message: { subject: 'Invitation', text: 'Accept it.', html: '<p>Accept it.</p>' },
        });
        transaction.create(logRef(orgId), log(caller, 'member.invited', ['invitations'], at));
      });
    },
  };
}

module.exports = { createFloors, FLOOR_DESCRIPTIONS };
