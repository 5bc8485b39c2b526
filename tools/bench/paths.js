// Where the benchmark finds the function and its dependencies.
'use strict';

const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const functionsDir = path.join(root, 'functions');
const functionsLib = path.join(functionsDir, 'lib');
/** What Firebase loads: the package's `main`, the bundle of lib/index.js (functions/bundle.js). */
const functionsMain = path.join(
  functionsDir,
  require(path.join(functionsDir, 'package.json')).main,
);

/**
 * `require` as the compiled function resolves it, so that the benchmark instruments and uses the
 * very classes the function does (one copy of firebase-admin, whatever npm hoisted).
 */
function functionsRequire(id) {
  return require(require.resolve(id, { paths: [functionsLib] }));
}

module.exports = { root, functionsDir, functionsLib, functionsMain, functionsRequire };
