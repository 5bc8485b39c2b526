// What the benchmark's modules share when one runs alone (`node tools/bench/<name>.js` against
// running emulators): BENCHMARKS.md's formatters (tools/bench/report.js writes with them too), the
// result kept in `.local/bench-<name>.json`, the module's section printed with ✓ and ✗, and the
// exit code.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { root } = require('./paths');

const ms = (value) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const int = (value) => Math.round(value).toLocaleString('en-US');

function table(header, rows) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/**
 * Keeps `result` in `.local/bench-<name>.json` and prints `section(result, check, formats)`, the
 * module's part of BENCHMARKS.md; answers the exit code (1 when a budget failed).
 */
function printAlone(name, result, section) {
  const failed = [];
  const check = (ok, description) => {
    if (!ok) failed.push(description);
    return ok ? '✓' : '✗';
  };
  const out = path.join(root, '.local', `bench-${name}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  console.log(
    `\n${path.relative(root, out)}:\n\n${section(result, check, { table, ms, mb, int })}\n`,
  );
  console.log(`${failed.length} budget(s) failed`);
  return failed.length ? 1 : 0;
}

/** Runs `main` when `entry` is the script node was given: its answer is the exit code. */
function runAlone(entry, main) {
  if (require.main !== entry) return;
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

module.exports = { int, mb, ms, printAlone, runAlone, table };
