import { Router } from 'express';
import { requireCaller } from '../auth/guards';
import { handle } from '../http/handler';
import { orgParams } from '../organizations/schemas';
import {
  addMembersBody,
  invitationBody,
  invitationParams,
  memberParams,
  myInvitationParams,
  pageQuery,
  roleBody,
  teamQuery,
  transferBody,
} from './schemas';
import type { TeamService } from './service';

/** `/organizations/{org_id}/team`, ownership, invitations, and the invitee's `/invitations`. */
export function teamRoutes(service: TeamService): Router {
  const router = Router();
  const team = '/organizations/:org_id/team';
  router.get(
    team,
    handle({ params: orgParams, query: teamQuery }, ({ params, query }, req) =>
      service.list(requireCaller(req), params.org_id, query),
    ),
  );
  router.post(
    team,
    handle({ params: orgParams, body: addMembersBody }, ({ params, body }, req) =>
      service.add(requireCaller(req), params.org_id, body),
    ),
  );
  router.patch(
    `${team}/:uid`,
    handle({ params: memberParams, body: roleBody }, ({ params, body }, req) =>
      service.setRole(requireCaller(req), params.org_id, params.uid, body.role),
    ),
  );
  router.delete(
    `${team}/:uid`,
    handle({ params: memberParams }, ({ params }, req) =>
      service.remove(requireCaller(req), params.org_id, params.uid),
    ),
  );
  router.post(
    '/organizations/:org_id/leave',
    handle({ params: orgParams }, ({ params }, req) =>
      service.leave(requireCaller(req), params.org_id),
    ),
  );
  router.post(
    '/organizations/:org_id/transfer',
    handle({ params: orgParams, body: transferBody }, ({ params, body }, req) =>
      service.transfer(requireCaller(req), params.org_id, body.uid),
    ),
  );

  const invitations = '/organizations/:org_id/invitations';
  router.get(
    invitations,
    handle({ params: orgParams, query: pageQuery }, ({ params, query }, req) =>
      service.listInvitations(requireCaller(req), params.org_id, query),
    ),
  );
  router.post(
    invitations,
    handle({ params: orgParams, body: invitationBody }, ({ params, body }, req) =>
      service.createInvitation(requireCaller(req), params.org_id, body),
    ),
  );
  router.delete(
    `${invitations}/:invitation_id`,
    handle({ params: invitationParams }, ({ params }, req) =>
      service.revokeInvitation(requireCaller(req), params.org_id, params.invitation_id),
    ),
  );
  router.post(
    `${invitations}/:invitation_id/resend`,
    handle({ params: invitationParams }, ({ params }, req) =>
      service.resendInvitation(requireCaller(req), params.org_id, params.invitation_id),
    ),
  );

  router.get(
    '/invitations',
    handle({}, (_input, req) => service.mine(requireCaller(req))),
  );
  router.post(
    '/invitations/:invitation_id/accept',
    handle({ params: myInvitationParams }, ({ params }, req) =>
      service.accept(requireCaller(req), params.invitation_id),
    ),
  );
  router.post(
    '/invitations/:invitation_id/decline',
    handle({ params: myInvitationParams }, ({ params }, req) =>
      service.decline(requireCaller(req), params.invitation_id),
    ),
  );
  return router;
}
