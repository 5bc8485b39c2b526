#!/usr/bin/env node
// `npm run bench` (under `node tools/emulators.js exec --only auth,firestore`, after the webhooks'
// delivery latency was measured on the whole stack: tools/bench/webhooks.js): the performance
// benchmark. Seeds the emulators at scale, measures the API next to its floor (the bare
// firebase-admin operations each endpoint cannot avoid, on the same emulators in the same run),
// counts Firestore round trips and reads, times cold starts, compares 100 with 10,000
// organizations and 10 with 1,000 members, loads one instance with autocannon, and writes
// BENCHMARKS.md and bench/latency.svg. Exits 1 when a budget fails (after writing the report).
'use strict';

const { fork, spawn } = require('node:child_process');
const { createHmac } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const autocannon = require('autocannon');
const { functionsLib, functionsMain, functionsRequire, root } = require('./bench/paths');

require('./bench/env').useBenchEnv();

// Instrument firebase-admin before the app loads it.
require('./bench/meter');
const { call, signIn } = require('./bench/client');
const { createFloors } = require('./bench/floors');
const { compare, latency } = require('./bench/measure');
const { measureLimits } = require('./bench/limits');
const { measuredDelivery, measureWebhooks } = require('./bench/webhooks');
const { writeReport } = require('./bench/report');
const { measureSizing } = require('./bench/sizing');
const { measureConsole } = require('./bench/console');
const { measureSoak } = require('./bench/soak');
const { importUsers, orgId, pad, profile, seedOrganizations } = require('./bench/seed');

// BENCH_QUICK=1: a smoke run of the whole benchmark in a minute (small samples, 1,000 organizations),
// its report written to .local/bench-quick/.
const QUICK = process.env.BENCH_QUICK === '1';
const WARMUP = QUICK ? 5 : 20;
const SAMPLES = QUICK ? 20 : 200;
const SCALE_WARMUP = QUICK ? 5 : 50;
const WRITERS = 20;
const SMALL_ORGS = 100;
const LARGE_ORGS = QUICK ? 1000 : 10_000;
/** Organizations made through the API (bench-patch, bench-add): the rest are seeded. */
const API_ORGS = 2;
/** The bench user owns this many seeded organizations, so is in 50 with the API-made two. */
const USER_SEEDED_ORGS = 48;
const BIG_TEAM = 1000;
const SMALL_TEAM = 10;
const COLD_RUNS = QUICK ? 1 : 25;
const PROFILE_RUNS = QUICK ? 1 : 3;
const LOAD = { connections: 50, duration: QUICK ? 2 : 10 };

const GET_ORG = orgId(2);
const BIG_ORG = orgId(0);
const SMALL_ORG = orgId(1);
const PASSWORD = 'bench-password';

const started = Date.now();
const log = (message) =>
  console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);

function listen(app) {
  return new Promise((resolve) => {
    const server = http.createServer(app);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function main() {
  // Measured by this benchmark's first session (package.json), before anything wrote events.
  const delivery = measuredDelivery();
  if (!process.env.FIRESTORE_EMULATOR_HOST || !process.env.FIREBASE_AUTH_EMULATOR_HOST) {
    throw new Error('Run the benchmark with `npm run bench`: it needs the emulators.');
  }
  const { createApp } = require(path.join(functionsLib, 'app.js'));
  const firebase = require(path.join(functionsLib, 'firebase.js'));
  const { userStore } = require(path.join(functionsLib, 'users', 'store.js'));
  const dataModels = require(path.join(functionsLib, 'organizations', 'standard-data-models.json'));
  const db = firebase.db();
  const auth = firebase.auth();
  const floors = createFloors({ db, auth, dataModels });
  const server = await listen(createApp());
  const port = server.address().port;

  const existing = (await db.collection('organizations').count().get()).data().count;
  if (existing > 0) {
    throw new Error(`Firestore already holds ${existing} organizations: run \`npm run bench\`.`);
  }

  log('users, API keys and the organizations the write endpoints touch, through the API');
  async function signedInUser(uid, name) {
    const email = `${uid}@example.com`;
    const record = await auth.createUser({
      uid,
      email,
      password: PASSWORD,
      displayName: name,
      emailVerified: true,
    });
    // What the createProfile Auth trigger writes: this session runs no Functions emulator.
    await userStore.createProfile(record);
    return { uid, email, idToken: await signIn(email, PASSWORD) };
  }
  async function apiKey(user, name) {
    const { data } = await call(port, 'POST', '/api/auth/keys', 201, {
      headers: { authorization: `Bearer ${user.idToken}` },
      body: { name },
    });
    return {
      key: data.key,
      headers: { authorization: `Bearer ${data.key}` },
      caller: { uid: user.uid, keyId: data.key_id },
    };
  }
  const user = await signedInUser('bench-user', 'Bench User');
  const userKey = await apiKey(user, 'bench');
  const cold = await apiKey(user, 'bench cold start');
  const writers = [];
  for (let i = 0; i < WRITERS; i += 1) {
    writers.push(await apiKey(await signedInUser(`bench-writer-${pad(i, 2)}`, `Writer ${i}`), 'w'));
  }
  for (const [id, name] of [
    ['bench-patch', 'Bench Patch'],
    ['bench-add', 'Bench Add'],
  ]) {
    await call(port, 'POST', '/api/organizations', 201, {
      headers: userKey.headers,
      body: { organization_id: id, name, type: 'lab' },
    });
  }
  const team = await importUsers(auth, 'bench-m-', BIG_TEAM - 1);
  const newcomers = await importUsers(auth, 'bench-a-', 2 * (WARMUP + SAMPLES));
  const seed = {
    user: profile(user.uid, { name: 'Bench User', email: user.email, signedIn: true }),
    ownedByUser: USER_SEEDED_ORGS,
    bigTeam: team,
    smallTeam: team.slice(0, SMALL_TEAM - 1),
  };

  const endpoints = {
    get: {
      label: 'GET /organizations/{id}',
      short: 'GET /organizations/{id}',
      endpoint: () => call(port, 'GET', `/api/organizations/${GET_ORG}`, 200, userKey),
      floor: () => floors.get(GET_ORG, user.uid),
    },
    list: {
      label: 'GET /organizations (page of 25)',
      short: 'GET /organizations',
      endpoint: async () => {
        const body = await call(port, 'GET', '/api/organizations?limit=25', 200, userKey);
        if (body.data.length !== 25 || !body.next_cursor) throw new Error('not a full page');
      },
      floor: () => floors.list(user.uid),
    },
    team: {
      label: 'GET /organizations/{id}/team (page of 25, 1,000 members)',
      short: 'GET …/team',
      endpoint: () =>
        call(port, 'GET', `/api/organizations/${BIG_ORG}/team?limit=25`, 200, userKey),
      floor: () => floors.team(BIG_ORG, user.uid),
    },
    create: {
      label: 'POST /organizations',
      short: 'POST /organizations',
      endpoint: (i) =>
        call(port, 'POST', '/api/organizations', 201, {
          headers: writers[i % WRITERS].headers,
          body: { organization_id: `ne-${pad(i, 4)}`, name: `New E ${pad(i, 4)}`, type: 'lab' },
        }),
      floor: (i) =>
        floors.create(writers[i % WRITERS].caller, `nf-${pad(i, 4)}`, `New F ${pad(i, 4)}`),
    },
    patch: {
      label: 'PATCH /organizations/{id}',
      short: 'PATCH /organizations/{id}',
      endpoint: (i) =>
        call(port, 'PATCH', '/api/organizations/bench-patch', 200, {
          headers: userKey.headers,
          body: { city: `City E ${i}` },
        }),
      floor: (i) => floors.patch(userKey.caller, 'bench-patch', `City F ${i}`),
    },
    add: {
      label: 'POST /organizations/{id}/team {uid}',
      short: 'POST …/team {uid}',
      endpoint: (i) =>
        call(port, 'POST', '/api/organizations/bench-add/team', 201, {
          headers: userKey.headers,
          body: { uid: newcomers[2 * i].uid },
        }),
      floor: (i) => floors.add(userKey.caller, 'bench-add', newcomers[2 * i + 1].uid),
    },
  };
  const extra = {
    teamSmall: {
      endpoint: () =>
        call(port, 'GET', `/api/organizations/${SMALL_ORG}/team?limit=25`, 200, userKey),
      floor: () => floors.team(SMALL_ORG, user.uid),
    },
    getBig: {
      endpoint: () => call(port, 'GET', `/api/organizations/${BIG_ORG}`, 200, userKey),
      floor: () => floors.get(BIG_ORG, user.uid),
    },
    getSmall: {
      endpoint: () => call(port, 'GET', `/api/organizations/${SMALL_ORG}`, 200, userKey),
      floor: () => floors.get(SMALL_ORG, user.uid),
    },
  };
  const organizations = async () =>
    (await db.collection('organizations').count().get()).data().count;

  const smallSeeded = SMALL_ORGS - API_ORGS;
  log(`seeding ${smallSeeded} organizations (${BIG_TEAM} and ${SMALL_TEAM} members in two)`);
  let seededDocuments = await seedOrganizations(db, { ...seed, from: 0, to: smallSeeded });
  const small = { organizations: await organizations(), results: {} };
  for (const name of ['get', 'list']) {
    log(`${small.organizations} organizations: ${endpoints[name].label}`);
    small.results[name] = await compare({ ...endpoints[name], warmup: SCALE_WARMUP });
  }

  const largeSeeded = LARGE_ORGS - API_ORGS;
  log(`seeding ${largeSeeded - smallSeeded} more organizations`);
  const seedStart = Date.now();
  seededDocuments += await seedOrganizations(db, { ...seed, from: smallSeeded, to: largeSeeded });
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const large = { organizations: await organizations(), results: {} };
  const phaseStart = Date.now();
  // Reads first, each scale pair back to back, writes last: the writes add documents (create adds
  // 24 per organization), and the emulator's queries slow down as the data grows.
  const specs = { ...endpoints, ...extra };
  const order = [
    'get',
    'getSmall',
    'getBig',
    'list',
    'team',
    'teamSmall',
    'patch',
    'add',
    'create',
  ];
  for (const name of order) {
    log(`${large.organizations} organizations: ${specs[name].label ?? name}`);
    large.results[name] = await compare({ ...specs[name], warmup: WARMUP, samples: SAMPLES });
  }
  // The bench user's one key served every endpoint of this phase but create (writers' keys).
  const keyed = Object.entries(large.results)
    .filter(([name]) => name !== 'create')
    .map(([, result]) => result.endpoint.cost);
  const keyUse = {
    seconds: (Date.now() - phaseStart) / 1000,
    requests: keyed.reduce((sum, cost) => sum + cost.n, 0),
    verifications: keyed.reduce((sum, cost) => sum + cost.keyVerifications, 0),
    writes: keyed.reduce((sum, cost) => sum + cost.keyWrites, 0),
  };

  log(`load: ${LOAD.connections} connections for ${LOAD.duration} s on one instance`);
  const load = await loadTest(userKey.key);

  log('abuse limits: GET /organizations/{id} with and without the rate limiters, a quota check');
  const limits = await measureLimits({
    createApp,
    headers: userKey.headers,
    userHeaders: { authorization: `Bearer ${user.idToken}` },
    orgId: GET_ORG,
    warmup: WARMUP,
    samples: SAMPLES,
    newId: (i) => `bench-quota-${i}`,
  });

  log('events and webhooks: a write with and without its event, delivery latency');
  const webhooks = await measureWebhooks({
    createApp,
    headers: { authorization: `Bearer ${user.idToken}` },
    orgId: 'bench-patch',
    warmup: WARMUP,
    samples: SAMPLES,
    deliveries: 0,
  });
  webhooks.delivery = delivery;

  log('sizing: one instance on the Functions Framework at its configured concurrency');
  const sizing = await measureSizing({
    key: userKey.key,
    paths: [`/api/organizations/${GET_ORG}`, '/api/organizations?limit=25'],
  });

  log('soak: 50 concurrent callers, mixed reads and writes, on one instance of the bundle');
  const soak = await measureSoak({ durationMs: QUICK ? 15_000 : 60_000, callers: 50 });

  log(`cold starts: ${COLD_RUNS} runs of each function`);
  const digest = createHmac('sha256', process.env.API_KEY_PEPPER).update(cold.key).digest('hex');
  const coldStart = await coldStarts({ db, digest, key: cold.key, uid: user.uid });

  server.close();
  const report = {
    machine: machine(),
    seconds: (Date.now() - started) / 1000,
    dataSet: {
      organizations: large.organizations,
      smallOrganizations: small.organizations,
      userOrganizations: USER_SEEDED_ORGS + API_ORGS,
      bigTeam: BIG_TEAM,
      smallTeam: SMALL_TEAM,
      seedSeconds,
      seededDocuments,
      warmup: WARMUP,
      samples: SAMPLES,
    },
    endpoints: Object.fromEntries(
      Object.entries(endpoints).map(([name, { label, short }]) => [name, { label, short }]),
    ),
    small,
    large,
    keyUse,
    load,
    sizing,
    limits,
    webhooks,
    console: measureConsole(),
    soak,
    coldStart,
  };
  // The raw figures, for a look beyond the report (.local is not committed); a quick run's report
  // goes there too, never over the real one.
  const out = QUICK ? path.join(root, '.local', 'bench-quick') : root;
  fs.mkdirSync(path.join(root, '.local'), { recursive: true });
  fs.writeFileSync(
    path.join(root, '.local', 'bench-results.json'),
    JSON.stringify(report, null, 2),
  );
  const failed = writeReport(report, out);
  const written = path.relative(root, path.join(out, 'BENCHMARKS.md'));
  log(`wrote ${written} and its chart: ${failed.length} budget(s) failed`);
  for (const row of failed) console.log(`  ✗ ${row}`);
  return failed.length ? 1 : 0;
}

function machine() {
  const os = require('node:os');
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    firebaseTools: require('firebase-tools/package.json').version,
    firebaseAdmin: functionsRequire('firebase-admin/app').SDK_VERSION,
    date: new Date().toISOString(),
  };
}

/** 50 connections for 10 s on one instance of the deployed entry point, in its own process. */
async function loadTest(key) {
  const child = fork(path.join(__dirname, 'bench', 'server.js'), {
    stdio: 'inherit',
    execArgv: ['--expose-gc'],
  });
  const message = (test) =>
    new Promise((resolve) => {
      const listener = (value) => {
        if (!test(value)) return;
        child.off('message', listener);
        resolve(value);
      };
      child.on('message', listener);
    });
  try {
    const { port } = await message((value) => value.port);
    const options = {
      url: `http://127.0.0.1:${port}/api/organizations/${GET_ORG}`,
      headers: { authorization: `Bearer ${key}` },
    };
    const before = message((value) => value.memory);
    child.send('memory');
    const idle = await before;
    await autocannon({ ...options, connections: 5, duration: 2 }); // warm-up
    const result = await autocannon({ ...options, ...LOAD });
    const after = message((value) => value.memory);
    child.send('memory');
    const memory = await after;
    // Measured after the figures above: how much of the heap was garbage, not retained.
    const collected = message((value) => value.collected);
    child.send('gc');
    const { collected: retained } = await collected;
    return {
      ...LOAD,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      rssIdle: idle.memory.rss,
      rss: memory.memory.rss,
      heapUsed: memory.memory.heapUsed,
      heapRetained: retained.heapUsed,
      maxRss: memory.maxRss,
    };
  } finally {
    child.kill();
  }
}

/** One cold start in a fresh Node process (tools/bench/cold-start.js). */
function coldStart(modulePath, exportName, urlPath, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(__dirname, 'bench', 'cold-start.js'), modulePath, exportName, urlPath],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`cold start of ${modulePath} failed (${code}): ${output}`));
        return;
      }
      const result = JSON.parse(line);
      if (result.status !== 200) reject(new Error(`${modulePath} answered ${result.status}`));
      else resolve(result);
    });
  });
}

async function coldStarts({ db, digest, key, uid }) {
  const unbundled = path.join(functionsLib, 'index.js');
  const functions = path.join(__dirname, 'bench', 'functions');
  const keyDoc = db.collection('api_keys').doc(digest);
  const variants = {
    hello: () => coldStart(path.join(functions, 'hello.js'), 'hello', '/'),
    apiHealth: () => coldStart(functionsMain, 'api', '/health'),
    // Not deployed: what the bundle saves.
    apiHealthUnbundled: () => coldStart(unbundled, 'api', '/health'),
    bareRead: () =>
      coldStart(path.join(functions, 'bare-read.js'), 'readFloor', '/', {
        BENCH_KEY_DIGEST: digest,
        BENCH_ORG: GET_ORG,
        BENCH_UID: uid,
      }),
    // A key used in the last minute: the API does not write `last_used_at` (the floor never does).
    apiRead: async () => {
      await keyDoc.update({ last_used_at: new Date() });
      return coldStart(functionsMain, 'api', `/organizations/${GET_ORG}`, {
        BENCH_AUTHORIZATION: `Bearer ${key}`,
      });
    },
  };
  const runs = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const names = Object.keys(variants);
  for (let run = 0; run < COLD_RUNS; run += 1) {
    // A different order each run, so that no variant always follows the same one.
    for (let i = 0; i < names.length; i += 1) {
      const name = names[(i + run) % names.length];
      runs[name].push(await variants[name]());
    }
  }
  const median = (list, field) => latency(list.map((result) => result[field])).p50;
  const summary = Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [
      name,
      {
        n: list.length,
        loadMs: median(list, 'loadMs'),
        firstResponseMs: median(list, 'firstResponseMs'),
        rss: median(list, 'rss'),
        all: list.map((result) => Math.round(result.firstResponseMs)),
      },
    ]),
  );
  // Where the API's extra load time goes: profiled loads of the unbundled function (the bundle is
  // one module) after the hello function's modules.
  const profiles = [];
  for (let run = 0; run < PROFILE_RUNS; run += 1) {
    profiles.push(
      (
        await coldStart(unbundled, 'api', '/health', {
          BENCH_PROFILE_AFTER: path.join(functions, 'hello.js'),
        })
      ).profile,
    );
  }
  const packages = [...new Set(profiles.flatMap((profile) => Object.keys(profile)))]
    .map((name) => [name, latency(profiles.map((profile) => profile[name] ?? 0)).p50])
    .filter(([, value]) => value >= 1)
    .sort((a, b) => b[1] - a[1]);
  return { runs: summary, profile: { runs: PROFILE_RUNS, packages } };
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
