import * as z from 'zod';
import { orgIdSchema } from '../organizations/schemas';
import { pageFields } from '../paging';
import { EVENT_TYPES } from './events';

/** An organization has at most this many webhook endpoints. */
export const MAX_ENDPOINTS = 10;

const dateTime = z.iso.datetime();

/** The types an endpoint can subscribe to: every event type but the test, or `*` for all. */
const SUBSCRIBABLE = EVENT_TYPES.filter((type) => type !== 'webhook_endpoint.test');
export const eventTypeSchema = z.enum(EVENT_TYPES);
const subscription = z.union([z.enum(SUBSCRIBABLE), z.literal('*')]);

export const endpointIdSchema = z
  .string()
  .regex(/^whk_[0-9a-z]{20}$/, 'Not a webhook endpoint id.');
export const endpointParams = z.strictObject({ org_id: orgIdSchema, id: endpointIdSchema });
export const deliveryParams = z.strictObject({
  org_id: orgIdSchema,
  id: endpointIdSchema,
  delivery_id: z.string().regex(/^dlv_[0-9a-z]{20}$/, 'Not a delivery id.'),
});

const url = z.string().max(2048).meta({
  description: 'Where events are POSTed: https (http only to loopback under the emulators).',
});
const events = z
  .array(subscription)
  .min(1, 'Subscribe to at least one event type, or ["*"].')
  .max(EVENT_TYPES.length + 1)
  .meta({ description: 'The event types sent to the endpoint, or `["*"]` for all of them.' });
const description = z.string().max(500);

export const createEndpointBody = z.strictObject({
  url,
  events,
  description: description.optional(),
});
export type CreateEndpointBody = z.output<typeof createEndpointBody>;

export const patchEndpointBody = z
  .strictObject({
    url: url.optional(),
    events: events.optional(),
    description: description.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Nothing to change.' });
export type PatchEndpointBody = z.output<typeof patchEndpointBody>;

export const endpointView = z
  .object({
    id: endpointIdSchema,
    organization_id: orgIdSchema,
    url: z.string(),
    events: z.array(z.string()),
    description: z.string(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable().meta({
      description:
        'Why the platform disabled it: `gone` (it answered 410) or `failing` (3 days of failures).',
    }),
    created_at: dateTime,
    updated_at: dateTime,
  })
  .meta({
    id: 'WebhookEndpoint',
    example: {
      id: 'whk_0mh3x9a2b4c6d8e0f1g2',
      organization_id: 'test-company',
      url: 'https://hooks.example.com/cannlytics',
      events: ['organization_membership.created', 'organization_membership.deleted'],
      description: 'Team sync',
      enabled: true,
      disabled_reason: null,
      created_at: '2026-12-02T09:30:00.000Z',
      updated_at: '2026-12-02T09:30:00.000Z',
    },
  });

export const endpointWithSecret = endpointView
  .extend({
    secret: z.string().meta({
      description: 'The signing secret, `whsec_` + base64 of 32 random bytes. Shown only here.',
    }),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const endpointDeleted = z
  .object({ organization_id: orgIdSchema, id: endpointIdSchema, deleted: z.literal(true) })
  .meta({ id: 'WebhookEndpointDeleted' });

export const eventView = z
  .object({
    id: z.string(),
    type: eventTypeSchema,
    organization_id: orgIdSchema,
    created_at: dateTime,
    actor: z.object({
      uid: z.string().nullable(),
      credential: z.enum(['id_token', 'session', 'api_key', 'system']),
      key_id: z.string().nullable(),
    }),
    data: z.record(z.string(), z.unknown()).meta({
      description:
        'The resource after the change (for updates with `changed_fields`); never a secret value.',
    }),
  })
  .meta({
    id: 'Event',
    example: {
      id: 'evt_00mimd1k2o0000a1b2c3',
      type: 'organization_membership.created',
      organization_id: 'test-company',
      created_at: '2026-12-02T09:30:00.000Z',
      actor: { uid: 'qA1b2C3d4E5f6G7h8I9j0K1l2M3n', credential: 'id_token', key_id: null },
      data: { organization_id: 'test-company', uid: 'u2', role: 'member' },
    },
  });

export const eventsQuery = z.strictObject({
  ...pageFields,
  type: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) =>
      value === undefined
        ? undefined
        : (Array.isArray(value) ? value : [value])
            .flatMap((item) => item.split(','))
            .filter(Boolean),
    )
    .pipe(z.array(eventTypeSchema).max(10, 'At most 10 types.').optional())
    .meta({ description: 'Only these types: repeat the parameter or separate them with commas.' }),
  after: z
    .string()
    .regex(/^evt_[0-9a-z]{20}$/, 'Not an event id.')
    .optional()
    .meta({
      description:
        'Replay: the events after this one, oldest first, across pages — only those at least 60 seconds old (`EVENTS_SETTLE_SECONDS`). An id carries the time its event was built, not when it committed, so a write still committing can add an event below the newest id; past the window none can, so a client that stores the last id it got and asks again with it never skips an event. The newest minute shows in the list without `after`.',
    }),
});
export type EventsQuery = z.output<typeof eventsQuery>;

export const deliveryView = z
  .object({
    id: z.string(),
    endpoint_id: endpointIdSchema,
    event_id: z.string(),
    event_type: eventTypeSchema,
    attempt: z.number().int(),
    status_code: z.number().int().nullable(),
    duration_ms: z.number().int(),
    error: z.string().nullable(),
    succeeded: z.boolean(),
    attempted_at: dateTime,
    next_retry_at: dateTime.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export const redeliveryView = z
  .object({ endpoint_id: endpointIdSchema, event_id: z.string(), queued: z.literal(true) })
  .meta({ id: 'WebhookRedelivery' });
