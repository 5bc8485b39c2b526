// The model-based suite: random sequences of writes by a cast of callers against the real
// emulators, each answer checked against a reference model, and the invariants checked on the
// stored state after every sequence (see test/integration/model/). Fixed seeds; shrinking on:
// a failure prints the shortest sequence found that still fails.
import './model/limits';
import fc from 'fast-check';
import { describeEmulators } from '../helpers/emulators';
import { createStep, keyCommands, organizationCommands, perform, resolve } from './model/commands';
import { prepareBatch, runBatch, specs } from './model/concurrency';
import { watchLogs } from './model/invariants';
import { report, RUNS, runSequence, seeds, totals } from './model/run';
import { stopModelServer } from './model/server';

const SEQUENCE_RUNS = RUNS || 100;
const BATCH_RUNS = RUNS ? Math.max(1, Math.round(RUNS / 2)) : 50;
const MAX_COMMANDS = 25;

describeEmulators('model-based: organizations, team, invitations, secrets, API keys', () => {
  beforeAll(watchLogs);

  afterAll(async () => {
    await stopModelServer();
    process.stdout.write(
      `model-based: ${totals.sequences} sequences, ${totals.commands} commands (${totals.ok} succeeded, ${totals.refused} refused as the model said; invariants ${totals.invariantMs} ms)\n`,
    );
  });

  for (const seed of seeds([17001, 17002, 17003])) {
    test(`sequential, seed ${seed}`, async () => {
      report('sequential', seed);
      await fc.assert(
        fc.asyncProperty(
          fc.nat(5),
          fc.commands([...organizationCommands, ...keyCommands], { maxCommands: MAX_COMMANDS }),
          (creator, commands) =>
            runSequence('mb', commands, async (model, real) => {
              const actor = resolve(creator, model, real.cast);
              await perform(model, real, createStep(model, actor, 'Alpha Labs'));
            }),
        ),
        { seed, numRuns: SEQUENCE_RUNS, verbose: 1 },
      );
    }, 1_200_000);
  }

  for (const seed of seeds([17101])) {
    test(`concurrent batches, seed ${seed}`, async () => {
      report('concurrent', seed);
      await fc.assert(
        fc.asyncProperty(specs, (list) =>
          runSequence('mc', [], async (model, real) => {
            await prepareBatch(model, real);
            await runBatch(model, real, list);
          }),
        ),
        { seed, numRuns: BATCH_RUNS, verbose: 1 },
      );
    }, 1_200_000);
  }
});
