// The Firestore security rules (firestore.rules), on the real Firestore emulator: every collection
// × every kind of caller × get, list, create, update, delete, from one table of expected outcomes;
// then the tenancy boundary: no client writes in a collection of an API-owned name at any position
// of depths 1 to 3, editors write every lab-data collection there, and nothing else is writable.
// The API itself uses firebase-admin and is not subject to these rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestContext,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import { setLogLevel } from 'firebase/firestore';
import { describeEmulators, projectId } from '../helpers/emulators';
import { firestoreEmulator, rulesCoverage } from '../helpers/rules';
import { API_COLLECTIONS } from '../../functions/src/model/collections';

const root = join(__dirname, '..', '..');

type Db = ReturnType<RulesTestContext['firestore']>;
type Query = ReturnType<ReturnType<Db['collection']>['where']>;

const ROLES = [
  'anonymous',
  'stranger',
  'viewer',
  'member',
  'admin',
  'owner',
  'platform admin',
  'stale claim',
  'overflowed',
] as const;
type Role = (typeof ROLES)[number];

const OPS = ['get', 'list', 'create', 'update', 'delete'] as const;
type Op = (typeof OPS)[number];

const ACME = 'acme'; // private, active
const OPEN = 'open-lab'; // public
const ARCHIVED = 'old-lab'; // private, archived
const PURGED = 'gone-lab'; // purged: only its tombstone is left

/** Lab data at depth 2 and 3 below an organization. */
const RESULT = 'samples/sample-1/results/result-1';
const MEASUREMENT = `${RESULT}/measurements/measurement-1`;

const API_OWNED: readonly string[] = API_COLLECTIONS;

/** The lab-data collections: the standard data models minus the API-owned names. */
const LAB_COLLECTIONS = (
  JSON.parse(
    readFileSync(join(root, 'functions/src/organizations/standard-data-models.json'), 'utf8'),
  ) as { key: string }[]
)
  .map((model) => model.key)
  .filter((key) => !API_OWNED.includes(key));

/** Each caller's uid and the custom claims on its ID token. */
const CALLERS: Record<Role, { uid: string | null; claims?: Record<string, unknown> }> = {
  anonymous: { uid: null },
  stranger: { uid: 'stranger', claims: {} },
  viewer: { uid: 'viewer', claims: { owner: [], team: [ACME, OPEN, ARCHIVED] } },
  member: { uid: 'member', claims: { owner: [], team: [ACME, OPEN, ARCHIVED] } },
  admin: { uid: 'admin', claims: { owner: [], team: [ACME, OPEN, ARCHIVED] } },
  owner: { uid: 'owner', claims: { owner: [ACME, OPEN, ARCHIVED], team: [ACME, OPEN, ARCHIVED] } },
  'platform admin': { uid: 'platform', claims: { admin: true } },
  // Removed from every team less than an hour ago: the token still says otherwise.
  'stale claim': { uid: 'former', claims: { owner: [], team: [ACME, OPEN, ARCHIVED] } },
  // A member whose claims overflowed 1000 bytes: the lists lack these organizations.
  overflowed: {
    uid: 'overflowed',
    claims: { owner: [], team: ['other-org'], orgs_truncated: true },
  },
};

/** The teams of all three organizations, by uid: the callers' and one bystander's roles. */
const TEAM_ROLES: Record<string, string> = {
  owner: 'owner',
  admin: 'admin',
  member: 'member',
  viewer: 'viewer',
  overflowed: 'member',
  bystander: 'viewer',
};

const TEAM: Role[] = ['viewer', 'member', 'admin', 'owner', 'overflowed'];
const EDITORS: Role[] = ['member', 'admin', 'owner', 'overflowed'];
const MANAGERS: Role[] = ['admin', 'owner'];
const SIGNED_IN = ROLES.filter((role) => role !== 'anonymous');
const NOBODY: Role[] = [];
const PLATFORM: Role[] = ['platform admin'];

/** Who may read (get and list) and who may write (create, update, delete). */
const access = (read: Role[], write: Role[] = NOBODY) => ({
  get: read,
  list: read,
  create: write,
  update: write,
  delete: write,
});

interface Target {
  /** The document that get, create, update and delete act on, for a caller's uid. */
  doc: (uid: string) => string;
  /** The query `list` runs. */
  list: (db: Db, uid: string) => Query;
  /** The callers each operation is allowed to (none if left out); everyone else is refused. */
  allowed: Partial<Record<Op, Role[]>>;
  /** The operations that make sense here, if not all. */
  ops?: Op[];
  /** Callers whose `list` is allowed but finds none of the fixtures (a query on their own uid). */
  findsNothing?: Role[];
}

const collection = (path: string) => (db: Db) => db.collection(path);
const fixed = (path: string) => () => path;

// Listing: a query succeeds only when the rules can prove every possible result readable. A
// query of the whole `organizations` collection cannot be proved for anyone but platform admins,
// nor can `public == true` any more (the public profile is `public_organizations`, open to all);
// `team array-contains <own uid>` can (the console's "my organizations": it also finds the
// organizations that overflowed out of the caller's claims).
const TARGETS: Record<string, Target> = {
  'organizations (private)': {
    doc: fixed(`organizations/${ACME}`),
    list: collection('organizations'),
    allowed: { get: [...TEAM, ...PLATFORM], list: PLATFORM },
  },
  'organizations (public): its document is still the team’s only': {
    doc: fixed(`organizations/${OPEN}`),
    list: (db) => db.collection('organizations').where('public', '==', true),
    allowed: { get: [...TEAM, ...PLATFORM], list: PLATFORM },
  },
  'organizations where team contains me': {
    doc: fixed(`organizations/${ACME}`),
    list: (db, uid) => db.collection('organizations').where('team', 'array-contains', uid),
    ops: ['list'],
    allowed: { list: TEAM },
    findsNothing: ['stranger', 'platform admin', 'stale claim'],
  },
  public_organizations: {
    doc: fixed(`public_organizations/${OPEN}`),
    list: collection('public_organizations'),
    allowed: access([...ROLES]),
  },
  purged_organizations: {
    doc: fixed(`purged_organizations/${PURGED}`),
    list: collection('purged_organizations'),
    allowed: access(NOBODY),
  },
  members: {
    doc: fixed(`organizations/${ACME}/members/bystander`),
    list: collection(`organizations/${ACME}/members`),
    allowed: access([...TEAM, ...PLATFORM]),
  },
  data_models: {
    doc: fixed(`organizations/${ACME}/data_models/lab_results`),
    list: collection(`organizations/${ACME}/data_models`),
    allowed: access([...TEAM, ...PLATFORM]),
  },
  invitations: {
    doc: fixed(`organizations/${ACME}/invitations/invitation-1`),
    list: collection(`organizations/${ACME}/invitations`),
    allowed: access([...MANAGERS, ...PLATFORM]),
  },
  logs: {
    doc: fixed(`organizations/${ACME}/logs/log-1`),
    list: collection(`organizations/${ACME}/logs`),
    allowed: access([...MANAGERS, ...PLATFORM]),
  },
  secrets: {
    doc: fixed(`organizations/${ACME}/secrets/metrc`),
    list: collection(`organizations/${ACME}/secrets`),
    allowed: access([...MANAGERS, ...PLATFORM]),
  },
  'lab data (samples)': {
    doc: fixed(`organizations/${ACME}/samples/sample-1`),
    list: collection(`organizations/${ACME}/samples`),
    allowed: access([...TEAM, ...PLATFORM], EDITORS),
  },
  'lab data, depth 2 (samples/…/results)': {
    doc: fixed(`organizations/${ACME}/${RESULT}`),
    list: collection(`organizations/${ACME}/samples/sample-1/results`),
    allowed: access([...TEAM, ...PLATFORM], EDITORS),
  },
  'lab data, depth 3 (samples/…/results/…/measurements)': {
    doc: fixed(`organizations/${ACME}/${MEASUREMENT}`),
    list: collection(`organizations/${ACME}/${RESULT}/measurements`),
    allowed: access([...TEAM, ...PLATFORM], EDITORS),
  },
  'lab data of an archived organization': {
    doc: fixed(`organizations/${ARCHIVED}/samples/sample-1`),
    list: collection(`organizations/${ARCHIVED}/samples`),
    allowed: access([...TEAM, ...PLATFORM]),
  },
  'depth 4 under an organization (…/measurements/…/files)': {
    doc: fixed(`organizations/${ACME}/${MEASUREMENT}/files/file-1`),
    list: collection(`organizations/${ACME}/${MEASUREMENT}/files`),
    allowed: access(NOBODY),
  },
  'a collection that is no data model (labdata)': {
    doc: fixed(`organizations/${ACME}/labdata/x`),
    list: collection(`organizations/${ACME}/labdata`),
    allowed: access(NOBODY),
  },
  'an API-owned name below an unknown collection (labdata/…/invitations)': {
    doc: fixed(`organizations/${ACME}/labdata/x/invitations/invitation-1`),
    list: collection(`organizations/${ACME}/labdata/x/invitations`),
    allowed: access(NOBODY),
  },
  'an API-owned name below lab data (samples/…/members)': {
    doc: fixed(`organizations/${ACME}/samples/sample-1/members/member`),
    list: collection(`organizations/${ACME}/samples/sample-1/members`),
    allowed: access(NOBODY),
  },
  'the audit log’s name below lab data (samples/…/logs)': {
    doc: fixed(`organizations/${ACME}/samples/sample-1/logs/log-1`),
    list: collection(`organizations/${ACME}/samples/sample-1/logs`),
    allowed: access(NOBODY),
  },
  'collection group query (invitations)': {
    doc: fixed(`organizations/${ACME}/invitations/invitation-1`),
    list: (db) => db.collectionGroup('invitations'),
    ops: ['list'],
    allowed: {},
  },
  'users (own profile)': {
    doc: (uid) => `users/${uid}`,
    list: collection('users'),
    allowed: { get: SIGNED_IN, list: PLATFORM },
  },
  "users (another's profile)": {
    doc: fixed('users/someone-else'),
    list: collection('users'),
    allowed: { get: PLATFORM, list: PLATFORM },
  },
  api_keys: {
    doc: fixed('api_keys/digest-1'),
    list: collection('api_keys'),
    allowed: access(NOBODY),
  },
  idempotency_keys: {
    doc: fixed('idempotency_keys/request-1'),
    list: collection('idempotency_keys'),
    allowed: access(NOBODY),
  },
  mail: {
    doc: fixed('mail/mail-1'),
    list: collection('mail'),
    allowed: access(NOBODY),
  },
  'any other top-level collection': {
    doc: fixed('unknown/doc-1'),
    list: collection('unknown'),
    allowed: access(NOBODY),
  },
};

/**
 * The collection paths below `organizations/acme` of depth 1, 2 and 3 that have the collection
 * `name` at one position (every position in turn) and lab-data collections at the others.
 */
function pathsWith(name: string): string[] {
  return [
    name,
    `samples/sample-1/${name}`,
    `${name}/x/samples`,
    `samples/sample-1/results/result-1/${name}`,
    `samples/sample-1/${name}/x/results`,
    `${name}/x/samples/sample-1/results`,
  ].map((path) => `organizations/${ACME}/${path}`);
}

/** What the API would have written: three organizations, their teams, and a bit of everything. */
function fixtures(): Record<string, Record<string, unknown>> {
  const team = Object.keys(TEAM_ROLES);
  const docs: Record<string, Record<string, unknown>> = {};
  for (const [orgId, extra] of [
    [ACME, { public: false, archived: false }],
    [OPEN, { public: true, archived: false }],
    [ARCHIVED, { public: false, archived: true }],
  ] as const) {
    docs[`organizations/${orgId}`] = {
      organization_id: orgId,
      name: orgId,
      owner: 'owner',
      team,
      roles: TEAM_ROLES,
      ...extra,
    };
    for (const uid of team) {
      docs[`organizations/${orgId}/members/${uid}`] = {
        uid,
        organization_id: orgId,
        role: TEAM_ROLES[uid],
        name: uid,
        email: `${uid}@example.com`,
      };
    }
    docs[`organizations/${orgId}/samples/sample-1`] = { sample_id: 'sample-1', status: 'received' };
  }
  Object.assign(docs, {
    [`public_organizations/${OPEN}`]: {
      organization_id: OPEN,
      uid: OPEN,
      name: OPEN,
      trade_name: '',
      type: 'lab',
      public: true,
      email: '',
      phone: '',
      website: '',
      linkedin: '',
      city: '',
      state: 'CA',
      country: 'US',
      photo_url: '',
      created_at: new Date('2026-01-01T00:00:00Z'),
    },
    [`purged_organizations/${PURGED}`]: {
      organization_id: PURGED,
      purged_at: new Date('2026-01-01T00:00:00Z'),
      purged_by: 'owner',
      expires_at: new Date('2026-01-31T00:00:00Z'),
    },
    [`organizations/${ACME}/data_models/lab_results`]: { key: 'lab_results', name: 'Lab results' },
    [`organizations/${ACME}/invitations/invitation-1`]: {
      email: 'new@example.com',
      role: 'member',
    },
    [`organizations/${ACME}/logs/log-1`]: { action: 'organization.created', actor_uid: 'owner' },
    [`organizations/${ACME}/secrets/metrc`]: { name: 'metrc', last4: 'abcd' },
    [`organizations/${ACME}/${RESULT}`]: { analyte: 'thc', value: 0.2 },
    [`organizations/${ACME}/${MEASUREMENT}`]: { reading: 0.21 },
    // Documents no client could have written (the API never does): planted by a past rule.
    [`organizations/${ACME}/${MEASUREMENT}/files/file-1`]: { name: 'too deep' },
    [`organizations/${ACME}/labdata/x`]: { anything: true },
    [`organizations/${ACME}/labdata/x/invitations/invitation-1`]: {
      email: 'stranger@example.com',
      role: 'owner',
    },
    [`organizations/${ACME}/samples/sample-1/members/member`]: { uid: 'stranger', role: 'owner' },
    [`organizations/${ACME}/samples/sample-1/logs/log-1`]: { action: 'organization.created' },
    'users/someone-else': { name: 'Someone Else' },
    'api_keys/digest-1': { uid: 'owner', name: 'CI' },
    'idempotency_keys/request-1': { uid: 'owner', status: 201 },
    'mail/mail-1': { to: 'new@example.com', message: { subject: 'Invitation' } },
    'unknown/doc-1': { anything: true },
  });
  for (const { uid } of Object.values(CALLERS)) {
    if (uid) docs[`users/${uid}`] = { name: uid };
  }
  return docs;
}

describeEmulators('Firestore security rules', () => {
  let env: RulesTestEnvironment;
  const seeded = fixtures();

  const reseed = (paths: string[]) =>
    env.withSecurityRulesDisabled(async (context) => {
      const db = context.firestore();
      const batch = db.batch();
      for (const path of paths) {
        if (seeded[path]) batch.set(db.doc(path), seeded[path]);
        else batch.delete(db.doc(path));
      }
      await batch.commit();
    });

  const clients = new Map<Role, { db: Db; uid: string }>();

  /** One client per caller, signed in with its claims (or not at all). */
  function clientOf(role: Role): { db: Db; uid: string } {
    let client = clients.get(role);
    if (!client) {
      const { uid, claims } = CALLERS[role];
      const context = uid ? env.authenticatedContext(uid, claims) : env.unauthenticatedContext();
      client = { db: context.firestore(), uid: uid ?? 'anonymous' };
      clients.set(role, client);
    }
    return client;
  }

  /**
   * Runs one operation as a caller and returns the fixture paths a get or list saw. A create
   * starts without the seeded document; a create, or a write that went through, puts it back.
   */
  async function attempt(target: Target, role: Role, op: Op): Promise<string[]> {
    const { db, uid } = clientOf(role);
    const path = target.doc(uid);
    const ref = db.doc(path);
    if (op === 'get') return (await ref.get()).exists ? [path] : [];
    if (op === 'list') return (await target.list(db, uid).get()).docs.map((doc) => doc.ref.path);
    if (op === 'create') {
      await env.withSecurityRulesDisabled((context) => context.firestore().doc(path).delete());
    }
    let written = false;
    try {
      if (op === 'create') await ref.set({ created_by: uid });
      else if (op === 'update') await ref.update({ updated_by: uid });
      else await ref.delete();
      written = true;
      return [];
    } finally {
      if (written || op === 'create') await reseed([path]);
    }
  }

  beforeAll(async () => {
    setLogLevel('silent'); // every refused request would otherwise log a PERMISSION_DENIED warning
    env = await initializeTestEnvironment({
      projectId,
      firestore: {
        ...firestoreEmulator(),
        rules: readFileSync(join(root, 'firestore.rules'), 'utf8'),
      },
    });
    await env.clearFirestore();
    await reseed(Object.keys(seeded));
  });

  afterAll(async () => {
    await env.clearFirestore();
    await env.cleanup();
  });

  for (const [name, target] of Object.entries(TARGETS)) {
    describe(name, () => {
      for (const role of ROLES) {
        for (const op of target.ops ?? OPS) {
          const allowed = target.allowed[op] ?? NOBODY;
          const empty = op === 'list' && target.findsNothing?.includes(role);
          const outcome = allowed.includes(role)
            ? 'allowed'
            : empty
              ? 'allowed, finds nothing'
              : 'denied';
          it(`${name} · ${role} · ${op} → ${outcome}`, async () => {
            const result = attempt(target, role, op);
            if (outcome === 'denied') {
              await assertFails(result);
              return;
            }
            const seen = await assertSucceeds(result);
            const fixture = target.doc(clientOf(role).uid);
            if (empty) expect(seen).not.toContain(fixture);
            else if (op === 'get' || op === 'list') expect(seen).toContain(fixture);
          });
        }
      }
    });
  }

  // The tenancy boundary: a client with the strongest client credential (the owner's, or a
  // member's) cannot create or update a document in a collection of any API-owned name, at any
  // position of a lab-data path of depth 1, 2 or 3 (so no collection-group query by that name can
  // find a client's document). Updates act on documents planted with the rules disabled.
  describe('API-owned collection names at depths 1 to 3: no client writes', () => {
    const WRITERS: Role[] = ['owner', 'member'];
    const planted = API_OWNED.flatMap((name) => pathsWith(name).map((path) => `${path}/planted`));

    const plant = (set: boolean) =>
      env.withSecurityRulesDisabled(async (context) => {
        const db = context.firestore();
        const batch = db.batch();
        for (const path of planted) {
          if (set) batch.set(db.doc(path), { planted: true });
          else batch.delete(db.doc(path));
        }
        await batch.commit();
      });
    beforeAll(() => plant(true));
    afterAll(() => plant(false));

    for (const name of API_OWNED) {
      for (const path of pathsWith(name)) {
        for (const role of WRITERS) {
          it(`${path} · ${role} · create → denied`, async () => {
            const { db, uid } = clientOf(role);
            await assertFails(db.doc(`${path}/created`).set({ created_by: uid }));
          });
          it(`${path} · ${role} · update → denied`, async () => {
            const { db, uid } = clientOf(role);
            await assertFails(db.doc(`${path}/planted`).update({ updated_by: uid }));
          });
        }
      }
    }
  });

  describe('every lab-data collection at depths 1 to 3: editors write', () => {
    for (const name of LAB_COLLECTIONS) {
      it(`${name} · member · create, update, delete at each position of depths 1 to 3 → allowed`, async () => {
        const { db, uid } = clientOf('member');
        for (const path of pathsWith(name)) {
          const ref = db.doc(`${path}/created`);
          await assertSucceeds(ref.set({ created_by: uid }));
          await assertSucceeds(ref.update({ updated_by: uid }));
          await assertSucceeds(ref.delete());
        }
      });
    }
  });

  describe('collections that are no lab-data collection at depths 1 to 3: refused', () => {
    for (const name of ['labdata', 'Samples', 'sample', 'logs_archive']) {
      for (const path of pathsWith(name)) {
        it(`${path} · owner · create → denied`, async () => {
          const { db, uid } = clientOf('owner');
          await assertFails(db.doc(`${path}/created`).set({ created_by: uid }));
        });
      }
    }
  });

  // Last in the file, so it sees what the whole matrix above evaluated (the emulator counts from
  // the moment the rules were loaded).
  it('evaluates every expression of firestore.rules (report in coverage/firestore-rules.html)', async () => {
    const coverage = await rulesCoverage(projectId, join(root, 'coverage', 'firestore-rules.html'));
    console.log(
      `firestore.rules coverage: ${coverage.evaluated}/${coverage.expressions} expressions ` +
        `evaluated; ${coverage.bothWays}/${coverage.conditions} conditions seen both true and false`,
    );
    expect(coverage.expressions).toBeGreaterThan(0);
    expect(coverage.missed).toEqual([]);
  });
});
