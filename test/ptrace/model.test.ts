// Model-based property test of the ptrace core: random request sequences (one fast-check
// command per request family, plus wait4, kill and scheduling) against random tracee programs,
// on the 6.18 x86_64 and 2.6.26 i386 profiles. Kernel invariants are checked after every step,
// and at the end everything is killed and drained so every stop and exit is reported once.
//
// Replay a failure: fast-check prints `{ seed, path }`; run
//   PTSIM_SEED=<seed> PTSIM_PATH=<path> npx vitest run test/ptrace/model.test.ts
import fc from 'fast-check';
import { describe, test } from 'vitest';
import { commandArbs, drain } from './commands.ts';
import { checkInvariants, newModel, Rig, scenarioArb, type Model, type ProfileName } from './harness.ts';

const SEED = process.env.PTSIM_SEED !== undefined ? Number(process.env.PTSIM_SEED) : 20261126;
const PATH = process.env.PTSIM_PATH;
const RUNS = Number(process.env.PTSIM_RUNS ?? 100);

function modelProperty(profile: ProfileName) {
  return fc.property(scenarioArb(profile), fc.commands(commandArbs(), { maxCommands: 40, size: 'max' }), (scenario, cmds) => {
    let rig!: Rig;
    let model!: Model;
    fc.modelRun(() => {
      rig = Rig.create(scenario);
      model = newModel(rig);
      return { model, real: rig };
    }, cmds);
    checkInvariants(model, rig);
    drain(model, rig);
  });
}

describe(`ptrace model-based (seed=${SEED}; replay: PTSIM_SEED=${SEED} PTSIM_PATH=<path from the report> npx vitest run test/ptrace/model.test.ts)`, () => {
  for (const profile of ['6.18', '2.6.26'] as const) {
    test(`random request sequences keep the kernel invariants (${profile}, seed=${SEED})`, () => {
      fc.assert(modelProperty(profile), { seed: SEED, numRuns: RUNS, ...(PATH ? { path: PATH, endOnFailure: true } : {}) });
    }, 60_000);
  }
});
