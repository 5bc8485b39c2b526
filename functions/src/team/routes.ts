import * as z from 'zod';
import { route, type Route } from '../http/route';
import { orgParams } from '../organizations/schemas';
import { pageQuery } from '../paging';
import {
  addMembersBody,
  invitationAcceptedSchema,
  invitationBody,
  invitationDeclinedSchema,
  invitationParams,
  invitationRevokedSchema,
  invitationSchema,
  memberParams,
  memberRemovedSchema,
  memberSchema,
  myInvitationParams,
  roleBody,
  teamAdditionsSchema,
  teamLeftSchema,
  teamQuery,
  transferBody,
  transferSchema,
} from './schemas';
import type { TeamService } from './service';
import type { Written } from './writes';

/** A team write's answer: its result, and the organization's version after it as the ETag. */
const written = <R>({ result, version }: Written<R>) => ({ data: result, version });

/** A page of a list: its items, and the cursor of the next page. */
const page = <T>({ items, nextCursor }: { items: T[]; nextCursor: string | null }) => ({
  data: items,
  nextCursor,
});

const VERSIONED =
  "The organization's ETag comes back with the answer; send it as `If-Match` to write only if nobody changed the organization since (else 412).";

/** `/organizations/{org_id}/team`, ownership, invitations, and the invitee's `/invitations`. */
export function teamRoutes(service: TeamService): Route[] {
  return [
    route({
      operationId: 'listTeam',
      method: 'get',
      path: '/organizations/{org_id}/team',
      tag: 'Team',
      summary: 'The team',
      description: 'Members with their profiles and roles; the whole team sees it.',
      auth: 'required',
      params: orgParams,
      query: teamQuery,
      data: z.array(memberSchema),
      list: true,
      errors: ['not-found', 'permission-denied'],
      handler: async ({ caller, params, query }) =>
        page(await service.members.list(caller, params.org_id, query)),
    }),
    route({
      operationId: 'addTeamMembers',
      method: 'post',
      path: '/organizations/{org_id}/team',
      tag: 'Team',
      summary: 'Add members (by invitation)',
      description: `One member (\`{uid|email, role?}\`) or up to 100 (\`{members: [...]}\`). Everyone not on the team yet is invited and joins by accepting; platform admins add accounts by uid directly. 201 when anyone was invited or added, 200 when all were on the team already. Only the owner grants admin. ${VERSIONED}`,
      auth: 'required',
      params: orgParams,
      body: addMembersBody,
      data: teamAdditionsSchema,
      statuses: [200, 201],
      versioned: true,
      idempotent: true,
      errors: ['not-found', 'permission-denied', 'failed-precondition', 'resource-exhausted'],
      handler: async ({ caller, params, body, ifMatch }) => {
        const { result, version } = await service.members.add(caller, params.org_id, body, ifMatch);
        return { data: result.additions, created: result.created, version };
      },
    }),
    route({
      operationId: 'setMemberRole',
      method: 'patch',
      path: '/organizations/{org_id}/team/{uid}',
      tag: 'Team',
      summary: "Change a member's role",
      description: `Admins change roles; only the owner grants or revokes admin; the owner's role changes by transfer only. ${VERSIONED}`,
      auth: 'required',
      params: memberParams,
      body: roleBody,
      data: memberSchema,
      versioned: true,
      errors: ['not-found', 'permission-denied', 'failed-precondition'],
      handler: async ({ caller, params, body, ifMatch }) =>
        written(
          await service.members.setRole(caller, params.org_id, params.uid, body.role, ifMatch),
        ),
    }),
    route({
      operationId: 'removeMember',
      method: 'delete',
      path: '/organizations/{org_id}/team/{uid}',
      tag: 'Team',
      summary: 'Remove a member',
      description: `Admins remove others (only the owner removes an admin); anyone removes themself, also from an archived organization. The owner cannot be removed. ${VERSIONED}`,
      auth: 'required',
      params: memberParams,
      data: memberRemovedSchema,
      versioned: true,
      errors: ['not-found', 'permission-denied', 'failed-precondition'],
      handler: async ({ caller, params, ifMatch }) =>
        written(await service.members.remove(caller, params.org_id, params.uid, ifMatch)),
    }),
    route({
      operationId: 'leaveOrganization',
      method: 'post',
      path: '/organizations/{org_id}/leave',
      tag: 'Team',
      summary: 'Leave the team',
      description: `Also of an archived organization; the owner transfers ownership first. ${VERSIONED}`,
      auth: 'required',
      params: orgParams,
      data: teamLeftSchema,
      versioned: true,
      idempotent: true,
      errors: ['not-found', 'failed-precondition'],
      handler: async ({ caller, params, ifMatch }) =>
        written(await service.members.leave(caller, params.org_id, ifMatch)),
    }),
    route({
      operationId: 'transferOwnership',
      method: 'post',
      path: '/organizations/{org_id}/transfer',
      tag: 'Team',
      summary: 'Transfer ownership',
      description: `The owner hands the organization to a member; the previous owner stays on as admin. ${VERSIONED}`,
      auth: 'required',
      params: orgParams,
      body: transferBody,
      data: transferSchema,
      versioned: true,
      idempotent: true,
      errors: ['not-found', 'permission-denied', 'failed-precondition'],
      handler: async ({ caller, params, body, ifMatch }) =>
        written(await service.members.transfer(caller, params.org_id, body.uid, ifMatch)),
    }),

    route({
      operationId: 'listInvitations',
      method: 'get',
      path: '/organizations/{org_id}/invitations',
      tag: 'Invitations',
      summary: "The organization's invitations",
      description:
        'Newest first, for the owner and admins; a pending one past its expiry shows as `expired`.',
      auth: 'required',
      params: orgParams,
      query: pageQuery,
      data: z.array(invitationSchema),
      list: true,
      errors: ['not-found', 'permission-denied'],
      handler: async ({ caller, params, query }) =>
        page(await service.invitations.list(caller, params.org_id, query)),
    }),
    route({
      operationId: 'createInvitation',
      method: 'post',
      path: '/organizations/{org_id}/invitations',
      tag: 'Invitations',
      summary: 'Invite someone by email',
      description: `Mails the invitation; the invitee accepts it once signed in with that address, verified. Only the owner invites admins. ${VERSIONED}`,
      auth: 'required',
      params: orgParams,
      body: invitationBody,
      data: invitationSchema,
      statuses: [201],
      versioned: true,
      location: true,
      idempotent: true,
      errors: ['not-found', 'permission-denied', 'already-exists', 'failed-precondition'],
      handler: async ({ caller, params, body, ifMatch }) => {
        const { result, version } = await service.invitations.create(
          caller,
          params.org_id,
          body,
          ifMatch,
        );
        return {
          data: result,
          created: true,
          version,
          location: `/api/organizations/${params.org_id}/invitations/${result.id}`,
        };
      },
    }),
    route({
      operationId: 'getInvitation',
      method: 'get',
      path: '/organizations/{org_id}/invitations/{invitation_id}',
      tag: 'Invitations',
      summary: 'One invitation',
      description: 'For the owner and admins, as in the list.',
      auth: 'required',
      params: invitationParams,
      data: invitationSchema,
      errors: ['not-found', 'permission-denied'],
      handler: async ({ caller, params }) => ({
        data: await service.invitations.get(caller, params.org_id, params.invitation_id),
      }),
    }),
    route({
      operationId: 'revokeInvitation',
      method: 'delete',
      path: '/organizations/{org_id}/invitations/{invitation_id}',
      tag: 'Invitations',
      summary: 'Revoke an invitation',
      description: `A pending invitation (expired or not) can no longer be accepted. ${VERSIONED}`,
      auth: 'required',
      params: invitationParams,
      data: invitationRevokedSchema,
      versioned: true,
      errors: ['not-found', 'permission-denied', 'failed-precondition'],
      handler: async ({ caller, params, ifMatch }) =>
        written(
          await service.invitations.revoke(caller, params.org_id, params.invitation_id, ifMatch),
        ),
    }),
    route({
      operationId: 'resendInvitation',
      method: 'post',
      path: '/organizations/{org_id}/invitations/{invitation_id}/resend',
      tag: 'Invitations',
      summary: 'Resend an invitation',
      description: `A new expiry and a new email, at most once per invitation every ten minutes (429 with Retry-After). A retry with the same Idempotency-Key sends no second email. ${VERSIONED}`,
      auth: 'required',
      params: invitationParams,
      data: invitationSchema,
      versioned: true,
      idempotent: true,
      errors: ['not-found', 'permission-denied', 'failed-precondition', 'resource-exhausted'],
      handler: async ({ caller, params, ifMatch }) =>
        written(
          await service.invitations.resend(caller, params.org_id, params.invitation_id, ifMatch),
        ),
    }),

    route({
      operationId: 'listMyInvitations',
      method: 'get',
      path: '/invitations',
      tag: 'Invitations',
      summary: 'Your pending invitations',
      description:
        'To your account, and to your email address once verified; newest first, unexpired.',
      auth: 'required',
      query: pageQuery,
      data: z.array(invitationSchema),
      list: true,
      errors: [],
      handler: async ({ caller, query }) => page(await service.invitations.mine(caller, query)),
    }),
    route({
      operationId: 'acceptInvitation',
      method: 'post',
      path: '/invitations/{invitation_id}/accept',
      tag: 'Invitations',
      summary: 'Accept an invitation',
      description: 'You join the team with the invited role.',
      auth: 'required',
      params: myInvitationParams,
      data: invitationAcceptedSchema,
      idempotent: true,
      errors: ['not-found', 'permission-denied', 'failed-precondition', 'resource-exhausted'],
      handler: async ({ caller, params }) => ({
        data: await service.invitations.accept(caller, params.invitation_id),
      }),
    }),
    route({
      operationId: 'declineInvitation',
      method: 'post',
      path: '/invitations/{invitation_id}/decline',
      tag: 'Invitations',
      summary: 'Decline an invitation',
      description: 'Also one from an archived organization.',
      auth: 'required',
      params: myInvitationParams,
      data: invitationDeclinedSchema,
      idempotent: true,
      errors: ['not-found', 'permission-denied', 'failed-precondition'],
      handler: async ({ caller, params }) => ({
        data: await service.invitations.decline(caller, params.invitation_id),
      }),
    }),
  ];
}
