// The single ≡ multi law over random guest programs (random:SEED:EVENTS and sums), both
// profiles, both policies, /proc/sysptmulti toggled at random points. The law itself (what
// is compared, and against which reference run) lives in src/uml/equivalence.ts, shared with
// `ptsim compare` and `ptsim check`:
//  * the guest sees the identical run: exit, console, guestDigest, ticks, guest events;
//  * the multi ledger equals the reference ledger with runs merged (runLedgerLaw), and
//    saved host syscalls = Σ (k − 1) over the PTRACE_MULTI calls of k sub-requests;
//  * the same seed gives a byte-identical `trace --json` (below).
//
// The single-mode reference. /proc/sysptmulti exists only on a host with PTRACE_MULTI
// (ptrace-multi.md §6: "created only if supported"), so on the stock host of `--mode single`
// the guest's open() of it fails: a real guest-visible difference, not a batching one. The
// reference run is therefore UML on the same PTRACE_MULTI host with a policy that merges
// nothing (NO_MERGE: every request one host call, exactly single mode's ledger; the switch
// file exists and the toggles are accepted). For programs without toggles the stock single
// run is checked as well, and equals that reference (checkEquivalence).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { traceLines } from '../../src/cli/uml-commands.ts';
import { runUml, type RunResult } from '../../src/uml/machine.ts';
import { FULL_POLICY, SEED_POLICY, type Policy } from '../../src/uml/policy.ts';
import { PROFILES, type ProfileName } from '../../src/uml/profile.ts';
import { parseWorkload, randomProgram } from '../../src/uml/workload.ts';
import { randomKinds } from '../../src/uml/workload-random.ts';
import { checkEquivalence, LAW_BOOT, LAW_INSN_NS, lawBreak, mergedCalls, NO_MERGE, referenceFor } from '../../src/uml/equivalence.ts';

const POLICIES: Record<string, Policy> = { seed: SEED_POLICY, full: FULL_POLICY };

interface Case {
  spec: string;
  profile: ProfileName;
  policy: string;
  seed: number;
}

function run(c: Case, mode: 'single' | 'multi', policy: Policy): RunResult {
  return runUml({ profile: PROFILES[c.profile], mode, policy, workload: parseWorkload(c.spec), seed: c.seed, insnNs: LAW_INSN_NS, boot: LAW_BOOT });
}

/** The spec with every random part written out, for failure messages. */
function expanded(spec: string): string {
  return spec.replace(/random:(\d+):(\d+)/g, (_m, s: string, e: string) => `(${randomProgram(Number(s), Number(e))})`);
}

function checkLaw(c: Case): void {
  const why = `${c.profile} policy ${c.policy} seed ${c.seed}: ${c.spec} = ${expanded(c.spec)}`;
  const workload = parseWorkload(c.spec);
  const verdict = checkEquivalence({ workload, profile: PROFILES[c.profile], policy: POLICIES[c.policy]!, seed: c.seed, insnNs: LAW_INSN_NS, boot: LAW_BOOT });
  expect(verdict.broken, why).toBeNull();
  expect(verdict.reference, why).toBe(referenceFor(workload));
}

const randomPart = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 6 })).map(([s, e]) => `random:${s}:${e}`);
const toggle = fc.constantFrom('sysptmulti:0', 'sysptmulti:1');
const segment = fc.oneof({ arbitrary: randomPart, weight: 3 }, { arbitrary: toggle, weight: 2 }, { arbitrary: fc.integer({ min: 1, max: 5 }).map((n) => `getpid:${n}`), weight: 1 });
const caseArb: fc.Arbitrary<Case> = fc.record({
  spec: fc.array(segment, { minLength: 1, maxLength: 4 }).map((xs) => xs.join('+')),
  profile: fc.constantFrom<ProfileName>('uml-2.6.26', 'uml-6.1'),
  policy: fc.constantFrom('seed', 'full'),
  seed: fc.integer({ min: 1, max: 1000 }),
});

describe('law: single ≡ multi over random programs, /proc/sysptmulti toggled at random points', () => {
  test('random programs: every kind the model runs is generated', () => {
    const kinds = randomKinds((s) => {
      try {
        parseWorkload(s);
        return true;
      } catch {
        return false;
      }
    });
    expect(kinds).toEqual(expect.arrayContaining(['getpid', 'write', 'touch', 'spin', 'sleep', 'sysptmulti']));
    const seen = new Set(Array.from({ length: 20 }, (_, s) => randomProgram(s, 20)).flatMap((p) => p.split('+').map((x) => x.split(':')[0])));
    expect([...seen].sort()).toEqual([...kinds].sort());
  });

  test('the same random spec is the same program; different seeds differ', () => {
    expect(parseWorkload('random:42:30').parts).toEqual(parseWorkload('random:42:30').parts);
    expect(randomProgram(42, 30)).toBe(randomProgram(42, 30));
    expect(randomProgram(42, 30)).not.toBe(randomProgram(43, 30));
    expect(parseWorkload('random:42:30').parts).toHaveLength(30);
  });

  test('fixed cases: each profile × policy, with toggles both ways', { timeout: 30_000 }, () => {
    for (const profile of ['uml-2.6.26', 'uml-6.1'] as const) {
      for (const policy of ['seed', 'full']) {
        checkLaw({ spec: 'getpid:2+sysptmulti:0+touch:5000+spin:1200+sysptmulti:1+write:2x40+sleep:1+getpid:1', profile, policy, seed: 1 });
        checkLaw({ spec: 'random:7:8', profile, policy, seed: 3 });
      }
    }
  });

  test('random programs × both profiles × both policies × scheduler seeds', { timeout: 120_000 }, () => {
    fc.assert(fc.property(caseArb, (c) => checkLaw(c)), { numRuns: 1000 }); // 10x the 100 of 2026-11-26 (14.4 s for the whole file then)
  });

  // Long programs: 100-140 generated events with /proc/sysptmulti toggles in between (the
  // fast core makes these affordable in CI; `ptsim check --runs N` runs as many as you like).
  const longCase: fc.Arbitrary<Case> = fc.record({
    spec: fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 100, max: 140 }), toggle, fc.integer({ min: 1, max: 3 }))
      .map(([s, e, t, n]) => `random:${s}:${e}+${t}+getpid:${n}`),
    profile: fc.constantFrom<ProfileName>('uml-2.6.26', 'uml-6.1'),
    policy: fc.constantFrom('seed', 'full'),
    seed: fc.integer({ min: 1, max: 1000 }),
  });
  test('long random programs (100+ events) × both profiles × both policies', { timeout: 180_000 }, () => {
    fc.assert(fc.property(longCase, (c) => checkLaw(c)), { numRuns: 24 });
  });

  test('the law is not vacuous: the stock single run of a toggling program breaks it, the no-merge reference does not', () => {
    const c: Case = { spec: 'getpid:1+sysptmulti:0+getpid:1+sysptmulti:1+write:1x8', profile: 'uml-6.1', policy: 'full', seed: 1 };
    const multi = run(c, 'multi', FULL_POLICY);
    expect(mergedCalls(multi)).toBeGreaterThan(0);
    expect(lawBreak(run(c, 'single', SEED_POLICY), multi)).not.toBeNull(); // the stock host has no /proc/sysptmulti
    expect(lawBreak(run(c, 'multi', NO_MERGE), multi)).toBeNull();
    expect(referenceFor(parseWorkload(c.spec))).toBe('multi-host-no-merge');
    expect(referenceFor(parseWorkload('getpid:3'))).toBe('stock-single');
  });

  test('multi mode merges something on every profile with the full policy (the law is not vacuous)', () => {
    for (const profile of ['uml-2.6.26', 'uml-6.1'] as const) {
      const m = run({ spec: 'random:5:6', profile, policy: 'full', seed: 1 }, 'multi', FULL_POLICY);
      expect(mergedCalls(m)).toBeGreaterThan(0);
    }
  });
});

describe('determinism: the same seed gives a byte-identical trace --json', () => {
  const dump = (r: RunResult) => traceLines(r).map((l) => JSON.stringify(l)).join('\n');
  const ledger = (r: RunResult) => JSON.stringify(r.kernel!.ledger, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  test('random programs, both modes', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom<'single' | 'multi'>('single', 'multi'), (c, mode) => {
        const a = run(c, mode, POLICIES[c.policy]!);
        const b = run(c, mode, POLICIES[c.policy]!);
        expect(dump(a)).toBe(dump(b));
        expect(ledger(a)).toBe(ledger(b));
        expect(a.guestDigest).toBe(b.guestDigest);
      }),
      { numRuns: 20 },
    );
  });
});
