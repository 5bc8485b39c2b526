import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { Router } from 'express';
import helmet from 'helmet';
import { authenticate, loginOrigin, logoutOrigin } from './auth/guards';
import { identity } from './auth/identity';
import { createAuthService } from './auth/service';
import { apiKeyStore } from './auth/store';
import { createClaimsService } from './claims/service';
import { claimsStore } from './claims/store';
import { config, pepper, previousPepper } from './config';
import { idempotencyGuard } from './http/idempotency';
import { routerOf } from './http/router';
import { idempotencyStore } from './idempotency/store';
import { deadline, requestDeadlineMs } from './http/deadline';
import { errorHandler, guardBody, notFound } from './http/middleware';
import { wellFormedBody } from './http/well-formed';
import { requestLog } from './http/request-log';
import { createOrganizationService } from './organizations/service';
import { organizationStore } from './organizations/store';
import { secretStore } from './secrets/client';
import { createSecretService } from './secrets/service';
import { createTeamService } from './team/service';
import { teamStore } from './team/store';
import { apiRoutes } from './routes';
import { bruteForceGuard } from './limits/brute-force';
import { limitsWith, trustProxyHops, type LimitOverrides } from './limits/config';
import { anonymousLimit, callerLimits, signInLimit } from './limits/rate';
import { createLimitsService } from './limits/service';
import { createUserService } from './users/service';
import { userStore } from './users/store';

export interface AppOptions {
  /** Extra routes mounted with the API's own (tests use it to reach the error middleware). */
  extraRoutes?: (router: Router) => void;
  /** Limits other than the environment's (tests: short windows, small quotas). */
  limits?: LimitOverrides;
  /** How long a request may take before it is a 503 (default: `REQUEST_DEADLINE_MS`, 50 s). */
  deadlineMs?: number;
}

// The console's origins: the only ones CORS answers and the only ones that writes signed by the
// session cookie may come from (auth/guards.ts).
const allowedOrigins: ReadonlySet<string> = new Set(config.allowedOrigins);

/** CORS for the allow-listed origins only: any other origin gets no CORS header at all. */
const corsOptions: cors.CorsOptionsDelegate<express.Request> = (req, callback) => {
  const origin = req.headers.origin;
  if (!origin || !allowedOrigins.has(origin)) {
    callback(null, { origin: false });
    return;
  }
  callback(null, {
    origin,
    credentials: true,
    maxAge: 600,
    exposedHeaders: [
      'ETag',
      'Location',
      'Link',
      'Retry-After',
      'Idempotent-Replayed',
      'RateLimit',
      'RateLimit-Policy',
    ],
  });
};

function apiRouter(options: AppOptions): Router {
  const limits = limitsWith(options.limits);
  const authService = createAuthService({
    keys: apiKeyStore,
    identity,
    memberships: (uid) => claimsStore.membershipsOf(uid),
    pepper,
    previousPepper,
    quotas: limits.quotas,
    // A sign-in learns the user's fresh Auth profile: their team entries get it too.
    onSignIn: (uid) => userStore.refreshEntries(uid),
  });
  const claims = createClaimsService(claimsStore);
  const secrets = createSecretService({ organizations: organizationStore, vault: secretStore });
  const organizations = createOrganizationService({
    store: organizationStore,
    users: userStore,
    claims,
    secrets,
    quotas: limits.quotas,
  });
  const router = Router();
  // Before anything reads credentials: an address that failed authentication too often with a
  // kind of credential, requests without credentials, and sign-ins and sign-outs, per address
  // (limits/).
  router.use(
    bruteForceGuard(limits.rates, { knownKey: (key) => authService.knowsKey(key) }),
    anonymousLimit(limits.rates),
  );
  router.post(['/auth/login', '/auth/logout'], signInLimit(limits.rates));
  // Login and logout read their credentials themselves, so their origin checks run before them.
  router.post('/auth/login', loginOrigin(allowedOrigins));
  router.post('/auth/logout', logoutOrigin(allowedOrigins));
  const team = createTeamService({
    organizations: organizationStore,
    team: teamStore,
    users: userStore,
    claims,
    quotas: limits.quotas,
  });
  const routes = apiRoutes(
    {
      users: createUserService(userStore),
      organizations,
      team,
      auth: authService,
      sessionCookie: { secure: config.secureCookies },
      secrets,
      limits: createLimitsService(limits),
    },
    config.version,
  );
  router.use(
    routerOf(routes, {
      authenticate: authenticate(authService, allowedOrigins),
      idempotency: idempotencyGuard(idempotencyStore, pepper),
      limits: callerLimits(limits.rates),
    }),
  );
  options.extraRoutes?.(router);
  return router;
}

/**
 * Builds the Express app. The routes answer under `/api/...` (the Hosting rewrite keeps the
 * prefix) and at the root (the function's own URL strips its name).
 */
export function createApp(options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Exactly the proxies that exist append to X-Forwarded-For: the client cannot choose req.ip.
  app.set('trust proxy', trustProxyHops);
  // First: one structured log line per request, whatever answers it (http/request-log.ts).
  app.use(requestLog);
  // A dependency that hangs is a 503 to retry, never a request the platform cuts (http/deadline.ts).
  app.use(deadline(options.deadlineMs ?? requestDeadlineMs()));
  app.use(helmet());
  app.use(cors(corsOptions));
  app.use(guardBody(config.bodyLimitBytes));
  app.use(express.json({ limit: config.bodyLimitBytes }));
  app.use(wellFormedBody);
  app.use(cookieParser());

  // `/api/...` (the Hosting rewrite keeps the prefix) or the root (the function's own URL), in
  // one mount: a request that matches no route is authenticated once, not once per prefix.
  app.use(/^(?:\/api)?(?=\/|$)/, apiRouter(options));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

export const app = createApp();
