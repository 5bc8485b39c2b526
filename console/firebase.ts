// Firebase Auth for the console. The web app's configuration comes from Hosting's reserved URLs:
// `/__/firebase/init.json` when deployed; on a local machine (localhost or 127.0.0.1) the Hosting
// emulator's `/__/firebase/init.js?useEmulator=true`, which also names the running Auth emulator,
// whatever its port (`npm start`'s 9099 or a test stack's), so the console connects to it.
import { initializeApp } from 'firebase/app';
import {
  browserLocalPersistence,
  connectAuthEmulator,
  initializeAuth,
  type Auth,
} from 'firebase/auth';

interface WebConfig {
  apiKey: string;
  projectId: string;
  authDomain?: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/** The JSON object a `var <name> = {...};` line of the emulator's init.js holds, if any. */
function variable(script: string, name: string): unknown {
  const match = new RegExp(`var ${name} = (\\{[\\s\\S]*?\\n\\});`).exec(script);
  return match ? JSON.parse(match[1]) : undefined;
}

async function webSetup(): Promise<{ config: WebConfig; authEmulator?: string }> {
  if (!LOCAL_HOSTS.has(location.hostname)) {
    const response = await fetch('/__/firebase/init.json');
    if (!response.ok) throw new Error(`Firebase configuration: HTTP ${response.status}`);
    return { config: (await response.json()) as WebConfig };
  }
  const response = await fetch('/__/firebase/init.js?useEmulator=true');
  if (!response.ok) throw new Error(`Firebase emulator configuration: HTTP ${response.status}`);
  const script = await response.text();
  const config = (variable(script, 'firebaseConfig') as WebConfig | undefined) ?? {
    apiKey: 'fake-api-key',
    projectId: 'demo-organizations',
  };
  const emulators = variable(script, 'firebaseEmulators') as
    { auth?: { hostAndPort: string } } | undefined;
  return { config, authEmulator: emulators?.auth?.hostAndPort };
}

export async function startAuth(): Promise<Auth> {
  const { config, authEmulator } = await webSetup();
  const auth = initializeAuth(initializeApp(config), { persistence: browserLocalPersistence });
  if (authEmulator) {
    connectAuthEmulator(auth, `http://${authEmulator}`, { disableWarnings: true });
  } else if (LOCAL_HOSTS.has(location.hostname)) {
    throw new Error('No Auth emulator is running: start the stack with `npm start`.');
  }
  return auth;
}
