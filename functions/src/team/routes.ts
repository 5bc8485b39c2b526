import { Router } from 'express';
import { requireCaller } from '../auth/guards';
import { handle } from '../http/handler';
import { orgParams } from '../organizations/schemas';
import { teamQuery } from './schemas';
import type { TeamService } from './service';

/** `/organizations/{org_id}/team`. */
export function teamRoutes(service: TeamService): Router {
  const router = Router();
  router.get(
    '/organizations/:org_id/team',
    handle({ params: orgParams, query: teamQuery }, ({ params, query }, req) =>
      service.list(requireCaller(req), params.org_id, query),
    ),
  );
  return router;
}
