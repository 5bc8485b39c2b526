/**
 * Every collection name the API writes, at any depth. The security rules let no client create a
 * document in a collection of one of these names (lab data lives only in the data models'
 * collections), so a document found under one of them was written by the API.
 */
export const API_COLLECTIONS = [
  'organizations',
  'members',
  'invitations',
  'logs',
  'secrets',
  'data_models',
  'public_organizations',
  'purged_organizations',
  'users',
  'api_keys',
  'idempotency_keys',
  'mail',
  'quota_counters',
  'events',
  'webhooks',
  'messages',
  'deliveries',
] as const;
