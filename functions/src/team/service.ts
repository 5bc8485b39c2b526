import type { Caller } from '../auth/caller';
import { decodeCursor, encodeCursor } from '../firestore';
import type { Reply } from '../http/handler';
import { requireRights, resolveAccess } from '../organizations/access';
import type { OrganizationStore } from '../organizations/store';
import type { MemberRecord } from '../organizations/types';
import { iso } from '../time';
import type { TeamQuery } from './schemas';
import type { TeamStore } from './store';

/** A team entry: the Cannlytics team fields plus role and joined_at. */
function memberView(member: MemberRecord) {
  return {
    name: member.name,
    uid: member.uid,
    photo_url: member.photo_url,
    position: member.position,
    email: member.email,
    type: member.type,
    phone_number: member.phone_number,
    signed_in: member.signed_in,
    license: member.license,
    role: member.role,
    joined_at: iso(member.joined_at),
  };
}

export interface TeamServiceDeps {
  organizations: OrganizationStore;
  team: TeamStore;
}

/** The team of an organization. */
export function createTeamService({ organizations, team }: TeamServiceDeps) {
  return {
    async list(caller: Caller, orgId: string, query: TeamQuery): Promise<Reply> {
      const { org, member } = await organizations.read(orgId, caller.uid);
      requireRights(resolveAccess(orgId, org, member, caller), 'viewer', 'see its team');
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const { items, more } = await team.page(
        orgId,
        query.order_by,
        query.order,
        query.limit,
        after,
      );
      const last = items.at(-1);
      return {
        data: items.map(memberView),
        nextCursor:
          more && last ? encodeCursor({ value: last[query.order_by], id: last.uid }) : null,
      };
    },
  };
}

export type TeamService = ReturnType<typeof createTeamService>;
