// Runs before every integration test file: the in-process app uses the same function secrets as
// the Functions emulator (functions/.secret.local, written by tools/local.js).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const secrets = readFileSync(join(__dirname, '..', '..', 'functions', '.secret.local'), 'utf8');
for (const line of secrets.split('\n')) {
  const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
  if (match) process.env[match[1]] ??= match[2];
}
process.env.GCLOUD_PROJECT ??= 'demo-organizations';
// No Google metadata server here: don't let google-auth-library look for one.
process.env.METADATA_SERVER_DETECTION ??= 'none';
// The harness's Secret Manager emulator (tools/emulators.js); a test file may start its own.
process.env.SECRET_MANAGER_EMULATOR_HOST ??= '127.0.0.1:9399';
// Suites that create many organizations, keys and invitations per user (and send hundreds of
// requests from one address) must not meet the abuse limits: generous ones for the whole run.
// test/integration/limits.test.ts builds its apps with explicit limits instead.
for (const name of [
  'RATE_LIMIT_READS_PER_MINUTE',
  'RATE_LIMIT_WRITES_PER_MINUTE',
  'RATE_LIMIT_ANONYMOUS_PER_MINUTE',
  'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE',
  'RATE_LIMIT_SIGN_INS_PER_MINUTE',
  'QUOTA_ORGANIZATIONS_PER_USER_PER_DAY',
  'QUOTA_INVITATIONS_PER_ORGANIZATION_PER_DAY',
  'QUOTA_INVITATIONS_PER_INVITEE_PER_DAY',
  'QUOTA_MEMBERS_PER_ORGANIZATION_PER_HOUR',
  'QUOTA_API_KEYS_PER_USER_PER_DAY',
]) {
  process.env[name] ??= '1000000';
}
