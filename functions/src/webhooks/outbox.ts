import type { NewOrganization } from '../organizations/store';
import {
  actorOf,
  eventsEnabled,
  invitationData,
  newEvent,
  organizationData,
  type EventRecord,
} from './events';

/**
 * The events of a new organization, written in its creation batch: `organization.created`, then
 * one `invitation.created` per invitation the creation sent.
 */
export function creationEvents(created: NewOrganization): EventRecord[] {
  if (!eventsEnabled()) return [];
  const { org, log, invitations } = created;
  const actor = actorOf(log);
  return [
    newEvent(
      'organization.created',
      org.organization_id,
      actor,
      { ...organizationData(org), changed_fields: log.changed_fields },
      log.at,
    ),
    ...invitations.map(({ invitation }) =>
      newEvent(
        'invitation.created',
        org.organization_id,
        actor,
        invitationData(invitation),
        log.at,
      ),
    ),
  ];
}
