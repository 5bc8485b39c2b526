import { randomBytes } from 'node:crypto';
import * as logger from 'firebase-functions/logger';
import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import { db } from '../firebase';
import { decodeCursor, encodeCursor, type CursorSpec } from '../firestore';
import * as z from 'zod';
import {
  readRights,
  requireRights,
  requireWritable,
  resolveAccess,
  type Access,
} from '../organizations/access';
import { logEntry } from '../organizations/log';
import {
  organizationStore,
  type OrganizationStore,
  type OrgTransaction,
} from '../organizations/store';
import type { SecretStore } from '../secrets/client';
import { iso, DAY_MS } from '../time';
import { eventsSettleMs } from './config';
import { actorOf, eventIdBound, newEvent, type EventRecord } from './events';
import { enqueueDelivery, newSigningSecret, redeliverySuffix } from './queue';
import {
  MAX_ENDPOINTS,
  type CreateEndpointBody,
  type EventsQuery,
  type PatchEndpointBody,
} from './schemas';
import { resolvedProblem } from './ssrf';
import {
  endpointRef,
  messageRef,
  webhookStore,
  type DeliveryRecord,
  type EndpointRecord,
} from './store';

/** How long the secret a rotation replaced still signs. */
export const ROTATION_OVERLAP_MS = DAY_MS;

/** What an endpoint shows: never its secret. */
export function endpointView(endpoint: EndpointRecord) {
  return {
    id: endpoint.id,
    organization_id: endpoint.organization_id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabled_reason,
    created_at: iso(endpoint.created_at),
    updated_at: iso(endpoint.updated_at),
  };
}

export function eventView(event: EventRecord) {
  return {
    id: event.id,
    type: event.type,
    organization_id: event.organization_id,
    created_at: iso(event.created_at),
    actor: event.actor,
    data: event.data,
  };
}

export function deliveryView(delivery: DeliveryRecord) {
  return {
    id: delivery.id,
    endpoint_id: delivery.endpoint_id,
    event_id: delivery.event_id,
    event_type: delivery.event_type,
    attempt: delivery.attempt,
    status_code: delivery.status_code,
    duration_ms: delivery.duration_ms,
    error: delivery.error,
    succeeded: delivery.succeeded,
    attempted_at: iso(delivery.attempted_at),
    next_retry_at: iso(delivery.next_retry_at),
  };
}

/** The sendable part of an event, with the endpoint's sequence: the body a receiver gets. */
export function payloadOf(event: EventRecord, sequence: number) {
  return { ...eventView(event), sequence };
}

const EVENT_ID = z.string().regex(/^evt_[0-9a-z]{20}$/);
const DELIVERY_ID = z.string().regex(/^dlv_[0-9a-z]{20}$/);

/** A random id with a prefix: 20 base-36 characters. */
export function newId(prefix: 'whk' | 'dlv'): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(20);
  return `${prefix}_${[...bytes].map((byte) => alphabet[byte % 36]).join('')}`;
}

/** A delivery id that sorts by time: 10 base-36 digits of milliseconds + 10 random. */
export function deliveryId(at: Date): string {
  const random = newId('dlv').slice(4, 14);
  return `dlv_${at.getTime().toString(36).padStart(10, '0')}${random}`;
}

function refuseUrl(problem: string): ApiError {
  return new ApiError('invalid-argument', `The url ${problem}`, {
    details: [{ path: 'url', message: `Must be a public https URL: it ${problem}` }],
  });
}

/**
 * The endpoint's secret in Secret Manager (`secretIdFor` from secrets/client.ts, loaded on first
 * use: its module reads the configuration, which the OpenAPI generator does not have).
 */
function secretId(orgId: string, endpointId: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const client = require('../secrets/client') as typeof import('../secrets/client');
  return client.secretIdFor(orgId, endpointId);
}

export function createWebhookService({
  organizations,
  vault,
  now = () => new Date(),
  settleMs = eventsSettleMs,
}: {
  organizations: OrganizationStore;
  vault: SecretStore;
  now?: () => Date;
  /** How old an event must be for `after=` replay to return it (webhooks/config.ts). */
  settleMs?: () => number;
}) {
  const manageRights = (caller: Caller, orgId: string) =>
    readRights(organizations, caller, orgId, 'admin', 'manage its webhooks');

  /** A write to an endpoint, in a transaction that checks rights and state on Firestore. */
  function write<T>(
    caller: Caller,
    orgId: string,
    work: (transaction: OrgTransaction, access: Access, at: Date) => Promise<T>,
  ): Promise<T> {
    return organizations.transact(async (transaction) => {
      const { org, member } = await transaction.read(orgId, caller.uid);
      const access = resolveAccess(orgId, org, member, caller);
      requireRights(access, 'admin', 'manage its webhooks');
      requireWritable(access.org);
      return work(transaction, access, now());
    });
  }

  async function requireEndpoint(orgId: string, id: string, transaction?: OrgTransaction) {
    const endpoint = await webhookStore.endpoint(orgId, id, transaction?.raw);
    if (!endpoint) throw new ApiError('not-found', `${orgId} has no webhook endpoint ${id}.`);
    return endpoint;
  }

  /** Writes the endpoint's change with its audit entry and its event. */
  function commit(
    transaction: OrgTransaction,
    caller: Caller,
    type: 'webhook_endpoint.created' | 'webhook_endpoint.updated' | 'webhook_endpoint.deleted',
    endpoint: EndpointRecord,
    changed: string[],
    at: Date,
  ) {
    const entry = logEntry(caller, type, changed, at, endpoint.id);
    transaction.log(endpoint.organization_id, entry);
    const data = {
      ...endpointView(endpoint),
      // Only the origin: a receiver's URL often holds its token (Slack-style hooks), and the event
      // goes to the other endpoints too. `GET …/webhooks/{id}` shows the whole URL to admins.
      url: new URL(endpoint.url).origin,
      ...(type === 'webhook_endpoint.updated' ? { changed_fields: changed } : {}),
    };
    transaction.event(newEvent(type, endpoint.organization_id, actorOf(entry), data, at));
  }

  return {
    async create(caller: Caller, orgId: string, body: CreateEndpointBody) {
      await manageRights(caller, orgId);
      const problem = await resolvedProblem(body.url);
      if (problem) throw refuseUrl(problem);
      const id = newId('whk');
      const secret = newSigningSecret();
      const stored = await vault.addVersion(secretId(orgId, id), secret);
      try {
        const endpoint = await write(caller, orgId, async (transaction, _access, at) => {
          const existing = await webhookStore.endpoints(orgId, transaction.raw);
          if (existing.length >= MAX_ENDPOINTS) {
            throw new ApiError(
              'resource-exhausted',
              `An organization has at most ${MAX_ENDPOINTS} webhook endpoints; ${orgId} has ${existing.length}.`,
            );
          }
          const record: EndpointRecord = {
            id,
            organization_id: orgId,
            url: body.url,
            events: [...new Set(body.events)],
            description: body.description ?? '',
            enabled: true,
            disabled_reason: null,
            created_at: at,
            updated_at: at,
            secret_version: stored.name,
            previous_secret_version: null,
            previous_secret_until: null,
            sequence: 0,
            failing_since: null,
          };
          transaction.raw.create(endpointRef(orgId, id), record);
          commit(
            transaction,
            caller,
            'webhook_endpoint.created',
            record,
            ['url', 'events', 'description'],
            at,
          );
          return record;
        });
        return { ...endpointView(endpoint), secret };
      } catch (error) {
        await vault.deleteSecret(secretId(orgId, id)).catch(() => undefined);
        throw error;
      }
    },

    async list(caller: Caller, orgId: string) {
      await manageRights(caller, orgId);
      return (await webhookStore.endpoints(orgId)).map(endpointView);
    },

    async get(caller: Caller, orgId: string, id: string) {
      await manageRights(caller, orgId);
      return endpointView(await requireEndpoint(orgId, id));
    },

    async update(caller: Caller, orgId: string, id: string, body: PatchEndpointBody) {
      await manageRights(caller, orgId);
      if (body.url !== undefined) {
        const problem = await resolvedProblem(body.url);
        if (problem) throw refuseUrl(problem);
      }
      const updated = await write(caller, orgId, async (transaction, _access, at) => {
        const endpoint = await requireEndpoint(orgId, id, transaction);
        const patch: Partial<EndpointRecord> = {};
        if (body.url !== undefined && body.url !== endpoint.url) patch.url = body.url;
        if (body.events !== undefined) {
          const events = [...new Set(body.events)];
          if (JSON.stringify(events) !== JSON.stringify(endpoint.events)) patch.events = events;
        }
        if (body.description !== undefined && body.description !== endpoint.description)
          patch.description = body.description;
        if (body.enabled !== undefined && body.enabled !== endpoint.enabled) {
          patch.enabled = body.enabled;
          patch.disabled_reason = null;
          if (body.enabled) patch.failing_since = null;
        }
        const changed = Object.keys(patch).filter(
          (field) => field !== 'disabled_reason' && field !== 'failing_since',
        );
        if (changed.length === 0) return endpoint;
        const after = { ...endpoint, ...patch, updated_at: at };
        transaction.raw.update(endpointRef(orgId, id), { ...patch, updated_at: at });
        commit(transaction, caller, 'webhook_endpoint.updated', after, changed.sort(), at);
        return after;
      });
      return endpointView(updated);
    },

    async remove(caller: Caller, orgId: string, id: string) {
      await write(caller, orgId, async (transaction, _access, at) => {
        const endpoint = await requireEndpoint(orgId, id, transaction);
        transaction.raw.delete(endpointRef(orgId, id));
        commit(transaction, caller, 'webhook_endpoint.deleted', endpoint, ['webhooks'], at);
      });
      // Its attempts and messages, then its secret: nothing refers to them any more.
      await db()
        .recursiveDelete(endpointRef(orgId, id))
        .catch((error: unknown) =>
          logger.warn('Could not delete a webhook endpoint’s records.', { error: String(error) }),
        );
      await vault.deleteSecret(secretId(orgId, id)).catch((error: unknown) =>
        logger.error('Could not delete a webhook endpoint’s secret.', {
          endpoint_id: id,
          error: String(error),
        }),
      );
      return { organization_id: orgId, id, deleted: true as const };
    },

    /** A new secret; the old one keeps signing (a second signature) for 24 hours. */
    async rotate(caller: Caller, orgId: string, id: string) {
      await manageRights(caller, orgId);
      await requireEndpoint(orgId, id);
      const secret = newSigningSecret();
      const stored = await vault.addVersion(secretId(orgId, id), secret);
      try {
        const endpoint = await write(caller, orgId, async (transaction, _access, at) => {
          const endpoint = await requireEndpoint(orgId, id, transaction);
          const patch = {
            secret_version: stored.name,
            previous_secret_version: endpoint.secret_version,
            previous_secret_until: new Date(at.getTime() + ROTATION_OVERLAP_MS),
            updated_at: at,
          };
          const after = { ...endpoint, ...patch };
          transaction.raw.update(endpointRef(orgId, id), patch);
          commit(transaction, caller, 'webhook_endpoint.updated', after, ['secret'], at);
          return after;
        });
        return { ...endpointView(endpoint), secret };
      } catch (error) {
        await vault.destroyVersion(stored.name).catch(() => undefined);
        throw error;
      }
    },

    /** Sends a `webhook_endpoint.test` event to this endpoint only (also when it is disabled). */
    async test(caller: Caller, orgId: string, id: string) {
      const event = await write(caller, orgId, async (transaction, _access, at) => {
        const endpoint = await requireEndpoint(orgId, id, transaction);
        const entry = logEntry(caller, 'webhook_endpoint.test', [], at, id);
        const test = newEvent(
          'webhook_endpoint.test',
          orgId,
          actorOf(entry),
          { endpoint: endpointView(endpoint) },
          at,
          id,
        );
        transaction.event(test);
        return test;
      });
      return { endpoint_id: id, event_id: event.id, queued: true as const };
    },

    async deliveries(
      caller: Caller,
      orgId: string,
      id: string,
      page: { limit: number; cursor?: string },
    ) {
      await manageRights(caller, orgId);
      await requireEndpoint(orgId, id);
      const spec: CursorSpec = {
        list: `deliveries:${orgId}:${id}`,
        id: DELIVERY_ID,
        value: 'string',
      };
      const after = page.cursor ? decodeCursor(page.cursor, spec).id : undefined;
      const { items, last } = await webhookStore.deliveries(orgId, id, page.limit, after);
      return {
        items: items.map(deliveryView),
        nextCursor: last ? encodeCursor({ value: last, id: last }, spec.list) : null,
      };
    },

    /** Sends an attempt's event again, as a new task (same `webhook-id`, same sequence). */
    async redeliver(caller: Caller, orgId: string, id: string, deliveryIdParam: string) {
      await manageRights(caller, orgId);
      const endpoint = await requireEndpoint(orgId, id);
      const delivery = await webhookStore.delivery(orgId, id, deliveryIdParam);
      if (!delivery || delivery.endpoint_id !== id) {
        throw new ApiError(
          'not-found',
          `The webhook endpoint ${id} has no delivery ${deliveryIdParam}.`,
        );
      }
      const message = await messageRef(orgId, id, delivery.event_id).get();
      const sequence = (message.get('sequence') as number | undefined) ?? endpoint.sequence;
      await enqueueDelivery(
        { organization_id: orgId, endpoint_id: id, event_id: delivery.event_id, sequence },
        redeliverySuffix(),
      );
      return { endpoint_id: id, event_id: delivery.event_id, queued: true as const };
    },

    /**
     * The organization's events: newest first; with `after`, every event after that one, oldest
     * first (replay), across pages — but only those built at least the settle window ago (60 s):
     * an id carries the time its event was built, so a write still committing may yet add an
     * event below the newest id; past the window, none can, and replay never skips one.
     */
    async events(caller: Caller, orgId: string, query: EventsQuery) {
      const { org } = await readRights(organizations, caller, orgId, 'admin', 'see its events');
      const ascending = query.after !== undefined;
      const types = query.type ? [...new Set(query.type)].sort() : [];
      const spec: CursorSpec = {
        list: `events:${orgId}:${ascending ? 'asc' : 'desc'}:${types.join(',')}`,
        id: EVENT_ID,
        value: 'string',
      };
      const startAfter = query.cursor ? decodeCursor(query.cursor, spec).id : query.after;
      const { items, last } = await webhookStore.events(orgId, {
        limit: query.limit,
        types,
        startAfter,
        ascending,
        before: ascending ? eventIdBound(new Date(now().getTime() - settleMs())) : undefined,
      });
      return {
        // A purged id can be taken again: its former organization's events are not this one's.
        items: items
          .filter((event) => event.created_at.getTime() >= org.created_at.getTime())
          .map(eventView),
        nextCursor: last ? encodeCursor({ value: last, id: last }, spec.list) : null,
      };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

let shared: WebhookService | undefined;

/** The service on the app's stores, created on first use. */
export function defaultWebhookService(): WebhookService {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { secretStore } = require('../secrets/client') as typeof import('../secrets/client');
  shared ??= createWebhookService({ organizations: organizationStore, vault: secretStore });
  return shared;
}
