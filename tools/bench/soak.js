// The soak: a bounded mixed workload (reads and writes by many concurrent callers) against one
// instance of the bundled function (tools/bench/server.js), for minutes. It holds when no request
// fails (no 5xx, no network error, no answer the workload did not expect), the heap after a full
// GC stays flat (the last sample at most 1.25x the first after warm-up, or 16 MB more), and the
// p99 latency of the last window is at most 1.2x the first's.
//
// The windows (`windows` below): a fresh instance spends its first seconds compiling hot code,
// opening connections and filling caches, so "the first minute" is the first window *after a
// warm-up* (a sixth of the run, at most 30 s: 10 s of a 60 s run, 30 s of 10 minutes), and both
// windows have the same length (a quarter of what follows the warm-up, at most 60 s). A p99
// over a few seconds is also at the mercy of the machine (the soak, the emulators and anything
// else share its cores), so the result carries the p99 of every window in between, the load
// average at start and end, and the p50 ratio: a leak shows as a p99 that climbs window after
// window, noise as one that jumps about.
// `measureSoak` is used by tools/bench.js (60 s) and tools/soak.js (`npm run soak`, 10 minutes).
'use strict';

const { fork } = require('node:child_process');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const HEAP_RATIO = 1.25;
const HEAP_SLACK_BYTES = 16 * 1024 * 1024;
const P99_RATIO = 1.2;

/** A keep-alive client with one connection per caller, as 50 scripts calling the API would be. */
function client(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (method, urlPath, headers = {}, body) =>
    new Promise((resolve) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const started = process.hrtime.bigint();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: urlPath,
          agent,
          headers: {
            ...headers,
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode,
              ms: Number(process.hrtime.bigint() - started) / 1e6,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
      req.on('error', (error) =>
        resolve({
          status: 0,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          text: String(error),
        }),
      );
      req.end(payload);
    });
}

/** The warm-up and the two compared windows of a run of `durationMs` (see the top comment). */
function windows(durationMs) {
  const warmUp = Math.min(30_000, Math.floor(durationMs / 6));
  // Whole seconds, so the report's labels are exact.
  const window = Math.min(60_000, Math.floor((durationMs - warmUp) / 4000) * 1000);
  return {
    warmUp,
    window,
    first: [warmUp, warmUp + window],
    last: [durationMs - window, durationMs],
  };
}

const percentile = (values, p) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** Signs up a user in the Auth emulator; resolves with its ID token. */
async function signUp(n) {
  const host = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  const response = await fetch(
    `http://${host}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `soak-${process.pid}-${n}@example.com`,
        password: 'correct horse battery staple',
        returnSecureToken: true,
      }),
    },
  );
  if (!response.ok) throw new Error(`signUp: ${response.status} ${await response.text()}`);
  return (await response.json()).idToken;
}

/**
 * Runs the soak for `durationMs` with `callers` concurrent callers over `organizations`
 * organizations (each caller the owner's or a member's... all owners here: writes contend per
 * organization). Resolves with the figures and whether each budget holds.
 */
async function measureSoak({
  durationMs = 60_000,
  callers = 50,
  organizations = 10,
  log = () => {},
} = {}) {
  const child = fork(path.join(__dirname, 'server.js'), {
    stdio: 'inherit',
    execArgv: ['--expose-gc'],
  });
  const ask = (request, test) =>
    new Promise((resolve) => {
      const listener = (value) => {
        if (!test(value)) return;
        child.off('message', listener);
        resolve(value);
      };
      child.on('message', listener);
      if (request) child.send(request);
    });
  try {
    const { port } = await ask(null, (value) => value.port);
    const setup = client(port);
    const run = `${process.pid}-${Date.now().toString(36)}`;
    const owners = await Promise.all(
      Array.from({ length: organizations }, (_, i) => signUp(`${run}-${i}`)),
    );
    const orgIds = [];
    for (const [i, token] of owners.entries()) {
      const id = `soak-${run}-${i}`;
      const created = await setup(
        'POST',
        '/api/organizations',
        { authorization: `Bearer ${token}` },
        {
          organization_id: id,
          name: `Soak Lab ${i}`,
        },
      );
      if (created.status !== 201) throw new Error(`soak setup: ${created.status} ${created.text}`);
      orgIds.push(id);
    }
    const loadStart = os.loadavg()[0];
    const samples = []; // [ms since start, latency ms]
    const failures = [];
    let requests = 0;
    const start = Date.now();
    const end = start + durationMs;
    const heap = [];
    const heapTimer = setInterval(
      async () => {
        const { collected } = await ask('gc', (value) => value.collected);
        heap.push({ at: Date.now() - start, heapUsed: collected.heapUsed });
      },
      Math.max(2_000, Math.floor(durationMs / 30)),
    );

    async function caller(n) {
      const send = client(port);
      const org = n % organizations;
      const headers = { authorization: `Bearer ${owners[org]}` };
      const base = `/api/organizations/${orgIds[org]}`;
      let i = 0;
      while (Date.now() < end) {
        i += 1;
        const kind = (n + i) % 10;
        const answer =
          kind < 4
            ? await send('GET', base, headers)
            : kind < 6
              ? await send('GET', '/api/organizations', headers)
              : kind < 8
                ? await send('GET', `${base}/team`, headers)
                : kind < 9
                  ? await send('GET', `${base}/summary`, headers)
                  : await send('PATCH', base, headers, { phone: `555-${n}-${i}` });
        requests += 1;
        samples.push([Date.now() - start, answer.ms]);
        if (answer.status !== 200) {
          failures.push(`${answer.status} ${answer.text.slice(0, 200)}`);
        }
      }
    }
    await Promise.all(Array.from({ length: callers }, (_, n) => caller(n)));
    clearInterval(heapTimer);
    const { collected } = await ask('gc', (value) => value.collected);
    heap.push({ at: Date.now() - start, heapUsed: collected.heapUsed });

    const span = windows(durationMs);
    const within = ([from, to]) =>
      samples.filter(([at]) => at >= from && at < to).map(([, ms]) => ms);
    const first = within(span.first);
    const last = within(span.last);
    const p99First = percentile(first, 99);
    const p99Last = percentile(last, 99);
    // Every window-long slice after the warm-up, for the trend.
    const p99Windows = [];
    for (let from = span.warmUp; from + span.window <= durationMs; from += span.window) {
      p99Windows.push(Math.round(percentile(within([from, from + span.window]), 99)));
    }
    // The heap after warm-up (the end of the first window) against the heap at the end.
    const warm = heap.find((sample) => sample.at >= span.first[1]) ?? heap[0];
    const heapEnd = heap[heap.length - 1];
    const result = {
      durationMs,
      callers,
      organizations,
      requests,
      requestsPerSecond: requests / (durationMs / 1000),
      errors: failures.length,
      firstErrors: failures.slice(0, 3),
      p50: percentile(
        samples.map(([, ms]) => ms),
        50,
      ),
      warmUpMs: span.warmUp,
      windowMs: span.window,
      p99First,
      p99Last,
      p99Ratio: p99First ? p99Last / p99First : 0,
      p50Ratio: percentile(first, 50) ? percentile(last, 50) / percentile(first, 50) : 0,
      p99Windows,
      loadAverage: [loadStart, os.loadavg()[0]].map((load) => Math.round(load * 10) / 10),
      cpus: os.cpus().length,
      heapWarm: warm.heapUsed,
      heapEnd: heapEnd.heapUsed,
      heapSamples: heap.length,
    };
    result.holds = {
      errors: result.errors === 0,
      heap:
        heapEnd.heapUsed <= Math.max(warm.heapUsed * HEAP_RATIO, warm.heapUsed + HEAP_SLACK_BYTES),
      p99: result.p99Ratio <= P99_RATIO,
    };
    log(result);
    return result;
  } finally {
    child.kill();
  }
}

/** The report's section: one row per budget. */
function soakSection(result, check, { table, ms }) {
  const mbOf = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const span = windows(result.durationMs);
  const window = `${Math.round(span.window / 1000)} s`;
  const rows = [
    [
      `errors in ${result.requests} requests (${result.callers} callers, ${Math.round(result.durationMs / 1000)} s)`,
      `**${result.errors}**`,
      '0',
      check(
        result.holds.errors,
        `soak: ${result.errors} errors (${result.firstErrors.join('; ')})`,
      ),
    ],
    [
      'heap after a full GC, end vs after warm-up',
      `**${mbOf(result.heapEnd)}** vs ${mbOf(result.heapWarm)}`,
      `≤ ${HEAP_RATIO}× (or +${mbOf(HEAP_SLACK_BYTES)})`,
      check(
        result.holds.heap,
        `soak: heap grew from ${mbOf(result.heapWarm)} to ${mbOf(result.heapEnd)}`,
      ),
    ],
    [
      `p99 latency, last ${window} vs first ${window} after a ${Math.round(span.warmUp / 1000)} s warm-up`,
      `**${ms(result.p99Last)}** vs ${ms(result.p99First)} (${result.p99Ratio.toFixed(2)}×)`,
      `≤ ${P99_RATIO}×`,
      check(result.holds.p99, `soak: p99 drifted ${result.p99Ratio.toFixed(2)}×`),
    ],
  ];
  return [
    '## Soak',
    '',
    `A mixed workload (40% GET of an organization, 20% lists, 20% teams, 10% summaries, 10% PATCHes) by ${result.callers} concurrent callers over ${result.organizations} organizations, against one instance of the bundled function (\`tools/bench/soak.js\`; \`npm run soak\` runs it for 10 minutes). ${Math.round(result.requestsPerSecond)} requests/s, p50 ${ms(result.p50)}. p99 per ${window} window after the warm-up: ${(result.p99Windows ?? []).map((value) => ms(value)).join(', ')}; p50 last vs first ${(result.p50Ratio ?? 0).toFixed(2)}×; load average ${(result.loadAverage ?? []).join(' → ')} on ${result.cpus ?? '?'} CPUs (a loaded machine makes the p99 noisy).`,
    '',
    table(['measure', 'result', 'budget', ''], rows),
  ].join('\n');
}

module.exports = { measureSoak, soakSection, windows, HEAP_RATIO, P99_RATIO };
