// The deploy artifact, tested as Google runs it (tools/artifact.js): what `firebase deploy` uploads
// (functions/ minus firebase.json's `ignore`), with only its production dependencies installed in
// a folder outside the workspace, so that no root node_modules hides a missing dependency. Then
// (a) firebase-tools' own deploy-time discovery lists every function with its options, and (b) the
// Functions Framework (the Cloud Functions 2nd gen runtime) serves `api` against the emulators.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createUser, describeEmulators, sleep, wipe } from '../helpers/emulators';
import { leaks } from '../helpers/log-capture';

// tools/ is plain JavaScript (the bench uses the same module).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const artifact = require('../../tools/artifact.js') as {
  tempDir(): string;
  packArtifact(dir: string): Promise<{ dir: string; files: string[] }>;
  installProduction(dir: string): Promise<number>;
  discover(dir: string, projectId: string): Promise<Build>;
  serve(
    dir: string,
    options: { target?: string; env?: Record<string, string> },
  ): Promise<{ url: string; output(): string; stop(): Promise<void> }>;
};

/** The part of firebase-tools' Build (deploy/functions/build.ts) the test reads. */
interface Build {
  endpoints: Record<string, Endpoint>;
  params: { type: string; name: string }[];
}
interface Endpoint {
  platform: string;
  region: string[];
  entryPoint: string;
  httpsTrigger?: { invoker?: string[] | null };
  eventTrigger?: {
    eventType: string;
    retry: boolean;
    eventFilters?: Record<string, string>;
    eventFilterPathPatterns?: Record<string, string>;
  };
  taskQueueTrigger?: object;
  availableMemoryMb: number | null;
  concurrency?: number | null;
  cpu?: number | 'gcf_gen1' | null;
  timeoutSeconds: number | null;
  maxInstances: number | null;
  minInstances: number | null;
  secretEnvironmentVariables?: { key: string; secret: string }[];
}

const projectId = process.env.GCLOUD_PROJECT ?? 'demo-organizations';

/**
 * Every function the artifact must declare, with the options a deploy gives it. A function added
 * to functions/src/index.ts fails this test until it has a row here. `null` is the platform's
 * default (the option is not set).
 */
const EXPECTED: Record<string, object> = {
  api: {
    platform: 'gcfv2',
    region: ['us-central1'],
    entryPoint: 'api',
    trigger: { https: { invoker: ['public'] } },
    // Sized in functions/src/index.ts from BENCHMARKS.md section 6.
    availableMemoryMb: 512,
    concurrency: 80,
    cpu: 1,
    timeoutSeconds: 60,
    maxInstances: 10,
    minInstances: 0,
    secrets: ['API_KEY_PEPPER', 'API_KEY_PEPPER_PREVIOUS'],
  },
  createProfile: {
    platform: 'gcfv1',
    region: ['us-central1'],
    entryPoint: 'createProfile',
    trigger: {
      event: {
        eventType: 'providers/firebase.auth/eventTypes/user.create',
        retry: false,
        eventFilters: { resource: `projects/${projectId}` },
      },
    },
    availableMemoryMb: null,
    concurrency: null,
    cpu: null,
    timeoutSeconds: null,
    maxInstances: null,
    minInstances: null,
    secrets: [],
  },
  // Issue 15: events and webhooks (functions/src/webhooks/).
  fanOutEvent: {
    platform: 'gcfv2',
    region: ['us-central1'],
    entryPoint: 'fanOutEvent',
    trigger: {
      event: {
        eventType: 'google.cloud.firestore.document.v1.created',
        retry: true,
        eventFilters: { database: '(default)', namespace: '(default)' },
        eventFilterPathPatterns: { document: 'events/{eventId}' },
      },
    },
    availableMemoryMb: null,
    concurrency: null,
    cpu: null,
    timeoutSeconds: null,
    maxInstances: null,
    minInstances: null,
    secrets: [],
  },
  deliverWebhook: {
    platform: 'gcfv2',
    region: ['us-central1'],
    entryPoint: 'deliverWebhook',
    trigger: {
      taskQueue: {
        rateLimits: { maxConcurrentDispatches: 100, maxDispatchesPerSecond: null },
        retryConfig: {
          maxAttempts: 8,
          maxBackoffSeconds: 28800,
          maxDoublings: 5,
          maxRetrySeconds: null,
          minBackoffSeconds: 900,
        },
      },
    },
    availableMemoryMb: null,
    concurrency: null,
    cpu: null,
    timeoutSeconds: null,
    maxInstances: null,
    minInstances: null,
    secrets: [],
  },
};

/** An endpoint as the table above writes it. */
function summary(endpoint: Endpoint) {
  const trigger = endpoint.httpsTrigger
    ? { https: { invoker: endpoint.httpsTrigger.invoker ?? null } }
    : endpoint.eventTrigger
      ? {
          event: {
            eventType: endpoint.eventTrigger.eventType,
            retry: endpoint.eventTrigger.retry,
            ...(endpoint.eventTrigger.eventFilters
              ? { eventFilters: endpoint.eventTrigger.eventFilters }
              : {}),
            ...(endpoint.eventTrigger.eventFilterPathPatterns
              ? { eventFilterPathPatterns: endpoint.eventTrigger.eventFilterPathPatterns }
              : {}),
          },
        }
      : endpoint.taskQueueTrigger
        ? { taskQueue: endpoint.taskQueueTrigger }
        : { other: Object.keys(endpoint).filter((key) => key.endsWith('Trigger')) };
  return {
    platform: endpoint.platform,
    region: endpoint.region,
    entryPoint: endpoint.entryPoint,
    trigger,
    availableMemoryMb: endpoint.availableMemoryMb,
    concurrency: endpoint.concurrency ?? null,
    cpu: endpoint.cpu ?? null,
    timeoutSeconds: endpoint.timeoutSeconds,
    maxInstances: endpoint.maxInstances,
    minInstances: endpoint.minInstances,
    secrets: (endpoint.secretEnvironmentVariables ?? []).map((secret) => secret.secret).sort(),
  };
}

describeEmulators('the deploy artifact on the Functions Framework', () => {
  let temp: string;
  let source: { dir: string; files: string[] };
  let installSeconds: number;

  beforeAll(async () => {
    temp = artifact.tempDir();
    source = await artifact.packArtifact(temp);
    installSeconds = await artifact.installProduction(source.dir);
  }, 180_000);

  afterAll(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('uploads the bundle and package.json only, no sources, secrets or node_modules', () => {
    expect(source.files).toEqual(['dist/index.js', 'dist/index.js.map', 'package.json']);
    // Recorded for the report: the install is the slow part of this suite.
    expect(installSeconds).toBeLessThan(150);
  });

  it('declares every function with its trigger, region, options and secrets (firebase-tools discovery)', async () => {
    const build = await artifact.discover(source.dir, projectId);
    const found = Object.fromEntries(
      Object.entries(build.endpoints).map(([name, endpoint]) => [name, summary(endpoint)]),
    );
    expect(found).toEqual(EXPECTED);
    expect(build.params).toEqual([
      { type: 'secret', name: 'API_KEY_PEPPER' },
      { type: 'secret', name: 'API_KEY_PEPPER_PREVIOUS' },
    ]);
  }, 60_000);

  describe('api served by @google-cloud/functions-framework against the emulators', () => {
    let server: Awaited<ReturnType<typeof artifact.serve>>;
    let idToken: string;

    beforeAll(async () => {
      await wipe();
      idToken = (await createUser({ name: 'Artie Fact' })).idToken;
      server = await artifact.serve(source.dir, {
        target: 'api',
        env: {
          GCLOUD_PROJECT: projectId,
          FIREBASE_CONFIG: JSON.stringify({ projectId }),
          FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST!,
          FIREBASE_AUTH_EMULATOR_HOST: process.env.FIREBASE_AUTH_EMULATOR_HOST!,
          SECRET_MANAGER_EMULATOR_HOST: process.env.SECRET_MANAGER_EMULATOR_HOST!,
          METADATA_SERVER_DETECTION: 'none',
          // Deployed, these come from functions/.env: without them the function refuses to start.
          ALLOWED_ORIGINS: 'https://console.example.com',
          APP_URL: 'https://console.example.com',
          // The secret as Cloud Functions exposes it: an environment variable of the same name.
          API_KEY_PEPPER: secretLocal('API_KEY_PEPPER'),
          // Outside a rotation (docs/OPERATIONS.md).
          API_KEY_PEPPER_PREVIOUS: 'none',
        },
      });
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
    });

    async function call(method: string, path: string, init: RequestInit = {}) {
      const response = await fetch(`${server.url}${path}`, { method, ...init });
      const text = await response.text();
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        text,
        body: response.headers.get('content-type')?.startsWith('application/json')
          ? (JSON.parse(text) as Record<string, unknown>)
          : undefined,
      };
    }

    const json = (credential: string, body?: string | object) => ({
      headers: {
        authorization: `Bearer ${credential}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

    it('answers the health check at the function URL (no prefix) and under /api', async () => {
      for (const path of ['/health', '/api/health']) {
        const response = await call('GET', path);
        expect(response).toEqual({
          status: 200,
          type: 'application/json; charset=utf-8',
          text: expect.any(String),
          body: { success: true, data: { status: 'ok', version: '0.1.0' } },
        });
      }
    });

    it('mints an API key with an ID token, and the key creates and reads an organization', async () => {
      const minted = await call('POST', '/api/auth/keys', json(idToken, { name: 'artifact' }));
      expect(minted.status).toBe(201);
      const key = (minted.body!.data as { key: string }).key;
      expect(key).toMatch(/^orgk_[A-Za-z0-9_-]{43}$/);

      const unknown = await call('GET', '/organizations', json(`orgk_${'A'.repeat(43)}`));
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual({
        success: false,
        message: 'Unknown API key.',
        error: { code: 'unauthenticated', message: 'Unknown API key.' },
      });

      const created = await call(
        'POST',
        '/organizations',
        json(key, { name: 'Artifact Lab', type: 'lab' }),
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        success: true,
        data: { organization_id: 'artifact-lab', name: 'Artifact Lab', type: 'lab', role: 'owner' },
      });

      const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const read = await call('GET', '/api/organizations/artifact-lab', {
        headers: { ...json(key).headers, 'X-Cloud-Trace-Context': `${trace}/1;o=1` },
      });
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ success: true, data: (created.body as { data: object }).data });

      // The function's structured request line, as the runtime writes it to stdout (Cloud Logging).
      // (written once the answer is sent: it may reach the pipe just after the answer).
      const logged = () =>
        server
          .output()
          .split('\n')
          .filter((line) => line.includes(`"request_id":"${trace}"`));
      for (let wait = 0; wait < 40 && logged().length === 0; wait += 1) await sleep(50);
      const lines = logged();
      expect(lines.map((line) => JSON.parse(line) as object)).toEqual([
        {
          severity: 'INFO',
          message: 'GET /organizations/:org_id 200',
          method: 'GET',
          route: '/organizations/:org_id',
          status: 200,
          latency_ms: expect.any(Number),
          completed: true,
          uid: expect.any(String),
          credential: 'api_key',
          key_id: (minted.body!.data as { key_id: string }).key_id,
          organization_id: 'artifact-lab',
          request_id: trace,
          'logging.googleapis.com/trace': `projects/${projectId}/traces/${trace}`,
        },
      ]);
      // Nothing the runtime wrote holds a credential or the pepper (test/helpers/log-capture.ts).
      expect(leaks(server.output().split('\n'))).toEqual([]);
      expect(server.output()).not.toContain(key);
      expect(server.output()).not.toContain(idToken);
    });

    it('refuses malformed JSON in the framework’s own parser: 400, an HTML page, before the app runs', async () => {
      const response = await call('POST', '/api/organizations', json(idToken, '{"name": "Bad'));
      // Measured: the Functions Framework parses application/json bodies itself (body-parser,
      // before the function is called); its parse error reaches Express's final handler, which
      // answers 400 text/html ("Bad Request" under NODE_ENV=production), not the API's envelope.
      expect(response).toEqual({
        status: 400,
        type: 'text/html; charset=utf-8',
        text:
          '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n' +
          '</head>\n<body>\n<pre>Bad Request</pre>\n</body>\n</html>\n',
        body: undefined,
      });
    });

    it('refuses an oversized body with the API’s own 413 (the framework keeps the raw body)', async () => {
      const response = await call(
        'POST',
        '/api/organizations',
        json(idToken, { name: 'x'.repeat(200_000) }),
      );
      expect(response.status).toBe(413);
      expect(response.body).toEqual({
        success: false,
        message: 'The request body is 200011 bytes; the limit is 102400 bytes.',
        error: {
          code: 'payload-too-large',
          message: 'The request body is 200011 bytes; the limit is 102400 bytes.',
        },
      });
    });
  });
});

/** A value of functions/.secret.local (the emulator's secrets; test/helpers/setup.ts reads it). */
function secretLocal(name: string): string {
  const text = readFileSync(join(__dirname, '..', '..', 'functions', '.secret.local'), 'utf8');
  const match = new RegExp(`^${name}=(.*)$`, 'm').exec(text);
  if (!match) throw new Error(`functions/.secret.local has no ${name}`);
  return match[1].trim();
}
