// Boot once, run many (src/uml/boot-cache.ts): a run forked from the booted state of an earlier
// run with the same start-up equals the run booted fresh — its result, its whole ledger and its
// `trace` lines — for any workload, profile, mode, policy, boot switches and scheduler seed,
// including the second, third … fork of one snapshot (a fork must not change the snapshot).
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { traceLines } from '../../src/cli/uml-commands.ts';
import { BOOT_CACHE } from '../../src/uml/boot-cache.ts';
import { runUml, type RunOptions } from '../../src/uml/machine.ts';
import { FULL_POLICY, SEED_POLICY } from '../../src/uml/policy.ts';
import { PROFILES, type ProfileName } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';
import { NO_MERGE } from '../../src/uml/equivalence.ts';

const POLICIES = { seed: SEED_POLICY, full: FULL_POLICY, 'no-merge': NO_MERGE };

function opts(c: { spec: string; profile: ProfileName; mode: 'single' | 'multi'; policy: keyof typeof POLICIES; boot: string; seed: number }): RunOptions {
  return { profile: PROFILES[c.profile], mode: c.mode, policy: POLICIES[c.policy], workload: parseWorkload(c.spec), boot: c.boot, seed: c.seed };
}

/** Everything a run shows: the result, every ledger entry and the trace transcript. */
function everything(o: RunOptions): string {
  const r = runUml(o);
  return JSON.stringify({ r, ledger: r.kernel!.ledger.slice(), trace: traceLines(r) }, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

function fresh(o: RunOptions): string {
  BOOT_CACHE.enabled = false;
  try {
    return everything(o);
  } finally {
    BOOT_CACHE.enabled = true;
  }
}

afterEach(() => {
  BOOT_CACHE.enabled = true;
});

describe('runs forked from a booted snapshot', () => {
  test('equal runs booted fresh, fork after fork', () => {
    const caseArb = fc.record({
      spec: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }).map((s) => `random:${s}:12`), fc.constantFrom('getpid:3', 'fork:1+exec:1', 'touch:20000+sleep:1', 'sysptmulti:0+getpid:2')),
      profile: fc.constantFrom<ProfileName>('uml-2.6.26', 'uml-6.1'),
      mode: fc.constantFrom<'single' | 'multi'>('single', 'multi'),
      policy: fc.constantFrom<keyof typeof POLICIES>('seed', 'full', 'no-merge'),
      boot: fc.constantFrom('noumh', 'noumh nosysemu', 'umh=3', 'noumh nosysptmulti'),
      seed: fc.constantFrom(1, 2, 77),
    });
    const forks0 = BOOT_CACHE.forks;
    fc.assert(fc.property(caseArb, (c) => {
      const o = opts(c);
      const want = fresh(o);
      expect(everything(o)).toBe(want); // booted (and kept), or forked from an earlier case's snapshot
      const forks = BOOT_CACHE.forks;
      expect(everything(o)).toBe(want); // forked
      expect(BOOT_CACHE.forks).toBe(forks + 1);
    }), { numRuns: 40 });
    expect(BOOT_CACHE.forks - forks0).toBeGreaterThanOrEqual(40);
  });

  test('the default boot (556 usermode helpers on uml-6.1) forks too', () => {
    const o = opts({ spec: 'getpid:2+fork:1', profile: 'uml-6.1', mode: 'single', policy: 'seed', boot: '', seed: 1 });
    const want = fresh(o);
    expect(everything(o)).toBe(want);
    const forks = BOOT_CACHE.forks;
    expect(everything(o)).toBe(want);
    expect(BOOT_CACHE.forks).toBe(forks + 1);
  });
});
