import type { Route } from './http/route';
import { systemRoutes } from './system/routes';
import { userRoutes } from './users/routes';
import type { UserService } from './users/service';

/** What the routes call. */
export interface Services {
  users: UserService;
}

/** Every operation of the API, in the order the router tries them and the document lists them. */
export function apiRoutes(services: Services, version: string): Route[] {
  const routes: Route[] = [...systemRoutes(version, () => routes), ...userRoutes(services.users)];
  return routes;
}
