import { Router } from 'express';
import { requireCaller } from '../auth/guards';
import { handle } from '../http/handler';
import { createBody, deleteQuery, listQuery, orgParams, pageQuery, updateBody } from './schemas';
import type { OrganizationService } from './service';

/** `/organizations` and its sub-resources. */
export function organizationRoutes(service: OrganizationService): Router {
  const router = Router();

  router.get(
    '/organizations',
    handle({ query: listQuery }, ({ query }, req) => service.list(req.caller ?? null, query)),
  );
  router.post(
    '/organizations',
    handle({ body: createBody }, ({ body }, req) =>
      service.createOrUpdate(requireCaller(req), body),
    ),
  );

  router.get(
    '/organizations/:org_id',
    handle({ params: orgParams }, ({ params }, req) =>
      service.get(req.caller ?? null, params.org_id),
    ),
  );
  const update = handle({ params: orgParams, body: updateBody }, ({ params, body }, req) =>
    service.update(requireCaller(req), params.org_id, body, req.get('If-Match')),
  );
  router.post('/organizations/:org_id', update);
  router.patch('/organizations/:org_id', update);
  router.delete(
    '/organizations/:org_id',
    handle({ params: orgParams, query: deleteQuery }, async ({ params, query }, req) => {
      const caller = requireCaller(req);
      if (!query.purge) return service.archive(caller, params.org_id, req.get('If-Match'));
      await service.purge(caller, params.org_id);
      return { status: 204 };
    }),
  );
  router.post(
    '/organizations/:org_id/restore',
    handle({ params: orgParams }, ({ params }, req) =>
      service.restore(requireCaller(req), params.org_id),
    ),
  );

  router.get(
    '/organizations/:org_id/data_models',
    handle({ params: orgParams }, ({ params }, req) =>
      service.dataModels(requireCaller(req), params.org_id),
    ),
  );
  router.get(
    '/organizations/:org_id/logs',
    handle({ params: orgParams, query: pageQuery }, ({ params, query }, req) =>
      service.logs(requireCaller(req), params.org_id, query),
    ),
  );
  router.get(
    '/organizations/:org_id/role',
    handle({ params: orgParams }, ({ params }, req) =>
      service.role(requireCaller(req), params.org_id),
    ),
  );
  router.get(
    '/organizations/:org_id/summary',
    handle({ params: orgParams }, ({ params }, req) =>
      service.summary(requireCaller(req), params.org_id),
    ),
  );
  return router;
}
