import { route, type Route } from '../http/route';
import { orgParams } from '../organizations/schemas';
import { MAX_SECRETS, putSecretBody, secretDeleted, secretParams, secretRefView } from './schemas';
import type { SecretService } from './service';

const secretUrl = (orgId: string, name: string) => `/api/organizations/${orgId}/secrets/${name}`;

/** `/organizations/{org_id}/secrets`: metadata out, values in, never a value out. */
export function secretRoutes(service: SecretService): Route[] {
  return [
    route({
      operationId: 'listSecrets',
      method: 'get',
      path: '/organizations/{org_id}/secrets',
      tag: 'Secrets',
      summary: "List an organization's secrets",
      // No paging: an organization has at most MAX_SECRETS (50) secrets, fewer than a page holds,
      // so the one page is all of them and `next_cursor` is always null.
      description: `Names and metadata, never values, sorted by name: all of them (at most ${MAX_SECRETS}), so \`next_cursor\` is always null. For the owner and admins.`,
      auth: 'required',
      params: orgParams,
      data: secretRefView.array(),
      list: true,
      errors: ['permission-denied', 'not-found'],
      handler: async ({ caller, params }) => ({
        data: await service.list(caller, params.org_id),
        nextCursor: null,
      }),
    }),
    route({
      operationId: 'getSecret',
      method: 'get',
      path: '/organizations/{org_id}/secrets/{name}',
      tag: 'Secrets',
      summary: "One of an organization's secrets",
      description: 'Its metadata, never its value. For the owner and admins.',
      auth: 'required',
      params: secretParams,
      data: secretRefView,
      errors: ['permission-denied', 'not-found'],
      handler: async ({ caller, params }) => ({
        data: await service.get(caller, params.org_id, params.name),
      }),
    }),
    route({
      operationId: 'putSecret',
      method: 'put',
      path: '/organizations/{org_id}/secrets/{name}',
      tag: 'Secrets',
      summary: 'Store a secret',
      description:
        "Creates the secret (201) or stores a new version of it and disables the old one (200). The value goes to Secret Manager and is never shown again. For the owner and admins. The organization's version does not change: `If-Match` names it, and the ETag is it.",
      auth: 'required',
      params: secretParams,
      body: putSecretBody,
      data: secretRefView,
      statuses: [200, 201],
      versioned: true,
      location: true,
      errors: ['permission-denied', 'not-found', 'failed-precondition', 'resource-exhausted'],
      handler: async ({ caller, params, body, ifMatch }) => {
        const { org_id: orgId, name } = params;
        const stored = await service.put(caller, orgId, name, body.value, ifMatch);
        return {
          data: stored.secret,
          created: stored.created,
          version: stored.version,
          location: secretUrl(orgId, name),
        };
      },
    }),
    route({
      operationId: 'deleteSecret',
      method: 'delete',
      path: '/organizations/{org_id}/secrets/{name}',
      tag: 'Secrets',
      summary: 'Delete a secret',
      description:
        "Destroys its value in Secret Manager and removes its reference. A license's API key is refused (409): remove the license, or its key, instead. For the owner and admins.",
      auth: 'required',
      params: secretParams,
      data: secretDeleted,
      versioned: true,
      errors: ['permission-denied', 'not-found', 'failed-precondition'],
      handler: async ({ caller, params, ifMatch }) => {
        const { org_id: orgId, name } = params;
        const { version } = await service.remove(caller, orgId, name, ifMatch);
        return { data: { organization_id: orgId, name, deleted: true as const }, version };
      },
    }),
  ];
}
