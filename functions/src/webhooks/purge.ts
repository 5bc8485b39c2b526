import type { Transaction } from 'firebase-admin/firestore';
import type { DeliveryTarget } from './events';
import { endpointRef, webhookStore, type EndpointRecord } from './store';

/** Whether an endpoint is to hear of its organization's purge. */
export const hearsOfDeletion = (endpoint: EndpointRecord) =>
  endpoint.enabled &&
  (endpoint.events.includes('*') || endpoint.events.includes('organization.deleted'));

/**
 * In the purge's transaction (a read, so before its writes): the endpoints subscribed to
 * `organization.deleted`, as the event keeps them, each given the event's sequence there (the
 * update makes a fan-out of an earlier event that runs meanwhile take the number after it).
 *
 * Why a snapshot: the purge deletes the endpoint documents right after this commit, long before
 * the trigger fans the event out, and delivery needs the URL and the signing secret. The event
 * keeps what delivery needs (no secret value: Secret Manager version names), and the secrets of
 * these endpoints are not destroyed by the purge but by their delivery task once it settles
 * (delivered, 410, refused URL or last attempt: webhooks/delivery.ts). The simplest order that is
 * correct: a secret lives exactly until the one delivery that needs it is over.
 */
export async function deletionTargets(
  transaction: Transaction,
  orgId: string,
): Promise<DeliveryTarget[]> {
  const endpoints = (await webhookStore.endpoints(orgId, transaction)).filter(hearsOfDeletion);
  return endpoints.map((endpoint) => {
    const sequence = endpoint.sequence + 1;
    transaction.update(endpointRef(orgId, endpoint.id), { sequence });
    return {
      id: endpoint.id,
      url: endpoint.url,
      sequence,
      secret_version: endpoint.secret_version,
      previous_secret_version: endpoint.previous_secret_version,
      previous_secret_until: endpoint.previous_secret_until,
    };
  });
}
