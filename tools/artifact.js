// The deploy artifact, built and run the way Google does, outside the workspace: what
// `firebase deploy` uploads (firebase-tools' own packaging of `functions/` minus firebase.json's
// `ignore` list), its production dependencies installed on their own (as Cloud Build does: no root
// node_modules, no devDependencies), the manifest firebase-tools reads from it at deploy time
// (firebase-tools' own Node runtime delegate), and `api` served by @google-cloud/functions-framework,
// the runtime of Cloud Functions (2nd gen). Used by test/integration/artifact.test.ts and the sizing
// benchmark (tools/bench/sizing.js). Run `npm run build` first: the package's `main` is the bundle.
'use strict';

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const firebaseJson = require(path.join(root, 'firebase.json'));
const tools = path.join(root, 'node_modules', 'firebase-tools', 'lib');

/** firebase.json's one functions codebase: its source folder, runtime and `ignore` globs. */
function codebase() {
  const [functions] = firebaseJson.functions;
  return {
    sourceDir: path.join(root, functions.source),
    runtime: functions.runtime,
    ignore: [...functions.ignore],
  };
}

/**
 * The Functions Framework version Cloud Build adds to a Node deploy that does not depend on it:
 * the root devDependency's range (tests and bench run the same major).
 */
function frameworkSpec() {
  const range = require(path.join(root, 'package.json')).devDependencies[
    '@google-cloud/functions-framework'
  ];
  return `@google-cloud/functions-framework@${range}`;
}

/**
 * Packs `functions/` with firebase-tools' own `prepareFunctionsUpload` (the zip a deploy uploads)
 * and unpacks it into `<dir>/source`. Returns that folder and the files it holds.
 */
async function packArtifact(dir) {
  const { sourceDir, ignore } = codebase();
  const main = require(path.join(sourceDir, 'package.json')).main;
  if (!fs.existsSync(path.join(sourceDir, main))) {
    throw new Error(`functions/${main} (the package's main) is missing: run \`npm run build\`.`);
  }
  const { prepareFunctionsUpload } = require(
    path.join(tools, 'deploy', 'functions', 'prepareFunctionsUpload'),
  );
  const { unzip } = require(path.join(tools, 'unzip'));
  // firebase-tools appends its own entries to the list it is given.
  const { pathToSource } = await prepareFunctionsUpload(sourceDir, { ignore });
  const out = path.join(dir, 'source');
  try {
    await unzip(pathToSource, out);
  } finally {
    fs.rmSync(pathToSource, { force: true });
  }
  const files = fs
    .readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(out, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
  return { dir: out, files };
}

/**
 * `npm install --omit=dev` in the artifact, plus the Functions Framework, as Cloud Build's Node
 * buildpack installs it next to a package that does not declare it. From npm's cache when it is
 * warm (`--prefer-offline`); the registry otherwise. Resolves with the seconds it took.
 */
function installProduction(dir) {
  const started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = [
    'install',
    '--omit=dev',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--no-save',
    '--loglevel=error',
    frameworkSpec(),
  ];
  // The workspace's npm settings (workspaces, NODE_ENV=test of jest) must not leak in.
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^npm_/i.test(name)) delete env[name];
  delete env.NODE_ENV;
  return new Promise((resolve, reject) => {
    execFile(npm, args, { cwd: dir, env, maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm ${args.join(' ')} failed in ${dir}:\n${stderr}${stdout}`));
      else resolve((Date.now() - started) / 1000);
    });
  });
}

/**
 * The build firebase-tools reads at deploy time: its Node runtime delegate validates the package
 * and runs the artifact's own `firebase-functions` binary with FUNCTIONS_CONTROL_API=true (the
 * manifest written to a file: the CLI's FIREBASE_FUNCTIONS_DISCOVERY_OUTPUT_PATH=true mode, which
 * needs no port), then parses it as `firebase deploy` does (specVersion v1alpha1 → Build).
 */
async function discover(dir, projectId) {
  const { runtime } = codebase();
  const { Delegate } = require(path.join(tools, 'deploy', 'functions', 'runtimes', 'node'));
  const delegate = new Delegate(projectId, path.dirname(dir), dir, runtime);
  await delegate.validate();
  const saved = process.env.FIREBASE_FUNCTIONS_DISCOVERY_OUTPUT_PATH;
  process.env.FIREBASE_FUNCTIONS_DISCOVERY_OUTPUT_PATH = 'true';
  try {
    // The environment `firebase deploy` gives discovery (deploy/functions/prepare.js).
    return await delegate.discoverBuild(
      {},
      {
        FIREBASE_CONFIG: JSON.stringify({ projectId }),
        GCLOUD_PROJECT: projectId,
        GOOGLE_CLOUD_QUOTA_PROJECT: projectId,
      },
    );
  } finally {
    if (saved === undefined) delete process.env.FIREBASE_FUNCTIONS_DISCOVERY_OUTPUT_PATH;
    else process.env.FIREBASE_FUNCTIONS_DISCOVERY_OUTPUT_PATH = saved;
  }
}

/** A free loopback port. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Serves one function of the artifact with the artifact's own `functions-framework` binary, as
 * the Cloud Functions runtime starts it (`--target`, `--signature-type=http`, NODE_ENV=production
 * as the Node buildpack sets it, the secrets as environment variables), on a loopback port.
 * `env` is the whole environment besides PATH and HOME: nothing of the test process leaks in.
 * Resolves once the function answers; `stop()` ends it. `output()` is what it wrote.
 */
async function serve(dir, { target = 'api', env = {}, nodeArgs = [] } = {}) {
  const port = await freePort();
  const bin = path.join(
    dir,
    'node_modules',
    '@google-cloud',
    'functions-framework',
    'build',
    'src',
    'main.js',
  );
  const child = spawn(
    process.execPath,
    [...nodeArgs, bin, `--target=${target}`, '--signature-type=http', `--port=${port}`],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME ?? os.homedir(),
        NODE_ENV: 'production',
        FUNCTION_TARGET: target,
        FUNCTION_SIGNATURE_TYPE: 'http',
        K_SERVICE: target,
        PORT: String(port),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`functions-framework exited with ${child.exitCode}:\n${output}`);
    }
    try {
      await fetch(`${url}/health`);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`functions-framework did not answer on ${url} in 30 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    pid: child.pid,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A fresh folder outside the workspace, so that no parent node_modules can resolve a require. */
function tempDir(prefix = 'organizations-artifact-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

module.exports = {
  codebase,
  discover,
  frameworkSpec,
  installProduction,
  packArtifact,
  serve,
  tempDir,
};
