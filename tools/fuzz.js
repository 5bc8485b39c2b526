#!/usr/bin/env node
// `npm run fuzz -- --runs N [--seed S]`: the model-based suite (test/integration/model.test.ts) run
// longer than `npm test` does, under `node tools/emulators.js exec` (Auth and Firestore only): N
// sequences per seed and N/2 concurrent batches (MODEL_RUNS), or one seed to replay a report
// (MODEL_SEED).
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs') ?? 1000);
if (!Number.isSafeInteger(runs) || runs < 1) {
  console.error('Usage: npm run fuzz -- --runs N [--seed S]');
  process.exit(2);
}
const env = { ...process.env, MODEL_RUNS: String(runs) };
if (option('--seed')) env.MODEL_SEED = option('--seed');
const jest = 'jest --selectProjects integration --runInBand test/integration/model.test.ts';
const result = spawnSync(
  process.execPath,
  [path.join(__dirname, 'emulators.js'), 'exec', '--only', 'auth,firestore', jest],
  {
    stdio: 'inherit',
    env,
  },
);
process.exit(result.status ?? 1);
