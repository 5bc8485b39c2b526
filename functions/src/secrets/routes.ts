import { Router } from 'express';
import { requireCaller } from '../auth/guards';
import { handle } from '../http/handler';
import { orgParams } from '../organizations/schemas';
import { putSecretBody, secretParams } from './schemas';
import type { SecretService } from './service';

/** `/organizations/{org_id}/secrets`: metadata out, values in, never a value out. */
export function secretRoutes(service: SecretService): Router {
  const router = Router();
  router.get(
    '/organizations/:org_id/secrets',
    handle({ params: orgParams }, ({ params }, req) =>
      service.list(requireCaller(req), params.org_id),
    ),
  );
  router.put(
    '/organizations/:org_id/secrets/:name',
    handle({ params: secretParams, body: putSecretBody }, ({ params, body }, req) =>
      service.put(requireCaller(req), params.org_id, params.name, body.value),
    ),
  );
  router.delete(
    '/organizations/:org_id/secrets/:name',
    handle({ params: secretParams }, ({ params }, req) =>
      service.remove(requireCaller(req), params.org_id, params.name),
    ),
  );
  return router;
}
