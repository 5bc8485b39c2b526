import { user } from 'firebase-functions/v1/auth';
import { onRequest } from 'firebase-functions/v2/https';
import { app } from './app';
import { apiKeyPepper, apiKeyPepperPrevious } from './config';
import { userStore } from './users/store';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { retryConfig, type DeliveryTask } from './webhooks/queue';

// The delivery code loads on a trigger's first run, not with the API's cold start.
const webhookDelivery = () =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./webhooks/delivery') as typeof import('./webhooks/delivery');

/**
 * The organizations API: one HTTPS function serving the Express app. Sized from a measurement
 * (BENCHMARKS.md, section 6; tools/bench/sizing.js): one instance serving `concurrency` requests
 * at once must peak at ≤ 70 % of `memory`. At 80 (Cloud Run's default, and what the bench loads)
 * the default 256 MiB is too tight, so 512 MiB; `cpu: 1` because a 2nd gen function below one
 * vCPU serves one request at a time. Requests are short (one Firestore round trip; BENCHMARKS.md
 * sections 1 and 5): 60 s bounds a stuck one. `maxInstances` caps the bill and Firestore's load (10 × 80
 * = 800 requests in flight; raise it with the rate limits, docs/OPERATIONS.md); no instance is kept
 * warm (`minInstances: 0`: a cold start costs about 0.4 s, BENCHMARKS.md section 3).
 */
export const api = onRequest(
  {
    secrets: [apiKeyPepper, apiKeyPepperPrevious],
    cors: false,
    invoker: 'public',
    memory: '512MiB',
    cpu: 1,
    concurrency: 80,
    timeoutSeconds: 60,
    maxInstances: 10,
    minInstances: 0,
  },
  app,
);

/** Creates the `users/{uid}` profile of every new account (Auth has no v2 creation trigger). */
export const createProfile = user().onCreate((user) => userStore.createProfile(user));

const firestoreTriggers = () =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('firebase-functions/v2/firestore') as typeof import('firebase-functions/v2/firestore');

/**
 * Whether this instance serves the function `name`. The platform starts each function's instances
 * with `FUNCTION_TARGET` naming it; a deploy (and the artifact test) reads this file without it, and
 * sees every function. Keeps the Firestore trigger's module (Firestore's client and its protos,
 * about 100 ms and 130 modules) out of the API's cold start.
 */
const serves = (name: string) =>
  !process.env.FUNCTION_TARGET || process.env.FUNCTION_TARGET === name;

/**
 * Fans each new event out to its subscribed webhook endpoints, one delivery task each. Retried on
 * failure: fanning out is idempotent (one task id per event and endpoint).
 */
export const fanOutEvent = serves('fanOutEvent')
  ? firestoreTriggers().onDocumentCreated(
      { document: 'events/{eventId}', retry: true },
      async (event) => {
        await webhookDelivery().fanOut(event.params.eventId);
      },
    )
  : undefined;

/** Delivers one event to one endpoint; the queue retries a failure (webhooks/queue.ts). */
export const deliverWebhook = onTaskDispatched<DeliveryTask>(
  { retryConfig: retryConfig(), rateLimits: { maxConcurrentDispatches: 100 } },
  async (request) => {
    await webhookDelivery().deliver(request.data, request.retryCount ?? 0);
  },
);
