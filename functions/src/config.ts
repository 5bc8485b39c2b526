import { defineSecret } from 'firebase-functions/params';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The pepper of API-key digests: a function secret, read with `.value()` inside a request only. */
export const apiKeyPepper = defineSecret('API_KEY_PEPPER');

const packageJson = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

function list(value: string | undefined, fallback: string[]): string[] {
  if (!value) return fallback;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Everything the app reads from its environment, read once at load. */
export const config = {
  version: packageJson.version,
  projectId:
    process.env.GCLOUD_PROJECT ?? process.env.GCP_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT,
  /** Origins allowed by CORS; the local Hosting emulator by default. */
  allowedOrigins: list(process.env.ALLOWED_ORIGINS, [
    'http://127.0.0.1:5000',
    'http://localhost:5000',
  ]),
  bodyLimitBytes: 100 * 1024,
  /** The console's address, for links in invitation emails. */
  appUrl: process.env.APP_URL ?? 'http://127.0.0.1:5000',
  /** `Secure` session cookies everywhere but the emulators, which serve plain HTTP. */
  secureCookies: process.env.FUNCTIONS_EMULATOR !== 'true' && process.env.NODE_ENV !== 'test',
};

/** The API-key pepper, inside a request; a missing secret is a deployment bug, not a 401. */
export function pepper(): string {
  const value = apiKeyPepper.value();
  if (!value) throw new Error('The API_KEY_PEPPER secret is not set.');
  return value;
}
