import type { Query, Transaction } from 'firebase-admin/firestore';
import * as z from 'zod';
import { db, firestoreSdk } from '../firebase';
import { parseAll, parseStored } from '../firestore';
import { eventRecord, EVENT_TYPES, type EventRecord } from './events';

const date = z.preprocess(
  (value) =>
    value && typeof value === 'object' && 'toDate' in value
      ? (value as { toDate(): Date }).toDate()
      : value,
  z.date(),
);
const nullableDate = date.nullable();

/** `organizations/{org_id}/webhooks/{id}`: an endpoint; its secret is in Secret Manager. */
export const endpointRecord = z.object({
  id: z.string(),
  organization_id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string(),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  created_at: date,
  updated_at: date,
  /** The Secret Manager version that signs now. */
  secret_version: z.string(),
  /** The version replaced by the last rotation, which signs too until `previous_secret_until`. */
  previous_secret_version: z.string().nullable(),
  previous_secret_until: nullableDate,
  /** The last sequence number given to an event for this endpoint. */
  sequence: z.number().int(),
  /** Since when every attempt failed (null after a success). */
  failing_since: nullableDate,
});
export type EndpointRecord = z.output<typeof endpointRecord>;

/** `.../webhooks/{id}/messages/{evt_id}`: an event bound for the endpoint, with its sequence. */
export const messageRecord = z.object({
  event_id: z.string(),
  sequence: z.number().int(),
  created_at: date,
});

/** `.../webhooks/{id}/deliveries/{dlv_id}`: one attempt to deliver an event. */
export const deliveryRecord = z.object({
  id: z.string(),
  endpoint_id: z.string(),
  event_id: z.string(),
  event_type: z.enum(EVENT_TYPES),
  attempt: z.number().int(),
  status_code: z.number().int().nullable(),
  duration_ms: z.number().int(),
  error: z.string().nullable(),
  succeeded: z.boolean(),
  attempted_at: date,
  next_retry_at: nullableDate,
  expires_at: date,
});
export type DeliveryRecord = z.output<typeof deliveryRecord>;

const endpoints = (orgId: string) =>
  db().collection('organizations').doc(orgId).collection('webhooks');
export const endpointRef = (orgId: string, id: string) => endpoints(orgId).doc(id);
export const messageRef = (orgId: string, id: string, eventId: string) =>
  endpointRef(orgId, id).collection('messages').doc(eventId);
const deliveries = (orgId: string, id: string) => endpointRef(orgId, id).collection('deliveries');
export const eventRef = (id: string) => db().collection('events').doc(id);

export const webhookStore = {
  async endpoints(orgId: string, transaction?: Transaction): Promise<EndpointRecord[]> {
    const query = endpoints(orgId).orderBy('created_at');
    const snapshot = await (transaction ? transaction.get(query) : query.get());
    return parseAll(endpointRecord, snapshot.docs).filter(
      (endpoint) => endpoint.organization_id === orgId,
    );
  },

  async endpoint(orgId: string, id: string, transaction?: Transaction) {
    const ref = endpointRef(orgId, id);
    const found = parseStored(
      endpointRecord,
      await (transaction ? transaction.get(ref) : ref.get()),
    );
    return found && found.organization_id === orgId && found.id === id ? found : null;
  },

  async event(id: string): Promise<EventRecord | null> {
    return parseStored(eventRecord, await eventRef(id).get());
  },

  /**
   * A page of an organization's events: newest first, or with `after` oldest first from just after
   * that event (ids sort by time), and below the id `before` if given. One query; `limit + 1`
   * tells whether a next page exists.
   */
  async events(
    orgId: string,
    spec: {
      limit: number;
      types?: string[];
      startAfter?: string;
      ascending: boolean;
      before?: string;
    },
  ): Promise<{ items: EventRecord[]; last: string | null }> {
    const direction = spec.ascending ? 'asc' : 'desc';
    let query: Query = db().collection('events').where('organization_id', '==', orgId);
    if (spec.types?.length) query = query.where('type', 'in', spec.types);
    query = query.orderBy(firestoreSdk().FieldPath.documentId(), direction);
    if (spec.startAfter) query = query.startAfter(spec.startAfter);
    if (spec.before) query = query.endBefore(spec.before);
    const snapshot = await query.limit(spec.limit + 1).get();
    const page = snapshot.docs.slice(0, spec.limit);
    return {
      items: parseAll(eventRecord, page).filter((event) => event.organization_id === orgId),
      last: snapshot.docs.length > spec.limit ? page[page.length - 1].id : null,
    };
  },

  async deliveries(orgId: string, id: string, limit: number, startAfter?: string) {
    // Firestore scans document keys in one direction only: the `id` field (= the time-ordered
    // document id) sorts newest first.
    let query = deliveries(orgId, id).orderBy('id', 'desc');
    if (startAfter) query = query.startAfter(startAfter);
    const snapshot = await query.limit(limit + 1).get();
    const page = snapshot.docs.slice(0, limit);
    return {
      items: parseAll(deliveryRecord, page),
      last: snapshot.docs.length > limit ? page[page.length - 1].id : null,
    };
  },

  async delivery(orgId: string, id: string, deliveryId: string) {
    return parseStored(deliveryRecord, await deliveries(orgId, id).doc(deliveryId).get());
  },

  async addDelivery(orgId: string, delivery: DeliveryRecord) {
    await deliveries(orgId, delivery.endpoint_id).doc(delivery.id).create(delivery);
  },
};

/** The events API's composite index: by organization and type, newest or oldest first. */
export const EVENT_INDEXES = (['ASCENDING', 'DESCENDING'] as const).map((order) => ({
  collectionGroup: 'events',
  queryScope: 'COLLECTION',
  fields: [
    { fieldPath: 'organization_id', order: 'ASCENDING' },
    { fieldPath: 'type', order: 'ASCENDING' },
    { fieldPath: '__name__', order },
  ],
}));

/**
 * Events and delivery attempts expire after 30 days (TTL policies on `expires_at`); an event's
 * `data` (any shape, never queried) is not indexed.
 */
export const EVENT_FIELD_OVERRIDES = [
  ...['events', 'deliveries'].map((collectionGroup) => ({
    collectionGroup,
    fieldPath: 'expires_at',
    ttl: true,
    indexes: [],
  })),
  { collectionGroup: 'events', fieldPath: 'data', ttl: false, indexes: [] },
];
