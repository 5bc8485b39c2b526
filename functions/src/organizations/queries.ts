import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import { decodeCursor, documentIdSchema, nextCursor, type CursorSpec } from '../firestore';
import type { PageQuery } from '../paging';
import { iso } from '../time';
import { readRights, resolveAccess, roleOf, type Access } from './access';
import { orgIdSchema, type ListQuery, type Role } from './schemas';
import type { ListSpec } from './store';
import type { LogEntry, OrganizationRecord } from './types';
import type { OrganizationServiceDeps } from './writes';

/** The list of organizations a query pages through, for its cursors. */
function listCursor(spec: Omit<ListSpec, 'limit' | 'after'>): CursorSpec {
  return {
    list: [
      'organizations',
      spec.scope.field,
      spec.archived,
      spec.nameEquals ?? '',
      spec.namePrefix ?? '',
      spec.sort,
      spec.direction,
    ].join(':'),
    id: orgIdSchema,
    value: spec.sort === 'created_at' ? 'date' : 'string',
  };
}

/** Whose organizations a list shows: yours, the public ones, your archived ones, or all. */
function scopeOf(caller: Caller | null, query: ListQuery): ListSpec['scope'] {
  if (query.all) {
    if (!caller) throw new ApiError('unauthenticated', 'Sign in to list all organizations.');
    if (!caller.admin) {
      throw new ApiError('permission-denied', 'Only platform admins can list all organizations.', {
        details: [{ path: 'all', message: 'Needs a platform admin.' }],
      });
    }
    return { field: 'all' };
  }
  if (query.archived) {
    if (!caller) {
      throw new ApiError('unauthenticated', 'Sign in to list your archived organizations.');
    }
    return { field: 'owner', uid: caller.uid };
  }
  if (!caller || query.public) return { field: 'public' };
  return { field: 'team', uid: caller.uid };
}

/** One organization in a list, with whether the caller sees all of it. */
export interface Listed {
  org: OrganizationRecord;
  role: Role | null;
  full: boolean;
}

/** The read use cases: one organization, lists, its log, the caller's role, a summary. */
export function queries({ store, now = () => new Date() }: OrganizationServiceDeps) {
  /** Access for a route that shows nothing of the organization document itself. */
  const teamRead = (caller: Caller, orgId: string, minimum: Role, action: string) =>
    readRights(store, caller, orgId, minimum, action);

  return {
    /** One read: the organization and the caller's membership. */
    async get(caller: Caller | null, orgId: string): Promise<Access> {
      const { org, member } = await store.read(orgId, caller?.uid ?? null);
      return resolveAccess(orgId, org, member, caller);
    },

    /** One query of a page (and one more document, to know whether a next page exists). */
    async list(
      caller: Caller | null,
      query: ListQuery,
    ): Promise<{ items: Listed[]; nextCursor: string | null }> {
      const spec = {
        scope: scopeOf(caller, query),
        archived: query.archived ?? false,
        nameEquals: query.name?.toLowerCase(),
        namePrefix: query.q?.toLowerCase(),
        sort: query.order_by === 'name' ? ('name_lower' as const) : ('created_at' as const),
        direction: query.order,
      };
      const cursor = listCursor(spec);
      const { items, end } = await store.list({
        ...spec,
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor, cursor) : undefined,
      });
      return {
        items: items.map((org) => {
          const role = caller ? (roleOf(org, caller.uid) ?? null) : null;
          return { org, role, full: role !== null || caller?.admin === true };
        }),
        nextCursor: nextCursor(end, cursor.list),
      };
    },

    async dataModels(caller: Caller, orgId: string) {
      await teamRead(caller, orgId, 'viewer', 'read its data models');
      return store.dataModels(orgId);
    },

    async logs(
      caller: Caller,
      orgId: string,
      page: PageQuery,
    ): Promise<{
      items: (Omit<LogEntry, 'at'> & { id: string; at: string })[];
      nextCursor: string | null;
    }> {
      const cursor: CursorSpec = { list: `logs:${orgId}`, id: documentIdSchema, value: 'date' };
      const after = page.cursor ? decodeCursor(page.cursor, cursor) : undefined;
      await teamRead(caller, orgId, 'admin', 'read its audit log');
      const { items, end } = await store.logs(orgId, page.limit, after);
      return {
        items: items.map(({ at, ...entry }) => ({ ...entry, at: iso(at) })),
        nextCursor: nextCursor(end, cursor.list),
      };
    },

    async role(caller: Caller, orgId: string) {
      const access = await teamRead(caller, orgId, 'viewer', 'see roles');
      return {
        organization_id: orgId,
        role: access.role ?? access.rights,
        platform_admin: caller.admin,
      };
    },

    async summary(caller: Caller, orgId: string) {
      const { org } = await teamRead(caller, orgId, 'viewer', 'read its summary');
      const counts = await store.counts(orgId, now());
      const total = Object.values(counts.members).reduce((sum, count) => sum + count, 0);
      return {
        organization_id: orgId,
        members: { ...counts.members, total },
        pending_invitations: counts.invitations,
        data_models: counts.dataModels,
        secrets: counts.secrets,
        created_at: iso(org.created_at),
        updated_at: iso(org.updated_at),
        archived: org.archived,
        archived_at: iso(org.archived_at),
      };
    },
  };
}
