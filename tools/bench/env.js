// The environment of an in-process app in the benchmark's tools (bench.js, soak.js), set before
// the app loads (functions/src/config.ts reads it at import): the local defaults, the function's
// secrets (functions/.secret.local, as test/helpers/setup.ts reads them), and generous abuse limits
// (README "Limits"), which would otherwise answer the load tests and the sampled creations 429;
// tools/bench/limits.js measures the limiters themselves.
'use strict';

const { ensureSecrets } = require('../local');

const LIMITS = [
  'RATE_LIMIT_READS_PER_MINUTE',
  'RATE_LIMIT_WRITES_PER_MINUTE',
  'RATE_LIMIT_ANONYMOUS_PER_MINUTE',
  'QUOTA_ORGANIZATIONS_PER_USER_PER_DAY',
  'QUOTA_INVITATIONS_PER_ORGANIZATION_PER_DAY',
  'QUOTA_INVITATIONS_PER_INVITEE_PER_DAY',
  'QUOTA_MEMBERS_PER_ORGANIZATION_PER_HOUR',
  'QUOTA_API_KEYS_PER_USER_PER_DAY',
];

function useBenchEnv() {
  process.env.GCLOUD_PROJECT ||= 'demo-organizations';
  process.env.ALLOWED_ORIGINS ??= 'http://127.0.0.1:5000';
  process.env.APP_URL ??= 'http://127.0.0.1:5000';
  for (const name of LIMITS) process.env[name] ??= '1000000000';
  for (const [name, value] of Object.entries(ensureSecrets())) process.env[name] ??= value;
}

module.exports = { useBenchEnv };
