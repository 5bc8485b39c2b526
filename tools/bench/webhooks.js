// Events and webhooks (issue 15, functions/src/webhooks/): what an event adds to a write — the
// same PATCH /organizations/{id} with and without its event, interleaved sample by sample (the
// event is one more write in the same commit: no extra round trip) — and delivery latency, from
// the write's answer (its commit) to a loopback receiver's 2xx, through the Functions emulator's
// Firestore trigger and the Cloud Tasks emulator's queue (tools/emulators.js runs both).
'use strict';

const http = require('node:http');
const path = require('node:path');
const { call } = require('./client');
const { compare, latency } = require('./measure');
const { functionsLib } = require('./paths');

const WRITE_RATIO = 1.1;
const DELIVERY_P50_MS = 2000;

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * `createApp` (functions/lib/app.js) on the emulators; `headers` sign in a user who owns `orgId`.
 * `deliveries` samples of delivery latency (0 skips it: no Functions or Tasks emulator).
 */
async function measureWebhooks({ createApp, headers, orgId, warmup, samples, deliveries }) {
  process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
  const events = require(path.join(functionsLib, 'webhooks', 'events.js'));
  const server = await listen(createApp());
  const port = server.address().port;
  let n = 0;
  const patch = () =>
    call(port, 'PATCH', `/api/organizations/${orgId}`, 200, {
      headers,
      body: { city: `Bench ${(n += 1)}` },
    });
  const write = await compare({
    endpoint: () => {
      events.setEventsForBenchmark(true);
      return patch();
    },
    floor: () => {
      events.setEventsForBenchmark(false);
      return patch();
    },
    warmup,
    samples,
  });
  events.setEventsForBenchmark(true);

  let delivery = null;
  if (deliveries > 0) {
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
    const { data: endpoint } = await call(
      port,
      'POST',
      `/api/organizations/${orgId}/webhooks`,
      201,
      {
        headers,
        body: {
          url: `http://127.0.0.1:${receiver.address().port}/bench`,
          events: ['organization.updated'],
        },
      },
    );
    const times = [];
    const first = Math.min(2, deliveries);
    for (let i = 0; i < first + deliveries; i += 1) {
      const city = `Delivered ${i}`;
      const arrived = new Promise((resolve, reject) => {
        waiting.set(city, resolve);
        setTimeout(() => reject(new Error(`no delivery of ${city} in 60 s`)), 60_000).unref();
      });
      await call(port, 'PATCH', `/api/organizations/${orgId}`, 200, { headers, body: { city } });
      const committed = Date.now();
      const at = await arrived;
      // The first deliveries start the emulator's workers: not counted.
      if (i >= first) times.push(at - committed);
    }
    await call(port, 'DELETE', `/api/organizations/${orgId}/webhooks/${endpoint.id}`, 200, {
      headers,
    });
    receiver.close();
    delivery = latency(times);
  }
  server.close();
  return {
    write: {
      withEvents: write.endpoint.latency,
      without: write.floor.latency,
      ratio: write.endpoint.latency.p50 / write.floor.latency.p50,
      costWith: write.endpoint.cost.typical,
      costWithout: write.floor.cost.typical,
    },
    delivery,
  };
}

/** BENCHMARKS.md's section on events and webhooks (tools/bench/report.js). */
function webhooksSection(webhooks, check, { table, ms }) {
  const { write, delivery } = webhooks;
  const costText = (c) =>
    c ? `${c.roundTrips} round trip(s), ${c.reads} reads, ${c.writes ?? 0} writes` : 'n/a';
  const sameTrips =
    Boolean(write.costWith && write.costWithout) &&
    write.costWith.roundTrips === write.costWithout.roundTrips;
  const rows = [
    [
      '`PATCH /organizations/{id}` with its event ÷ without, p50',
      `**${write.ratio.toFixed(3)}×** (${ms(write.withEvents.p50)} vs ${ms(write.without.p50)}; p95 ${ms(write.withEvents.p95)} vs ${ms(write.without.p95)})`,
      `≤ ${WRITE_RATIO}×`,
      check(write.ratio <= WRITE_RATIO, `a write with its event: ${write.ratio.toFixed(3)}×`),
    ],
    [
      'Firestore per write with its event (without)',
      `${costText(write.costWith)} (${costText(write.costWithout)})`,
      '0 extra round trips (the event is in the same commit)',
      check(sameTrips, 'the event added a round trip'),
    ],
    ...(delivery
      ? [
          [
            `delivery latency, commit → receiver's 2xx (trigger + task queue, emulators; ${delivery.n} samples)`,
            `p50 **${ms(delivery.p50)}**, p95 ${ms(delivery.p95)}`,
            `p50 ≤ ${ms(DELIVERY_P50_MS)}`,
            check(delivery.p50 <= DELIVERY_P50_MS, `delivery p50 ${ms(delivery.p50)}`),
          ],
        ]
      : []),
  ];
  return [
    '## Events and webhooks',
    '',
    "The same write with and without its event (`setEventsForBenchmark`, sample by sample), and the time from a write's answer to the delivery of its event to a receiver on loopback (tools/bench/webhooks.js).",
    '',
    table(['measure', 'result', 'budget', ''], rows),
  ].join('\n');
}

module.exports = { measureWebhooks, webhooksSection };
