#!/usr/bin/env node
// `node tools/emulators.js exec [--only auth,firestore] "<command>"`: runs a command (the tests, the
// benchmark) under `firebase emulators:exec` with the real Auth, Firestore, Functions, Hosting and
// Cloud Tasks emulators, or only the ones `--only` names: the suites that drive the app in process
// need no Functions emulator, whose Firestore trigger would otherwise run on every event they write.
// It also runs the local Secret Manager emulator (in memory) on 127.0.0.1:9399 for the command and
// the Functions emulator, through SECRET_MANAGER_EMULATOR_HOST.
// On a machine that cannot run the Firestore emulator at all (no cached jar, no gcloud jar, no
// internet to download one), it runs the command with FIRESTORE_EMULATOR_SKIPPED set, so the
// emulator-backed tests skip themselves, and says in one line how many were skipped and why.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { ensureSecrets, exitCode, firebase, firestoreEmulator, localDir } = require('./local');
const { spawn } = require('node:child_process');
const { startSecretManagerEmulator } = require('./secret-manager-emulator');

const EMULATORS = 'auth,firestore,functions,hosting,tasks';

async function canDownloadFirestore() {
  const child = firebase(['setup:emulators:firestore'], { stdio: 'ignore' });
  return (await exitCode(child)) === 0;
}

async function runSkipping(command, reason) {
  const report = path.join(localDir, 'skipped-tests.json');
  fs.mkdirSync(localDir, { recursive: true });
  const child = spawn(`${command} --json --outputFile=${report}`, {
    shell: true,
    stdio: 'inherit',
    env: { ...process.env, FIRESTORE_EMULATOR_SKIPPED: reason },
  });
  const code = await exitCode(child);
  const skipped = fs.existsSync(report)
    ? JSON.parse(fs.readFileSync(report, 'utf8')).numPendingTests
    : 'all';
  console.log(`Skipped ${skipped} emulator-backed tests: ${reason}.`);
  return code;
}

async function exec(command, emulators = EMULATORS) {
  ensureSecrets();
  const firestore = firestoreEmulator();
  if (firestore.source === 'download' && !(await canDownloadFirestore())) {
    return runSkipping(
      command,
      'no Firestore emulator on this machine (no gcloud jar, and it could not be downloaded)',
    );
  }
  const secretManager = await startSecretManagerEmulator({ port: 9399 });
  const child = firebase(['emulators:exec', '--only', emulators, command], {
    env: {
      ...process.env,
      ...firestore.env,
      SECRET_MANAGER_EMULATOR_HOST: secretManager.address,
    },
  });
  const code = await exitCode(child);
  await secretManager.stop();
  return code;
}

const [verb, ...rest] = process.argv.slice(2);
const only = rest[0] === '--only' ? rest.splice(0, 2)[1] : undefined;
const [command] = rest;
if (verb !== 'exec' || !command || rest.length !== 1) {
  console.error('usage: node tools/emulators.js exec [--only <emulators>] "<command>"');
  process.exit(2);
}
exec(command, only).then((code) => process.exit(code));
