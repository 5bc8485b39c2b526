// Imported first by the model-based suites: they create hundreds of organizations, invitations
// and keys from one address in minutes, so the per-user quotas and rate limits (issue 16) are
// raised for them before the app reads its settings; quotas are not part of the model.
const RAISED = [
  'QUOTA_ORGANIZATIONS_PER_USER_PER_DAY',
  'QUOTA_INVITATIONS_PER_ORGANIZATION_PER_DAY',
  'QUOTA_INVITATIONS_PER_INVITEE_PER_DAY',
  'QUOTA_MEMBERS_PER_ORGANIZATION_PER_HOUR',
  'QUOTA_API_KEYS_PER_USER_PER_DAY',
  'RATE_LIMIT_READS_PER_MINUTE',
  'RATE_LIMIT_WRITES_PER_MINUTE',
  'RATE_LIMIT_ANONYMOUS_PER_MINUTE',
  'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE',
];
for (const name of RAISED) process.env[name] = '1000000';

export {};
