import * as z from 'zod';
import { route, type Route } from '../http/route';

const health = z.object({ status: z.literal('ok'), version: z.string() }).meta({ id: 'Health' });

const openApiDocument = z
  .record(z.string(), z.unknown())
  .meta({ id: 'OpenApiDocument', description: 'This document.' });

/**
 * `GET /health` and `GET /openapi.json`. The document is generated on its first request (the
 * generator is not loaded on a cold start) and kept; Express's ETag answers a revalidation 304.
 */
export function systemRoutes(version: string, routes: () => Route[]): Route[] {
  let document: Record<string, unknown> | undefined;
  const load = () => {
    // Required here, not imported at the top: the generator stays out of the cold start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generator = require('../openapi/document') as typeof import('../openapi/document');
    return generator.openApiDocument(routes(), version) as unknown as Record<string, unknown>;
  };
  return [
    route({
      operationId: 'health',
      method: 'get',
      path: '/health',
      tag: 'System',
      summary: 'Health check',
      auth: 'none',
      data: health,
      errors: [],
      handler: () => ({ data: { status: 'ok' as const, version } }),
    }),
    route({
      operationId: 'openApiDocument',
      method: 'get',
      path: '/openapi.json',
      tag: 'System',
      summary: 'This OpenAPI 3.1 document',
      auth: 'none',
      data: openApiDocument,
      raw: true,
      errors: [],
      handler: ({ res }) => {
        res.set('Cache-Control', 'public, max-age=300');
        document ??= load();
        return { data: document };
      },
    }),
  ];
}
