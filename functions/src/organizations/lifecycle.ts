import * as logger from 'firebase-functions/logger';
import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import { DAY_MS } from '../time';
import { deletionTargets, hearsOfDeletion } from '../webhooks/purge';
import { webhookStore } from '../webhooks/store';
import { requireRights, requireVersion, requireWritable, resolveAccess, roleOf } from './access';
import { logEntry } from './log';
import { commitChange, type OrganizationServiceDeps, type Standing } from './writes';

/** How long a purged organization's id stays taken (its tombstone's TTL). */
export const TOMBSTONE_MS = 30 * DAY_MS;

/** The lifecycle use cases: archive, restore, purge; the owner's, each checking `If-Match`. */
export function lifecycle({
  store,
  claims,
  secrets,
  now = () => new Date(),
}: OrganizationServiceDeps) {
  async function setArchived(
    caller: Caller,
    orgId: string,
    archived: boolean,
    ifMatch: string[] | undefined,
  ): Promise<Standing> {
    const org = await store.transact(async (transaction) => {
      const { org, member } = await transaction.read(orgId, caller.uid);
      const access = resolveAccess(orgId, org, member, caller);
      requireRights(access, 'owner', archived ? 'archive it' : 'restore it');
      requireWritable(access.org, { archived: 'allowed' });
      requireVersion(access.org, ifMatch);
      if (access.org.archived === archived) {
        throw new ApiError(
          'failed-precondition',
          `${orgId} is ${archived ? 'already archived' : 'not archived'}.`,
        );
      }
      const at = now();
      const action = archived ? 'organization.archived' : 'organization.restored';
      return commitChange(transaction, access.org, {
        patch: { archived, archived_at: archived ? at : null },
        entry: logEntry(caller, action, ['archived'], at),
        at,
      });
    });
    return { org, role: roleOf(org, caller.uid) ?? null };
  }

  return {
    archive: (caller: Caller, orgId: string, ifMatch: string[] | undefined) =>
      setArchived(caller, orgId, true, ifMatch),
    restore: (caller: Caller, orgId: string, ifMatch: string[] | undefined) =>
      setArchived(caller, orgId, false, ifMatch),

    /**
     * Deletes an archived organization for good: documents, subcollections, secrets, members'
     * claims. First, in one transaction, the organization is marked `purging` (every write path
     * refuses it from then on) and its id gets a tombstone without an expiry; only then is
     * everything deleted, and the tombstone given its expiry last: a purge that stopped half-way
     * keeps the id taken until it is sent again and finishes.
     */
    async purge(caller: Caller, orgId: string, ifMatch: string[] | undefined): Promise<void> {
      const { org, delivering } = await store.transact(async (transaction) => {
        const { org, member } = await transaction.read(orgId, caller.uid);
        const access = resolveAccess(orgId, org, member, caller);
        requireRights(access, 'owner', 'purge it');
        requireVersion(access.org, ifMatch);
        if (!access.org.archived) {
          throw new ApiError('failed-precondition', `Archive ${orgId} before purging it.`);
        }
        // Sent again after a purge stopped half-way: the endpoints that hear of it are those still
        // subscribed (their `organization.deleted` went out with the first attempt).
        if (access.org.purging) return { org: access.org, delivering: null };
        const at = now();
        const targets = await deletionTargets(transaction.raw, orgId);
        transaction.markPurging(
          access.org,
          logEntry(caller, 'organization.purged', ['purging'], at),
          {
            organization_id: orgId,
            purged_at: at,
            purged_by: caller.uid,
            expires_at: null,
          },
          targets,
        );
        return { org: access.org, delivering: new Set(targets.map((target) => target.id)) };
      });
      await secrets.purge(orgId);
      // The webhook endpoints' signing secrets (`org_{id}_{endpoint id}`), which no reference lists,
      // but those that sign the `organization.deleted` event: its delivery destroys them once it
      // settles (webhooks/purge.ts).
      const endpoints = await webhookStore.endpoints(orgId);
      await secrets.destroy(
        orgId,
        endpoints
          .filter((endpoint) =>
            delivering ? !delivering.has(endpoint.id) : !hearsOfDeletion(endpoint),
          )
          .map((endpoint) => endpoint.id),
      );
      await store.purge(orgId, new Date(now().getTime() + TOMBSTONE_MS));
      await claims.sync(org.team);
      logger.info('Organization purged', { organization_id: orgId, actor_uid: caller.uid });
    },
  };
}
