#!/usr/bin/env node
// A local Google Secret Manager: Google ships no emulator, so `npm start` and the tests run this
// gRPC server on the service definition shipped inside @google-cloud/secret-manager, and the
// function talks to it through the unmodified client (SECRET_MANAGER_EMULATOR_HOST). It keeps the
// real API's resource names, version numbering, states and status codes, so code that works here
// works against Google. State lives in memory, optionally mirrored to a JSON file.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const { status } = grpc;

const clientDir = path.dirname(require.resolve('@google-cloud/secret-manager/package.json'));
// google-gax exports no package.json: find its protos from its entry point (build/src/index.js),
// resolved from the client so that both use the same copy.
const gaxEntry = require.resolve('google-gax', { paths: [clientDir] });
const includeDirs = [
  path.join(clientDir, 'build', 'protos'),
  path.join(path.dirname(gaxEntry), '..', 'protos'),
];

const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const PROJECT_NAME = /^projects\/([^/]+)$/;
const SECRET_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)$/;
const VERSION_NAME = /^(projects\/[^/]+\/secrets\/[^/]+)\/versions\/([^/]+)$/;
// Google's limit on one version's payload.
const MAX_PAYLOAD_BYTES = 64 * 1024;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 25000;

function loadService() {
  const definition = protoLoader.loadSync('google/cloud/secretmanager/v1/service.proto', {
    includeDirs,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).google.cloud.secretmanager.v1.SecretManagerService
    .service;
}

// CRC32C (Castagnoli), which Secret Manager returns with every payload so clients can verify it.
const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32c(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// Every change gets a new etag, even two in the same millisecond: a caller that read one must see
// its conditional request refused after any change in between.
let etags = 0;
function newEtag() {
  etags += 1;
  return `"${Date.now().toString(16)}-${etags.toString(16)}"`;
}

// A request's `etag`, when given, must be the resource's current one (FAILED_PRECONDITION if not).
function checkEtag(resource, etag) {
  if (etag && etag !== resource.etag) {
    throw new RpcError(
      status.FAILED_PRECONDITION,
      `The etag [${etag}] does not match the current one of [${resource.name}].`,
    );
  }
}

function timestamp() {
  const ms = Date.now();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

class RpcError extends Error {
  constructor(code, details) {
    super(details);
    this.code = code;
    this.details = details;
  }
}

const invalid = (details) => new RpcError(status.INVALID_ARGUMENT, details);

function parseProject(parent) {
  if (!PROJECT_NAME.test(parent)) throw invalid(`Invalid parent [${parent}].`);
  return parent;
}

function parseSecretName(name) {
  const match = SECRET_NAME.exec(name);
  if (!match) throw invalid(`Invalid resource name [${name}].`);
  if (!SECRET_ID.test(match[2])) throw invalid(`Invalid secret id [${match[2]}].`);
  return name;
}

function parseVersionName(name) {
  const match = VERSION_NAME.exec(name);
  if (!match || !(match[2] === 'latest' || /^[1-9][0-9]*$/.test(match[2]))) {
    throw invalid(`Invalid resource name [${name}].`);
  }
  return { secretName: parseSecretName(match[1]), version: match[2] };
}

function page(items, { pageSize, pageToken }) {
  const start = pageToken ? Number(pageToken) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid(`Invalid page token [${pageToken}].`);
  const size = Math.min(pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const end = start + size;
  return {
    items: items.slice(start, end),
    nextPageToken: end < items.length ? String(end) : '',
    totalSize: items.length,
  };
}

// The emulator's state: secret name → `{ secret, versions }`, where `secret` is the Secret resource
// as returned and each version keeps its payload in base64 (null once destroyed): the whole state
// is plain JSON, ready for the data file.
function createState(dataFile) {
  const secrets = new Map(
    dataFile && fs.existsSync(dataFile)
      ? Object.entries(JSON.parse(fs.readFileSync(dataFile, 'utf8')).secrets)
      : [],
  );

  function save() {
    if (!dataFile) return;
    // Write then rename, so a crash never leaves a half-written file to load next time.
    const temporary = `${dataFile}.tmp`;
    fs.mkdirSync(path.dirname(dataFile), { recursive: true });
    fs.writeFileSync(temporary, JSON.stringify({ secrets: Object.fromEntries(secrets) }, null, 2), {
      mode: 0o600,
    });
    fs.renameSync(temporary, dataFile);
  }

  function entry(secretName) {
    const found = secrets.get(secretName);
    if (!found) throw new RpcError(status.NOT_FOUND, `Secret [${secretName}] not found.`);
    return found;
  }

  // `latest` is the most recently created version whatever its state, as in Google's API: a
  // disabled newest version makes `latest` fail rather than fall back to an older one.
  function version(name) {
    const { secretName, version: id } = parseVersionName(name);
    const { versions } = entry(secretName);
    const found = id === 'latest' ? versions.at(-1) : versions[Number(id) - 1];
    if (!found) {
      throw new RpcError(
        status.NOT_FOUND,
        id === 'latest'
          ? `Secret [${secretName}] not found or has no versions.`
          : `Secret Version [${name}] not found.`,
      );
    }
    return found;
  }

  return { secrets, save, entry, version };
}

function publicVersion(record) {
  const resource = { ...record };
  delete resource.data;
  delete resource.crc32c;
  return resource;
}

function methods(state) {
  const { secrets, entry, version } = state;

  function setState(name, target, etag) {
    const found = version(name);
    checkEtag(found, etag);
    if (found.state === 'DESTROYED') {
      throw new RpcError(
        status.FAILED_PRECONDITION,
        `Secret Version [${found.name}] is in DESTROYED state.`,
      );
    }
    found.state = target;
    found.etag = newEtag();
    return publicVersion(found);
  }

  return {
    ListSecrets({ parent, filter, pageSize, pageToken }) {
      const prefix = `${parseProject(parent)}/secrets/`;
      if (filter) throw new RpcError(status.UNIMPLEMENTED, 'Filters are not emulated.');
      const all = [...secrets.values()]
        .filter(({ secret }) => secret.name.startsWith(prefix))
        .map(({ secret }) => secret);
      const { items, ...rest } = page(all, { pageSize, pageToken });
      return { secrets: items, ...rest };
    },

    CreateSecret({ parent, secretId, secret }) {
      parseProject(parent);
      if (!SECRET_ID.test(secretId)) throw invalid(`Invalid secret id [${secretId}].`);
      const name = `${parent}/secrets/${secretId}`;
      if (secrets.has(name)) {
        throw new RpcError(status.ALREADY_EXISTS, `Secret [${name}] already exists.`);
      }
      const resource = {
        ...secret,
        name,
        createTime: timestamp(),
        etag: newEtag(),
      };
      secrets.set(name, { secret: resource, versions: [] });
      return resource;
    },

    GetSecret({ name }) {
      return entry(parseSecretName(name)).secret;
    },

    // Labels and annotations only (what the API's callers change); any update, even one that
    // changes nothing, gives the secret a new etag, as Google's does.
    UpdateSecret({ secret, updateMask }) {
      const found = entry(parseSecretName(secret?.name ?? ''));
      checkEtag(found.secret, secret.etag);
      const paths = updateMask?.paths ?? [];
      if (paths.length === 0) throw invalid('An update mask is required.');
      for (const field of paths) {
        if (field !== 'labels' && field !== 'annotations') {
          throw new RpcError(status.UNIMPLEMENTED, `Updating [${field}] is not emulated.`);
        }
        found.secret[field] = secret[field] ?? {};
      }
      found.secret.etag = newEtag();
      return found.secret;
    },

    DeleteSecret({ name, etag }) {
      checkEtag(entry(parseSecretName(name)).secret, etag);
      secrets.delete(name);
      return {};
    },

    AddSecretVersion({ parent, payload }) {
      const { versions } = entry(parseSecretName(parent));
      const data = payload?.data ?? Buffer.alloc(0);
      if (data.length > MAX_PAYLOAD_BYTES) {
        throw invalid(`Secret payload is larger than ${MAX_PAYLOAD_BYTES} bytes.`);
      }
      const checksum = crc32c(data);
      const clientChecksum = payload?.dataCrc32c != null;
      if (clientChecksum && String(payload.dataCrc32c) !== String(checksum)) {
        throw invalid('The data_crc32c does not match the payload.');
      }
      const record = {
        name: `${parent}/versions/${versions.length + 1}`,
        createTime: timestamp(),
        state: 'ENABLED',
        etag: newEtag(),
        clientSpecifiedPayloadChecksum: clientChecksum,
        data: data.toString('base64'),
        crc32c: String(checksum),
      };
      versions.push(record);
      return publicVersion(record);
    },

    AccessSecretVersion({ name }) {
      const found = version(name);
      if (found.state !== 'ENABLED') {
        throw new RpcError(
          status.FAILED_PRECONDITION,
          `Secret Version [${found.name}] is in ${found.state} state.`,
        );
      }
      return {
        name: found.name,
        payload: { data: Buffer.from(found.data, 'base64'), dataCrc32c: found.crc32c },
      };
    },

    GetSecretVersion({ name }) {
      return publicVersion(version(name));
    },

    ListSecretVersions({ parent, filter, pageSize, pageToken }) {
      const { versions } = entry(parseSecretName(parent));
      if (filter) throw new RpcError(status.UNIMPLEMENTED, 'Filters are not emulated.');
      const newestFirst = versions.map(publicVersion).reverse();
      const { items, ...rest } = page(newestFirst, { pageSize, pageToken });
      return { versions: items, ...rest };
    },

    DisableSecretVersion({ name, etag }) {
      return setState(name, 'DISABLED', etag);
    },

    EnableSecretVersion({ name, etag }) {
      return setState(name, 'ENABLED', etag);
    },

    DestroySecretVersion({ name, etag }) {
      const found = version(name);
      checkEtag(found, etag);
      if (found.state === 'DESTROYED') {
        throw new RpcError(
          status.FAILED_PRECONDITION,
          `Secret Version [${found.name}] is in DESTROYED state.`,
        );
      }
      Object.assign(found, {
        state: 'DESTROYED',
        destroyTime: timestamp(),
        etag: newEtag(),
        data: null,
        crc32c: null,
      });
      return publicVersion(found);
    },
  };
}

const READ_ONLY = new Set([
  'ListSecrets',
  'GetSecret',
  'AccessSecretVersion',
  'GetSecretVersion',
  'ListSecretVersions',
]);

/**
 * Starts the emulator. `port: 0` picks a free port; `dataFile` keeps the state across restarts.
 * `failNext(method, code)` makes the next call of an RPC (e.g. `'AddSecretVersion'`) fail with that
 * gRPC status code, once per call of `failNext`; `delayNext(method, ms)` makes it answer that late
 * (a slow service), once per call; `calls()` lists the RPCs received so far, in order (a test
 * waits on it to interleave two requests at a known point).
 */
async function startSecretManagerEmulator({ host = '127.0.0.1', port = 9399, dataFile } = {}) {
  const state = createState(dataFile);
  const faults = new Map();
  const delays = new Map();
  const received = [];
  const server = new grpc.Server();

  const implementation = {};
  for (const [method, handler] of Object.entries(methods(state))) {
    const serve = (call, callback) => {
      const delay = delays.get(method)?.shift();
      if (delay !== undefined) {
        setTimeout(() => serve(call, callback), delay);
        return;
      }
      const fault = faults.get(method)?.shift();
      if (fault !== undefined) {
        callback({ code: fault, details: `Injected fault: ${status[fault]}.` });
        return;
      }
      try {
        const response = handler(call.request);
        if (!READ_ONLY.has(method)) state.save();
        callback(null, response);
      } catch (error) {
        if (error instanceof RpcError) callback(error);
        else callback({ code: status.INTERNAL, details: String(error) });
      }
    };
    implementation[method] = (call, callback) => {
      received.push(method);
      serve(call, callback);
    };
  }
  server.addService(loadService(), implementation);

  const boundPort = await new Promise((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );

  return {
    host,
    port: boundPort,
    address: `${host}:${boundPort}`,
    /** Stops at once: calls in flight fail, as they would if the service went away. */
    stop() {
      server.forceShutdown();
    },
    failNext(method, code) {
      if (!(method in implementation)) throw new Error(`Unknown method ${method}.`);
      if (!(code in status) || typeof code !== 'number') throw new Error(`Unknown code ${code}.`);
      if (!faults.has(method)) faults.set(method, []);
      faults.get(method).push(code);
    },
    delayNext(method, ms) {
      if (!(method in implementation)) throw new Error(`Unknown method ${method}.`);
      if (!delays.has(method)) delays.set(method, []);
      delays.get(method).push(ms);
    },
    /** The RPCs received so far (method names, in order of arrival). */
    calls() {
      return [...received];
    },
    /** A copy of the state: `{ [secretName]: { secret, versions } }`, payloads in base64. */
    secrets() {
      return structuredClone(Object.fromEntries(state.secrets));
    },
  };
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = argv.slice(i, i + 2);
    if (flag === '--port' && /^\d+$/.test(value ?? '')) options.port = Number(value);
    else if (flag === '--data' && value) options.dataFile = path.resolve(value);
    else throw new Error(`Usage: secret-manager-emulator.js [--port N] [--data FILE]`);
  }
  return options;
}

async function main() {
  const emulator = await startSecretManagerEmulator(parseArgs(process.argv.slice(2)));
  console.log(`Secret Manager emulator listening on ${emulator.address}`);
  const stop = () => {
    emulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`Secret Manager emulator: ${error.message}`);
    process.exit(1);
  });
}

module.exports = { startSecretManagerEmulator };
