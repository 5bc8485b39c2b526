// Writes the benchmark's report, BENCHMARKS.md (a table per section, each row with its budget and
// ✓ or ✗), and its chart, bench/latency.svg (p50 of each endpoint next to its floor's).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { int, mb, ms, table } = require('./alone');
const { FLOOR_DESCRIPTIONS } = require('./floors');
const { root } = require('./paths');
const { sizingSection } = require('./sizing');
const { consoleSection } = require('./console');
const { limitsSection } = require('./limits');
const { webhooksSection } = require('./webhooks');
const { soakSection } = require('./soak');

const LATENCY_RATIO = 1.5;
const COLD_RATIO = 1.5;
const SCALE_RATIO = 1.3;
const MAX_RSS_MB = 256;
const PAGE = 25;
const KEY_CACHE_S = 30;

const ratio = (value) => `${value.toFixed(2)}×`;
/** A ratio next to its budget, with a third decimal where two would hide which side it is on. */
const ratioVs = (value, budget) =>
  value > budget && value.toFixed(2) === budget.toFixed(2) ? `${value.toFixed(3)}×` : ratio(value);
const mark = (ok) => (ok ? '✓' : '✗');

/** A request's Firestore cost in words: `1 round trip, 2 reads: getAll(2)`. */
function costText(cost) {
  if (!cost) return 'no request without an API-key verification';
  const reads = cost.minReads === cost.reads ? cost.reads : `${cost.minReads}–${cost.reads}`;
  const trips = `${cost.roundTrips} round trip${cost.roundTrips === 1 ? '' : 's'}`;
  return `${trips}, ${reads} reads: ${cost.calls || 'none'}`;
}

function requestsText(summary) {
  const parts = [`${summary.typicalCount} of ${summary.n} alike`];
  if (summary.keyVerifications) {
    parts.push(`${summary.keyVerifications} also verified the API key (+getAll(1), +auth.getUser)`);
  }
  if (summary.keyWrites) parts.push(`${summary.keyWrites} recorded its last use (+1 commit)`);
  for (const other of summary.others) parts.push(`${other.count}: ${other.calls}`);
  return parts.join('; ');
}

const COST_BUDGETS = {
  get: {
    text: '1 round trip, 2 reads',
    ok: (cost) => cost.roundTrips === 1 && cost.reads === 2,
  },
  list: {
    text: `1 query, ≤ ${PAGE + 1} reads (+ auth: 0 with a cached key)`,
    ok: (cost) => cost.roundTrips === 1 && cost.queries === 1 && cost.reads <= PAGE + 1,
  },
  team: {
    text: `1 query, ≤ ${PAGE + 1} reads + the access check (1 getAll of 2)`,
    ok: (cost) => cost.roundTrips <= 2 && cost.queries === 1 && cost.reads <= PAGE + 3,
  },
  create: { text: '1 commit', ok: (cost) => cost.commits === 1 },
  patch: { text: '1 commit (one transaction)', ok: (cost) => cost.commits === 1 },
  add: { text: '1 commit (one transaction)', ok: (cost) => cost.commits === 1 },
};

function latencySection(report, check) {
  const { large, endpoints } = report;
  const rows = Object.entries(endpoints).map(([name, { label }]) => {
    const { endpoint, floor } = large.results[name];
    const value = endpoint.latency.p50 / floor.latency.p50;
    return [
      label,
      ms(endpoint.latency.p50),
      ms(endpoint.latency.p95),
      ms(floor.latency.p50),
      ms(floor.latency.p95),
      ratioVs(value, LATENCY_RATIO),
      `≤ ${LATENCY_RATIO}× floor`,
      check(
        value <= LATENCY_RATIO,
        `latency of ${label}: ${ratioVs(value, LATENCY_RATIO)} its floor`,
      ),
    ];
  });
  return [
    '## 1. Warm latency, next to the floor',
    '',
    `${report.dataSet.samples} requests per endpoint after ${report.dataSet.warmup} warm-up ones, one at a time over HTTP on loopback (one keep-alive connection) to the in-process app (\`createApp()\`), authenticated with an API key; each interleaved with a run of its floor on the same Firestore client and emulators. Data set: ${int(large.organizations)} organizations.`,
    '',
    table(
      ['endpoint', 'p50', 'p95', 'floor p50', 'floor p95', 'p50 ÷ floor p50', 'budget', ''],
      rows,
    ),
    '',
    '![p50 latency of each endpoint next to its floor](bench/latency.svg)',
    '',
    'The floors, what each endpoint cannot avoid:',
    '',
    ...Object.entries(endpoints).map(
      ([name, { label }]) => `- ${label}: ${FLOOR_DESCRIPTIONS[name]}`,
    ),
  ].join('\n');
}

function costSection(report, check) {
  const { large, endpoints, keyUse } = report;
  const rows = Object.entries(endpoints).map(([name, { label }]) => {
    const { endpoint, floor } = large.results[name];
    const cost = endpoint.cost.typical;
    const budget = COST_BUDGETS[name];
    return [
      label,
      costText(cost),
      cost ? `${cost.commits} (${cost.writes} writes)` : '—',
      cost ? String(cost.auth) : '—',
      requestsText(endpoint.cost),
      costText(floor.cost.typical),
      budget.text,
      check(
        Boolean(cost) && budget.ok(cost),
        `cost of ${label}: ${costText(cost)} (budget ${budget.text})`,
      ),
    ];
  });
  const allowed = Math.ceil(keyUse.seconds / KEY_CACHE_S) + 1;
  rows.push([
    'API-key authentication, cached key',
    `**0 reads** in ${int(keyUse.requests - keyUse.verifications)} of ${int(keyUse.requests)} requests (the key served from the cache)`,
    `${keyUse.writes} (\`last_used_at\`, at most once a minute)`,
    '0 when cached',
    `${int(keyUse.requests)} requests with one key over ${keyUse.seconds.toFixed(0)} s (every endpoint above but create, whose requests use 20 writers' keys): ${keyUse.verifications} verified it (1 read + 1 Auth call each), at most once per ${KEY_CACHE_S} s cache lifetime: ≤ ${allowed}`,
    '—',
    '0 reads when cached',
    check(
      keyUse.verifications <= allowed,
      `API-key authentication: ${keyUse.verifications} verifications in ${keyUse.seconds.toFixed(0)} s`,
    ),
  ]);
  return [
    '## 2. Firestore cost per request',
    '',
    'Counted by wrapping the real client (`Firestore.getAll` — which `DocumentReference.get` goes through —, `Query.get`, `WriteBatch.commit`, `Firestore.runTransaction`, `Transaction.get/getAll/commit`, and the Auth calls `getUser`, `getUsers`, `setCustomUserClaims`) over every timed request. A round trip is one Firestore RPC; reads are the documents fetched (a `getAll` bills each document asked for). The typical request is the most common set of calls, with the documents each read as a range; requests that also verified the API key against Firestore or recorded its last use are counted apart.',
    '',
    table(
      [
        'endpoint',
        'Firestore, typical request',
        'commits',
        'Auth calls',
        'requests',
        'floor',
        'budget',
        '',
      ],
      rows,
    ),
  ].join('\n');
}

function coldSection(report, check) {
  const cold = report.coldStart.runs;
  const { profile } = report.coldStart;
  const rows = [
    [
      'API `GET /health` (no backend call) vs bare `onRequest` + Express hello',
      'apiHealth',
      'hello',
    ],
    [
      'API `GET /organizations/{id}` with an uncached API key vs a bare function making the same Firestore and Auth calls',
      'apiRead',
      'bareRead',
    ],
  ].map(([label, api, bare]) => {
    const value = cold[api].firstResponseMs / cold[bare].firstResponseMs;
    return [
      label,
      `${ms(cold[api].loadMs)} + first answer = **${ms(cold[api].firstResponseMs)}**`,
      `${ms(cold[bare].loadMs)} + first answer = **${ms(cold[bare].firstResponseMs)}**`,
      ratioVs(value, COLD_RATIO),
      `≤ ${COLD_RATIO}× bare`,
      check(
        value <= COLD_RATIO,
        `cold start, ${label}: ${ratioVs(value, COLD_RATIO)} the bare function`,
      ),
    ];
  });
  const unbundled = cold.apiHealthUnbundled;
  rows.push([
    'not a budget row: API `GET /health` unbundled (tsc’s `lib/index.js`, not deployed) vs hello',
    `${ms(unbundled.loadMs)} + first answer = **${ms(unbundled.firstResponseMs)}**`,
    `${ms(cold.hello.loadMs)} + first answer = **${ms(cold.hello.firstResponseMs)}**`,
    ratio(unbundled.firstResponseMs / cold.hello.firstResponseMs),
    '—',
    '',
  ]);
  const rss = cold.apiRead.rss;
  rows.push([
    'resident memory after loading and answering the first authenticated request',
    `**${mb(rss)}** RSS`,
    `${mb(cold.bareRead.rss)} (bare read), ${mb(cold.hello.rss)} (hello)`,
    '—',
    `≤ ${MAX_RSS_MB} MB`,
    check(rss <= MAX_RSS_MB * 2 ** 20, `memory after cold start: ${mb(rss)}`),
  ]);
  return [
    '## 3. Cold start',
    '',
    `Each function loaded in a fresh Node process (\`tools/bench/cold-start.js\`): time from the \`require\` of its module (the API: the package's \`main\`, \`functions/dist/index.js\` — the esbuild bundle of \`src/index.ts\` that Firebase loads, with firebase-functions, firebase-admin and the Secret Manager client left external —, its \`api\` export) to the end of the first response, served by \`http.createServer(handler)\` on loopback; median of ${cold.hello.n} runs each, interleaved. Module load shown first.`,
    '',
    table(['what', 'API', 'bare function', 'API ÷ bare', 'budget', ''], rows),
    '',
    `All runs (load + first answer, ms): ${Object.entries(cold)
      .map(([name, value]) => `${name} ${value.all.join(', ')}`)
      .join('; ')}.`,
    '',
    `What the function loads beyond the hello function's modules, profiled unbundled (\`functions/lib/index.js\`; self time of each package's modules, \`app\` = the function's own files including the zod schemas they build; median of ${profile.runs} profiled loads, slower than unprofiled ones): ${profile.packages
      .map(([name, value]) => `${name} ${ms(value)}`)
      .join(', ')}.`,
  ].join('\n');
}

function scaleSection(report, check) {
  const { small, large } = report;
  const orgs = (n) => `${int(n)} orgs`;
  const own = (result) => result.endpoint.latency.p50 - result.floor.latency.p50;
  const comparisons = [
    [
      'GET /organizations/{id}',
      orgs(small.organizations),
      orgs(large.organizations),
      small.results.get,
      large.results.get,
    ],
    [
      'GET /organizations (page of 25)',
      orgs(small.organizations),
      orgs(large.organizations),
      small.results.list,
      large.results.list,
    ],
    [
      'GET /organizations/{id}/team (page of 25)',
      `${report.dataSet.smallTeam} members`,
      `${int(report.dataSet.bigTeam)} members`,
      large.results.teamSmall,
      large.results.team,
    ],
  ];
  const failures = [];
  const rows = comparisons.map(([label, from, to, before, after]) => {
    const growth = after.endpoint.latency.p50 / before.endpoint.latency.p50;
    const floor = after.floor.latency.p50 / before.floor.latency.p50;
    // The budget holds the API to its floor's growth, or to none where the floor does not grow.
    const value = growth / Math.max(1, floor);
    if (value > SCALE_RATIO) failures.push({ label, growth: own(after) - own(before) });
    return [
      label,
      `${from}: ${ms(before.endpoint.latency.p50)}`,
      `${to}: ${ms(after.endpoint.latency.p50)}`,
      ratio(growth),
      `${ms(before.floor.latency.p50)} → ${ms(after.floor.latency.p50)} (${ratio(floor)})`,
      `**${ratioVs(value, SCALE_RATIO)}**`,
      `${ms(own(before))} → ${ms(own(after))}`,
      `≤ ${SCALE_RATIO}×`,
      check(
        value <= SCALE_RATIO,
        `scale, ${label}, ${from} → ${to}: ${ratioVs(value, SCALE_RATIO)} beyond its floor's growth`,
      ),
    ];
  });
  const listFloor = large.results.list.floor.latency.p50 / small.results.list.floor.latency.p50;
  const getSmall = large.results.getSmall;
  const getBig = large.results.getBig;
  const notes = [
    `**The budget, measured on the emulator.** The issue's budget is large ÷ small ≤ ${SCALE_RATIO}×. Against Firestore, which serves these reads from indexes in time proportional to what they return, the floors do not grow with the data, and the budget applies as written. The Firestore emulator answers a query by scanning every document of the collection and sorting the matches: the list page's floor — the bare query alone, the same \`team array-contains\` query on the same emulator — grows ${ratio(listFloor)} from ${orgs(small.organizations)} to ${orgs(large.organizations)}, which no implementation can beat. So the budget row divides each endpoint's growth by its floor's where that exceeds 1 ("beyond the floor's growth"): on Firestore that is the budget as written, and on the emulator it still fails any growth the API adds of its own — time the API itself spends on more data (the "API's own time" column: endpoint p50 − floor p50) or reads that the floor does not make.`,
    `Not a budget row: \`GET /organizations/{id}\` of the ${int(report.dataSet.bigTeam)}-member organization takes ${ms(getBig.endpoint.latency.p50)} against ${ms(getSmall.endpoint.latency.p50)} for the ${report.dataSet.smallTeam}-member one (${ratio(getBig.endpoint.latency.p50 / getSmall.endpoint.latency.p50)}; floor ${ms(getSmall.floor.latency.p50)} → ${ms(getBig.floor.latency.p50)}, ${ratio(getBig.floor.latency.p50 / getSmall.floor.latency.p50)}): the organization document carries \`team\` (every uid, a Cannlytics field the response returns) and \`roles\`, so reading and sending it grows with the team; the API adds ${ms(own(getSmall))} → ${ms(own(getBig))} to its floor.`,
  ];
  for (const failure of failures) {
    const own =
      failure.growth > 0
        ? `the API's own time grows by ${ms(failure.growth)}`
        : `the API's own time does not grow: a noisy run, see the floor`;
    notes.push(`**✗ ${failure.label}:** ${own}.`);
  }
  return [
    '## 4. Scale',
    '',
    `p50 latency at the small and the large size (${report.dataSet.samples} requests each, measured as in section 1; the ${int(small.organizations)}-organization figures before the other ${int(large.organizations - small.organizations)} were seeded, the team pages both at ${int(large.organizations)}), next to what the same growth does to the floor, the bare Firestore operations.`,
    '',
    table(
      [
        'endpoint',
        'small',
        'large',
        'large ÷ small',
        'floor p50',
        'beyond the floor’s growth',
        'API’s own time',
        'budget',
        '',
      ],
      rows,
    ),
    '',
    ...notes.flatMap((note) => [note, '']),
  ]
    .join('\n')
    .trimEnd();
}

function loadSection(report, check) {
  const { load } = report;
  const failures = load.errors + load.timeouts + load.non2xx;
  const rows = [
    [
      'errors (connection errors + timeouts + non-2xx)',
      `**${failures}** of ${int(load.requests)} requests: ${int(load.requestsPerSecond)} requests/s, p50 ${ms(load.p50)}, p99 ${ms(load.p99)}`,
      '0',
      check(failures === 0, `load: ${failures} errors`),
    ],
    [
      'resident memory of the instance after the load run',
      `**${mb(load.rss)}** RSS (${mb(load.rssIdle)} before; peak ${mb(load.maxRss)}; heap used ${mb(load.heapUsed)}, of which ${mb(load.heapRetained)} still in use after a forced full garbage collection, measured after the RSS)`,
      `≤ ${MAX_RSS_MB} MB`,
      check(load.rss <= MAX_RSS_MB * 2 ** 20, `memory after the load run: ${mb(load.rss)}`),
    ],
  ];
  return [
    '## 5. Load',
    '',
    `\`autocannon\`, ${load.connections} connections for ${load.duration} s, \`GET /organizations/{id}\` with an API key, against one instance of the deployed entry point (\`api\` from the bundle, \`functions/dist/index.js\`) in its own process on loopback (\`tools/bench/server.js\`), after a 2 s warm-up.`,
    '',
    table(['measure', 'result', 'budget', ''], rows),
  ].join('\n');
}

function machineSection(report) {
  const { machine, dataSet } = report;
  return [
    `Generated by \`npm run bench\` on ${machine.date.slice(0, 16).replace('T', ' ')} UTC; do not edit by hand.`,
    '',
    `**Machine:** ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB memory, ${machine.os}, Node ${machine.node}; firebase-tools ${machine.firebaseTools} emulators (Firestore, Auth) on the same machine, firebase-admin ${machine.firebaseAdmin}. The benchmark itself ran ${(report.seconds / 60).toFixed(1)} minutes (plus the build and the emulators' start).`,
    '',
    `**Data:** ${int(dataSet.organizations)} organizations; the benchmark user is in ${dataSet.userOrganizations} of them; one organization has ${int(dataSet.bigTeam)} members, one ${dataSet.smallTeam}. ${int(dataSet.seededDocuments)} organization and member documents were written with batched writes (the rest of the ${int(dataSet.organizations - dataSet.smallOrganizations)} in ${dataSet.seedSeconds.toFixed(0)} s) in the shape the API writes, without the data models and log entries the API also creates, which no measured endpoint reads; the organizations the write endpoints change were made through the API.`,
  ].join('\n');
}

/** The chart: p50 of each endpoint and of its floor, bars on a logarithmic axis. */
function chart(report) {
  const entries = Object.entries(report.endpoints).map(([name, { short }]) => ({
    label: short,
    endpoint: report.large.results[name].endpoint.latency.p50,
    floor: report.large.results[name].floor.latency.p50,
  }));
  const width = 760;
  const left = 190;
  const right = 70;
  const top = 64;
  const rowHeight = 46;
  const bottom = top + entries.length * rowHeight;
  const height = bottom + 52;
  const values = entries.flatMap((entry) => [entry.endpoint, entry.floor]);
  const low = Math.floor(Math.log10(Math.min(...values)));
  const high = Math.ceil(Math.log10(Math.max(...values)));
  const x = (value) => left + ((Math.log10(value) - low) / (high - low)) * (width - left - right);
  const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const grid = [];
  for (let power = low; power <= high; power += 1) {
    const at = x(10 ** power).toFixed(1);
    grid.push(
      `<line x1="${at}" y1="${top - 6}" x2="${at}" y2="${bottom}" stroke="#d0d7de"/>`,
      `<text x="${at}" y="${bottom + 16}" text-anchor="middle" class="value">${10 ** power} ms</text>`,
    );
  }
  const bar = (value, y, color) => {
    const end = x(value);
    return [
      `<rect x="${left}" y="${y}" width="${(end - left).toFixed(1)}" height="16" fill="${color}"/>`,
      `<text x="${(end + 5).toFixed(1)}" y="${y + 13}" class="value">${ms(value)}</text>`,
    ];
  };
  const rows = entries.flatMap((entry, i) => {
    const y = top + i * rowHeight;
    const value = entry.endpoint / entry.floor;
    const color = value <= LATENCY_RATIO ? '#1a7f37' : '#cf222e';
    return [
      `<text x="${left - 10}" y="${y + 24}" text-anchor="end">${escape(entry.label)}</text>`,
      ...bar(entry.endpoint, y + 4, '#0969da'),
      ...bar(entry.floor, y + 22, '#afb8c1'),
      `<text x="${width - 10}" y="${y + 24}" text-anchor="end" fill="${color}" font-weight="bold">${ratio(value)}</text>`,
    ];
  });
  const { machine } = report;
  const caption = `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 10)}; logarithmic axis`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="13">
  <style>.value { fill: #57606a; font-size: 12px; }</style>
  <rect width="${width}" height="${height}" fill="#ffffff"/>
  <text x="10" y="22" font-size="15" font-weight="bold">p50 latency of each endpoint next to its floor (${int(report.large.organizations)} organizations)</text>
  <rect x="10" y="34" width="12" height="12" fill="#0969da"/><text x="28" y="45">endpoint, over HTTP</text>
  <rect x="170" y="34" width="12" height="12" fill="#afb8c1"/><text x="188" y="45">floor: the bare firebase-admin operations</text>
  <text x="${width - 10}" y="45" text-anchor="end">÷ floor (budget ≤ ${LATENCY_RATIO}×)</text>
  ${[...grid, ...rows].join('\n  ')}
  <text x="10" y="${height - 10}" class="value">${escape(caption)}</text>
</svg>
`;
}

/** Writes BENCHMARKS.md and bench/latency.svg under `dir`; returns the budgets that failed. */
function writeReport(report, dir = root) {
  const failed = [];
  const check = (ok, description) => {
    if (!ok) failed.push(description);
    return mark(ok);
  };
  const sections = [
    latencySection(report, check),
    costSection(report, check),
    coldSection(report, check),
    scaleSection(report, check),
    loadSection(report, check),
    ...(report.sizing ? [sizingSection(report.sizing, check, { table, mb, ms, int })] : []),
    ...(report.console ? [consoleSection(report.console, check, { table })] : []),
    ...(report.limits ? [limitsSection(report.limits, check, { table, ms })] : []),
    ...(report.webhooks ? [webhooksSection(report.webhooks, check, { table, ms })] : []),
    ...(report.soak ? [soakSection(report.soak, check, { table, ms })] : []),
  ];
  const total = sections.join('\n').match(/\| [✓✗] \|$/gm).length;
  const summary = failed.length
    ? `**${total - failed.length} of ${total} budgets hold; ✗:** ${failed.join('; ')}.`
    : `**All ${total} budgets hold.**`;
  const markdown = [
    '# Benchmarks',
    '',
    machineSection(report),
    '',
    summary,
    '',
    ...sections.flatMap((section) => [section, '']),
    'Run it again with `npm run bench` (about the time above plus a minute; it starts and stops the emulators itself). See README, "Benchmarks".',
    '',
  ].join('\n');
  fs.mkdirSync(path.join(dir, 'bench'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'BENCHMARKS.md'), markdown);
  fs.writeFileSync(path.join(dir, 'bench', 'latency.svg'), chart(report));
  return failed;
}

module.exports = { writeReport };
