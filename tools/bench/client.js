// The benchmark's HTTP client (one keep-alive connection on loopback, as a script calling the API
// sends its requests one after another) and the Auth emulator's REST sign-in.
'use strict';

const http = require('node:http');

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Sends one request to the app on 127.0.0.1:`port`; resolves with its status and JSON body. */
function request(port, method, path, { headers = {}, body } = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          ...headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Calls the API and fails unless it answers with `expected`. */
async function call(port, method, path, expected, options) {
  const response = await request(port, method, path, options);
  if (response.status !== expected) {
    throw new Error(
      `${method} ${path}: expected ${expected}, got ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
  return response.body;
}

/** Signs in with email and password through the Auth emulator's REST API: an ID token. */
async function signIn(email, password) {
  const url = `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake-api-key`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(body)}`);
  return body.idToken;
}

module.exports = { request, call, signIn };
