import type { InvitationRecord, MemberRecord } from '../organizations/types';
import { iso } from '../time';
import type { invitationSchema, memberSchema } from './schemas';
import type * as z from 'zod';

/** A team entry: the Cannlytics team fields plus role and joined_at. */
export function memberView(member: MemberRecord): z.input<typeof memberSchema> {
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

/** An invitation as the API shows it: a pending one past its expiry shows as `expired`. */
export function invitationView(
  invitation: InvitationRecord,
  at: Date,
): z.input<typeof invitationSchema> {
  const expired = invitation.status === 'pending' && invitation.expires_at <= at;
  return {
    id: invitation.invitation_id,
    organization_id: invitation.organization_id,
    organization_name: invitation.organization_name,
    email: invitation.email,
    uid: invitation.uid,
    role: invitation.role,
    status: expired ? 'expired' : invitation.status,
    invited_by: invitation.invited_by,
    created_at: iso(invitation.created_at),
    expires_at: iso(invitation.expires_at),
    responded_at: iso(invitation.responded_at),
  };
}
