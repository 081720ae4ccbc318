// Determinism laws: the same scenario (kernel seed, tracee programs) and the same request
// sequence give a byte-identical ledger and an identical final state; so do two branches
// taken from one `kernel.clone()`, and the original is untouched by what a clone does.
//
// Replay a failure: PTSIM_SEED=<seed> PTSIM_PATH=<path> npx vitest run test/kernel/determinism.test.ts
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { commandArbs, type Cmd } from '../ptrace/commands.ts';
import { cloneModel, newModel, Rig, scenarioArb, stableJson, type Model, type ProfileName, type Scenario } from '../ptrace/harness.ts';

const SEED = process.env.PTSIM_SEED !== undefined ? Number(process.env.PTSIM_SEED) : 20261126;
const PATH = process.env.PTSIM_PATH;
const RUNS = Number(process.env.PTSIM_RUNS ?? 40);
const opts = { seed: SEED, numRuns: RUNS, ...(PATH ? { path: PATH, endOnFailure: true } : {}) };

function play(m: Model, r: Rig, cmds: readonly Cmd[]): void {
  for (const c of cmds) if (c.check(m)) c.run(m, r);
}

function fingerprint(r: Rig): { ledger: string; state: string } {
  return { ledger: stableJson(r.k.ledger), state: stableJson(r.k.state) };
}

function runOnce(sc: Scenario, cmds: readonly Cmd[]): { ledger: string; state: string } {
  const r = Rig.create(sc);
  play(newModel(r), r, cmds);
  return fingerprint(r);
}

const cmdsArb = fc.array(fc.oneof(...commandArbs()), { maxLength: 30 });

describe(`determinism (seed=${SEED}; replay: PTSIM_SEED=${SEED} PTSIM_PATH=<path> npx vitest run test/kernel/determinism.test.ts)`, () => {
  test('stableJson handles bigint, bytes, maps and key order', () => {
    expect(stableJson({ b: 1n, a: new Uint8Array([1, 255]), m: new Map([[2, 'x'], [1, 'y']]) })).toBe(
      stableJson({ m: new Map([[1, 'y'], [2, 'x']]), a: new Uint8Array([1, 255]), b: 1n }),
    );
    expect(stableJson(1n)).not.toBe(stableJson(1));
  });

  for (const profile of ['6.18', '2.6.26'] as ProfileName[]) {
    test(`same seed + same requests → identical ledger and state (${profile})`, () => {
      fc.assert(fc.property(scenarioArb(profile), cmdsArb, (sc, cmds) => {
        const a = runOnce(sc, cmds);
        const b = runOnce(sc, cmds);
        expect(b.ledger).toBe(a.ledger);
        expect(b.state).toBe(a.state);
      }), opts);
    }, 60_000);

    test(`clone() branches replay identically and leave the original alone (${profile})`, () => {
      fc.assert(fc.property(scenarioArb(profile), cmdsArb, cmdsArb, (sc, prefix, suffix) => {
        const base = Rig.create(sc);
        const m = newModel(base);
        play(m, base, prefix);
        const atFork = fingerprint(base);
        const frozenState = base.k.state;
        const left = base.clone();
        const right = base.clone();
        play(cloneModel(m), left, suffix);
        play(cloneModel(m), right, suffix);
        expect(fingerprint(right)).toEqual(fingerprint(left));
        // The original kernel (and the immutable snapshot it held) saw none of it.
        expect(fingerprint(base)).toEqual(atFork);
        expect(stableJson(frozenState)).toBe(atFork.state);
        // A branch equals a fresh run of prefix + suffix.
        const whole = runOnce(sc, [...prefix, ...suffix]);
        expect(fingerprint(left)).toEqual(whole);
      }), opts);
    }, 60_000);
  }
});
