import { creates } from './create';
import { lifecycle } from './lifecycle';
import { queries } from './queries';
import { updates } from './update';
import type { OrganizationServiceDeps } from './writes';

export type { OrganizationServiceDeps } from './writes';

/**
 * The organizations resource, composed of its use cases: rights from Firestore membership, every
 * change versioned and logged with it. Plain results; the routes make them HTTP answers.
 */
export function createOrganizationService(deps: OrganizationServiceDeps) {
  return { ...queries(deps), ...creates(deps), ...updates(deps), ...lifecycle(deps) };
}

export type OrganizationService = ReturnType<typeof createOrganizationService>;
