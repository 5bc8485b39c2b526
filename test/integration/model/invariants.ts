// What must hold on the real emulator state after every sequence, read with a few batched reads:
// the organization document, its member documents, invitations and audit log agree with the
// model (one owner; team = member documents = roles keys; one audit entry per successful write);
// every cast member's custom claims list exactly their memberships; the security rules let
// exactly those read the organization whom the API shows it in full.
import { dirname, join } from 'node:path';
import request from 'supertest';
import { bearer } from '../../helpers/api';
import { projectId } from '../../helpers/emulators';
import { auth, db } from '../../../functions/src/firebase';
import type { Cast } from './cast';
import { baseUrl } from './server';
import { expectEqual, ModelFailure, type Real } from './commands';
import { readsInFull, teamOf, visible, type Model, type Role } from './model';

/** The members' roles of an organization as Firestore holds them (member documents). */
export async function storedRoles(orgId: string): Promise<Map<string, Role>> {
  const snapshot = await db().collection(`organizations/${orgId}/members`).get();
  return new Map(snapshot.docs.map((doc) => [doc.id, doc.get('role') as Role]));
}

const sorted = (values: Iterable<string>) => [...values].sort();

/** Whether the rules let the caller read the organization document (Firestore REST API). */
async function rulesAllowRead(orgId: string, idToken: string): Promise<boolean> {
  const url = `http://${process.env.FIRESTORE_EMULATOR_HOST}/v1/projects/${projectId}/databases/(default)/documents/organizations/${orgId}`;
  const response = await fetch(url, { headers: bearer(idToken) });
  if (response.status === 200) return true;
  if (response.status === 403 || response.status === 404) return false;
  throw new ModelFailure(`rules probe: ${response.status} ${await response.text()}`);
}

/** What `checkStored` read, for the other checks and the cast's registry (read once). */
interface Stored {
  org: Record<string, unknown> | undefined;
  roles: Map<string, Role>;
}

/** The organization document, members, invitations and log agree with the model. */
async function checkStored(model: Model): Promise<Stored> {
  const ref = db().doc(`organizations/${model.orgId}`);
  const [doc, roles, invitations, logs, tombstone, secrets] = await Promise.all([
    ref.get(),
    storedRoles(model.orgId),
    ref.collection('invitations').get(),
    ref.collection('logs').count().get(),
    db().doc(`purged_organizations/${model.orgId}`).get(),
    ref.collection('secrets').get(),
  ]);
  const stored = { org: doc.data(), roles };
  const org = model.org;
  if (!org) {
    expectEqual(doc.exists, false, 'organization document after purge');
    expectEqual(roles.size, 0, 'member documents after purge');
    expectEqual(invitations.size, 0, 'invitations after purge');
    expectEqual(logs.data().count, 0, 'log entries after purge');
    expectEqual(secrets.size, 0, 'secret references after purge');
    if (model.purged) {
      expectEqual(tombstone.get('expires_at') !== null, true, 'tombstone with an expiry');
    }
    return stored;
  }
  const data = doc.data()!;
  const owners = [...roles.values()].filter((role) => role === 'owner');
  expectEqual(owners.length, 1, 'exactly one owner (member documents)');
  expectEqual(data.owner, org.owner, 'owner');
  expectEqual(sorted(data.team as string[]), teamOf(org), 'team');
  expectEqual(sorted(Object.keys(data.roles as object)), teamOf(org), 'roles keys');
  expectEqual(sorted(roles.keys()), teamOf(org), 'member documents');
  for (const [uid, role] of org.roles) {
    expectEqual((data.roles as Record<string, string>)[uid], role, `roles.${uid}`);
    expectEqual(roles.get(uid), role, `member ${uid} role`);
  }
  expectEqual(
    [data.name, data.public, data.archived, data.version],
    [org.name, org.public, org.archived, org.version],
    'name, public, archived, version',
  );
  const statuses = invitations.docs.map((d) => `${d.id}:${d.get('status')}`).sort();
  const expected = org.invitations.map((i) => `${i.id}:${i.status}`).sort();
  expectEqual(statuses, expected, 'invitations');
  expectEqual(logs.data().count, model.audit, 'audit entries (one per successful write)');
  expectEqual(
    secrets.docs.map((d) => `${d.id}:${d.get('last4')}`).sort(),
    [...org.secrets.values()].map(({ name, last4 }) => `${name}:${last4}`).sort(),
    'secret references',
  );
  return stored;
}

/**
 * Every cast member's claims: `team` and `owner` list exactly the organizations of this cast's
 * sequences they belong to (the truncated form is a prefix-free subset, flagged).
 */
async function checkClaims(model: Model, cast: Cast): Promise<void> {
  const { users } = await auth().getUsers(cast.actors.map(({ uid }) => ({ uid })));
  const claimsOf = new Map(users.map((user) => [user.uid, user.customClaims ?? {}]));
  for (const actor of cast.actors) {
    const claims = claimsOf.get(actor.uid) as {
      team?: string[];
      owner?: string[];
      orgs_truncated?: boolean;
      admin?: boolean;
    };
    const team: string[] = [];
    const owner: string[] = [];
    for (const [orgId, roles] of cast.registry) {
      const role = orgId === model.orgId ? model.org?.roles.get(actor.uid) : roles.get(actor.uid);
      if (role) team.push(orgId);
      if (role === 'owner') owner.push(orgId);
    }
    expectEqual(claims.admin ?? false, actor.platform, `${actor.name}'s admin claim`);
    if (claims.orgs_truncated) {
      for (const id of claims.team ?? []) {
        if (!team.includes(id)) throw new ModelFailure(`${actor.name}'s claims list ${id}`);
      }
      continue;
    }
    expectEqual(sorted(claims.team ?? []), sorted(team), `${actor.name}'s team claim`);
    expectEqual(sorted(claims.owner ?? []), sorted(owner), `${actor.name}'s owner claim`);
  }
}

/** The rules and the API agree on who reads the organization, for every caller of the cast. */
async function checkReaders(model: Model, cast: Cast): Promise<void> {
  const url = await baseUrl();
  await Promise.all(
    cast.actors.map(async (actor) => {
      const [rules, response] = await Promise.all([
        rulesAllowRead(model.orgId, actor.user.idToken),
        request(url).get(`/api/organizations/${model.orgId}`).set(bearer(actor.user.idToken)),
      ]);
      const full = readsInFull(model.org, actor);
      expectEqual(rules, full, `rules let ${actor.name} read the organization`);
      const status = visible(model.org, actor) ? 200 : 404;
      expectEqual(response.status, status, `GET as ${actor.name}`);
      if (status === 200) {
        expectEqual(
          'team' in (response.body.data as object),
          full,
          `${actor.name} reads the team (in full)`,
        );
      }
    }),
  );
}

/** Every secret value the suite sends starts so (see `secretValue`): easy to look for. */
export const SECRET_MARK = `sv${process.pid}x`;

/** Log lines (the functions logger's and the console's) that held a secret value. */
export const leakedLines: string[] = [];

/**
 * Watches every log line the app writes (the functions logger writes through the console it
 * found at load time; structured logs may use the console too) for secret values.
 */
export function watchLogs(): void {
  // The package exports no path to it: it sits next to the logger's entry point.
  const logger = require.resolve('firebase-functions/logger');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const common = require(join(dirname(logger), 'common.js')) as {
    UNPATCHED_CONSOLE: Record<string, (...args: unknown[]) => void>;
  };
  const targets = [common.UNPATCHED_CONSOLE, console as unknown as Record<string, never>];
  for (const target of targets) {
    for (const method of ['debug', 'info', 'log', 'warn', 'error']) {
      const original = target[method];
      target[method] = (...args: unknown[]) => {
        const line = args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg)));
        if (line.join(' ').includes(SECRET_MARK)) leakedLines.push(line.join(' '));
        original(...args);
      };
    }
  }
}

/**
 * No secret value in any response body, log line, or document of the organization (one query
 * over its whole subtree through the emulator's REST API).
 */
async function checkNoSecrets(model: Model, real: Real, stored: Promise<Stored>): Promise<void> {
  for (const body of real.bodies) {
    if (body.includes(SECRET_MARK)) throw new ModelFailure(`a response holds a secret: ${body}`);
  }
  if (leakedLines.length) throw new ModelFailure(`a log line holds a secret: ${leakedLines[0]}`);
  if (real.secrets.length === 0) return;
  const root = `projects/${projectId}/databases/(default)/documents`;
  const response = await fetch(
    `http://${process.env.FIRESTORE_EMULATOR_HOST}/v1/${root}/organizations/${model.orgId}:runQuery`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', Authorization: 'Bearer owner' },
      body: JSON.stringify({ structuredQuery: { from: [{ allDescendants: true }] } }),
    },
  );
  const text = await response.text();
  if (!response.ok) throw new ModelFailure(`runQuery: ${response.status} ${text}`);
  const { org } = await stored;
  if (text.includes(SECRET_MARK) || JSON.stringify(org ?? {}).includes(SECRET_MARK)) {
    throw new ModelFailure(`a document of ${model.orgId} holds a secret value`);
  }
}

/**
 * All checks at once (they only read), each document read once. Answers the member documents'
 * roles as read (for the cast's registry).
 */
export async function checkInvariants(model: Model, real: Real): Promise<Map<string, Role>> {
  const stored = checkStored(model);
  const [{ roles }] = await Promise.all([
    stored,
    checkClaims(model, real.cast),
    checkReaders(model, real.cast),
    checkNoSecrets(model, real, stored),
  ]);
  return roles;
}
