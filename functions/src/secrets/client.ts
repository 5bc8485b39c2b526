import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import * as logger from 'firebase-functions/logger';
import { createRequire } from 'node:module';
import { config } from '../config';
import { ApiError } from '../errors';
import { GRPC } from '../grpc';

type Client = SecretManagerServiceClient;
type ClientModule = typeof import('@google-cloud/secret-manager');
type Gax = NonNullable<ConstructorParameters<typeof SecretManagerServiceClient>[1]>;

const ORG_ID = /^(?=.{3,64}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SECRET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const {
  CANCELLED,
  DEADLINE_EXCEEDED,
  NOT_FOUND,
  ALREADY_EXISTS,
  FAILED_PRECONDITION,
  UNAVAILABLE,
} = GRPC;

/** The labels of every secret the API creates (also what `touch` writes again). */
const LABELS = { managed_by: 'organizations-api' };

/** Times an added version may be lost to a concurrent `deleteIfEmpty` before `addVersion` gives up. */
const ADD_ATTEMPTS = 3;

// What a Secret Manager that is down, slow or unreachable looks like. The store never cancels a
// call, so CANCELLED means the connection dropped it (grpc-js reports a reset stream so).
const UNAVAILABLE_CODES = new Set<number | string>([
  CANCELLED,
  DEADLINE_EXCEEDED,
  UNAVAILABLE,
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

let client: Client | undefined;

// The one client of the process, created on first use: loading the client and gRPC takes a
// noticeable part of a cold start, and most requests never touch a secret.
function getClient(): Client {
  if (client) return client;
  // A `require` here, not an `import()`: ts-jest runs the tests as CommonJS, where a native
  // dynamic import needs --experimental-vm-modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SecretManagerServiceClient } = require('@google-cloud/secret-manager') as ClientModule;
  const emulator = process.env.SECRET_MANAGER_EMULATOR_HOST;
  if (!emulator) {
    client = new SecretManagerServiceClient();
    return client;
  }
  const { hostname, port } = new URL(`http://${emulator}`);
  // The client's own google-gax, passed in too: the insecure credentials must come from the very
  // copy of @grpc/grpc-js the client uses, or grpc-js rejects them.
  const gax = createRequire(require.resolve('@google-cloud/secret-manager'))('google-gax') as Gax;
  if (!('grpc' in gax)) throw new Error('google-gax has no gRPC transport.');
  client = new SecretManagerServiceClient(
    {
      apiEndpoint: hostname,
      port: Number(port),
      sslCreds: gax.grpc.credentials.createInsecure(),
      // Given, or the client looks for Google credentials (down to the GCE metadata server) only
      // to learn it: the emulator needs no credentials.
      universeDomain: 'googleapis.com',
    },
    gax,
  );
  return client;
}

function errorCode(error: unknown): number | string | undefined {
  return (error as { code?: number | string } | null)?.code;
}

// Unavailability becomes a 503 the client may retry; anything else is the caller's to judge.
function translate(operation: string, error: unknown): never {
  const code = errorCode(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    logger.warn('Secret Manager is unavailable.', { operation, code });
    throw new ApiError('unavailable', 'Secret Manager is unavailable: try again shortly.', {
      headers: { 'Retry-After': '5' },
    });
  }
  throw error;
}

export interface StoredVersion {
  /** The version's resource name: `projects/{project}/secrets/{secretId}/versions/{version}`. */
  name: string;
  /** The version number, `"1"`, `"2"`, …. */
  version: string;
}

export interface SecretStoreOptions {
  /** Time allowed for one call, the client's own retries included. */
  timeoutMs?: number;
}

/**
 * The organization secrets' store in Secret Manager. Errors are the client's, except that an
 * unreachable Secret Manager becomes `ApiError('unavailable')`. Values never reach a log or an error.
 */
export function createSecretStore({ timeoutMs = 10_000 }: SecretStoreOptions = {}) {
  const options = { timeout: timeoutMs };

  function projectName(): string {
    if (!config.projectId) throw new Error('No Google Cloud project id in the environment.');
    return `projects/${config.projectId}`;
  }

  const secretName = (secretId: string) => `${projectName()}/secrets/${secretId}`;

  async function call<T>(operation: string, run: (client: Client) => Promise<T>): Promise<T> {
    try {
      return await run(getClient());
    } catch (error) {
      return translate(operation, error);
    }
  }

  async function addSecretVersion(client: Client, parent: string, value: string) {
    const [version] = await client.addSecretVersion(
      { parent, payload: { data: Buffer.from(value, 'utf8') } },
      options,
    );
    return version;
  }

  async function addOrCreate(client: Client, secretId: string, parent: string, value: string) {
    let version;
    try {
      version = await addSecretVersion(client, parent, value);
    } catch (error) {
      if (errorCode(error) !== NOT_FOUND) throw error;
      // The secret's first version: create the secret, which a concurrent call may just have
      // done too.
      await client
        .createSecret(
          {
            parent: projectName(),
            secretId,
            secret: { replication: { automatic: {} }, labels: LABELS },
          },
          options,
        )
        .catch((createError: unknown) => {
          if (errorCode(createError) !== ALREADY_EXISTS) throw createError;
        });
      version = await addSecretVersion(client, parent, value);
    }
    const name = version.name!;
    return { name, version: name.slice(name.lastIndexOf('/') + 1) };
  }

  return {
    /**
     * Adds `value` as the newest version of the secret, creating the secret on first use.
     *
     * A version other than the first may have joined a secret that a rolled-back request is
     * deleting (`deleteIfEmpty`: it saw only destroyed versions, then deletes with the etag it
     * read). Adding a version leaves the secret's etag as it was, so this call then "touches" the
     * secret (an update that changes nothing but the etag): if the touch comes first, the delete
     * is refused; if the delete came first, the touch finds no secret, the version went with it,
     * and the value is added again to a new secret. Either way, what this call returns exists.
     * A first version needs no touch: `deleteIfEmpty` never deletes a secret holding a version
     * that is not destroyed, and only its own request destroys it.
     */
    addVersion(secretId: string, value: string): Promise<StoredVersion> {
      return call('addVersion', async (client) => {
        const parent = secretName(secretId);
        for (let attempt = 1; ; attempt += 1) {
          const version = await addOrCreate(client, secretId, parent, value);
          if (version.version === '1') return version;
          try {
            await client.updateSecret(
              { secret: { name: parent, labels: LABELS }, updateMask: { paths: ['labels'] } },
              options,
            );
            return version;
          } catch (error) {
            if (errorCode(error) !== NOT_FOUND || attempt >= ADD_ATTEMPTS) throw error;
          }
        }
      });
    },

    /** The value of a version by resource name (`.../versions/latest` is the newest version). */
    access(versionName: string): Promise<string> {
      return call('access', async (client) => {
        const [response] = await client.accessSecretVersion({ name: versionName }, options);
        return Buffer.from(response.payload?.data ?? '').toString('utf8');
      });
    },

    disableVersion(versionName: string): Promise<void> {
      return call('disableVersion', async (client) => {
        await client.disableSecretVersion({ name: versionName }, options);
      });
    },

    /** Destroys a version's value for good; the version stays listed as `DESTROYED`. */
    destroyVersion(versionName: string): Promise<void> {
      return call('destroyVersion', async (client) => {
        await client.destroySecretVersion({ name: versionName }, options);
      });
    },

    /**
     * Deletes the secret if every version it has is destroyed (or it has none): what a rolled-back
     * first version leaves. The delete names the etag read before the versions were listed, so a
     * version added meanwhile (whose `addVersion` touches the secret) makes it a no-op. Answers
     * whether the secret is gone.
     */
    deleteIfEmpty(secretId: string): Promise<boolean> {
      return call('deleteIfEmpty', async (client) => {
        const name = secretName(secretId);
        let etag: string;
        try {
          const [secret] = await client.getSecret({ name }, options);
          etag = secret.etag ?? '';
        } catch (error) {
          if (errorCode(error) === NOT_FOUND) return true;
          throw error;
        }
        const [versions] = await client.listSecretVersions({ parent: name }, options);
        // The state as the client decodes it: the enum's name, or its number (3).
        const destroyed = (state: unknown) => state === 'DESTROYED' || state === 3;
        if (!versions.every((version) => destroyed(version.state))) return false;
        try {
          await client.deleteSecret({ name, etag }, options);
          return true;
        } catch (error) {
          if (errorCode(error) === NOT_FOUND) return true;
          if (errorCode(error) === FAILED_PRECONDITION) return false;
          throw error;
        }
      });
    },

    /** Deletes the secret and all its versions; deleting a missing secret succeeds. */
    deleteSecret(secretId: string): Promise<void> {
      return call('deleteSecret', async (client) => {
        await client
          .deleteSecret({ name: secretName(secretId) }, options)
          .catch((error: unknown) => {
            if (errorCode(error) !== NOT_FOUND) throw error;
          });
      });
    },
  };
}

export type SecretStore = ReturnType<typeof createSecretStore>;

/** The store the app uses. */
export const secretStore = createSecretStore();

/**
 * The Secret Manager id of an organization's secret: `org_{orgId}_{name}`. Org ids have no `_`, so
 * the first `_` after `org_` ends the org id and the rest is the name: two different pairs never
 * share an id. At most 4 + 64 + 1 + 63 = 132 characters, all in `[A-Za-z0-9_-]`.
 */
export function secretIdFor(orgId: string, name: string): string {
  if (!ORG_ID.test(orgId)) throw new Error(`Invalid organization id for a secret: ${orgId}`);
  if (!SECRET_NAME.test(name)) throw new Error(`Invalid secret name: ${name}`);
  return `org_${orgId}_${name}`;
}
