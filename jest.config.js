// Two tiers: `unit` runs without any emulator; `integration` runs under `firebase emulators:exec`
// (see tools/emulators.js) against the real Auth and Firestore emulators.
'use strict';

const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
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
    {
      displayName: 'integration',
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
    },
  ],
};
