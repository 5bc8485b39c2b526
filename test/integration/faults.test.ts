// Fault injection: the API's dependencies paused, stopped, slow or unreachable in the middle of
// requests. Each answers 503 with Retry-After (never a 500, never a hang past the deadline),
// writes nothing half-way, and the API recovers by itself once the dependency is back.
// The Firestore emulator paused and killed here is this file's own (started on a free port), so
// the emulators every other test uses are never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../functions/src/app';
import { db } from '../../functions/src/firebase';
import { bearer } from '../helpers/api';
import {
  createUser,
  describeEmulators,
  projectId,
  sleep,
  type TestUser,
} from '../helpers/emulators';

interface SecretEmulator {
  address: string;
  stop(): void;
  delayNext(method: string, ms: number): void;
  secrets(): Record<string, { versions: { name: string; state: string }[] }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSecretManagerEmulator } = require('../../tools/secret-manager-emulator') as {
  startSecretManagerEmulator: (options: { port: number }) => Promise<SecretEmulator>;
};

/** The requests of this file give up after this long (the function's default is 50 s). */
const DEADLINE_MS = 4_000;
/** A request answered within the deadline and this margin did not hang. */
const MARGIN_MS = 3_000;

/** A TCP proxy to a service, which a test closes (the service unreachable) and opens again. */
function tcpProxy(host: string, port: number) {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  return {
    open(at: number): Promise<number> {
      server = createServer((client) => {
        const upstream = connect(port, host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      return new Promise((resolve) =>
        server!.listen(at, '127.0.0.1', () =>
          resolve((server!.address() as { port: number }).port),
        ),
      );
    },
    close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      const closing = server;
      server = null;
      return new Promise((resolve) => (closing ? closing.close(() => resolve()) : resolve()));
    },
  };
}

/** A free TCP port (bound and released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The jar this machine runs the Firestore emulator with (see tools/local.js), if any. */
function firestoreJar(): string | null {
  if (process.env.FIRESTORE_EMULATOR_BINARY_PATH) return process.env.FIRESTORE_EMULATOR_BINARY_PATH;
  const wrapper = join(__dirname, '..', '..', '.local', 'firestore-emulator-wrapper.jar');
  return existsSync(wrapper) ? wrapper : null;
}

/** Starts a Firestore emulator of this file's own; resolves once it answers. */
async function startFirestore(jar: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    'java',
    ['-jar', jar, '--host', '127.0.0.1', '--port', String(port)]
      .concat(['--websocket_port', String(await freePort())])
      .concat(['--project_id', projectId, '--single_project_mode', 'true']),
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 120; i += 1) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return child;
    await sleep(500);
  }
  child.kill('SIGKILL');
  throw new Error('The fault-injection Firestore emulator did not start in 60 s.');
}

const jar = firestoreJar();
const describeFaults: jest.Describe = jar
  ? describeEmulators
  : (((name: string, fn: () => void) =>
      describe.skip(
        `${name} (skipped: no Firestore emulator jar to start one of its own)`,
        fn,
      )) as jest.Describe);

describeFaults('fault injection', () => {
  let firestore: ChildProcess;
  let firestorePort: number;
  let secrets: SecretEmulator;
  let owner: TestUser;
  let authProxy: ReturnType<typeof tcpProxy>;
  let authProxyPort: number;
  const saved = {
    firestore: process.env.FIRESTORE_EMULATOR_HOST,
    secrets: process.env.SECRET_MANAGER_EMULATOR_HOST,
    auth: process.env.FIREBASE_AUTH_EMULATOR_HOST,
  };
  const app = createApp({ deadlineMs: DEADLINE_MS });
  const as = (user: TestUser) => ({
    get: (path: string) => request(app).get(path).set(bearer(user.idToken)),
    patch: (path: string, body: object) =>
      request(app).patch(path).set(bearer(user.idToken)).send(body),
    post: (path: string, body: object) =>
      request(app).post(path).set(bearer(user.idToken)).send(body),
    put: (path: string, body: object) =>
      request(app).put(path).set(bearer(user.idToken)).send(body),
  });

  /** A 503 `unavailable` with Retry-After, in the error shape, answered in time. */
  async function expectUnavailable(send: () => PromiseLike<request.Response>) {
    const started = Date.now();
    const response = await send();
    const took = Date.now() - started;
    expect({ status: response.status, code: response.body.error?.code }).toEqual({
      status: 503,
      code: 'unavailable',
    });
    expect(response.body.success).toBe(false);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(took).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  }

  /** Retries a request until it answers 2xx: the API recovers with no restart. */
  async function eventually(
    send: () => PromiseLike<request.Response>,
    status: number | number[] = 200,
  ) {
    const wanted = [status].flat();
    let last: request.Response | undefined;
    for (let i = 0; i < 40; i += 1) {
      last = await send();
      if (wanted.includes(last.status)) return last;
      expect(last.status).toBeLessThan(500 + 4); // 503 while it comes back, never a 500
      expect(last.status).not.toBe(500);
      await sleep(500);
    }
    throw new Error(`never recovered: ${last?.status} ${last?.text}`);
  }

  /**
   * The organization's writes are whole: its version counts its log entries. Both read in one
   * snapshot (a read-only transaction): a write the fault held up may commit between two reads.
   */
  async function expectWhole(orgId: string) {
    const ref = db().doc(`organizations/${orgId}`);
    const [doc, logs] = await db().runTransaction(
      (transaction) =>
        Promise.all([transaction.get(ref), transaction.get(ref.collection('logs').count())]),
      { readOnly: true },
    );
    expect(logs.data().count).toBe(doc.get('version'));
  }

  beforeAll(async () => {
    firestorePort = await freePort();
    firestore = await startFirestore(jar!, firestorePort);
    process.env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${firestorePort}`;
    secrets = await startSecretManagerEmulator({ port: 0 });
    process.env.SECRET_MANAGER_EMULATOR_HOST = secrets.address;
    // Auth, for this file, through a proxy the Auth test cuts: the client keeps its address.
    const [host, port] = saved.auth!.split(':');
    authProxy = tcpProxy(host, Number(port));
    authProxyPort = await authProxy.open(0);
    process.env.FIREBASE_AUTH_EMULATOR_HOST = `127.0.0.1:${authProxyPort}`;
    owner = await createUser({ name: 'Fay Fault' });
    // Warm: the first requests load firebase-admin and open connections.
    await eventually(() => as(owner).get('/api/organizations/warm-up'), 404);
  }, 90_000);

  afterAll(async () => {
    await authProxy.close();
    firestore.kill('SIGKILL');
    secrets.stop();
    process.env.FIRESTORE_EMULATOR_HOST = saved.firestore;
    process.env.SECRET_MANAGER_EMULATOR_HOST = saved.secrets;
    process.env.FIREBASE_AUTH_EMULATOR_HOST = saved.auth;
  });

  test('Firestore paused mid-request: 503 in time, nothing half-written, recovers by itself', async () => {
    const created = await as(owner).post('/api/organizations', { name: 'Paused Lab' });
    expect(created.status).toBe(201);
    firestore.kill('SIGSTOP');
    try {
      await expectUnavailable(() =>
        as(owner).patch('/api/organizations/paused-lab', { name: 'Paused Lab 2' }),
      );
      await expectUnavailable(() => as(owner).get('/api/organizations/paused-lab'));
    } finally {
      firestore.kill('SIGCONT');
    }
    const back = await eventually(() => as(owner).get('/api/organizations/paused-lab'));
    // The paused write committed whole or not at all.
    expect(['Paused Lab', 'Paused Lab 2']).toContain(back.body.data.name);
    await expectWhole('paused-lab');
    const retried = await as(owner).patch('/api/organizations/paused-lab', {
      name: 'Paused Lab 3',
    });
    expect(retried.status).toBe(200);
    await expectWhole('paused-lab');
  }, 60_000);

  test('Firestore stopped mid-request: 503, and the API answers again once it is back', async () => {
    const created = await as(owner).post('/api/organizations', { name: 'Stopped Lab' });
    expect(created.status).toBe(201);
    firestore.kill('SIGKILL');
    await new Promise((resolve) => firestore.once('exit', resolve));
    await expectUnavailable(() =>
      as(owner).patch('/api/organizations/stopped-lab', { name: 'Stopped Lab 2' }),
    );
    firestore = await startFirestore(jar!, firestorePort);
    // The emulator keeps nothing across a restart: creating again proves the API is back. 201, or
    // 200 when an attempt answered 503 at its deadline committed meanwhile (a POST to an existing
    // id updates it, as Cannlytics does).
    await eventually(
      () => as(owner).post('/api/organizations', { name: 'Stopped Lab' }),
      [201, 200],
    );
    await expectWhole('stopped-lab');
  }, 120_000);

  test('Secret Manager slow: 503 in time; the secret and its reference end both there or both gone', async () => {
    await eventually(() => as(owner).post('/api/organizations', { name: 'Slow Lab' }), 201);
    secrets.delayNext('AddSecretVersion', DEADLINE_MS + 2_000);
    await expectUnavailable(() =>
      as(owner).put('/api/organizations/slow-lab/secrets/metrc', {
        value: 'slow-secret-value-1234',
      }),
    );
    await sleep(3_000);
    const ref = await db().doc('organizations/slow-lab/secrets/metrc').get();
    const stored = secrets.secrets()['projects/demo-organizations/secrets/org_slow-lab_metrc'];
    const enabled = (stored?.versions ?? []).filter((version) => version.state === 'ENABLED');
    expect({ reference: ref.exists, value: enabled.length > 0 }).toEqual(
      ref.exists ? { reference: true, value: true } : { reference: false, value: false },
    );
    const retried = await as(owner).put('/api/organizations/slow-lab/secrets/metrc', {
      value: 'slow-secret-value-5678',
    });
    expect([200, 201]).toContain(retried.status);
  }, 60_000);

  test('Auth unreachable while verifying a token: 503, and recovery once it is back', async () => {
    const get = () => as(owner).get('/api/organizations/slow-lab');
    expect((await get()).status).toBe(200);
    await authProxy.close();
    try {
      await expectUnavailable(get);
    } finally {
      await authProxy.open(authProxyPort);
    }
    await eventually(get);
  }, 60_000);
});
