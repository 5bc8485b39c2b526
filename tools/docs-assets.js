#!/usr/bin/env node
// Copies the Swagger UI files that public/docs/index.html loads from swagger-ui-dist into
// public/docs/vendor/, so the docs page serves every asset itself (no CDN). Run by `npm run build`;
// the copies are generated and ignored by git.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const target = path.join(root, 'public', 'docs', 'vendor');
const FILES = [
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'favicon-16x16.png',
  'favicon-32x32.png',
  'LICENSE',
  'NOTICE',
];

function copyDocsAssets() {
  const source = path.dirname(require.resolve('swagger-ui-dist/package.json', { paths: [root] }));
  const { version } = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  for (const file of FILES) fs.copyFileSync(path.join(source, file), path.join(target, file));
  // Source maps are not copied, so drop any reference to one (no 404 when devtools are open).
  for (const file of FILES.filter((name) => /\.(?:css|js)$/.test(name))) {
    const copy = path.join(target, file);
    const text = fs.readFileSync(copy, 'utf8');
    fs.writeFileSync(copy, text.replace(/\n?(?:\/\/|\/\*)# sourceMappingURL=[^\n]*\s*$/, '\n'));
  }
  return { version, target, files: FILES };
}

if (require.main === module) {
  const { version, target: dir, files } = copyDocsAssets();
  console.log(
    `docs: swagger-ui-dist ${version}, ${files.length} files in ${path.relative(root, dir)}/`,
  );
}

module.exports = { copyDocsAssets };
