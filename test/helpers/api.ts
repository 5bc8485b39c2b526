// Shorthands for driving the in-process app in integration tests.
import request from 'supertest';
import { createApp } from '../../functions/src/app';
import { db } from '../../functions/src/firebase';
import { createUser, type TestUser } from './emulators';

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
