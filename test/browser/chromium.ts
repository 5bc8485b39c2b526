// The headless Chromium the browser tests drive, found without Playwright's own download (no CDN
// here), in this order: CHROMIUM_PATH, Debian's /usr/bin/chromium, then the Chromium shipped inside
// the npm package @sparticuz/chromium (so `npm install && npm test` needs nothing else). The
// `browser` fixture below launches it once per worker and says in one line which one it uses.
import { test as base, chromium, type Browser, type LaunchOptions } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const root = join(__dirname, '..', '..');
const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Flags of our own: @sparticuz/chromium's `args` has --single-process, which breaks contexts. */
const ARGS = [
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

interface Choice {
  /** What the one-line report says: where the browser comes from. */
  source: string;
  executablePath: string;
  env?: Record<string, string>;
}

/** Unpacks a `.tar.br` archive into `target` once (via a temporary folder, so never half-done). */
function inflateTar(archive: string, target: string): void {
  if (existsSync(target)) return;
  const partial = `${target}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  execFileSync('tar', ['-x', '-C', partial], {
    input: brotliDecompressSync(readFileSync(archive)),
  });
  try {
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(target)) throw error;
  }
}

/**
 * The Chromium inside @sparticuz/chromium, made runnable outside AWS Lambda: its shared libraries
 * (libnss3, libnspr4, libexpat...) come from the package's bin/al2023.tar.br, and a fonts.conf names
 * the fonts `executablePath()` unpacks, or text renders as boxes.
 */
async function npmChromium(): Promise<Choice> {
  const { default: Sparticuz } = await import('@sparticuz/chromium');
  const packageDir = join(dirname(require.resolve('@sparticuz/chromium')), '..');
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const executablePath = await Sparticuz.executablePath();
  const cache = join(root, '.local', `sparticuz-chromium-${version}`);
  inflateTar(join(packageDir, 'bin', 'al2023.tar.br'), join(cache, 'al2023'));
  const fontsConf = join(cache, 'fonts.conf');
  const fontDirs = [join(tmpdir(), 'fonts'), '/usr/share/fonts'].filter((dir) => existsSync(dir));
  writeFileSync(
    fontsConf,
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      '<fontconfig>',
      ...fontDirs.map((dir) => `  <dir>${dir}</dir>`),
      `  <cachedir>${join(cache, 'fontconfig-cache')}</cachedir>`,
      '</fontconfig>',
      '',
    ].join('\n'),
  );
  const libs = join(cache, 'al2023', 'lib');
  const ldPath = [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return {
    source: `@sparticuz/chromium ${version} (npm)`,
    executablePath,
    env: { LD_LIBRARY_PATH: ldPath, FONTCONFIG_FILE: fontsConf },
  };
}

/** CHROMIUM_PATH, else Debian's Chromium, else the npm-shipped one. */
export async function findChromium(): Promise<Choice> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv}: no such file`);
    return { source: 'CHROMIUM_PATH', executablePath: fromEnv };
  }
  if (existsSync(DEBIAN_CHROMIUM)) return { source: 'Debian', executablePath: DEBIAN_CHROMIUM };
  return npmChromium();
}

/** Launches the chosen Chromium headless and prints which one it is, in one line. */
export async function launchChromium(): Promise<Browser> {
  const choice = await findChromium();
  const options: LaunchOptions = {
    executablePath: choice.executablePath,
    args: ARGS,
    env: { ...process.env, ...choice.env },
  };
  const browser = await chromium.launch(options);
  console.log(
    `browser: Chromium ${browser.version()} from ${choice.source}: ${choice.executablePath}`,
  );
  return browser;
}

/** Playwright's `test` with its `browser` fixture launching the Chromium found above. */
export const test = base.extend<object, { browser: Browser }>({
  browser: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures from the pattern
    async ({}, use) => {
      const browser = await launchChromium();
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
