// What must hold on the real emulator state after every sequence, read with a few batched reads:
// the organization document, its member documents, invitations and audit log agree with the
// model (one owner; team = member documents = roles keys; one audit entry per successful write);
// every cast member's custom claims list exactly their memberships; the security rules let
// exactly those read the organization whom the API shows it in full.
import request from 'supertest';
import { app, bearer } from '../../helpers/api';
import { projectId } from '../../helpers/emulators';
import { auth, db } from '../../../functions/src/firebase';
import type { Cast } from './cast';
import { expectEqual, ModelFailure } from './commands';
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

/** The organization document, members, invitations and log agree with the model. */
async function checkStored(model: Model): Promise<void> {
  const ref = db().doc(`organizations/${model.orgId}`);
  const [doc, roles, invitations, logs, tombstone] = await Promise.all([
    ref.get(),
    storedRoles(model.orgId),
    ref.collection('invitations').get(),
    ref.collection('logs').count().get(),
    db().doc(`purged_organizations/${model.orgId}`).get(),
  ]);
  const org = model.org;
  if (!org) {
    expectEqual(doc.exists, false, 'organization document after purge');
    expectEqual(roles.size, 0, 'member documents after purge');
    expectEqual(invitations.size, 0, 'invitations after purge');
    expectEqual(logs.data().count, 0, 'log entries after purge');
    if (model.purged) {
      expectEqual(tombstone.get('expires_at') !== null, true, 'tombstone with an expiry');
    }
    return;
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
  await Promise.all(
    cast.actors.map(async (actor) => {
      const [rules, response] = await Promise.all([
        rulesAllowRead(model.orgId, actor.user.idToken),
        request(app).get(`/api/organizations/${model.orgId}`).set(bearer(actor.user.idToken)),
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

/** No posted secret value in any response body. */
export function checkNoSecrets(bodies: string[], secrets: string[]): void {
  for (const body of bodies) {
    for (const secret of secrets) {
      if (body.includes(secret)) throw new ModelFailure(`a response holds a secret value: ${body}`);
    }
  }
}

export async function checkInvariants(model: Model, cast: Cast): Promise<void> {
  // The registry holds this organization from the start (claims are compared to it).
  await checkStored(model);
  await Promise.all([checkClaims(model, cast), checkReaders(model, cast)]);
}
