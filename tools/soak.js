#!/usr/bin/env node
// `npm run soak` (under `node tools/emulators.js exec`): the soak of tools/bench/soak.js, 10 minutes
// by default (`--minutes N` or `--seconds N`), 50 concurrent callers against one instance of the bundled function.
// Prints the figures; exits 1 when a budget fails (errors, heap growth, p99 drift).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
process.env.GCLOUD_PROJECT ||= 'demo-organizations';
process.env.ALLOWED_ORIGINS ??= 'http://127.0.0.1:5000';
process.env.APP_URL ??= 'http://127.0.0.1:5000';
// The soak measures the function, not its abuse limits (README "Limits").
for (const name of [
  'RATE_LIMIT_READS_PER_MINUTE',
  'RATE_LIMIT_WRITES_PER_MINUTE',
  'RATE_LIMIT_ANONYMOUS_PER_MINUTE',
  'QUOTA_ORGANIZATIONS_PER_USER_PER_DAY',
]) {
  process.env[name] ??= '1000000000';
}
const secrets = fs.readFileSync(path.join(root, 'functions', '.secret.local'), 'utf8');
for (const line of secrets.split('\n')) {
  const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
  if (match) process.env[match[1]] ??= match[2];
}

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
