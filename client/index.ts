// A typed client of the organizations API: every path, parameter, body and answer comes from
// openapi.json (`schema.d.ts` is generated from it by `npm run client`), and openapi-fetch does the
// calls. The console uses it; so can any TypeScript program:
//
//   const api = createClient({ baseUrl: 'https://example.web.app/api', credential: apiKey });
//   const { data, error } = await api.GET('/organizations/{org_id}', {
//     params: { path: { org_id: 'test-company' } },
//   });
import createFetchClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, paths } from './schema';

export interface OrganizationsClientOptions extends ClientOptions {
  /** A Firebase ID token or an API key, sent as `Authorization: Bearer <credential>`. */
  credential?: string;
}

/** A client whose every call is typed by the API's OpenAPI document. */
export function createClient({
  credential,
  baseUrl = '/api',
  headers,
  ...options
}: OrganizationsClientOptions = {}): Client<paths> {
  return createFetchClient<paths>({
    baseUrl,
    headers: { ...(credential ? { Authorization: `Bearer ${credential}` } : {}), ...headers },
    ...options,
  });
}
