// The sizing measurement behind the `api` function's options (functions/src/index.ts): one
// instance at the platform's real concurrency, i.e. `concurrency` (80) requests in flight at once,
// as Cloud Run sends them to one instance. The instance is the bundle (`functions/dist`, the
// package's `main`) served by Google's Functions Framework, the 2nd gen runtime (the root copy's
// binary with `--source=functions`: the same runtime layer as the deployed instance, without the
// artifact's half-minute install, which test/integration/artifact.test.ts covers), in its own
// process, NODE_ENV=production. Its peak resident memory (the kernel's high-water mark, VmHWM)
// must stay ≤ 70 % of the configured memory.
//
// In `npm run bench` (tools/bench.js) it runs after the load test on the bench's data; alone,
// against running emulators (FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST set):
//   node tools/bench/sizing.js        (BENCH_QUICK=1: 3 s instead of 20 s)
// it makes its own user, key and organizations, and prints the figures and the report section.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const autocannon = require('autocannon');
const { printAlone, runAlone } = require('./alone');
const { functionsDir, functionsMain, root } = require('./paths');

const QUICK = process.env.BENCH_QUICK === '1';
/** The share of the configured memory the peak may use: headroom for data, bursts, Node's GC. */
const MAX_SHARE = 0.7;

/** The options `api` is deployed with, as firebase-functions declares them to the deploy. */
function configured() {
  // The manifest entry firebase-functions builds from the options (`__endpoint`). Loading the
  // function needs its settings, as tools/bench.js gives them.
  process.env.ALLOWED_ORIGINS ??= 'http://127.0.0.1:5000';
  process.env.APP_URL ??= 'http://127.0.0.1:5000';
  const endpoint = require(functionsMain).api.__endpoint;
  return {
    memoryMiB: endpoint.availableMemoryMb ?? 256,
    concurrency: endpoint.concurrency ?? 80,
    cpu: endpoint.cpu ?? null,
    timeoutSeconds: endpoint.timeoutSeconds ?? null,
    maxInstances: endpoint.maxInstances ?? null,
    minInstances: endpoint.minInstances ?? null,
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The secrets of the Functions emulator (functions/.secret.local), as the runtime's env. */
function secrets() {
  const file = path.join(functionsDir, '.secret.local');
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) out[match[1]] = match[2];
  }
  return out;
}

/** Resident memory of a process from /proc: `{rss, peak}` in bytes (Linux). */
function memoryOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/** One instance of `api` on the Functions Framework, on a loopback port. */
async function startInstance() {
  const port = await freePort();
  const bin = path.join(root, 'node_modules', '.bin', 'functions-framework');
  const env = {
    ...process.env,
    ...secrets(),
    NODE_ENV: 'production',
    ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? 'http://127.0.0.1:5000',
    APP_URL: process.env.APP_URL ?? 'http://127.0.0.1:5000',
    METADATA_SERVER_DETECTION: 'none',
    // One key sends every request: the per-caller read limit (limits/, 600 a minute) would answer
    // 429 within a second. This measures the instance, not the limit.
    RATE_LIMIT_READS_PER_MINUTE: '10000000',
  };
  delete env.NODE_OPTIONS;
  const child = spawn(
    bin,
    [`--source=${functionsDir}`, '--target=api', '--signature-type=http', `--port=${port}`],
    // The request lines go to a pipe nobody prints: 80 connections write thousands.
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk) => (errors = (errors + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (let wait = 0; ; wait += 1) {
    if (child.exitCode !== null) throw new Error(`functions-framework exited: ${errors}`);
    try {
      await fetch(`${url}/health`);
      break;
    } catch {
      if (wait > 300) throw new Error(`functions-framework did not start: ${errors}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `connections` (the configured concurrency) autocannon connections for `duration` s against one
 * instance, cycling through `paths` with the API key `key`.
 */
async function measureSizing({ key, paths, duration = QUICK ? 3 : 20 }) {
  const options = configured();
  const instance = await startInstance();
  try {
    const headers = { authorization: `Bearer ${key}` };
    const requests = paths.map((requestPath) => ({ method: 'GET', path: requestPath, headers }));
    const idle = memoryOf(instance.pid);
    await autocannon({ url: instance.url, requests, connections: 5, duration: 2 }); // warm-up
    const result = await autocannon({
      url: instance.url,
      requests,
      connections: options.concurrency,
      duration,
      // A request fails as on the platform: when it outlasts the function's timeout.
      timeout: options.timeoutSeconds ?? 60,
    });
    const memory = memoryOf(instance.pid);
    return {
      ...options,
      connections: options.concurrency,
      duration,
      paths,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      rssIdle: idle.rss,
      rssAfter: memory.rss,
      rssPeak: memory.peak,
      share: memory.peak / (options.memoryMiB * 2 ** 20),
    };
  } finally {
    await instance.stop();
  }
}

/** `/api/organizations/x?limit=25` as the report names it: `GET /organizations/{id}`. */
function pathLabel(requestPath) {
  const [pathname, query] = requestPath.replace(/^\/api/, '').split('?');
  const template = pathname.replace(/^\/organizations\/[^/]+/, '/organizations/{id}');
  return `\`GET ${template}\`${query ? ` (\`${query}\`)` : ''}`;
}

/** BENCHMARKS.md's sizing section (tools/bench/report.js passes its helpers). */
function sizingSection(sizing, check, { table, mb, ms, int }) {
  // autocannon counts a timeout among the errors too.
  const failures = sizing.errors + sizing.non2xx;
  const limit = sizing.memoryMiB * 2 ** 20 * MAX_SHARE;
  const rows = [
    [
      `errors at ${sizing.connections} concurrent requests (connection errors, requests over the ${sizing.timeoutSeconds ?? 60} s timeout, non-2xx)`,
      `**${failures}** of ${int(sizing.requests)} requests: ${int(sizing.requestsPerSecond)} requests/s, p50 ${ms(sizing.p50)}, p99 ${ms(sizing.p99)}`,
      '0',
      check(failures === 0, `sizing: ${failures} errors at ${sizing.connections} connections`),
    ],
    [
      `peak resident memory of the instance (configured: ${sizing.memoryMiB} MiB)`,
      `**${mb(sizing.rssPeak)}** peak RSS = **${(sizing.share * 100).toFixed(0)} %** (${mb(sizing.rssIdle)} idle, ${mb(sizing.rssAfter)} after)`,
      `≤ ${MAX_SHARE * 100} % (${mb(limit)})`,
      check(
        sizing.rssPeak <= limit,
        `sizing: peak RSS ${mb(sizing.rssPeak)} over ${MAX_SHARE * 100} % of ${sizing.memoryMiB} MiB`,
      ),
    ],
  ];
  const declared = [
    `memory ${sizing.memoryMiB} MiB`,
    `cpu ${sizing.cpu ?? 'default'}`,
    `concurrency ${sizing.concurrency}`,
    `timeout ${sizing.timeoutSeconds ?? 'default'} s`,
    `max instances ${sizing.maxInstances ?? 'default'}`,
    `min instances ${sizing.minInstances ?? 0}`,
  ].join(', ');
  return [
    '## 6. Sizing: one instance at its configured concurrency',
    '',
    `\`autocannon\`, ${sizing.connections} connections (the function's \`concurrency\`: Cloud Run sends one instance that many requests at once) for ${sizing.duration} s, cycling ${sizing.paths.map(pathLabel).join(' and ')} with one API key (its read rate limit raised for the run), against one instance of \`api\` (the bundle) served by Google's Functions Framework in its own process (\`tools/bench/sizing.js\`), after a 2 s warm-up. Peak RSS is the kernel's high-water mark of the process (VmHWM); the heap is not capped as the deployed instance's is, so this is an upper bound. Declared options (\`functions/src/index.ts\`): ${declared}.`,
    '',
    table(['measure', 'result', 'budget', ''], rows),
  ].join('\n');
}

/** Alone: a user, an API key and a few organizations through the instance, then the run. */
async function main() {
  if (!process.env.FIRESTORE_EMULATOR_HOST || !process.env.FIREBASE_AUTH_EMULATOR_HOST) {
    throw new Error(
      'Run it against the emulators (FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST).',
    );
  }
  process.env.GCLOUD_PROJECT ||= 'demo-organizations';
  const { signIn } = require('./client');
  const { functionsRequire } = require('./paths');
  const { getApps, initializeApp } = functionsRequire('firebase-admin/app');
  const { getAuth } = functionsRequire('firebase-admin/auth');
  const auth = getAuth(getApps()[0] ?? initializeApp({ projectId: process.env.GCLOUD_PROJECT }));
  const email = `sizing-${Date.now()}@example.com`;
  await auth.createUser({ email, password: 'sizing-password', emailVerified: true });
  const idToken = await signIn(email, 'sizing-password');
  const instance = await startInstance();
  let key;
  const stamp = Date.now().toString(36);
  try {
    const post = async (requestPath, credential, body) => {
      const response = await fetch(`${instance.url}${requestPath}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 201) throw new Error(`${requestPath}: ${await response.text()}`);
      return (await response.json()).data;
    };
    key = (await post('/api/auth/keys', idToken, { name: 'sizing' })).key;
    // Under the default quota of organizations a user may create in a day (limits/).
    for (let i = 0; i < 15; i += 1) {
      await post('/api/organizations', key, { name: `Sizing ${stamp} ${i}`, type: 'lab' });
    }
  } finally {
    await instance.stop();
  }
  const sizing = await measureSizing({
    key,
    paths: [`/api/organizations/sizing-${stamp}-0`, '/api/organizations?limit=25'],
  });
  return printAlone('sizing', sizing, sizingSection);
}

runAlone(module, main);

module.exports = { measureSizing, sizingSection, MAX_SHARE };
