import { authRoutes, type SessionCookie } from './auth/routes';
import type { AuthService } from './auth/service';
import type { Route } from './http/route';
import { limitRoutes } from './limits/routes';
import type { LimitsService } from './limits/service';
import { organizationRoutes } from './organizations/routes';
import type { OrganizationService } from './organizations/service';
import { secretRoutes } from './secrets/routes';
import type { SecretService } from './secrets/service';
import { systemRoutes } from './system/routes';
import { teamRoutes } from './team/routes';
import type { TeamService } from './team/service';
import { userRoutes } from './users/routes';
import { webhookRoutes } from './webhooks/routes';
import { defaultWebhookService, type WebhookService } from './webhooks/service';
import type { UserService } from './users/service';

/** What the routes call. */
export interface Services {
  users: UserService;
  organizations: OrganizationService;
  auth: AuthService;
  /** How `POST /auth/login` sends the session cookie (from the configuration, in app.ts). */
  sessionCookie: SessionCookie;
  secrets: SecretService;
  team: TeamService;
  /** `GET /limits` (limits/): the caller's rate limits and quotas. */
  limits?: LimitsService;
  /** Events and webhook endpoints (defaults to the one on the app's stores). */
  webhooks?: WebhookService;
}

/** Every operation of the API, in the order the router tries them and the document lists them. */
export function apiRoutes(services: Services, version: string): Route[] {
  const routes: Route[] = [
    ...systemRoutes(version, () => routes),
    ...userRoutes(services.users),
    ...organizationRoutes(services.organizations),
    ...authRoutes(services.auth, services.sessionCookie),
    ...secretRoutes(services.secrets),
    ...teamRoutes(services.team),
    ...limitRoutes(services.limits),
    ...webhookRoutes(() => services.webhooks ?? defaultWebhookService()),
  ];
  return routes;
}
