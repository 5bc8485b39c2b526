// Bundles the function (src/index.ts) into dist/index.js, the `main` that Firebase loads: one file
// instead of some 270 modules (express, zod and the function's own), and since esbuild reads the
// TypeScript's ES imports, only the parts of zod the schemas use (`import * as z`), not all of its
// locales. Cuts the cold start by about a fifth: BENCHMARKS.md, section 3. `node bundle.js`; tsc
// type-checks and writes lib/ (the tests and tools use it) before.
'use strict';

const path = require('node:path');
const { buildSync } = require('esbuild');

/**
 * Left to `require` at run time: firebase-functions, because the deploy reads the secrets and
 * params the function declares from its module-level registry (a bundled copy would hide them);
 * firebase-admin and the Secret Manager client, which the function loads lazily, on first use.
 */
const EXTERNAL = ['firebase-functions', 'firebase-admin', '@google-cloud/secret-manager'];

/** Writes `outfile` and its source map. */
function bundle({ entry, outfile }) {
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (require.main === module) {
  bundle({
    entry: path.join(__dirname, 'src', 'index.ts'),
    outfile: path.join(__dirname, 'dist', 'index.js'),
  });
}

module.exports = { bundle };
