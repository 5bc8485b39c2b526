// Shorthands for driving the in-process app in integration tests.
import request from 'supertest';
import { createApp } from '../../functions/src/app';
import { db } from '../../functions/src/firebase';
import { createUser, projectId, type TestUser } from './emulators';

/** An ISO 8601 UTC timestamp as the API writes them. */
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** One user for each standing toward an organization, and a platform administrator. */
export async function createCast() {
  const [owner, admin, member, viewer, stranger, platform] = await Promise.all([
    createUser({ name: 'Olive Owner' }),
    createUser({ name: 'Adam Admin' }),
    createUser({ name: 'Mia Member' }),
    createUser({ name: 'Vic Viewer' }),
    createUser({ name: 'Stan Stranger' }),
    createUser({ name: 'Pat Platform', claims: { admin: true } }),
  ]);
  return { owner, admin, member, viewer, stranger, platform };
}

// Every response checked against the OpenAPI document: setup-after-env.ts wraps createApp().
export const app = createApp();

export const bearer = (credential: string) => ({ Authorization: `Bearer ${credential}` });

/** A supertest agent for one user, with their ID token. */
export function as(user: TestUser | null) {
  const headers = user ? bearer(user.idToken) : {};
  return {
    get: (path: string) => request(app).get(path).set(headers),
    post: (path: string, body?: object) => request(app).post(path).set(headers).send(body),
    patch: (path: string, body?: object) => request(app).patch(path).set(headers).send(body),
    put: (path: string, body?: object) => request(app).put(path).set(headers).send(body),
    delete: (path: string) => request(app).delete(path).set(headers),
  };
}

/** Creates an organization through the API and returns its body. */
export async function createOrganization(owner: TestUser, body: object) {
  const response = await as(owner).post('/api/organizations', body);
  if (response.status !== 201) {
    throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body.data as { organization_id: string };
}

/**
 * Sets a member's role directly in Firestore (both the member document and the organization's
 * role map), for fixtures that need roles before the team routes set them.
 */
export async function setRole(orgId: string, uid: string, role: string): Promise<void> {
  const org = db().collection('organizations').doc(orgId);
  const batch = db().batch();
  batch.update(org.collection('members').doc(uid), { role });
  batch.update(org, { [`roles.${uid}`]: role });
  await batch.commit();
}

/**
 * Each user joins the organization the way the API lets them: by finding their pending
 * invitation in `GET /api/invitations` and accepting it (their consent). Throws unless each
 * finds exactly one invitation to the organization and the accept answers 200.
 */
export async function joinAll(orgId: string, users: TestUser[]): Promise<void> {
  for (const user of users) {
    const mine = await as(user).get('/api/invitations');
    if (mine.status !== 200) {
      throw new Error(`invitations failed: ${mine.status} ${JSON.stringify(mine.body)}`);
    }
    const found = (mine.body.data as { organization_id: string; id: string }[]).filter(
      (invitation) => invitation.organization_id === orgId,
    );
    if (found.length !== 1) {
      throw new Error(`${user.uid} has ${found.length} invitations to ${orgId}`);
    }
    const accepted = await as(user).post(`/api/invitations/${found[0].id}/accept`);
    if (accepted.status !== 200) {
      throw new Error(`accept failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    }
  }
}

/**
 * Every document in the Firestore emulator but the `users` profiles (which the Auth trigger
 * writes whenever a test creates a user), by path, with its fields and update time in the REST
 * encoding: one kindless all-descendants query, where `dump()` walks the tree collection by
 * collection (minutes once a suite has written thousands of documents). Any write shows, also
 * one that rewrites a document with the same fields.
 */
export async function dumpAll(): Promise<Record<string, unknown>> {
  const root = `projects/${projectId}/databases/(default)/documents`;
  const response = await fetch(
    `http://${process.env.FIRESTORE_EMULATOR_HOST}/v1/${root}:runQuery`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', Authorization: 'Bearer owner' },
      body: JSON.stringify({ structuredQuery: { from: [{ allDescendants: true }] } }),
    },
  );
  if (!response.ok) throw new Error(`runQuery: ${response.status} ${await response.text()}`);
  const results = (await response.json()) as {
    document?: { name: string; fields?: unknown; updateTime: string };
  }[];
  const out: Record<string, unknown> = {};
  for (const { document } of results) {
    if (!document) continue;
    const path = document.name.slice(root.length + 1);
    if (path.startsWith('users/')) continue;
    out[path] = { fields: document.fields ?? {}, updateTime: document.updateTime };
  }
  return out;
}
