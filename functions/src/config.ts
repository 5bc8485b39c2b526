import { defineSecret } from 'firebase-functions/params';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/** The pepper of API-key digests: a function secret, read with `.value()` inside a request only. */
export const apiKeyPepper = defineSecret('API_KEY_PEPPER');

/**
 * The pepper before the last rotation, accepted for a grace period (docs/OPERATIONS.md): a key
 * whose digest is under it still verifies and moves to the current pepper's digest on that use.
 * `none` (or empty) outside a rotation; a secret too, as it unlocks the same keys.
 */
export const apiKeyPepperPrevious = defineSecret('API_KEY_PEPPER_PREVIOUS');

const packageJson = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

/**
 * Where the function may run without production settings: the Functions emulator, the tests (jest
 * sets NODE_ENV=test) and firebase-tools' deploy-time discovery, which loads the code with
 * FUNCTIONS_CONTROL_API=true only to list its functions and never serves a request.
 */
const local =
  process.env.FUNCTIONS_EMULATOR === 'true' ||
  process.env.NODE_ENV === 'test' ||
  process.env.FUNCTIONS_CONTROL_API === 'true';

/** The local Hosting emulator: the defaults where `local` holds, and nowhere else. */
const LOCAL_DEFAULTS = {
  ALLOWED_ORIGINS: 'http://127.0.0.1:5000,http://localhost:5000',
  APP_URL: 'http://127.0.0.1:5000',
};

function httpUrl(value: string): URL | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host ? url : null;
}

const origin = z.string().superRefine((value, ctx) => {
  const url = httpUrl(value);
  if (!url) {
    ctx.addIssue({
      code: 'custom',
      message: `has ${JSON.stringify(value)}, which is not an http(s) origin such as https://console.example.com`,
    });
  } else if (url.origin !== value) {
    ctx.addIssue({
      code: 'custom',
      message: `has ${JSON.stringify(value)}, which is not an origin (scheme, host and port only): write ${url.origin}`,
    });
  }
});

/** The environment the app reads, each setting with what it is for (the error names it). */
const environment = z.object({
  ALLOWED_ORIGINS: z
    .string({
      error:
        'is not set (the origins of the console, comma-separated, e.g. https://console.example.com)',
    })
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(origin).min(1, 'lists no origin')),
  APP_URL: z
    .string({
      error:
        "is not set (the console's URL, for links in invitation emails, e.g. https://console.example.com)",
    })
    .superRefine((value, ctx) => {
      const url = httpUrl(value);
      if (!url || url.search || url.hash) {
        ctx.addIssue({
          code: 'custom',
          message: `is ${JSON.stringify(value)}, which is not an http(s) URL without query or fragment, such as https://console.example.com`,
        });
      }
    })
    // Links append `/invitations/{id}`.
    .transform((value) => value.replace(/\/+$/, '')),
});

/** Parses the environment once, at load: a missing or malformed setting stops the function. */
function readEnvironment(env: NodeJS.ProcessEnv) {
  const setting = (name: keyof typeof LOCAL_DEFAULTS) =>
    env[name]?.trim() || (local ? LOCAL_DEFAULTS[name] : undefined);
  const parsed = environment.safeParse({
    ALLOWED_ORIGINS: setting('ALLOWED_ORIGINS'),
    APP_URL: setting('APP_URL'),
  });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
  throw new Error(
    `The function's configuration is incomplete: ${problems.join('; ')}. Settings go in ` +
      "functions/.env (or the deployed function's environment); only the emulators and the tests have defaults.",
  );
}

const env = readEnvironment(process.env);

/** Everything the app reads from its environment, read and checked once at load. */
export const config = {
  version: packageJson.version,
  projectId:
    process.env.GCLOUD_PROJECT ?? process.env.GCP_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT,
  /** Origins allowed by CORS and for writes signed by the session cookie. */
  allowedOrigins: env.ALLOWED_ORIGINS,
  bodyLimitBytes: 100 * 1024,
  /** The console's address, for links in invitation emails. */
  appUrl: env.APP_URL,
  /** `Secure` session cookies everywhere but the emulators, which serve plain HTTP. */
  secureCookies: process.env.FUNCTIONS_EMULATOR !== 'true' && process.env.NODE_ENV !== 'test',
};

/** The API-key pepper, inside a request; a missing secret is a deployment bug, not a 401. */
export function pepper(): string {
  const value = apiKeyPepper.value();
  if (!value) throw new Error('The API_KEY_PEPPER secret is not set.');
  return value;
}

/** The previous API-key pepper during a rotation's grace period, else null. */
export function previousPepper(): string | null {
  // Unset where no secret file or deploy binds it (the tests): null, without firebase-functions'
  // warning that `.value()` logs for an unbound secret.
  if (process.env[apiKeyPepperPrevious.name] === undefined) return null;
  const value = apiKeyPepperPrevious.value().trim();
  return value && value !== 'none' && value !== pepper() ? value : null;
}
