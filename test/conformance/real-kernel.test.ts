// Differential conformance on every CI run: all ported table cases and a bounded number of
// random scripts on the real kernel (build/ptsim-harness, built here with
// scripts/build-harness.sh if needed) and on the simulator, compared field by field.
// Skipped, with the reason, where there is no x86_64 Linux or no C compiler.
import { describe, expect, test } from 'vitest';
import { realKernelUnavailable, ensureHarness } from '../../src/conformance/real-runner.ts';
import { runConformance } from '../../src/conformance/run.ts';

const RUNS = Number(process.env.PTSIM_CONFORMANCE_RUNS ?? 200);
const SEED = Number(process.env.PTSIM_SEED ?? 20261126);
const why = realKernelUnavailable();

describe.skipIf(why !== null)(`real kernel vs simulator (seed=${SEED}; replay: npm run conformance -- --runs ${RUNS} --seed ${SEED})`, () => {
  test(`all table cases and ${RUNS} random scripts agree`, async () => {
    ensureHarness();
    const r = await runConformance({ runs: RUNS, seed: SEED, jobs: 2, table: true, shrink: 0 });
    const report = r.failures.map((f) => `${f.kind} ${f.name}${f.flaky ? ' (flaky)' : ''}: ${f.diffs.slice(0, 4).join(' | ')}\n${f.script}`);
    expect(report).toEqual([]);
    expect(r.tableCases).toBeGreaterThan(30);
    expect(r.stopKindsCovered.length).toBeGreaterThan(8);
  }, 120_000);
});

test.skipIf(why === null)(`real-kernel conformance skipped: ${why ?? ''}`, () => {});
