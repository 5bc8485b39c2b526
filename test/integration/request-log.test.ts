// One structured log line per request (functions/src/http/request-log.ts): what it holds, the
// request id it takes from the platform's trace headers, and the error line that shares it.
// test/helpers/log-capture.ts captures the lines (and checks every file's for credentials).
import request from 'supertest';
import { createApp } from '../../functions/src/app';
import { createUser, describeEmulators, wipe, type TestUser } from '../helpers/emulators';
import { loggedLines } from '../helpers/log-capture';

const app = createApp();
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const project = process.env.GCLOUD_PROJECT;

/** The request lines logged since `from`, parsed. */
function requestLines(from: number): Record<string, unknown>[] {
  return loggedLines
    .slice(from)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => 'latency_ms' in entry);
}

describeEmulators('structured request logs', () => {
  let owner: TestUser;
  let stranger: TestUser;
  let key: string;
  let keyId: string;

  beforeAll(async () => {
    await wipe();
    [owner, stranger] = await Promise.all([
      createUser({ name: 'Lou Logger' }),
      createUser({ name: 'Stu Stranger' }),
    ]);
    const minted = await request(app)
      .post('/api/auth/keys')
      .set('Authorization', `Bearer ${owner.idToken}`)
      .send({ name: 'logs' });
    expect(minted.status).toBe(201);
    ({ key, key_id: keyId } = minted.body.data);
    const created = await request(app)
      .post('/api/organizations')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: 'Log Lab', type: 'lab' });
    expect(created.status).toBe(201);
  });

  it('logs method, route template, status, latency, caller, organization and the Cloud Trace id', async () => {
    const from = loggedLines.length;
    const response = await request(app)
      .get('/api/organizations/log-lab')
      .set('Authorization', `Bearer ${key}`)
      .set('X-Cloud-Trace-Context', `${TRACE.toUpperCase()}/12345;o=1`);
    expect(response.status).toBe(200);
    const lines = requestLines(from);
    expect(lines).toEqual([
      {
        severity: 'INFO',
        message: 'GET /organizations/:org_id 200',
        method: 'GET',
        route: '/organizations/:org_id',
        status: 200,
        latency_ms: expect.any(Number),
        completed: true,
        uid: owner.uid,
        credential: 'api_key',
        key_id: keyId,
        organization_id: 'log-lab',
        request_id: TRACE,
        'logging.googleapis.com/trace': `projects/${project}/traces/${TRACE}`,
      },
    ]);
    expect(lines[0].latency_ms).toBeGreaterThan(0);
    expect(lines[0].latency_ms).toBeLessThan(10_000);
  });

  it('takes the id of a W3C traceparent, and names the organization of a refusal too', async () => {
    const from = loggedLines.length;
    const response = await request(app)
      .patch('/organizations/log-lab')
      .set('Authorization', `Bearer ${stranger.idToken}`)
      .set('traceparent', `00-${TRACE}-b7ad6b7169203331-01`)
      .send({ city: 'Nowhere' });
    expect(response.status).toBe(404);
    expect(requestLines(from)).toEqual([
      {
        severity: 'WARNING',
        message: 'PATCH /organizations/:org_id 404',
        method: 'PATCH',
        route: '/organizations/:org_id',
        status: 404,
        latency_ms: expect.any(Number),
        completed: true,
        uid: stranger.uid,
        credential: 'id_token',
        key_id: null,
        organization_id: 'log-lab',
        request_id: TRACE,
        'logging.googleapis.com/trace': `projects/${project}/traces/${TRACE}`,
      },
    ]);
  });

  it('gives a request without trace headers an id of its own, and logs a refused credential without it', async () => {
    const from = loggedLines.length;
    const response = await request(app)
      .get('/api/auth/me')
      .set('Authorization', `Bearer orgk_${'A'.repeat(43)}`);
    expect(response.status).toBe(401);
    const [line, ...more] = requestLines(from);
    expect(more).toEqual([]);
    expect(line).toEqual({
      severity: 'WARNING',
      message: 'GET (no route) 401',
      method: 'GET',
      route: null,
      status: 401,
      latency_ms: expect.any(Number),
      completed: true,
      uid: null,
      credential: null,
      key_id: null,
      organization_id: null,
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      'logging.googleapis.com/trace': `projects/${project}/traces/${line.request_id as string}`,
    });
  });

  it('logs an unhandled error with its stack and the request id, next to the request line', async () => {
    // The unwrapped app: the failing route is not in the contract the wrapped one checks.
    const { createApp: unchecked } =
      jest.requireActual<typeof import('../../functions/src/app')>('../../functions/src/app');
    const failing = unchecked({
      extraRoutes: (router) =>
        router.get('/log-test/boom', () => {
          throw new Error('boom for the log test');
        }),
    });
    const from = loggedLines.length;
    const response = await request(failing)
      .get('/api/log-test/boom')
      .set('X-Cloud-Trace-Context', `${TRACE}/1`);
    expect(response.status).toBe(500);
    const entries = loggedLines.slice(from).map((line) => JSON.parse(line));
    expect(entries).toEqual([
      {
        severity: 'ERROR',
        message: expect.stringMatching(/^Error: Unhandled error\n/),
        method: 'GET',
        path: '/api/log-test/boom',
        error: expect.stringMatching(/^Error: boom for the log test\n\s+at /),
        request_id: TRACE,
        'logging.googleapis.com/trace': `projects/${project}/traces/${TRACE}`,
      },
      {
        severity: 'ERROR',
        message: 'GET /log-test/boom 500',
        method: 'GET',
        route: '/log-test/boom',
        status: 500,
        latency_ms: expect.any(Number),
        completed: true,
        uid: null,
        credential: null,
        key_id: null,
        organization_id: null,
        request_id: TRACE,
        'logging.googleapis.com/trace': `projects/${project}/traces/${TRACE}`,
      },
    ]);
  });
});
