import * as z from 'zod';
import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import { route, type Route } from '../http/route';
import {
  createBody,
  createQuery,
  dataModelSchema,
  deleteQuery,
  listQuery,
  logEntrySchema,
  logsQuery,
  orgParams,
  orgQuery,
  organizationSchema,
  organizationViewSchema,
  purgedSchema,
  roleSchema,
  summarySchema,
  updateBody,
} from './schemas';
import type { OrganizationService } from './service';
import { memberView, viewFor } from './views';
import type { Standing } from './writes';

const TAG = 'Organizations';

/** The answer of a write: the organization as its team sees it, with its new version. */
function answer({ org, role }: Standing, created = false) {
  return {
    data: memberView(org, role),
    version: org.version,
    created,
    location: created ? `/api/organizations/${org.organization_id}` : undefined,
  };
}

/** The `organization_id` Cannlytics clients pass in the query must be the path's. */
function samePath(params: { org_id: string }, query: { organization_id?: string }) {
  if (query.organization_id === undefined || query.organization_id === params.org_id) return;
  throw new ApiError(
    'invalid-argument',
    `The path names ${params.org_id} and the query ${query.organization_id}: name one organization.`,
    { details: [{ path: 'organization_id', message: 'Must be the same as the path.' }] },
  );
}

/** `/organizations` and its sub-resources. */
export function organizationRoutes(service: OrganizationService): Route[] {
  const update = (method: 'post' | 'patch') =>
    route({
      operationId: method === 'post' ? 'postOrganization' : 'updateOrganization',
      method,
      path: '/organizations/{org_id}',
      tag: TAG,
      summary: method === 'post' ? 'Update an organization (Cannlytics)' : 'Update an organization',
      description:
        'Changes the posted fields: profile fields for members and up, license keys for admins, `owner` and `team` for the owner (new uids are invited). The whole object as read may be posted back: read-only fields are accepted when they equal the stored value (`organization_id` and `uid` must name this organization, `archived` its state) and computed ones (`role`, dates) are ignored; an object read before the last change (its `updated_at` is not current) that would change `team` or `owner` is a 412.',
      auth: 'required',
      params: orgParams,
      query: orgQuery,
      body: updateBody,
      data: organizationSchema,
      versioned: true,
      idempotent: method === 'post',
      errors: ['permission-denied', 'not-found', 'failed-precondition', 'resource-exhausted'],
      handler: async ({ caller, params, query, body, ifMatch }) => {
        samePath(params, query);
        return answer(await service.update(caller, params.org_id, body, { ifMatch }));
      },
    });
  const forOrg =
    <R>(read: (caller: Caller, orgId: string) => Promise<R>) =>
    async ({
      caller,
      params,
      query,
    }: {
      caller: Caller;
      params: { org_id: string };
      query: { organization_id?: string };
    }) => {
      samePath(params, query);
      return { data: await read(caller, params.org_id) };
    };

  return [
    route({
      operationId: 'listOrganizations',
      method: 'get',
      path: '/organizations',
      tag: TAG,
      summary: 'List organizations',
      description:
        'Yours (on your team), the public ones (`public=true`, or without signing in), your archived ones (`archived=true`), or — platform admins only — all of them (`all=true`, with `q=`, `archived=` and paging). Your own are shown in full, others as their public profile.',
      auth: 'optional',
      query: listQuery,
      data: z.array(organizationViewSchema),
      list: true,
      errors: ['permission-denied'],
      handler: async ({ caller, query }) => {
        const { items, nextCursor } = await service.list(caller, query);
        return {
          data: items.map(({ org, role, full }) => viewFor(org, role, full)),
          nextCursor,
        };
      },
    }),
    route({
      operationId: 'createOrganization',
      method: 'post',
      path: '/organizations',
      tag: TAG,
      summary: 'Create (or update) an organization',
      description:
        'Creates the organization (201; you are its owner, other uids in `team` are invited), or updates it when its id exists and you may edit it (200), as Cannlytics does; anyone else gets 409. The id is the posted `organization_id` (or `uid`), else the query `organization_id`, else the name as a slug. Starts with the standard data models.',
      auth: 'required',
      query: createQuery,
      body: createBody,
      data: organizationSchema,
      statuses: [200, 201],
      versioned: true,
      location: true,
      idempotent: true,
      errors: [
        'permission-denied',
        'not-found',
        'already-exists',
        'failed-precondition',
        'resource-exhausted',
      ],
      handler: async ({ caller, query, body, ifMatch }) => {
        const result = await service.createOrUpdate(caller, body, {
          queryId: query.organization_id,
          ifMatch,
        });
        return answer(result, result.created);
      },
    }),
    route({
      operationId: 'getOrganization',
      method: 'get',
      path: '/organizations/{org_id}',
      tag: TAG,
      summary: 'Get an organization',
      description:
        'In full for its team and platform admins; the public profile of a public organization for anyone else. In the `{"data": ...}` envelope, as the Cannlytics API answers.',
      auth: 'optional',
      params: orgParams,
      query: orgQuery,
      data: organizationViewSchema,
      versioned: true,
      errors: ['not-found'],
      handler: async ({ caller, params, query }) => {
        samePath(params, query);
        const { org, role, rights } = await service.get(caller, params.org_id);
        return { data: viewFor(org, role, rights !== null), version: org.version };
      },
    }),
    update('post'),
    update('patch'),
    route({
      operationId: 'deleteOrganization',
      method: 'delete',
      path: '/organizations/{org_id}',
      tag: TAG,
      summary: 'Archive an organization, or purge it',
      description:
        'Archives it (read-only, hidden from everyone but its owner; restore undoes it). With `purge=true`, deletes an archived organization and everything in it for good, and answers `{organization_id, purged: true}`; its id stays taken for 30 days.',
      auth: 'required',
      params: orgParams,
      query: deleteQuery,
      data: z.union([organizationSchema, purgedSchema]),
      versioned: true,
      errors: ['permission-denied', 'not-found', 'failed-precondition'],
      handler: async ({ caller, params, query, ifMatch }) => {
        samePath(params, query);
        if (!query.purge) return answer(await service.archive(caller, params.org_id, ifMatch));
        await service.purge(caller, params.org_id, ifMatch);
        return { data: { organization_id: params.org_id, purged: true as const } };
      },
    }),
    route({
      operationId: 'restoreOrganization',
      method: 'post',
      path: '/organizations/{org_id}/restore',
      tag: TAG,
      summary: 'Restore an archived organization',
      auth: 'required',
      params: orgParams,
      query: orgQuery,
      data: organizationSchema,
      versioned: true,
      idempotent: true,
      errors: ['permission-denied', 'not-found', 'failed-precondition'],
      handler: async ({ caller, params, query, ifMatch }) => {
        samePath(params, query);
        return answer(await service.restore(caller, params.org_id, ifMatch));
      },
    }),
    route({
      operationId: 'listDataModels',
      method: 'get',
      path: '/organizations/{org_id}/data_models',
      tag: TAG,
      summary: "The organization's data models",
      auth: 'required',
      params: orgParams,
      query: orgQuery,
      data: z.array(dataModelSchema),
      errors: ['permission-denied', 'not-found'],
      handler: forOrg((caller, orgId) => service.dataModels(caller, orgId)),
    }),
    route({
      operationId: 'listOrganizationLogs',
      method: 'get',
      path: '/organizations/{org_id}/logs',
      tag: TAG,
      summary: "The organization's audit log",
      description: 'Newest first; for the owner and admins.',
      auth: 'required',
      params: orgParams,
      query: logsQuery,
      data: z.array(logEntrySchema),
      list: true,
      errors: ['permission-denied', 'not-found'],
      handler: async ({ caller, params, query }) => {
        samePath(params, query);
        const { items, nextCursor } = await service.logs(caller, params.org_id, query);
        return { data: items, nextCursor };
      },
    }),
    route({
      operationId: 'getOrganizationRole',
      method: 'get',
      path: '/organizations/{org_id}/role',
      tag: TAG,
      summary: 'Your role in the organization',
      auth: 'required',
      params: orgParams,
      query: orgQuery,
      data: roleSchema,
      errors: ['permission-denied', 'not-found'],
      handler: forOrg((caller, orgId) => service.role(caller, orgId)),
    }),
    route({
      operationId: 'getOrganizationSummary',
      method: 'get',
      path: '/organizations/{org_id}/summary',
      tag: TAG,
      summary: "The organization's counts and dates",
      auth: 'required',
      params: orgParams,
      query: orgQuery,
      data: summarySchema,
      errors: ['permission-denied', 'not-found'],
      handler: forOrg((caller, orgId) => service.summary(caller, orgId)),
    }),
  ];
}
