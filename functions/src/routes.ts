import type { Route } from './http/route';
import { organizationRoutes } from './organizations/routes';
import type { OrganizationService } from './organizations/service';
import { systemRoutes } from './system/routes';
import { teamRoutes } from './team/routes';
import type { TeamService } from './team/service';
import { userRoutes } from './users/routes';
import type { UserService } from './users/service';

/** What the routes call. */
export interface Services {
  users: UserService;
  organizations: OrganizationService;
  team: TeamService;
}

/** Every operation of the API, in the order the router tries them and the document lists them. */
export function apiRoutes(services: Services, version: string): Route[] {
  const routes: Route[] = [
    ...systemRoutes(version, () => routes),
    ...userRoutes(services.users),
    ...organizationRoutes(services.organizations),
    ...teamRoutes(services.team),
  ];
  return routes;
}
