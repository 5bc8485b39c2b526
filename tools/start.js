#!/usr/bin/env node
// `npm start`: builds the function, starts the Auth, Firestore, Functions and Hosting emulators
// with data kept in .local/emulator-data across restarts, waits until the API answers through
// Hosting, seeds the demo data and prints how to call it. Ctrl-C stops everything it started.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureSecrets, exitCode, firebase, firestoreEmulator, localDir, root } = require('./local');
const { seedDemo } = require('./demo');
const { startSecretManagerEmulator } = require('./secret-manager-emulator');

const EMULATORS = 'auth,firestore,functions,hosting,tasks';
const HOSTING = 'http://127.0.0.1:5000';
const dataDir = path.join(localDir, 'emulator-data');

async function waitForHealth(deadline) {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${HOSTING}/api/health`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

async function main() {
  ensureSecrets();
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const firestore = firestoreEmulator();
  fs.mkdirSync(dataDir, { recursive: true });
  const hasData = fs.existsSync(path.join(dataDir, 'firebase-export-metadata.json'));
  const args = ['emulators:start', '--only', EMULATORS, '--export-on-exit', dataDir];
  if (hasData) args.push('--import', dataDir);
  const secretManager = await startSecretManagerEmulator({
    port: 9399,
    dataFile: path.join(localDir, 'secret-manager.json'),
  });

  // Its own process group: Ctrl-C reaches only this script, which stops firebase-tools once (so
  // it exports the data) and then sweeps the group, leaving no Java or Node process behind.
  const child = firebase(args, {
    env: { ...process.env, ...firestore.env, SECRET_MANAGER_EMULATOR_HOST: secretManager.address },
    detached: true,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the emulators (saving data to .local/emulator-data)...');
    child.kill('SIGINT');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const exited = exitCode(child).then(async (code) => {
    killGroup(child.pid, 'SIGKILL');
    await secretManager.stop();
    return code;
  });

  const ready = await Promise.race([waitForHealth(Date.now() + 120_000), exited.then(() => false)]);
  if (!ready) {
    stop();
    process.exit((await exited) || 1);
  }
  const demo = await seedDemo();
  console.log(`
The organizations API is running at ${HOSTING}/api  (Firestore emulator: ${firestore.source};
Secret Manager emulator: ${secretManager.address})

  Demo user:         ${demo.email}  (password: ${demo.password})
  Demo organization: ${demo.organizationId}
  Demo API key:      ${demo.apiKey}

Try it:

  curl -H "Authorization: Bearer ${demo.apiKey}" ${HOSTING}/api/organizations

Press Ctrl-C to stop.
`);
  process.exit(await exited);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
