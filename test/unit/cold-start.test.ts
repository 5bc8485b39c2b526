// Cold start: loading the function must not load the Secret Manager client or gRPC, which only
// the requests that touch a secret need. Checked on the bundle Firebase loads (functions/bundle.js)
// and on tsc's output, each in a fresh Node process, where `require.cache` lists every module it
// pulled in.
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build's own CommonJS script
const { bundle } = require('../../functions/bundle.js') as {
  bundle: (options: { entry: string; outfile: string }) => void;
};

const root = join(__dirname, '..', '..');
// Inside functions/node_modules: the compiled files resolve their dependencies as functions/lib
// does, and no linter, formatter, git or deploy ever looks there.
const buildDir = join(root, 'functions', 'node_modules', '.cache', 'cold-start');
const outDir = join(buildDir, 'lib');
const main = join(buildDir, 'dist', 'index.js');
const HEAVY = /[\\/]node_modules[\\/](?:@google-cloud[\\/]secret-manager|@grpc[\\/]grpc-js)[\\/]/;

/** Firestore's client and its protos: about 100 ms of a cold start, which only the triggers need. */
const FIRESTORE = /[\\/]node_modules[\\/]@google-cloud[\\/]firestore[\\/]/;

// Runs `code` in a fresh Node process and returns the heavy modules it has loaded by its end.
function heavyModulesAfter(
  code: string,
  heavy = HEAVY,
  extraEnv: Record<string, string> = {},
): string[] {
  const script = `
    ${code}
    const heavy = ${heavy.toString()};
    const loaded = Object.keys(require.cache).filter((file) => heavy.test(file));
    process.stdout.write(JSON.stringify(loaded));
    process.exit(0);
  `;
  const env = { ...process.env, ...extraEnv };
  delete env.SECRET_MANAGER_EMULATOR_HOST;
  if (!extraEnv.FUNCTION_TARGET) delete env.FUNCTION_TARGET;
  const child = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', env });
  if (child.status !== 0) throw new Error(`The child process failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as string[];
}

beforeAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  // --noCheck: type errors are `npm run typecheck`'s business; this test needs the emitted code.
  const tsc = spawnSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      ...['-p', 'functions', '--outDir', outDir, '--noCheck', '--sourceMap', 'false'],
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  bundle({ entry: join(root, 'functions', 'src', 'index.ts'), outfile: main });
  // The function reads its version from the package.json beside its lib and dist folders.
  copyFileSync(join(root, 'functions', 'package.json'), join(buildDir, 'package.json'));
}, 60_000);

afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
});

describe('the cold start of the function', () => {
  // tsc's output too: a bundled module is not in `require.cache`, so only there would an eager
  // import of the client show, were it ever bundled.
  it.each([
    ['the bundle', main],
    ["tsc's output", join(outDir, 'index.js')],
  ])('loads neither @google-cloud/secret-manager nor @grpc/grpc-js (%s)', (_name, index) => {
    expect(heavyModulesAfter(`require(${JSON.stringify(index)});`)).toEqual([]);
  });

  // The platform names the function an instance serves in FUNCTION_TARGET; a deploy reads the
  // file without it and must see every function, the Firestore trigger included.
  it("an instance of `api` loads no Firestore client; a deploy's read of the file does", () => {
    const load = `require(${JSON.stringify(main)});`;
    expect(heavyModulesAfter(load, FIRESTORE, { FUNCTION_TARGET: 'api' })).toEqual([]);
    expect(heavyModulesAfter(load, FIRESTORE).length).toBeGreaterThan(0);
  });

  it('loads them on the first use of the secret store (so the check above can fail)', () => {
    const client = join(outDir, 'secrets', 'client.js');
    const loaded = heavyModulesAfter(`
      process.env.SECRET_MANAGER_EMULATOR_HOST = '127.0.0.1:1';
      const { secretStore } = require(${JSON.stringify(client)});
      secretStore.access('projects/p/secrets/s/versions/1').catch(() => {});
    `);

    expect(loaded.some((file) => file.includes('@google-cloud/secret-manager'))).toBe(true);
    expect(loaded.some((file) => file.includes('@grpc/grpc-js'))).toBe(true);
  });
});
