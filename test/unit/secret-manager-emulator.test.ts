// The local Secret Manager emulator, driven through the function's own store and the real
// @google-cloud/secret-manager client over gRPC: what passes here passes against Google.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../functions/src/errors';

interface StoredState {
  [secretName: string]: {
    secret: { name: string; replication: unknown };
    versions: { name: string; state: string; data: string | null; crc32c: string | null }[];
  };
}

interface SecretManagerEmulator {
  host: string;
  port: number;
  address: string;
  stop(): void;
  failNext(method: string, code: number): void;
  secrets(): StoredState;
}

const { startSecretManagerEmulator } = jest.requireActual<{
  startSecretManagerEmulator: (options?: {
    host?: string;
    port?: number;
    dataFile?: string;
  }) => Promise<SecretManagerEmulator>;
}>('../../tools/secret-manager-emulator.js');

// Before the store module loads: its config reads the project id once.
process.env.GCLOUD_PROJECT = 'demo-secrets';
const { createSecretStore, secretIdFor, secretStore } = jest.requireActual<
  typeof import('../../functions/src/secrets/client')
>('../../functions/src/secrets/client');

// The module object itself, so that spying on `warn` reaches the store.
const logger = jest.requireActual<typeof import('firebase-functions/logger')>(
  'firebase-functions/logger',
);

const PROJECT = 'projects/demo-secrets';
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

let dataDir: string;
let dataFile: string;
let emulator: SecretManagerEmulator;
let warn: jest.SpyInstance;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'secret-manager-emulator-'));
  dataFile = join(dataDir, 'secrets.json');
  emulator = await startSecretManagerEmulator({ port: 0, dataFile });
  process.env.SECRET_MANAGER_EMULATOR_HOST = emulator.address;
});

beforeEach(() => {
  warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  warn.mockRestore();
});

afterAll(() => {
  emulator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// The error a promise rejects with; a promise that resolves fails the test.
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('secretIdFor', () => {
  it('encodes the organization and the name', () => {
    expect(secretIdFor('acme-labs', 'stripe_key')).toBe('org_acme-labs_stripe_key');
  });

  it('keeps apart pairs that a plain separator would merge', () => {
    expect(secretIdFor('acme', 'labs-key')).toBe('org_acme_labs-key');
    expect(secretIdFor('acme-labs', 'key')).toBe('org_acme-labs_key');
    expect(secretIdFor('abc', 'd_e')).not.toBe(secretIdFor('abc-d', 'e'));
  });

  it('rejects an organization id or a name outside their formats', () => {
    expect(() => secretIdFor('ab', 'key')).toThrow('Invalid organization id for a secret: ab');
    expect(() => secretIdFor('acme_labs', 'key')).toThrow(
      'Invalid organization id for a secret: acme_labs',
    );
    expect(() => secretIdFor('acme', '-key')).toThrow('Invalid secret name: -key');
  });
});

describe('the emulator under the bare client', () => {
  // The rest of the API, which the store does not use yet, through the client as the store builds
  // it (see functions/src/secrets/client.ts).
  const { SecretManagerServiceClient } = jest.requireActual<
    typeof import('@google-cloud/secret-manager')
  >('@google-cloud/secret-manager');
  type Gax = NonNullable<ConstructorParameters<typeof SecretManagerServiceClient>[1]>;
  const parent = 'projects/demo-bare';
  let client: InstanceType<typeof SecretManagerServiceClient>;

  beforeAll(() => {
    const gax = createRequire(require.resolve('@google-cloud/secret-manager'))('google-gax') as Gax;
    if (!('grpc' in gax)) throw new Error('google-gax has no gRPC transport.');
    client = new SecretManagerServiceClient(
      {
        apiEndpoint: emulator.host,
        port: emulator.port,
        sslCreds: gax.grpc.credentials.createInsecure(),
        universeDomain: 'googleapis.com',
      },
      gax,
    );
  });

  afterAll(() => client.close());

  it('creates, gets, lists page by page and refuses a second secret of the same id', async () => {
    for (const secretId of ['a', 'b', 'c']) {
      await client.createSecret({
        parent,
        secretId,
        secret: { replication: { automatic: {} }, labels: { team: 'core' } },
      });
    }

    const [secret] = await client.getSecret({ name: `${parent}/secrets/a` });
    expect(secret).toMatchObject({ name: `${parent}/secrets/a`, labels: { team: 'core' } });
    expect(Number(secret.createTime?.seconds)).toBeGreaterThan(0);
    const [page, next, response] = await client.listSecrets(
      { parent, pageSize: 2 },
      { autoPaginate: false },
    );
    expect(page.map(({ name }) => name)).toEqual([`${parent}/secrets/a`, `${parent}/secrets/b`]);
    expect(next).toEqual({ parent, pageSize: 2, pageToken: '2' });
    expect(response.totalSize).toBe(3);
    const [rest] = await client.listSecrets(next!, { autoPaginate: false });
    expect(rest.map(({ name }) => name)).toEqual([`${parent}/secrets/c`]);
    expect(
      await rejection(client.createSecret({ parent, secretId: 'a', secret: {} })),
    ).toMatchObject({ code: 6, details: `Secret [${parent}/secrets/a] already exists.` });
  });

  it('lists versions newest first, re-enables a version and checks a given CRC32C', async () => {
    const secret = `${parent}/secrets/versioned`;
    await client.createSecret({ parent, secretId: 'versioned', secret: {} });
    for (const value of ['one', 'two', '123456789']) {
      await client.addSecretVersion({ parent: secret, payload: { data: Buffer.from(value) } });
    }
    await client.disableSecretVersion({ name: `${secret}/versions/2` });
    await client.destroySecretVersion({ name: `${secret}/versions/1` });

    const [enabled] = await client.enableSecretVersion({ name: `${secret}/versions/2` });
    const [versions] = await client.listSecretVersions({ parent: secret });
    const [latest] = await client.getSecretVersion({ name: `${secret}/versions/latest` });
    const [access] = await client.accessSecretVersion({ name: `${secret}/versions/latest` });

    expect(enabled).toMatchObject({ name: `${secret}/versions/2`, state: 'ENABLED' });
    expect(versions.map(({ name, state }) => [name, state])).toEqual([
      [`${secret}/versions/3`, 'ENABLED'],
      [`${secret}/versions/2`, 'ENABLED'],
      [`${secret}/versions/1`, 'DESTROYED'],
    ]);
    expect(latest).toMatchObject({ name: `${secret}/versions/3`, state: 'ENABLED' });
    expect(access.name).toBe(`${secret}/versions/3`);
    expect(access.payload?.data?.toString()).toBe('123456789');
    // The standard CRC-32C check value, 0xE3069283.
    expect(access.payload?.dataCrc32c).toBe('3808858755');
    expect(
      await rejection(
        client.addSecretVersion({
          parent: secret,
          payload: { data: Buffer.from('four'), dataCrc32c: 1 },
        }),
      ),
    ).toMatchObject({ code: 3, details: 'The data_crc32c does not match the payload.' });
  });
});

describe('the secret store against the emulator', () => {
  it('creates a secret on its first version and reads the value back', async () => {
    const id = secretIdFor('acme', 'first');

    const stored = await secretStore.addVersion(id, 'sk_live_123');

    expect(stored).toEqual({ name: `${PROJECT}/secrets/${id}/versions/1`, version: '1' });
    expect(await secretStore.access(stored.name)).toBe('sk_live_123');
    expect(await secretStore.access(`${PROJECT}/secrets/${id}/versions/latest`)).toBe(
      'sk_live_123',
    );
    const state = emulator.secrets()[`${PROJECT}/secrets/${id}`];
    expect(state.secret.name).toBe(`${PROJECT}/secrets/${id}`);
    expect(state.secret.replication).toMatchObject({ automatic: {} });
    expect(state.versions.map(({ name, state }) => ({ name, state }))).toEqual([
      { name: stored.name, state: 'ENABLED' },
    ]);
    // CRC32C of the payload, as Google computes it.
    expect(state.versions[0].crc32c).toBe('2071680071');
  });

  it('keeps non-ASCII values intact', async () => {
    const stored = await secretStore.addVersion(secretIdFor('acme', 'unicode'), 'pässwörd ✓');
    expect(await secretStore.access(stored.name)).toBe('pässwörd ✓');
  });

  it('rotates: a new version becomes latest and the disabled old one is refused', async () => {
    const id = secretIdFor('acme', 'rotated');
    const first = await secretStore.addVersion(id, 'old-value');
    const second = await secretStore.addVersion(id, 'new-value');
    await secretStore.disableVersion(first.name);

    expect(second).toEqual({ name: `${PROJECT}/secrets/${id}/versions/2`, version: '2' });
    expect(await rejection(secretStore.access(first.name))).toMatchObject({
      code: 9,
      details: `Secret Version [${first.name}] is in DISABLED state.`,
    });
    expect(await secretStore.access(`${PROJECT}/secrets/${id}/versions/latest`)).toBe('new-value');
    expect(await secretStore.access(second.name)).toBe('new-value');
  });

  it('resolves latest to the newest version even when it is disabled, as Google does', async () => {
    const id = secretIdFor('acme', 'latest-disabled');
    await secretStore.addVersion(id, 'one');
    const second = await secretStore.addVersion(id, 'two');
    await secretStore.disableVersion(second.name);

    expect(
      await rejection(secretStore.access(`${PROJECT}/secrets/${id}/versions/latest`)),
    ).toMatchObject({
      code: 9,
      details: `Secret Version [${second.name}] is in DISABLED state.`,
    });
  });

  it('destroys a version: its value is wiped and access is refused', async () => {
    const id = secretIdFor('acme', 'destroyed');
    const stored = await secretStore.addVersion(id, 'to-be-destroyed');

    await secretStore.destroyVersion(stored.name);

    expect(await rejection(secretStore.access(stored.name))).toMatchObject({
      code: 9,
      details: `Secret Version [${stored.name}] is in DESTROYED state.`,
    });
    const [version] = emulator.secrets()[`${PROJECT}/secrets/${id}`].versions;
    expect(version).toMatchObject({ name: stored.name, state: 'DESTROYED', data: null });
    expect(readFileSync(dataFile, 'utf8')).not.toContain(
      Buffer.from('to-be-destroyed').toString('base64'),
    );
  });

  it('deletes a secret with all its versions, and deleting it again succeeds', async () => {
    const id = secretIdFor('acme', 'deleted');
    const stored = await secretStore.addVersion(id, 'short-lived');

    await secretStore.deleteSecret(id);
    await secretStore.deleteSecret(id);

    expect(emulator.secrets()[`${PROJECT}/secrets/${id}`]).toBeUndefined();
    expect(await rejection(secretStore.access(stored.name))).toMatchObject({
      code: 5,
      details: `Secret [${PROJECT}/secrets/${id}] not found.`,
    });
  });

  it('answers a missing version or secret with NOT_FOUND', async () => {
    const id = secretIdFor('acme', 'one-version');
    await secretStore.addVersion(id, 'only');

    expect(
      await rejection(secretStore.access(`${PROJECT}/secrets/${id}/versions/2`)),
    ).toMatchObject({
      code: 5,
      details: `Secret Version [${PROJECT}/secrets/${id}/versions/2] not found.`,
    });
    expect(
      await rejection(secretStore.access(`${PROJECT}/secrets/never-created/versions/latest`)),
    ).toMatchObject({ code: 5, details: `Secret [${PROJECT}/secrets/never-created] not found.` });
  });

  it('answers an invalid secret id with INVALID_ARGUMENT', async () => {
    expect(await rejection(secretStore.addVersion('no spaces allowed', 'x'))).toMatchObject({
      code: 3,
      details: `Invalid secret id [no spaces allowed].`,
    });
    expect(await rejection(secretStore.addVersion('a'.repeat(256), 'x'))).toMatchObject({
      code: 3,
      details: `Invalid secret id [${'a'.repeat(256)}].`,
    });
  });

  it.each([
    ['UNAVAILABLE', UNAVAILABLE],
    ['DEADLINE_EXCEEDED', DEADLINE_EXCEEDED],
  ])('turns %s into a 503 the caller may retry', async (name, code) => {
    const id = secretIdFor('acme', name.toLowerCase());
    emulator.failNext('AddSecretVersion', code);

    const error = await rejection(secretStore.addVersion(id, 'v'));

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'unavailable',
      status: 503,
      message: 'Secret Manager is unavailable: try again shortly.',
      headers: { 'Retry-After': '5' },
    });
    expect(warn.mock.calls).toEqual([
      ['Secret Manager is unavailable.', { operation: 'addVersion', code }],
    ]);
    // The fault was used up: the next call goes through.
    expect(await secretStore.addVersion(id, 'v')).toEqual({
      name: `${PROJECT}/secrets/${id}/versions/1`,
      version: '1',
    });
  });

  it('retries one UNAVAILABLE on access, as the client is configured to', async () => {
    const stored = await secretStore.addVersion(secretIdFor('acme', 'retried'), 'eventually');
    emulator.failNext('AccessSecretVersion', UNAVAILABLE);

    expect(await secretStore.access(stored.name)).toBe('eventually');
    expect(warn).not.toHaveBeenCalled();
  }, 10_000);

  it('passes other errors through unchanged', async () => {
    emulator.failNext('AddSecretVersion', 7);

    expect(
      await rejection(secretStore.addVersion(secretIdFor('acme', 'denied'), 'v')),
    ).toMatchObject({ code: 7, details: 'Injected fault: PERMISSION_DENIED.' });
  });

  it('keeps its secrets across a restart when given a data file', async () => {
    const id = secretIdFor('acme', 'durable');
    const stored = await secretStore.addVersion(id, 'survives restarts');

    emulator.stop();
    emulator = await startSecretManagerEmulator({ port: emulator.port, dataFile });

    expect(emulator.secrets()[`${PROJECT}/secrets/${id}`].versions).toMatchObject([
      { name: stored.name, state: 'ENABLED' },
    ]);
    // The client reconnects on its own (after gRPC's reconnect backoff).
    expect(await secretStore.access(stored.name)).toBe('survives restarts');
  }, 15_000);

  it('answers 503 while Secret Manager is down', async () => {
    const id = secretIdFor('acme', 'down');
    const stored = await secretStore.addVersion(id, 'written before the outage');
    const quick = createSecretStore({ timeoutMs: 1000 });

    emulator.stop();
    const writeError = await rejection(quick.addVersion(id, 'never stored'));
    const readError = await rejection(quick.access(stored.name));

    for (const error of [writeError, readError]) {
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({
        code: 'unavailable',
        status: 503,
        headers: { 'Retry-After': '5' },
      });
    }
    expect(warn.mock.calls.map(([message]) => message as string)).toEqual([
      'Secret Manager is unavailable.',
      'Secret Manager is unavailable.',
    ]);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('never stored');
  }, 15_000);
});
