// Events and webhooks (issue 15, functions/src/webhooks/):
// - what an event adds to a write: the write's own transaction (`getAll(organization, caller's
//   member document)`, then commit the update and its audit entry) with and without its event
//   document, interleaved sample by sample on the same emulator — the production code has no
//   switch to write without events, so the difference is measured where it is made, in the
//   commit; and the API's own `PATCH /organizations/{id}`, metered, next to the write without its
//   event: the event must ride in the same commit (no extra round trip);
// - delivery latency: from the write's answer (its commit) to a loopback receiver's 2xx, through
//   the Functions emulator's Firestore trigger and the Cloud Tasks emulator's queue. One delivery
//   at a time (the Cloud Tasks emulator aborted its dispatches under the bench's earlier load);
//   a delivery that does not arrive in time is counted as missed, and the run goes on.
//
// Alone, against running emulators (auth, firestore, functions, tasks; `npm run build` first):
//   node tools/bench/webhooks.js [deliveries]     (the environment of tools/bench/env.js)
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { printAlone, runAlone } = require('./alone');
const { call } = require('./client');
const { compare, latency } = require('./measure');
const { metered } = require('./meter');
const { functionsLib, root } = require('./paths');

const WRITE_RATIO = 1.1;
const DELIVERY_P50_MS = 2000;
/** A delivery slower than this is missed (the emulators' first retry comes within seconds). */
const DELIVERY_TIMEOUT_MS = 30_000;
/** Deliveries that start the emulator's workers, not counted. */
const WARM_DELIVERIES = 2;

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * The write of `PATCH /organizations/{id}` {city} as the API's transaction makes it, by hand:
 * read organization and member, update, audit entry, and with `withEvent` its event (built by the
 * function's own `newEvent`, the organization as its `data`).
 */
function createWrites(db, orgId, uid) {
  const events = require(path.join(functionsLib, 'webhooks', 'events.js'));
  const org = db.collection('organizations').doc(orgId);
  const member = org.collection('members').doc(uid);
  return (withEvent) => (i) =>
    db.runTransaction(async (transaction) => {
      const [snapshot] = await transaction.getAll(org, member);
      const before = snapshot.data();
      const at = new Date();
      const city = `Floor ${i}`;
      const patch = { city, version: before.version + 1, updated_at: at };
      transaction.update(org, patch);
      const entry = {
        action: 'organization.updated',
        actor_uid: uid,
        credential: 'id_token',
        key_id: null,
        changed_fields: ['city'],
        at,
      };
      transaction.create(org.collection('logs').doc(), entry);
      if (withEvent) {
        const event = events.newEvent(
          'organization.updated',
          orgId,
          events.actorOf(entry),
          { ...before, ...patch, changed_fields: ['city'] },
          at,
        );
        transaction.create(db.collection('events').doc(event.id), event);
      }
    });
}

/** `latency` of the arrivals, with how many were missed. */
async function measureDelivery({ port, headers, orgId, deliveries }) {
  const waiting = new Map();
  const receiver = await listen((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      res.writeHead(200).end();
      const city = JSON.parse(body).data?.city;
      waiting.get(city)?.(Date.now());
    });
  });
  const { data: endpoint } = await call(port, 'POST', `/api/organizations/${orgId}/webhooks`, 201, {
    headers,
    body: {
      url: `http://127.0.0.1:${receiver.address().port}/bench`,
      events: ['organization.updated'],
    },
  });
  const times = [];
  let missed = 0;
  let missedInARow = 0;
  const started = Date.now();
  try {
    for (let i = 0; i < WARM_DELIVERIES + deliveries; i += 1) {
      const city = `Delivered ${i} ${started}`;
      let timer;
      const arrived = new Promise((resolve) => {
        waiting.set(city, resolve);
        timer = setTimeout(() => resolve(null), DELIVERY_TIMEOUT_MS);
      });
      await call(port, 'PATCH', `/api/organizations/${orgId}`, 200, { headers, body: { city } });
      const committed = Date.now();
      const at = await arrived;
      clearTimeout(timer);
      waiting.delete(city);
      if (at === null) {
        missed += 1;
        missedInARow += 1;
        // Three in a row: the trigger or the queue is not running; no point in waiting on.
        if (missedInARow >= 3) {
          missed += WARM_DELIVERIES + deliveries - i - 1;
          break;
        }
        continue;
      }
      missedInARow = 0;
      if (i >= WARM_DELIVERIES) times.push(at - committed);
    }
  } finally {
    await call(port, 'DELETE', `/api/organizations/${orgId}/webhooks/${endpoint.id}`, 200, {
      headers,
    }).catch(() => undefined);
    receiver.close();
  }
  return {
    ...(times.length ? latency(times) : { n: 0 }),
    missed,
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * `createApp` (functions/lib/app.js) on the emulators; `headers` sign in the owner of `orgId`.
 * `deliveries` samples of delivery latency (0 skips it: no Functions or Tasks emulator).
 */
async function measureWebhooks({ createApp, headers, orgId, warmup, samples, deliveries }) {
  process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
  const started = Date.now();
  const db = require(path.join(functionsLib, 'firebase.js')).db();
  const owner = (await db.collection('organizations').doc(orgId).get()).get('owner');
  const write = createWrites(db, orgId, owner);
  const added = await compare({ endpoint: write(true), floor: write(false), warmup, samples });

  const server = await listen(createApp());
  const port = server.address().port;
  let n = 0;
  const patch = () =>
    call(port, 'PATCH', `/api/organizations/${orgId}`, 200, {
      headers,
      body: { city: `Bench ${(n += 1)}` },
    });
  const api = await compare({ endpoint: patch, floor: write(false), warmup, samples });
  // Where the API's event went: a write whose only round trip that writes is its one commit, and
  // whose event exists after it, wrote the event in that commit.
  const city = `Bench metered ${Date.now()}`;
  const { cost } = await metered(() =>
    call(port, 'PATCH', `/api/organizations/${orgId}`, 200, { headers, body: { city } }),
  );
  const written = await db
    .collection('events')
    .where('organization_id', '==', orgId)
    .where('type', '==', 'organization.updated')
    .get();
  const eventInCommit =
    cost.commits === 1 && written.docs.some((doc) => doc.get('data.city') === city);

  const delivery =
    deliveries > 0 ? await measureDelivery({ port, headers, orgId, deliveries }) : null;
  server.close();
  return {
    write: {
      withEvents: added.endpoint.latency,
      without: added.floor.latency,
      ratio: added.endpoint.latency.p50 / added.floor.latency.p50,
      costWith: api.endpoint.cost.typical,
      costWithout: api.floor.cost.typical,
      apiLatency: api.endpoint.latency,
      eventInCommit,
    },
    delivery,
    seconds: (Date.now() - started) / 1000,
  };
}

/** BENCHMARKS.md's section on events and webhooks (tools/bench/report.js). */
function webhooksSection(webhooks, check, { table, ms }) {
  const { write, delivery } = webhooks;
  const costText = (c) =>
    c ? `${c.roundTrips} round trip(s), ${c.reads} reads, ${c.writes ?? 0} writes` : 'n/a';
  const sameTrips =
    Boolean(write.costWith && write.costWithout) &&
    write.costWith.roundTrips === write.costWithout.roundTrips &&
    write.eventInCommit !== false;
  const rows = [
    [
      "the write's transaction with its event ÷ without, p50",
      `**${write.ratio.toFixed(3)}×** (${ms(write.withEvents.p50)} vs ${ms(write.without.p50)}; p95 ${ms(write.withEvents.p95)} vs ${ms(write.without.p95)})`,
      `≤ ${WRITE_RATIO}×`,
      check(write.ratio <= WRITE_RATIO, `a write with its event: ${write.ratio.toFixed(3)}×`),
    ],
    [
      "Firestore per `PATCH /organizations/{id}` with its event (the write's transaction by hand, without)",
      `${costText(write.costWith)}${write.eventInCommit ? ', the event in its one commit' : ''} (${costText(write.costWithout)})`,
      '0 extra round trips (the event is in the same commit)',
      check(sameTrips, 'the event added a round trip or was not in the commit'),
    ],
    ...(delivery
      ? [
          [
            `delivery latency, commit → receiver's 2xx (trigger + task queue, emulators; ${delivery.n} deliveries one at a time, ${delivery.missed} missed)`,
            delivery.n ? `p50 **${ms(delivery.p50)}**, p95 ${ms(delivery.p95)}` : 'none arrived',
            `p50 ≤ ${ms(DELIVERY_P50_MS)}, none missed`,
            check(
              delivery.n > 0 && delivery.p50 <= DELIVERY_P50_MS && delivery.missed === 0,
              `delivery p50 ${delivery.n ? ms(delivery.p50) : 'n/a'}, ${delivery.missed} missed`,
            ),
          ],
        ]
      : []),
  ];
  return [
    '## Events and webhooks',
    '',
    "What an event adds to a write: the write's transaction (read organization and member, commit the update and its audit entry) with and without its event document, sample by sample — the function has no switch to write without events; and the API's `PATCH` metered next to the write without its event. Then the time from a write's answer to the delivery of its event to a receiver on loopback, one delivery at a time (tools/bench/webhooks.js).",
    '',
    table(['measure', 'result', 'budget', ''], rows),
  ].join('\n');
}

/**
 * Where `npm run bench` keeps the delivery latency between its two sessions: it is measured first,
 * on the whole stack, before anything else writes events; the rest of the benchmark then runs on
 * the Auth and Firestore emulators only, with no trigger fanning out its writes' events on the
 * same two cores (in production the trigger runs on instances of its own).
 */
const DELIVERY_FILE = path.join(root, '.local', 'bench-delivery.json');

/** The delivery latency `node tools/bench/webhooks.js --delivery N` measured, for the report. */
function measuredDelivery() {
  if (!fs.existsSync(DELIVERY_FILE)) {
    throw new Error(`No ${DELIVERY_FILE}: run the benchmark with npm run bench.`);
  }
  const delivery = JSON.parse(fs.readFileSync(DELIVERY_FILE, 'utf8'));
  // Read once: a later run without its own first session must not report this one's.
  fs.rmSync(DELIVERY_FILE);
  return delivery;
}

/**
 * Alone: a user and an organization of its own on the running emulators, then the section
 * (`node tools/bench/webhooks.js [N]`), or only the delivery latency of N events, written for
 * `npm run bench` (`--delivery N`).
 */
async function main() {
  require('./env').useBenchEnv();
  if (!process.env.FIRESTORE_EMULATOR_HOST || !process.env.FIREBASE_AUTH_EMULATOR_HOST) {
    throw new Error('Set the emulators’ addresses (FIRESTORE_EMULATOR_HOST, …) first.');
  }
  const deliveryOnly = process.argv[2] === '--delivery';
  const deliveries = Number(process.argv[deliveryOnly ? 3 : 2] ?? 50);
  const { createApp } = require(path.join(functionsLib, 'app.js'));
  const email = `bench-webhooks-${Date.now()}@example.com`;
  const signUp = await fetch(
    `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'bench-password', returnSecureToken: true }),
    },
  );
  const { idToken } = await signUp.json();
  const headers = { authorization: `Bearer ${idToken}` };
  const server = await listen(createApp());
  const orgId = `bench-webhooks-${Date.now().toString(36)}`;
  await call(server.address().port, 'POST', '/api/organizations', 201, {
    headers,
    body: { organization_id: orgId, name: 'Bench Webhooks' },
  });
  if (deliveryOnly) {
    process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
    const port = server.address().port;
    const delivery = await measureDelivery({ port, headers, orgId, deliveries });
    server.close();
    fs.mkdirSync(path.dirname(DELIVERY_FILE), { recursive: true });
    fs.writeFileSync(DELIVERY_FILE, JSON.stringify(delivery, null, 2));
    console.log(`${path.relative(root, DELIVERY_FILE)}: ${JSON.stringify(delivery)}`);
    return 0;
  }
  server.close();
  const result = await measureWebhooks({
    createApp,
    headers,
    orgId,
    warmup: 20,
    samples: 200,
    deliveries,
  });
  return printAlone('webhooks', result, webhooksSection);
}

runAlone(module, main);

module.exports = { measuredDelivery, measureWebhooks, webhooksSection };
