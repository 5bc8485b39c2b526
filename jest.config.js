// Three tiers: `unit` runs without any emulator; `integration` runs under `firebase emulators:exec`
// (see tools/emulators.js) against the real Auth and Firestore emulators, driving the app in
// process; `platform` holds the integration suites that also need what the platform runs — the
// Functions emulator (the Hosting rewrite, the Firestore trigger) and the Cloud Tasks emulator —,
// so that the others run without a trigger firing on every event they write.
'use strict';

const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
};

const PLATFORM_SUITES = ['hosting', 'webhooks'].map(
  (name) => `<rootDir>/test/integration/${name}.test.ts`,
);

const integration = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/integration'],
  setupFiles: ['<rootDir>/test/helpers/setup.ts'],
  // Every response checked against the OpenAPI document (test/helpers/spec.ts).
  // ...and no log line holds a credential or secret (test/helpers/log-capture.ts).
  setupFilesAfterEnv: [
    '<rootDir>/test/helpers/setup-after-env.ts',
    '<rootDir>/test/helpers/log-capture.ts',
  ],
  transform,
  slowTestThreshold: 20,
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/unit'],
      // The app's request lines kept out of the output, and checked for credentials.
      setupFilesAfterEnv: ['<rootDir>/test/helpers/log-capture.ts'],
      transform,
    },
    { displayName: 'integration', ...integration, testPathIgnorePatterns: PLATFORM_SUITES },
    { displayName: 'platform', ...integration, testMatch: PLATFORM_SUITES },
  ],
};
