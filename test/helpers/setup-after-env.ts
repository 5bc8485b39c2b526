// Runs in every integration test file, after the test framework is set up: every app the tests
// build with `createApp()` is wrapped so that each of its responses is checked against the OpenAPI
// document generated from the route declarations (test/helpers/spec.ts), and a test whose
// requests broke the contract fails, naming each request, its status and what is wrong.
import { takeViolations } from './spec';

jest.mock('../../functions/src/app', () => {
  const actual =
    jest.requireActual<typeof import('../../functions/src/app')>('../../functions/src/app');
  const { checked } = jest.requireActual<typeof import('./spec')>('./spec');
  return {
    ...actual,
    createApp: (...args: Parameters<typeof actual.createApp>) => checked(actual.createApp(...args)),
  };
});

function failOnViolations(when: string): void {
  const violations = takeViolations();
  if (violations.length === 0) return;
  throw new Error(
    `${violations.length} response(s) ${when} break the OpenAPI contract:\n\n${violations.join('\n\n')}`,
  );
}

afterEach(() => failOnViolations('of this test'));

afterAll(() => {
  // Responses of `afterAll` hooks, or of a `beforeAll` of a describe without tests.
  failOnViolations('outside any test');
});
