// Seeds the local stack once with a demo user and a demo API key (kept in .local/demo.json, so
// every later `npm start` prints the same key), all through the running emulators and the API.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { localDir, projectId } = require('./local');

// `npm start`'s stack; the browser tests seed their own stack (other ports) with the same code.
const DEFAULTS = {
  auth: 'http://127.0.0.1:9099',
  hosting: 'http://127.0.0.1:5000',
  stateFile: path.join(localDir, 'demo.json'),
};
const DEMO = { email: 'demo@example.com', password: 'demo-password', name: 'Demo User' };
const DEMO_ORGANIZATION = 'demo-lab';

async function call(url, { method = 'GET', headers = {}, body } = {}) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Signs the demo user in, creating the account on first use. */
async function signIn(AUTH) {
  const credentials = { email: DEMO.email, password: DEMO.password, returnSecureToken: true };
  let result = await call(`${AUTH}/accounts:signInWithPassword?key=demo`, {
    method: 'POST',
    body: credentials,
  });
  if (result.status !== 200) {
    result = await call(`${AUTH}/accounts:signUp?key=demo`, {
      method: 'POST',
      body: { ...credentials, displayName: DEMO.name },
    });
    // As if the demo user had clicked the verification link (invitations need a verified email).
    await call(`${AUTH}/projects/${projectId}/accounts:update`, {
      method: 'POST',
      headers: { Authorization: 'Bearer owner' },
      body: { localId: result.body.localId, emailVerified: true },
    });
  }
  if (result.status !== 200) throw new Error(`demo sign-in failed: ${JSON.stringify(result.body)}`);
  return result.body.idToken;
}

async function keyWorks(API, key) {
  if (!key) return false;
  return (
    (await call(`${API}/auth/me`, { headers: { Authorization: `Bearer ${key}` } })).status === 200
  );
}

async function seedDemo(options = {}) {
  const { auth, hosting, stateFile } = { ...DEFAULTS, ...options };
  const AUTH = `${auth}/identitytoolkit.googleapis.com/v1`;
  const API = `${hosting}/api`;
  const idToken = await signIn(AUTH);
  const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : {};
  if (!(await keyWorks(API, state.apiKey))) {
    const created = await call(`${API}/auth/keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${idToken}` },
      body: { name: 'demo key (npm start)' },
    });
    if (created.status !== 201) throw new Error(`demo key: ${JSON.stringify(created.body)}`);
    state.apiKey = created.body.data.key;
  }
  fs.writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  // Creates the demo organization, or (Cannlytics upsert semantics) leaves it as it is.
  const organization = await call(`${API}/organizations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${state.apiKey}` },
    body: { organization_id: DEMO_ORGANIZATION, name: 'Demo Lab', type: 'lab' },
  });
  if (![200, 201].includes(organization.status)) {
    throw new Error(`demo organization: ${JSON.stringify(organization.body)}`);
  }
  return { ...DEMO, apiKey: state.apiKey, organizationId: DEMO_ORGANIZATION };
}

module.exports = { seedDemo };
