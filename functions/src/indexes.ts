import { collectionGroupField } from './firestore';
import { COUNT_INDEXES, LIST_INDEXES } from './organizations/store';
import { TEAM_FIELD_OVERRIDES, TEAM_INDEXES } from './team/store';
import { EVENT_FIELD_OVERRIDES, EVENT_INDEXES } from './webhooks/store';

/**
 * Every index the API's queries need, gathered from the stores that issue them. A unit test holds
 * `firestore.indexes.json` equal to this, so a new query shape cannot ship without its index.
 */
export const firestoreIndexes = {
  indexes: [...LIST_INDEXES, ...COUNT_INDEXES, ...TEAM_INDEXES, ...EVENT_INDEXES],
  fieldOverrides: [
    // `claimsStore.membershipsOf`: a collection-group query on members by uid.
    collectionGroupField('members', 'uid'),
    {
      // The role map is read with its document, never queried: no index entry per member.
      collectionGroup: 'organizations',
      fieldPath: 'roles',
      ttl: false,
      indexes: [],
    },
    {
      // Idempotency records expire after 24 hours (a TTL policy deletes them).
      collectionGroup: 'idempotency_keys',
      fieldPath: 'expires_at',
      ttl: true,
      indexes: [],
    },
    {
      // Tombstones of purged ids: the id is taken again once a TTL policy deletes its tombstone.
      collectionGroup: 'purged_organizations',
      fieldPath: 'expires_at',
      ttl: true,
      indexes: [],
    },
    ...TEAM_FIELD_OVERRIDES,
    {
      // Quota counters (limits/quota-store.ts) expire when their window ends; read by id only.
      collectionGroup: 'quota_counters',
      fieldPath: 'expires_at',
      ttl: true,
      indexes: [],
    },
    ...EVENT_FIELD_OVERRIDES,
  ],
};
