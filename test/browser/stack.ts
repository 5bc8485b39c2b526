// The local stack the console tests drive: Hosting at CONSOLE_URL (the API behind its /api
// rewrite) and the Auth emulator at FIREBASE_AUTH_EMULATOR_HOST (both set by
// `node tools/emulators.js exec`, or by hand for another port set). Also: a user's email verified
// through the emulator's own verification link, an ID token, a call to the API, and the README's
// screenshots (rewritten only when UPDATE_SCREENSHOTS=1, so a test run leaves the tree clean).
import type { Page } from '@playwright/test';
import { join } from 'node:path';

export const consoleUrl = process.env.CONSOLE_URL ?? 'http://127.0.0.1:5000';
const project = process.env.GCLOUD_PROJECT ?? 'demo-organizations';

export function authEmulator(): string {
  return `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST ?? '127.0.0.1:9099'}`;
}

/**
 * Opens the verification link the Auth emulator "sent" to `email` (the latest one), waiting a few
 * seconds for it: the console shows "Verify your email" as soon as the account exists, while its
 * request for the email may still be on its way.
 */
export async function verifyEmail(email: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await fetch(`${authEmulator()}/emulator/v1/projects/${project}/oobCodes`);
    const { oobCodes } = (await response.json()) as {
      oobCodes: { email: string; requestType: string; oobLink: string }[];
    };
    const link = oobCodes
      .filter((code) => code.email === email && code.requestType === 'VERIFY_EMAIL')
      .pop();
    if (link) {
      const opened = await fetch(link.oobLink);
      if (!opened.ok) throw new Error(`verification link: HTTP ${opened.status}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`no verification email for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** An ID token of a user, signed in through the Auth emulator's REST API. */
export async function idToken(email: string, password: string): Promise<string> {
  const response = await fetch(
    `${authEmulator()}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake-api-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, returnSecureToken: true }),
    },
  );
  const body = (await response.json()) as { idToken?: string };
  if (!body.idToken) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(body)}`);
  return body.idToken;
}

/** A call to the API through Hosting, as a script would make it. */
export async function callApi(
  path: string,
  {
    credential,
    method = 'GET',
    body,
  }: { credential?: string; method?: string; body?: unknown } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests check bodies exactly
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${consoleUrl}/api${path}`, {
    method,
    headers: {
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Writes docs/console-<name>.png for the README, only when UPDATE_SCREENSHOTS=1. */
export async function readmeScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await page.screenshot({ path: join(__dirname, '..', '..', 'docs', `console-${name}.png`) });
}

interface Demo {
  email: string;
  password: string;
  organizationId: string;
}

/** `npm start`'s demo user and Demo Lab (tools/demo.js), seeded into this stack. */
export async function seedDemo(): Promise<Demo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the tool is CommonJS
  const demo = require('../../tools/demo.js') as {
    seedDemo(options: { auth: string; hosting: string; stateFile: string }): Promise<Demo>;
  };
  return demo.seedDemo({
    auth: authEmulator(),
    hosting: consoleUrl,
    stateFile: join(__dirname, '..', '..', '.local', 'demo-browser-tests.json'),
  });
}
