import { createInvitationService } from './invitations-service';
import { createMemberService } from './members';
import type { TeamDeps } from './writes';

export type { TeamDeps } from './writes';

/** The team of an organization: its members and ownership, and its invitations. */
export function createTeamService(deps: TeamDeps) {
  return {
    members: createMemberService(deps),
    invitations: createInvitationService(deps),
  };
}

export type TeamService = ReturnType<typeof createTeamService>;
