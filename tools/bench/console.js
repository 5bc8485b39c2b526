// The console's budget: its initial JavaScript (every script public/index.html loads, as built by
// tools/build-console.js) at most 120 KB gzip (level 9, what a browser downloads at worst). The
// other console budget, the overview's data after at most 2 API calls once signed in, needs a
// browser: test/browser/console.spec.ts ("budgets") counts the requests. Alone:
// `node tools/bench/console.js` (after `npm run build`).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { root } = require('./paths');

const MAX_GZIP_KB = 120;

function measureConsole() {
  const shell = fs.readFileSync(path.join(root, 'public', 'index.html'), 'utf8');
  const scripts = [...shell.matchAll(/<script[^>]*\ssrc="\/([^"]+)"/g)].map((match) => match[1]);
  if (scripts.length === 0) throw new Error('public/index.html loads no script: run npm run build');
  let bytes = 0;
  let gzipBytes = 0;
  for (const script of scripts) {
    const body = fs.readFileSync(path.join(root, 'public', script));
    bytes += body.length;
    gzipBytes += zlib.gzipSync(body, { level: 9 }).length;
  }
  return { scripts, bytes, gzipBytes };
}

function consoleSection(result, check, { table }) {
  const kb = (value) => `${(value / 1024).toFixed(1)} KB`;
  const rows = [
    [
      `initial JavaScript of the console (${result.scripts.map((s) => `\`${s.replace(/-[A-Z0-9]+\.js$/, '-<hash>.js')}\``).join(', ')})`,
      `**${kb(result.gzipBytes)}** gzip (${kb(result.bytes)} minified)`,
      `≤ ${MAX_GZIP_KB} KB gzip`,
      check(
        result.gzipBytes <= MAX_GZIP_KB * 1024,
        `console: initial JavaScript ${kb(result.gzipBytes)} gzip over ${MAX_GZIP_KB} KB`,
      ),
    ],
  ];
  return [
    '## Console: initial JavaScript',
    '',
    'The console (`console/`: Preact, Firebase Auth, the typed client) as `npm run build` bundles it with esbuild into `public/console/` (`tools/bench/console.js`). Its other budget, the organization overview showing its data after at most 2 API calls once signed in, is asserted in a real browser by `test/browser/console.spec.ts` ("budgets"), which also checks the JavaScript the page really loads.',
    '',
    table(['measure', 'result', 'budget', ''], rows),
  ].join('\n');
}

if (require.main === module) {
  const result = measureConsole();
  const failed = [];
  const table = (header, rows) =>
    [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
  console.log(
    consoleSection(result, (ok, description) => (ok || failed.push(description), ok ? '✓' : '✗'), {
      table,
    }),
  );
  process.exit(failed.length ? 1 : 0);
}

module.exports = { measureConsole, consoleSection, MAX_GZIP_KB };
