import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import * as logger from 'firebase-functions/logger';
import { runTransaction } from '../firestore';
import { secretIdFor, secretStore } from '../secrets/client';
import { DAY_MS } from '../time';
import { newEvent, type DeliveryTarget, type EventRecord } from './events';
import { enqueueDelivery, nextRetryAt, retryConfig, sign, type DeliveryTask } from './queue';
import { deliveryId, endpointView, payloadOf } from './service';
import { isBlockedAddress, isLocalReceiver, urlProblem } from './ssrf';
import { endpointRef, eventRef, messageRef, webhookStore, type EndpointRecord } from './store';

/** How long a receiver has to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** An endpoint whose every attempt failed for this long is disabled. */
export const FAILING_DISABLE_MS = 3 * DAY_MS;
/** Delivery attempts are kept 30 days. */
const DELIVERY_RETENTION_MS = 30 * DAY_MS;

export function subscribed(endpoint: EndpointRecord, event: EventRecord): boolean {
  if (event.type === 'webhook_endpoint.test') return event.endpoint_id === endpoint.id;
  return (
    endpoint.enabled && (endpoint.events.includes('*') || endpoint.events.includes(event.type))
  );
}

/**
 * The Firestore trigger's work for a new event: gives it the next sequence number of each
 * subscribed, enabled endpoint (once: a `messages/{evt_id}` document records it, so a trigger that
 * runs twice reuses it) and enqueues one delivery task per endpoint (the task id refuses a second).
 */
export async function fanOut(eventId: string): Promise<number> {
  const event = await webhookStore.event(eventId);
  if (!event) return 0;
  const orgId = event.organization_id;
  if (event.targets) {
    // A purge's `organization.deleted`: to the endpoints it kept, with the sequences it gave.
    await Promise.all(
      event.targets.map((target) =>
        enqueueDelivery({
          organization_id: orgId,
          endpoint_id: target.id,
          event_id: event.id,
          sequence: target.sequence,
        }),
      ),
    );
    return event.targets.length;
  }
  const targets = (await webhookStore.endpoints(orgId)).filter((endpoint) =>
    subscribed(endpoint, event),
  );
  await Promise.all(
    targets.map(async (target) => {
      const sequence = await runTransaction(async (transaction) => {
        const message = await transaction.get(messageRef(orgId, target.id, event.id));
        if (message.exists) return message.get('sequence') as number;
        const endpoint = await webhookStore.endpoint(orgId, target.id, transaction);
        if (!endpoint) return null;
        const next = endpoint.sequence + 1;
        transaction.update(endpointRef(orgId, target.id), { sequence: next });
        transaction.create(messageRef(orgId, target.id, event.id), {
          event_id: event.id,
          sequence: next,
          created_at: new Date(),
        });
        return next;
      });
      if (sequence === null) return;
      await enqueueDelivery({
        organization_id: orgId,
        endpoint_id: target.id,
        event_id: event.id,
        sequence,
      });
    }),
  );
  return targets.length;
}

type Resolver = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A DNS lookup that refuses blocked addresses: the check happens on the very connection, after
 * resolution, so a host that resolved to a public address at registration and to a private one
 * now is refused. `resolve` is the system's lookup (tests pass their own).
 */
export const guardedLookup =
  (resolve: Resolver = dnsLookup): LookupFunction =>
  (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses;
      const bad = list.find(({ address }) => isBlockedAddress(address));
      if (bad || list.length === 0) {
        return callback(
          Object.assign(new Error(`${hostname} resolves to a blocked address.`), {
            code: 'EBLOCKED',
          }),
          '',
          0,
        );
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };

export interface Attempt {
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** One POST, no redirects followed, `DELIVERY_TIMEOUT_MS` in all; never throws. */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  resolver?: Resolver,
): Promise<Attempt> {
  const started = Date.now();
  const target = new URL(url);
  const local = isLocalReceiver(target);
  return new Promise((resolve) => {
    // In all, not per idle spell: a receiver that trickles bytes cannot hold the attempt.
    const timer = setTimeout(
      () => request.destroy(new Error('timed out after 10 s')),
      DELIVERY_TIMEOUT_MS,
    );
    const done = (status: number | null, error: string | null) => {
      clearTimeout(timer);
      resolve({ status, error, durationMs: Date.now() - started });
    };
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(local ? {} : { lookup: guardedLookup(resolver) }),
    };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    // The status is the answer: the receiver's body is never read.
    const request = send(target, options, (response) => {
      done(response.statusCode ?? null, null);
      response.destroy();
    });
    request.on('error', (error) => done(null, error.message));
    request.end(body);
  });
}

type Signer = Pick<
  EndpointRecord,
  'secret_version' | 'previous_secret_version' | 'previous_secret_until'
>;

/** The secrets that sign now: the current one, and for 24 hours after a rotation the previous. */
async function signingSecrets(endpoint: Signer, at: Date): Promise<string[]> {
  const versions = [endpoint.secret_version];
  if (
    endpoint.previous_secret_version &&
    endpoint.previous_secret_until &&
    endpoint.previous_secret_until > at
  ) {
    versions.push(endpoint.previous_secret_version);
  }
  return Promise.all(versions.map((version) => secretStore.access(version)));
}

/** Disables an endpoint in a transaction with its `webhook_endpoint.updated` event. */
async function disable(endpoint: EndpointRecord, reason: 'gone' | 'failing', at: Date) {
  await runTransaction(async (transaction) => {
    const current = await webhookStore.endpoint(endpoint.organization_id, endpoint.id, transaction);
    if (!current || !current.enabled) return;
    const after = { ...current, enabled: false, disabled_reason: reason, updated_at: at };
    transaction.update(endpointRef(endpoint.organization_id, endpoint.id), {
      enabled: false,
      disabled_reason: reason,
      updated_at: at,
    });
    const event = newEvent(
      'webhook_endpoint.updated',
      endpoint.organization_id,
      { uid: null, credential: 'system', key_id: null },
      { ...endpointView(after), changed_fields: ['enabled'] },
      at,
    );
    transaction.create(eventRef(event.id), event);
  });
  logger.warn('Disabled a webhook endpoint.', {
    organization_id: endpoint.organization_id,
    endpoint_id: endpoint.id,
    reason,
  });
}

/** Thrown to make the queue retry the task. */
export class RetryDelivery extends Error {}

/** One attempt: the event POSTed to `url` with the Standard Webhooks headers, or the URL refused. */
async function attemptDelivery(
  event: EventRecord,
  to: Signer & { url: string },
  sequence: number,
  at: Date,
): Promise<{ result: Attempt; refused: boolean }> {
  const problem = urlProblem(to.url);
  if (problem) {
    return { result: { status: null, error: `The url ${problem}`, durationMs: 0 }, refused: true };
  }
  const body = JSON.stringify(payloadOf(event, sequence));
  const timestamp = Math.floor(at.getTime() / 1000);
  const secrets = await signingSecrets(to, at);
  const result = await post(
    to.url,
    {
      'content-type': 'application/json',
      'user-agent': 'organizations-api-webhooks/1',
      'webhook-id': event.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': secrets
        .map((secret) => sign(secret, event.id, timestamp, body))
        .join(' '),
    },
    body,
  );
  return { result, refused: false };
}

const succeededWith = (result: Attempt) =>
  result.status !== null && result.status >= 200 && result.status < 300;

/**
 * A purge's `organization.deleted` to an endpoint the event kept (webhooks/purge.ts): the endpoint
 * is gone, so its attempts are logged (not recorded under it, nor counted towards disabling it),
 * and once the delivery settles — delivered, 410, refused, or its last attempt — the endpoint's
 * signing secret, which the purge left for it, is destroyed.
 */
async function deliverToTarget(
  event: EventRecord,
  target: DeliveryTarget,
  task: DeliveryTask,
  attempt: number,
) {
  let outcome: { result: Attempt; refused: boolean };
  try {
    outcome = await attemptDelivery(event, target, task.sequence, new Date());
  } catch (error) {
    // The secret could not be read (Secret Manager unavailable): retried like a failed attempt.
    outcome = { result: { status: null, error: String(error), durationMs: 0 }, refused: false };
  }
  const { result, refused } = outcome;
  const settled =
    succeededWith(result) ||
    result.status === 410 ||
    refused ||
    attempt >= retryConfig().maxAttempts;
  logger.info('organization.deleted: an attempt to an endpoint of the purged organization.', {
    organization_id: task.organization_id,
    endpoint_id: target.id,
    event_id: event.id,
    attempt,
    status_code: result.status,
    error: result.error,
  });
  if (!settled) {
    throw new RetryDelivery(
      `Delivery ${attempt} of ${event.id} to ${target.id}: ${result.error ?? `HTTP ${result.status}`}`,
    );
  }
  await secretStore
    .deleteSecret(secretIdFor(task.organization_id, target.id))
    .catch((error: unknown) =>
      logger.error('Could not delete a purged webhook endpoint’s secret.', {
        endpoint_id: target.id,
        error: String(error),
      }),
    );
}

/**
 * The task queue function's work: POSTs the event to the endpoint with the Standard Webhooks
 * headers and records the attempt. A failure throws `RetryDelivery` (the queue retries with its
 * backoff); 410 disables the endpoint; so does a run of failures lasting 3 days.
 */
export async function deliver(task: DeliveryTask, retryCount: number): Promise<void> {
  const { organization_id: orgId, endpoint_id: endpointId, event_id: eventId } = task;
  const [event, endpoint] = await Promise.all([
    webhookStore.event(eventId),
    webhookStore.endpoint(orgId, endpointId),
  ]);
  if (!event || event.organization_id !== orgId) return;
  const attempt = retryCount + 1;
  const target = event.targets?.find((kept) => kept.id === endpointId);
  if (event.targets) {
    if (target) await deliverToTarget(event, target, task, attempt);
    return;
  }
  if (!endpoint) return;
  if (!endpoint.enabled && event.type !== 'webhook_endpoint.test') return;
  const at = new Date();
  const { result, refused } = await attemptDelivery(event, endpoint, task.sequence, at);
  const succeeded = succeededWith(result);
  const gone = result.status === 410;
  const retry = !succeeded && !gone && !refused;
  await webhookStore.addDelivery(orgId, {
    id: deliveryId(at),
    endpoint_id: endpointId,
    event_id: eventId,
    event_type: event.type,
    attempt,
    status_code: result.status,
    duration_ms: result.durationMs,
    error: result.error ?? (succeeded ? null : `HTTP ${result.status}`),
    succeeded,
    attempted_at: at,
    next_retry_at: retry ? nextRetryAt(attempt, at) : null,
    expires_at: new Date(at.getTime() + DELIVERY_RETENTION_MS),
  });
  if (succeeded) {
    if (endpoint.failing_since) {
      await endpointRef(orgId, endpointId).update({ failing_since: null });
    }
    return;
  }
  if (gone) {
    await disable(endpoint, 'gone', at);
    return;
  }
  if (
    endpoint.failing_since &&
    at.getTime() - endpoint.failing_since.getTime() >= FAILING_DISABLE_MS
  ) {
    await disable(endpoint, 'failing', at);
    return;
  }
  if (!endpoint.failing_since) await endpointRef(orgId, endpointId).update({ failing_since: at });
  if (retry && attempt < retryConfig().maxAttempts) {
    throw new RetryDelivery(
      `Delivery ${attempt} of ${eventId} to ${endpointId}: ${result.error ?? `HTTP ${result.status}`}`,
    );
  }
}
