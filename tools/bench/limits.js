// The abuse limits' cost (issue 16, functions/src/limits/): the rate limiters' added latency on
// GET /organizations/{id} — the app with its limiters next to the same app built without them,
// interleaved sample by sample on the same emulators — and the Firestore reads and writes of such a
// request with and without them (the limiters keep their counts in memory); then the round trips of
// the actions the quotas guard, whose counters are read in the action's own `getAll`.
// `npm run bench` runs it (tools/bench.js) and writes its rows into BENCHMARKS.md; alone, against
// running emulators (FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST set), `node
// tools/bench/limits.js` makes its own user, key and organization and prints the section.
'use strict';

const http = require('node:http');
const path = require('node:path');
const { printAlone, runAlone } = require('./alone');
const { call, signIn } = require('./client');
const { compare } = require('./measure');
const { metered } = require('./meter');
const { functionsLib } = require('./paths');

function listen(app) {
  return new Promise((resolve) => {
    const server = http.createServer(app);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** `getAll(3), commit`: a request's Firestore and Auth calls, in order. */
const callsOf = (cost) => cost.calls.join(', ');

/**
 * Measures the limiters and the quotas with `createApp` (functions/lib/app.js) on the emulators.
 * `headers` sign in with an API key (GET), `userHeaders` with an ID token (creations); `orgId` is
 * an organization the key's user can read; `newId(i)` an unused organization id.
 */
async function measureLimits({ createApp, headers, userHeaders, orgId, warmup, samples, newId }) {
  // Limits no sample comes near: what is measured is the limiters' work, not a 429.
  const rates = { reads: 1_000_000, writes: 1_000_000, anonymous: 1_000_000 };
  const limited = await listen(createApp({ limits: { rates } }));
  const unlimited = await listen(createApp({ limits: { rates: { ...rates, enabled: false } } }));
  const get = (server) => () =>
    call(server.address().port, 'GET', `/api/organizations/${orgId}`, 200, { headers });
  const latency = await compare({
    endpoint: get(limited),
    floor: get(unlimited),
    warmup,
    samples,
  });

  // The quotas: a creation reads its counters with the organization (one getAll), and commits
  // them in its own batch.
  const creations = [];
  for (let i = 0; i < 3; i += 1) {
    const { cost } = await metered(() =>
      call(limited.address().port, 'POST', '/api/organizations', 201, {
        headers: userHeaders,
        body: { organization_id: newId(i), name: `Bench Quota ${i}` },
      }),
    );
    creations.push(cost);
  }
  limited.close();
  unlimited.close();
  const create = creations[creations.length - 1];
  return {
    latency: {
      withLimiter: latency.endpoint.latency,
      without: latency.floor.latency,
      ratio: latency.endpoint.latency.p50 / latency.floor.latency.p50,
    },
    cost: {
      withLimiter: latency.endpoint.cost.typical,
      without: latency.floor.cost.typical,
    },
    create: {
      calls: callsOf(create),
      roundTrips: create.roundTrips,
      reads: create.reads,
      // The organization's own read, the organization and its tombstone, takes the counter too
      // (getAll(3); getAll(2) before the quotas), in parallel with the profiles' getAll(1).
      quotaRead: create.calls.includes('getAll(3)'),
    },
  };
}

const LIMITER_RATIO = 1.05;

const sameCost = (a, b) =>
  Boolean(a && b) && a.reads === b.reads && a.writes === b.writes && a.roundTrips === b.roundTrips;

/** BENCHMARKS.md's section on the abuse limits (tools/bench/report.js). */
function limitsSection(limits, check, { table, ms }) {
  const { latency, cost, create } = limits;
  const costText = (c) =>
    c
      ? `${c.roundTrips} round trip(s), ${c.reads} reads, ${c.writes ?? 0} writes: ${c.calls}`
      : 'n/a';
  const rows = [
    [
      'rate limiters’ latency on `GET /organizations/{id}` (API key), p50 with ÷ without',
      `**${latency.ratio.toFixed(3)}×** (${ms(latency.withLimiter.p50)} vs ${ms(latency.without.p50)}; p95 ${ms(latency.withLimiter.p95)} vs ${ms(latency.without.p95)})`,
      `≤ ${LIMITER_RATIO}×`,
      check(
        latency.ratio <= LIMITER_RATIO,
        `limiter latency: ${latency.ratio.toFixed(3)}× without it`,
      ),
    ],
    [
      'Firestore per normal request with the limiters (same request without them)',
      `${costText(cost.withLimiter)} (without: ${costText(cost.without)})`,
      '0 extra reads, writes or round trips',
      check(
        sameCost(cost.withLimiter, cost.without),
        'the limiters changed the Firestore cost of a GET',
      ),
    ],
    [
      'quota check of `POST /organizations` (organizations per user per day)',
      `${create.roundTrips} round trips, ${create.reads} reads: ${create.calls}`,
      '0 extra round trips: the counter in the organization’s own getAll (organization, tombstone, counter = getAll(3)), written in its one commit',
      check(
        create.quotaRead && create.calls.split(', ').filter((c) => c === 'commit').length === 1,
        `quota check of POST /organizations: ${create.calls}`,
      ),
    ],
  ];
  return [
    '## Abuse limits',
    '',
    'The rate limiters (`functions/src/limits/`, express-rate-limit, counts in instance memory) measured as the app with them next to the same app built without them (`createApp({ limits: { rates: { enabled: false } } })`), sample by sample, on the same emulators; the quotas as the calls of a creation (tools/bench/limits.js).',
    '',
    table(['measure', 'result', 'budget', ''], rows),
  ].join('\n');
}

/** Alone: a user, an API key and an organization of its own, then the measurement. */
async function main() {
  require('./env').useBenchEnv();
  if (!process.env.FIRESTORE_EMULATOR_HOST || !process.env.FIREBASE_AUTH_EMULATOR_HOST) {
    throw new Error('Set the emulators’ addresses (FIRESTORE_EMULATOR_HOST, …) first.');
  }
  const { createApp } = require(path.join(functionsLib, 'app.js'));
  const { auth } = require(path.join(functionsLib, 'firebase.js'));
  const uid = `bench-limits-${Date.now().toString(36)}`;
  const email = `${uid}@example.com`;
  await auth().createUser({ uid, email, password: 'bench-password', emailVerified: true });
  const userHeaders = { authorization: `Bearer ${await signIn(email, 'bench-password')}` };
  const server = await listen(createApp());
  const port = server.address().port;
  const { data } = await call(port, 'POST', '/api/auth/keys', 201, {
    headers: userHeaders,
    body: { name: 'bench limits' },
  });
  const headers = { authorization: `Bearer ${data.key}` };
  const orgId = `${uid}-org`;
  await call(port, 'POST', '/api/organizations', 201, {
    headers,
    body: { organization_id: orgId, name: 'Bench Limits' },
  });
  server.close();
  const result = await measureLimits({
    createApp,
    headers,
    userHeaders,
    orgId,
    warmup: 20,
    samples: 200,
    newId: (i) => `${uid}-quota-${i}`,
  });
  return printAlone('limits', result, limitsSection);
}

runAlone(module, main);

module.exports = { measureLimits, limitsSection };
