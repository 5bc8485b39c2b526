#!/usr/bin/env node
// `npm run soak` (under `node tools/emulators.js exec`): the soak of tools/bench/soak.js, 10 minutes
// by default (`--minutes N` or `--seconds N`), 50 concurrent callers against one instance of the bundled function.
// Prints the figures; exits 1 when a budget fails (errors, heap growth, p99 drift).
'use strict';

require('./bench/env').useBenchEnv();

const { measureSoak } = require('./bench/soak');

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : NaN);
const seconds = option('--seconds') || (option('--minutes') || 10) * 60;

measureSoak({ durationMs: seconds * 1000, callers: 50 })
  .then((result) => {
    console.log(JSON.stringify(result, null, 2));
    const failed = Object.entries(result.holds).filter(([, holds]) => !holds);
    if (failed.length) {
      console.error(`soak: budget failed: ${failed.map(([name]) => name).join(', ')}`);
      process.exit(1);
    }
    console.log('soak: 0 errors, heap flat, p99 stable');
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
