// One cold start, in a fresh Node process: loads a function's module, serves it on an ephemeral
// loopback port, answers one request, and prints (JSON) how long the load and the first answer
// took from the start of the `require`, and the resident memory after.
// `node tools/bench/cold-start.js <module> <export> <path>` (BENCH_AUTHORIZATION: its header).
'use strict';

const http = require('node:http');
const Module = require('node:module');
const { performance } = require('node:perf_hooks');

const [modulePath, exportName, path] = process.argv.slice(2);

/**
 * With BENCH_PROFILE_AFTER (a baseline module, loaded first and not counted): the time spent
 * loading each package's modules (self time, ms), by package; the function's own files are `app`.
 * Profiled runs are for the breakdown only: the hook slows them down.
 */
function profileLoads() {
  const original = Module._load;
  const self = {};
  const stack = [];
  Module._load = function load(request, parent, isMain) {
    let filename;
    try {
      filename = Module._resolveFilename(request, parent, isMain);
    } catch {
      return original.call(this, request, parent, isMain);
    }
    if (Module._cache[filename] || !filename.startsWith('/')) {
      return original.call(this, request, parent, isMain);
    }
    const begin = performance.now();
    stack.push(0);
    try {
      return original.call(this, request, parent, isMain);
    } finally {
      const total = performance.now() - begin;
      const children = stack.pop();
      if (stack.length) stack[stack.length - 1] += total;
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(filename)?.[1] ?? 'app';
      self[name] = (self[name] ?? 0) + total - children;
    }
  };
  return self;
}

let profile;
if (process.env.BENCH_PROFILE_AFTER) {
  require(process.env.BENCH_PROFILE_AFTER);
  profile = profileLoads();
}

// As the platform starts an instance of one function (functions/src/index.ts `serves`).
process.env.FUNCTION_TARGET ??= exportName;
const start = performance.now();
const handler = require(modulePath)[exportName];
const loaded = performance.now();

const server = http.createServer(handler);
server.listen(0, '127.0.0.1', () => {
  const headers = process.env.BENCH_AUTHORIZATION
    ? { authorization: process.env.BENCH_AUTHORIZATION }
    : {};
  const req = http.request(
    { host: '127.0.0.1', port: server.address().port, path, headers },
    (res) => {
      res.resume();
      res.on('end', () => {
        const answered = performance.now();
        const { rss, heapUsed } = process.memoryUsage();
        process.stdout.write(
          JSON.stringify({
            status: res.statusCode,
            loadMs: loaded - start,
            firstResponseMs: answered - start,
            rss,
            heapUsed,
            profile,
          }),
        );
        process.exit(0);
      });
    },
  );
  req.end();
});
