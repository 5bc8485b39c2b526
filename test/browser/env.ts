// Imported before the app: functions/src/config.ts reads these at import (the local defaults, a
// demo project) and google-auth-library must not look for a metadata server. Without emulators
// (the browser tests run none), a route that touched Firestore or Auth would try Google: point
// both at a closed loopback port instead, so such a mistake fails here and stays on the machine.
process.env.NODE_ENV ??= 'test';
process.env.GCLOUD_PROJECT ??= 'demo-organizations';
process.env.METADATA_SERVER_DETECTION ??= 'none';
process.env.FIRESTORE_EMULATOR_HOST ??= '127.0.0.1:9';
process.env.FIREBASE_AUTH_EMULATOR_HOST ??= '127.0.0.1:9';
