import type { Route } from './http/route';
import { systemRoutes } from './system/routes';
import { teamRoutes } from './team/routes';
import type { TeamService } from './team/service';
import { userRoutes } from './users/routes';
import type { UserService } from './users/service';

/** What the routes call. */
export interface Services {
  users: UserService;
  team: TeamService;
}

/** Every operation of the API, in the order the router tries them and the document lists them. */
export function apiRoutes(services: Services, version: string): Route[] {
  const routes: Route[] = [
    ...systemRoutes(version, () => routes),
    ...userRoutes(services.users),
    ...teamRoutes(services.team),
  ];
  return routes;
}
