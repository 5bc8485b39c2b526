// How the model-based suite runs: its budget (sequences per seed, from MODEL_RUNS for longer runs:
// `npm run fuzz -- --runs N`), fixed seeds (printed; MODEL_SEED replays one), and a property that
// runs one sequence of commands on a fresh organization, then checks the invariants.
import fc from 'fast-check';
import type { Real } from './commands';
import { castForSequence } from './cast';
import { checkInvariants, storedRoles } from './invariants';
import { newModel, type Model, type Role } from './model';

/** Sequences per seed: the default budget keeps `npm test` inside the CI time. */
export const RUNS = Number(process.env.MODEL_RUNS ?? 0) || 0;

/** Fixed seeds, so a run is repeatable; MODEL_SEED replaces them to replay a report. */
export function seeds(defaults: number[]): number[] {
  return process.env.MODEL_SEED ? [Number(process.env.MODEL_SEED)] : defaults;
}

/** Commands run by every sequence of this file (for the closing count). */
export const totals = { sequences: 0, commands: 0, ok: 0, refused: 0, invariantMs: 0 };

let sequence = 0;

/** A fresh organization id per sequence: no clearing of the shared emulators between runs. */
export function freshOrgId(prefix: string): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${sequence}`;
}

/**
 * Runs one sequence: `prepare` (e.g. the organization's creation) and the commands against a
 * fresh organization, then the invariants; its final Firestore membership joins the cast's
 * registry whatever happened (so later sequences compare claims with the truth).
 */
export async function runSequence(
  prefix: string,
  commands: Iterable<fc.AsyncCommand<Model, Real>>,
  prepare: (model: Model, real: Real) => Promise<void>,
): Promise<void> {
  const cast = await castForSequence();
  const model = newModel(freshOrgId(prefix));
  const real: Real = { cast, bodies: [], secrets: [] };
  cast.registry.set(model.orgId, new Map());
  let roles: Map<string, Role> | undefined;
  try {
    await prepare(model, real);
    await fc.asyncModelRun(() => ({ model, real }), commands);
    const t0 = Date.now();
    roles = await checkInvariants(model, real);
    totals.invariantMs += Date.now() - t0;
  } finally {
    // The member documents the invariants read (no write since), or read now after a failure.
    cast.registry.set(model.orgId, roles ?? (await storedRoles(model.orgId)));
    totals.sequences += 1;
    totals.commands += model.stats.commands;
    totals.ok += model.stats.ok;
    totals.refused += model.stats.refused;
  }
}

export function report(name: string, seed: number): void {
  process.stdout.write(`${name}: seed ${seed} (replay with MODEL_SEED=${seed})\n`);
}
