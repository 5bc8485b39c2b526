import type { NewOrganization } from '../organizations/store';
import {
  actorOf,
  invitationData,
  membershipData,
  newEvent,
  organizationData,
  type EventRecord,
} from './events';

/**
 * The events of a new organization, written in its creation batch: `organization.created`, one
 * `organization_membership.created` per member it starts with (its creator, the owner: as Clerk
 * reports the creator's membership), then one `invitation.created` per invitation it sent.
 */
export function creationEvents(created: NewOrganization): EventRecord[] {
  const { org, log, members, invitations } = created;
  const actor = actorOf(log);
  const event = (type: EventRecord['type'], data: Record<string, unknown>) =>
    newEvent(type, org.organization_id, actor, data, log.at);
  return [
    event('organization.created', { ...organizationData(org), changed_fields: log.changed_fields }),
    ...members.map((member) => event('organization_membership.created', membershipData(member))),
    ...invitations.map(({ invitation }) => event('invitation.created', invitationData(invitation))),
  ];
}
