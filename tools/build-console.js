#!/usr/bin/env node
// Builds the console web app (console/, TypeScript + Preact) into Hosting's public folder: one
// minified ES module and one stylesheet under public/console/, their names carrying a content hash
// (so Hosting may cache them for good), and public/index.html, the shell that loads them, written
// from console/index.html. Run by `npm run build`; the output is generated and ignored by git.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.join(__dirname, '..');
const source = path.join(root, 'console');
const target = path.join(root, 'public', 'console');

async function buildConsole({ quiet = false } = {}) {
  const esbuild = require('esbuild');
  fs.rmSync(target, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { app: path.join(source, 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: target,
    entryNames: '[name]-[hash]',
    legalComments: 'none',
    metafile: true,
    logLevel: quiet ? 'silent' : 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.resolve(root, file));
  const script = outputs.find((file) => file.endsWith('.js'));
  const style = outputs.find((file) => file.endsWith('.css'));
  const href = (file) => `/console/${path.basename(file)}`;
  const shell = fs
    .readFileSync(path.join(source, 'index.html'), 'utf8')
    .replace('<!--STYLE-->', style ? `<link rel="stylesheet" href="${href(style)}" />` : '')
    .replace('<!--SCRIPT-->', `<script type="module" src="${href(script)}"></script>`);
  fs.writeFileSync(path.join(root, 'public', 'index.html'), shell);
  const bytes = fs.readFileSync(script);
  return {
    script: href(script),
    style: style && href(style),
    bytes: bytes.length,
    gzipBytes: zlib.gzipSync(bytes, { level: 9 }).length,
  };
}

if (require.main === module) {
  buildConsole().then(
    ({ script, bytes, gzipBytes }) =>
      console.log(
        `console: ${script}, ${(bytes / 1024).toFixed(1)} KB (${(gzipBytes / 1024).toFixed(1)} KB gzip)`,
      ),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

module.exports = { buildConsole };
