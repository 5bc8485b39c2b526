import * as z from 'zod';
import { route, type Route } from '../http/route';
import type { LimitsService } from './service';

const quota = z.object({
  name: z.enum(['organizations', 'api_keys', 'invitations', 'invitee', 'members']),
  description: z.string(),
  per: z
    .enum(['user', 'organization', 'invitee'])
    .meta({ description: 'What the quota counts per: you, an organization, or an invitee.' }),
  limit: z.number().int(),
  window_seconds: z.number().int().meta({ description: 'Fixed windows: UTC days or hours.' }),
  used: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'Your use in the current window; null for quotas not counted per user.' }),
  remaining: z.number().int().nullable(),
  resets_at: z.string().meta({ description: 'The end of the current window (ISO 8601 UTC).' }),
});

const limits = z
  .object({
    rate_limits: z.object({
      counted_per: z
        .enum(['api_key', 'user'])
        .meta({ description: 'Requests with an API key count per key; others per user.' }),
      window_seconds: z.number().int(),
      reads: z
        .number()
        .int()
        .nullable()
        .meta({ description: 'GET requests per window; null: exempt.' }),
      writes: z
        .number()
        .int()
        .nullable()
        .meta({ description: 'Other requests per window; null: exempt.' }),
      anonymous_per_address: z
        .number()
        .int()
        .meta({ description: 'Requests without credentials per window per client address.' }),
      failed_authentications_per_address: z.number().int().meta({
        description:
          'Failed authentications per window per client address and credential kind (API key, ID token, session cookie) before further attempts of that kind from that address get 429.',
      }),
      sign_ins_per_address: z.number().int().meta({
        description:
          '`POST /auth/login` and `/auth/logout` requests per window per client address.',
      }),
    }),
    quotas: z.array(quota),
  })
  .meta({
    id: 'Limits',
    example: {
      rate_limits: {
        counted_per: 'api_key',
        window_seconds: 60,
        reads: 600,
        writes: 120,
        anonymous_per_address: 60,
        failed_authentications_per_address: 20,
        sign_ins_per_address: 30,
      },
      quotas: [
        {
          name: 'organizations',
          description: '20 organizations created per user per day',
          per: 'user',
          limit: 20,
          window_seconds: 86400,
          used: 3,
          remaining: 17,
          resets_at: '2026-12-03T00:00:00.000Z',
        },
      ],
    },
  });

/** `GET /limits`: the rate limits and quotas that apply to the caller, and what they have used. */
export function limitRoutes(service: LimitsService | undefined): Route[] {
  return [
    route({
      operationId: 'getLimits',
      method: 'get',
      path: '/limits',
      tag: 'Authentication',
      summary: 'Your rate limits and quotas',
      description:
        'The rate limits that apply to you (your remaining requests are in the `RateLimit` header of every answer) and the quotas on costly actions, with your use of those counted per user in the current window. See the README, "Limits".',
      auth: 'required',
      data: limits,
      errors: [],
      handler: async ({ caller }) => ({ data: await service!.forCaller(caller) }),
    }),
  ];
}
