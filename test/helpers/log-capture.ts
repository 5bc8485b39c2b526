// Runs in every integration test file (jest.config.js): captures every line the function writes
// through `firebase-functions/logger` over the whole run, and fails the file that logged a
// credential or a secret. It knows them two ways: by form (API keys `orgk_…`, JWTs — ID tokens and
// session cookies —, `whsec_` webhook secrets, `Bearer …`, the API_KEY_PEPPER value) and by
// having seen them: every Authorization/Cookie header and every credential- or secret-named body
// field a test sends through supertest is remembered and looked for in the captured lines.
// The request lines (http/request-log.ts) are kept out of the test output (`LOG_ECHO=1` prints
// them); anything else the logger writes is printed as before.
import { dirname, join } from 'node:path';

type Level = 'debug' | 'info' | 'log' | 'warn' | 'error';
const LEVELS: Level[] = ['debug', 'info', 'log', 'warn', 'error'];

// The logger writes through this object's methods, looked up at each call (logger/common.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const common = require(
  join(dirname(require.resolve('firebase-functions/logger')), 'common.js'),
) as {
  UNPATCHED_CONSOLE: Record<Level, (...args: unknown[]) => void>;
};

/** Every line the logger wrote in this test file. */
export const loggedLines: string[] = [];
const echo = process.env.LOG_ECHO === '1';

for (const level of LEVELS) {
  common.UNPATCHED_CONSOLE[level] = (...args: unknown[]) => {
    const line = args.map(String).join(' ');
    loggedLines.push(line);
    if (echo || !isRequestLine(line)) console[level](...args);
  };
}

function isRequestLine(line: string): boolean {
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    return typeof entry.request_id === 'string' && 'latency_ms' in entry;
  } catch {
    return false;
  }
}

/** Forms of credentials and secrets. */
const FORMS: [string, RegExp][] = [
  ['an API key', /orgk_[A-Za-z0-9_-]{8,}/],
  ['a JWT (ID token or session cookie)', /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./],
  ['a webhook secret', /whsec_[A-Za-z0-9+/=_-]{8,}/],
  ['a Bearer credential', /Bearer\s+\S{8,}/i],
];

/** Values seen going out in tests' requests: credentials and secret-named fields. */
const seen = new Set<string>();
const SECRET_FIELD = /(secret|password|token|key|value|credential|cookie|authorization|pepper)/i;

function remember(value: unknown): void {
  if (typeof value === 'string') {
    // Short values (a 'read' scope, a role) would match by chance; credentials are long.
    const bare = value.replace(/^Bearer\s+/i, '');
    if (bare.length >= 12) seen.add(bare);
  }
}

function walk(value: unknown, name = '', depth = 0): void {
  if (depth > 6 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    // Ids (`key_id`, `endpoint_id`) name things and are logged on purpose.
    if (SECRET_FIELD.test(name) && !/(^|_)id$/i.test(name)) remember(value);
  } else if (Array.isArray(value)) {
    value.forEach((item) => walk(item, name, depth + 1));
  } else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walk(item, key, depth + 1);
  }
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

// supertest's requests are superagent's: learn what each test sends.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const superagent = require('superagent') as {
  Request: { prototype: { set: Method; send: Method } };
};
const { set, send } = superagent.Request.prototype;
superagent.Request.prototype.set = function (this: unknown, field: unknown, value?: unknown) {
  if (typeof field === 'string') walk(value, field);
  else walk(field);
  return set.call(this, field, value);
};
superagent.Request.prototype.send = function (this: unknown, data: unknown) {
  walk(data);
  return send.call(this, data);
};

/** What in the captured lines is a credential or a secret, one entry per line and reason. */
export function leaks(lines: string[] = loggedLines): string[] {
  const pepper = process.env.API_KEY_PEPPER;
  const found: string[] = [];
  for (const line of lines) {
    const reasons = FORMS.filter(([, form]) => form.test(line)).map(([what]) => what);
    if (pepper && line.includes(pepper)) reasons.push('the API_KEY_PEPPER value');
    for (const value of seen) {
      if (line.includes(value)) reasons.push(`a value a test sent (${value.slice(0, 6)}…)`);
    }
    if (reasons.length) found.push(`${reasons.join(', ')} in: ${line.slice(0, 300)}`);
  }
  return found;
}

afterAll(() => {
  const found = leaks();
  if (found.length) {
    throw new Error(
      `${found.length} log line(s) of this file hold a credential or secret:\n${found.join('\n')}`,
    );
  }
});
