// The Firestore security rules (firestore.rules), on the real Firestore emulator: every collection
// × every kind of caller × get, list, create, update, delete, from one table of expected outcomes.
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
// query of the whole `organizations` collection cannot be proved for anyone but platform admins;
// `public == true` can (anyone), and so can `team array-contains <own uid>` (the console's "my
// organizations": it also finds the organizations that overflowed out of the caller's claims).
const TARGETS: Record<string, Target> = {
  'organizations (private)': {
    doc: fixed(`organizations/${ACME}`),
    list: collection('organizations'),
    allowed: { get: [...TEAM, ...PLATFORM], list: PLATFORM },
  },
  'organizations (public)': {
    doc: fixed(`organizations/${OPEN}`),
    list: (db) => db.collection('organizations').where('public', '==', true),
    allowed: access([...ROLES]),
  },
  'organizations where team contains me': {
    doc: fixed(`organizations/${ACME}`),
    list: (db, uid) => db.collection('organizations').where('team', 'array-contains', uid),
    ops: ['list'],
    allowed: { list: TEAM },
    findsNothing: ['stranger', 'platform admin', 'stale claim'],
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
  'lab data, nested (samples/…/results)': {
    doc: fixed(`organizations/${ACME}/samples/sample-1/results/result-1`),
    list: collection(`organizations/${ACME}/samples/sample-1/results`),
    allowed: access([...TEAM, ...PLATFORM], EDITORS),
  },
  'lab data of an archived organization': {
    doc: fixed(`organizations/${ARCHIVED}/samples/sample-1`),
    list: collection(`organizations/${ARCHIVED}/samples`),
    allowed: access([...TEAM, ...PLATFORM]),
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
    [`organizations/${ACME}/data_models/lab_results`]: { key: 'lab_results', name: 'Lab results' },
    [`organizations/${ACME}/invitations/invitation-1`]: {
      email: 'new@example.com',
      role: 'member',
    },
    [`organizations/${ACME}/logs/log-1`]: { action: 'organization.created', actor_uid: 'owner' },
    [`organizations/${ACME}/secrets/metrc`]: { name: 'metrc', last4: 'abcd' },
    [`organizations/${ACME}/samples/sample-1/results/result-1`]: { analyte: 'thc', value: 0.2 },
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
