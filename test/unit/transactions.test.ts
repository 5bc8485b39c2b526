// firestore.ts runTransaction: a transaction the server closed under it ("Transaction is invalid or
// closed.", the Firestore emulator's words under contention) is run again, up to 3 times; any other
// error goes through at once. The database here is a stand-in that fails as told: the real
// emulator closes transactions only under contention it cannot be made to repeat (the model-based
// suite met it in CI), and what is checked is the retry rule, not Firestore.
import { runTransaction } from '../../functions/src/firestore';
import { GRPC } from '../../functions/src/grpc';

const mockAttempts: string[] = [];
let mockFailures: Error[] = [];

// Hoisted above the imports by ts-jest: firestore.ts gets the stand-in.
jest.mock('../../functions/src/firebase', () => ({
  db: () => ({
    runTransaction: async (work: (transaction: unknown) => Promise<unknown>) => {
      mockAttempts.push('run');
      const failure = mockFailures.shift();
      if (failure) throw failure;
      return work({});
    },
  }),
  firestoreSdk: () => ({}),
}));

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

const closed = () => grpcError(GRPC.INVALID_ARGUMENT, 'Transaction is invalid or closed.');

beforeEach(() => {
  mockAttempts.length = 0;
  mockFailures = [];
});

describe('runTransaction', () => {
  it('runs a transaction the server closed again, and answers what the last run answers', async () => {
    mockFailures = [closed(), closed()];
    await expect(runTransaction(() => Promise.resolve('written'))).resolves.toBe('written');
    expect(mockAttempts).toEqual(['run', 'run', 'run']);
  });

  it('lets the third closed transaction through', async () => {
    mockFailures = [closed(), closed(), closed()];
    await expect(runTransaction(() => Promise.resolve('written'))).rejects.toMatchObject({
      code: GRPC.INVALID_ARGUMENT,
      details: 'Transaction is invalid or closed.',
    });
    expect(mockAttempts).toEqual(['run', 'run', 'run']);
  });

  it.each([
    ['another INVALID_ARGUMENT', grpcError(GRPC.INVALID_ARGUMENT, 'Document too large.')],
    [
      'FAILED_PRECONDITION',
      grpcError(GRPC.FAILED_PRECONDITION, 'Transaction is invalid or closed.'),
    ],
    ['an error of the work', new Error('refused by the work')],
  ])('lets %s through at once', async (_name, error) => {
    mockFailures = [error];
    await expect(runTransaction(() => Promise.resolve('written'))).rejects.toBe(error);
    expect(mockAttempts).toEqual(['run']);
  });
});
