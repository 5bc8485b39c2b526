import * as z from 'zod';
import { route, type Route } from '../http/route';
import { orgParams } from '../organizations/schemas';
import { pageQuery } from '../paging';
import {
  createEndpointBody,
  deliveryParams,
  deliveryView,
  endpointDeleted,
  endpointParams,
  endpointView,
  endpointWithSecret,
  eventsQuery,
  eventView,
  MAX_ENDPOINTS,
  patchEndpointBody,
  redeliveryView,
} from './schemas';
import type { WebhookService } from './service';

const TAG = 'Events and webhooks';
const endpointUrl = (orgId: string, id: string) => `/api/organizations/${orgId}/webhooks/${id}`;

const SIGNING =
  'Each delivery is a POST of the event as JSON with the Standard Webhooks headers `webhook-id` (the event id, the same on every retry), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under the base64-decoded secret; two signatures for 24 hours after a rotation). A non-2xx answer or a timeout (10 s) is retried with exponential backoff, 8 attempts over about 24 hours; 410 disables the endpoint, and so do 3 days of failures.';

/**
 * `/organizations/{org_id}/events` and `/organizations/{org_id}/webhooks`: owner and admins. The
 * service is looked up on first use (the OpenAPI generator lists the routes without one).
 */
export function webhookRoutes(service: () => WebhookService): Route[] {
  return [
    route({
      operationId: 'listEvents',
      method: 'get',
      path: '/organizations/{org_id}/events',
      tag: TAG,
      summary: "The organization's events",
      description:
        'Every change, newest first, kept 30 days; `type` filters; `after=<event id>` replays every later event oldest first, across pages. For the owner and admins.',
      auth: 'required',
      params: orgParams,
      query: eventsQuery,
      data: z.array(eventView),
      list: true,
      errors: ['permission-denied', 'not-found'],
      handler: async ({ caller, params, query }) => {
        const { items, nextCursor } = await service().events(caller, params.org_id, query);
        return { data: items, nextCursor };
      },
    }),
    route({
      operationId: 'listWebhookEndpoints',
      method: 'get',
      path: '/organizations/{org_id}/webhooks',
      tag: TAG,
      summary: "The organization's webhook endpoints",
      description: `All of them (at most ${MAX_ENDPOINTS}), oldest first, so \`next_cursor\` is always null; never a secret. For the owner and admins.`,
      auth: 'required',
      params: orgParams,
      data: z.array(endpointView),
      list: true,
      errors: ['permission-denied', 'not-found'],
      handler: async ({ caller, params }) => ({
        data: await service().list(caller, params.org_id),
        nextCursor: null,
      }),
    }),
    route({
      operationId: 'createWebhookEndpoint',
      method: 'post',
      path: '/organizations/{org_id}/webhooks',
      tag: TAG,
      summary: 'Add a webhook endpoint',
      description: `Subscribes a URL to event types (or \`["*"]\`). The answer shows the signing secret, once. At most ${MAX_ENDPOINTS} per organization; the URL must be https and resolve to a public address. ${SIGNING} For the owner and admins.`,
      auth: 'required',
      params: orgParams,
      body: createEndpointBody,
      data: endpointWithSecret,
      statuses: [201],
      location: true,
      errors: ['permission-denied', 'not-found', 'failed-precondition', 'resource-exhausted'],
      handler: async ({ caller, params, body }) => {
        const created = await service().create(caller, params.org_id, body);
        return { data: created, created: true, location: endpointUrl(params.org_id, created.id) };
      },
    }),
    route({
      operationId: 'getWebhookEndpoint',
      method: 'get',
      path: '/organizations/{org_id}/webhooks/{id}',
      tag: TAG,
      summary: 'One webhook endpoint',
      description: 'Never its secret. For the owner and admins.',
      auth: 'required',
      params: endpointParams,
      data: endpointView,
      errors: ['permission-denied', 'not-found'],
      handler: async ({ caller, params }) => ({
        data: await service().get(caller, params.org_id, params.id),
      }),
    }),
    route({
      operationId: 'updateWebhookEndpoint',
      method: 'patch',
      path: '/organizations/{org_id}/webhooks/{id}',
      tag: TAG,
      summary: 'Change a webhook endpoint',
      description:
        'Its `url`, `events`, `description`, or `enabled` (enabling again clears `disabled_reason`). For the owner and admins.',
      auth: 'required',
      params: endpointParams,
      body: patchEndpointBody,
      data: endpointView,
      errors: ['permission-denied', 'not-found', 'failed-precondition'],
      handler: async ({ caller, params, body }) => ({
        data: await service().update(caller, params.org_id, params.id, body),
      }),
    }),
    route({
      operationId: 'deleteWebhookEndpoint',
      method: 'delete',
      path: '/organizations/{org_id}/webhooks/{id}',
      tag: TAG,
      summary: 'Delete a webhook endpoint',
      description: 'With its secret and its delivery attempts. For the owner and admins.',
      auth: 'required',
      params: endpointParams,
      data: endpointDeleted,
      errors: ['permission-denied', 'not-found', 'failed-precondition'],
      handler: async ({ caller, params }) => ({
        data: await service().remove(caller, params.org_id, params.id),
      }),
    }),
    route({
      operationId: 'rotateWebhookSecret',
      method: 'post',
      path: '/organizations/{org_id}/webhooks/{id}/rotate-secret',
      tag: TAG,
      summary: "Rotate a webhook endpoint's secret",
      description:
        'A new secret, shown once in this answer; for 24 hours deliveries carry two signatures, under the new and the old secret. For the owner and admins.',
      auth: 'required',
      params: endpointParams,
      data: endpointWithSecret,
      errors: ['permission-denied', 'not-found', 'failed-precondition'],
      handler: async ({ caller, params }) => ({
        data: await service().rotate(caller, params.org_id, params.id),
      }),
    }),
    route({
      operationId: 'testWebhookEndpoint',
      method: 'post',
      path: '/organizations/{org_id}/webhooks/{id}/test',
      tag: TAG,
      summary: 'Send a test event',
      description:
        'Queues a `webhook_endpoint.test` event for this endpoint only. For the owner and admins.',
      auth: 'required',
      params: endpointParams,
      data: redeliveryView,
      errors: ['permission-denied', 'not-found', 'failed-precondition'],
      handler: async ({ caller, params }) => ({
        data: await service().test(caller, params.org_id, params.id),
      }),
    }),
    route({
      operationId: 'listWebhookDeliveries',
      method: 'get',
      path: '/organizations/{org_id}/webhooks/{id}/deliveries',
      tag: TAG,
      summary: "A webhook endpoint's delivery attempts",
      description:
        'Newest first: the event, the status code, the duration, the error, the attempt number and when the next retry comes. For the owner and admins.',
      auth: 'required',
      params: endpointParams,
      query: pageQuery,
      data: z.array(deliveryView),
      list: true,
      errors: ['permission-denied', 'not-found'],
      handler: async ({ caller, params, query }) => {
        const { items, nextCursor } = await service().deliveries(
          caller,
          params.org_id,
          params.id,
          query,
        );
        return { data: items, nextCursor };
      },
    }),
    route({
      operationId: 'redeliverWebhook',
      method: 'post',
      path: '/organizations/{org_id}/webhooks/{id}/deliveries/{delivery_id}/redeliver',
      tag: TAG,
      summary: 'Deliver an event again',
      description:
        "Queues the attempt's event for the endpoint again (same `webhook-id`). For the owner and admins.",
      auth: 'required',
      params: deliveryParams,
      data: redeliveryView,
      errors: ['permission-denied', 'not-found'],
      handler: async ({ caller, params }) => ({
        data: await service().redeliver(caller, params.org_id, params.id, params.delivery_id),
      }),
    }),
  ];
}
