// The local stack's shared pieces: where local state lives, the function's emulator secrets, and
// how to run the real Firestore emulator on a machine without internet (see README, "Firestore
// emulator"). Used by `npm start` (start.js) and `npm test` (emulators.js).
'use strict';

const { execFileSync, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const localDir = path.join(root, '.local');
const projectId = JSON.parse(fs.readFileSync(path.join(root, '.firebaserc'), 'utf8')).projects
  .default;
const firebaseBin = require.resolve('firebase-tools/lib/bin/firebase.js');

const GCLOUD_FIRESTORE_JAR =
  '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar';
const FIRESTORE_MAIN_CLASS = 'com.google.cloud.datastore.emulator.firestore.CloudFirestore';

/** Creates `functions/.secret.local` (the function secrets the emulator reads) once. */
function ensureSecrets() {
  const file = path.join(root, 'functions', '.secret.local');
  if (!fs.existsSync(file)) {
    const pepper = crypto.randomBytes(32).toString('base64url');
    fs.writeFileSync(file, `API_KEY_PEPPER=${pepper}\n`, { mode: 0o600 });
  }
  // The previous pepper of a rotation (docs/OPERATIONS.md): none here. Appended to older files,
  // or the Functions emulator would look for it in Google's Secret Manager on every call.
  if (!/^API_KEY_PEPPER_PREVIOUS=/m.test(fs.readFileSync(file, 'utf8'))) {
    fs.appendFileSync(file, 'API_KEY_PEPPER_PREVIOUS=none\n');
  }
  const secrets = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) secrets[match[1]] = match[2];
  }
  return secrets;
}

/** The jar firebase-tools downloads into its cache, if a machine with internet already did. */
function cachedFirestoreJar() {
  const info = require('firebase-tools/lib/emulator/downloadableEmulatorInfo.json').firestore;
  const cacheDir =
    process.env.FIREBASE_EMULATORS_PATH ||
    path.join(os.homedir(), '.cache', 'firebase', 'emulators');
  const jar = path.join(cacheDir, info.downloadPathRelativeToCacheDir);
  return fs.existsSync(jar) ? jar : null;
}

/**
 * Builds a wrapper jar whose manifest starts Google's gcloud Firestore emulator, which has no
 * `Main-Class` of its own. The wrapper holds no Google code: only a manifest pointing at the jar.
 */
function gcloudWrapperJar() {
  if (!fs.existsSync(GCLOUD_FIRESTORE_JAR)) return null;
  const wrapper = path.join(localDir, 'firestore-emulator-wrapper.jar');
  if (!fs.existsSync(wrapper)) {
    fs.mkdirSync(localDir, { recursive: true });
    const manifest = path.join(localDir, 'firestore-emulator-manifest.txt');
    fs.writeFileSync(
      manifest,
      `Main-Class: ${FIRESTORE_MAIN_CLASS}\nClass-Path: file:${GCLOUD_FIRESTORE_JAR}\n`,
    );
    execFileSync('jar', ['cfm', wrapper, manifest]);
  }
  return wrapper;
}

/**
 * How this machine runs the Firestore emulator: firebase-tools' cached jar, else Google's gcloud
 * jar through the wrapper, else firebase-tools' own download (which needs internet).
 * Returns the environment to run firebase-tools with and where the emulator comes from.
 */
function firestoreEmulator() {
  if (process.env.FIRESTORE_EMULATOR_BINARY_PATH) {
    return { source: 'FIRESTORE_EMULATOR_BINARY_PATH', env: {} };
  }
  if (cachedFirestoreJar()) return { source: 'firebase-tools cache', env: {} };
  const wrapper = gcloudWrapperJar();
  if (wrapper) return { source: 'gcloud', env: { FIRESTORE_EMULATOR_BINARY_PATH: wrapper } };
  return { source: 'download', env: {} };
}

/** Runs the firebase CLI of this project's own firebase-tools. */
function firebase(args, options = {}) {
  return spawn(process.execPath, [firebaseBin, ...args, '--project', projectId], {
    cwd: root,
    stdio: 'inherit',
    ...options,
  });
}

function exitCode(child) {
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
}

module.exports = {
  root,
  localDir,
  projectId,
  ensureSecrets,
  firestoreEmulator,
  firebase,
  exitCode,
};
