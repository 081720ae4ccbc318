// Which round trips cross CPUs (cross-cpu.ts): the class of the host process a resume wakes,
// from what the ledger showed before it; the wake-ups charged on exactly the successful resumes,
// 2 × P(cross | class) × crossCpuWakeupNs each, 0 elsewhere and when pinned; the same in every
// pricing path (price.ts LedgerPricer, a simulated run in both modes, both whatif paths).
import { describe, expect, it } from 'vitest';
import { CREATED, CROSS_CLASSES, FIRST, HostProcessHistory, PARENT, wakeupsPerRoundTrip } from '../../src/cost-model/cross-cpu.ts';
import { LedgerPricer, price } from '../../src/cost-model/price.ts';
import { forTracer, loadProfile, ProfileError, validateProfile } from '../../src/cost-model/profile.ts';
import { multiEntry, whatIf } from '../../src/cost-model/whatif.ts';
import { WhatIfReader } from '../../src/cost-model/whatif-file.ts';
import { FULL, SEED, validatePolicy } from '../../src/cost-model/policy.ts';
import { eventsFromText } from '../../src/cost-model/ledger-from-strace.ts';
import { priceRun } from '../../src/cli/uml-commands.ts';
import { policyByName, runUml } from '../../src/uml/machine.ts';
import { PROFILES } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';
import { calls, fixtureLines } from './helpers.ts';
import fc from 'fast-check';
import { totalNs } from '../../src/cost-model/price.ts';

const local = loadProfile('calibrated-local');
const unpinned = loadProfile('calibrated-unpinned');
const w = unpinned.costs.crossCpuWakeupNs.ns;
const rates = unpinned.crossCpuRates!;

// UML 6.1's fork as its strace shows it (glibc-fork-exit.strace lines 5-16): init's (20) stub
// clones, UML waits for the new pid (21) and sets TRACESYSGOOD on it; then it resumes both.
const FORK = [
  'ptrace(PTRACE_SYSEMU, 20, NULL, 0) = 0',
  'wait4(20, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP | 0x80}], WSTOPPED|__WALL, NULL) = 20',
  'ptrace(PTRACE_CONT, 20, NULL, 0) = 0',
  'wait4(20, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}], WSTOPPED|__WALL, NULL) = 20',
  'wait4(21, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}], WSTOPPED|__WALL, NULL) = 21',
  'ptrace(PTRACE_OLDSETOPTIONS, 21, NULL, PTRACE_O_TRACESYSGOOD) = 0',
  'ptrace(PTRACE_CONT, 20, NULL, 0) = 0',
  'ptrace(PTRACE_SETREGS, 21, {rax=0}) = 0',
  'ptrace(PTRACE_CONT, 21, NULL, 0) = 0',
  'ptrace(PTRACE_SYSEMU, 20, NULL, 0) = 0',
];

function classes(lines: readonly string[]): number[] {
  const h = new HostProcessHistory();
  return calls(...lines).map((c) => h.take(c.entry));
}

describe('the class of a resumed host process, from the ledger (cross-cpu.ts)', () => {
  it('before any creation: first; the stub that cloned becomes a parent, the new pid is created', () => {
    expect(classes(FORK)).toEqual([FIRST, FIRST, FIRST, FIRST, FIRST, CREATED, PARENT, CREATED, CREATED, PARENT]);
  });
  it('a process UML started itself (its own fork/clone returned the pid: start_userspace) stays first', () => {
    const lines = ['fork() = 30', 'wait4(30, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], __WALL, NULL) = 30', 'ptrace(PTRACE_OLDSETOPTIONS, 30, NULL, PTRACE_O_TRACESYSGOOD) = 0', 'ptrace(PTRACE_CONT, 30, NULL, 0) = 0'];
    expect(classes(lines)).toEqual([FIRST, FIRST, FIRST, FIRST]);
    // …and it becomes a parent when its stub clones one
    expect(classes([...lines, 'ptrace(PTRACE_OLDSETOPTIONS, 31, NULL, PTRACE_O_TRACESYSGOOD) = 0', 'ptrace(PTRACE_CONT, 30, NULL, 0) = 0', 'ptrace(PTRACE_CONT, 31, NULL, 0) = 0']).slice(4)).toEqual([CREATED, PARENT, CREATED]);
  });
  it('failed calls show nothing: a failed (OLD)SETOPTIONS creates no process, a failed resume does not make the creator', () => {
    expect(classes(['ptrace(PTRACE_CONT, 20, NULL, 0) = 0', 'ptrace(PTRACE_OLDSETOPTIONS, 21, NULL, PTRACE_O_TRACESYSGOOD) = -1 ESRCH (No such process)', 'ptrace(PTRACE_CONT, 21, NULL, 0) = 0', 'ptrace(PTRACE_CONT, 20, NULL, 0) = 0'])).toEqual([FIRST, FIRST, FIRST, FIRST]);
    expect(classes(['ptrace(PTRACE_CONT, 20, NULL, 0) = 0', 'ptrace(PTRACE_CONT, 22, NULL, 0) = -1 ESRCH (No such process)', 'ptrace(PTRACE_OLDSETOPTIONS, 21, NULL, PTRACE_O_TRACESYSGOOD) = 0', 'ptrace(PTRACE_CONT, 20, NULL, 0) = 0', 'ptrace(PTRACE_CONT, 22, NULL, 0) = 0']).slice(3)).toEqual([PARENT, FIRST]);
  });
  it('per caller: another tracer\'s creations do not change this one\'s classes', () => {
    const lines = ['4100 ptrace(PTRACE_CONT, 20, NULL, 0) = 0', '4100 ptrace(PTRACE_OLDSETOPTIONS, 21, NULL, PTRACE_O_TRACESYSGOOD) = 0', '4200 ptrace(PTRACE_CONT, 20, NULL, 0) = 0', '4200 ptrace(PTRACE_CONT, 21, NULL, 0) = 0', '4100 ptrace(PTRACE_CONT, 21, NULL, 0) = 0'];
    expect(classes(lines)).toEqual([FIRST, CREATED, FIRST, FIRST, CREATED]);
  });
  it('a PTRACE_MULTI holding the new pid\'s OLDSETOPTIONS and its resume: created, as the same calls one by one', () => {
    const h = new HostProcessHistory();
    const [cont] = calls('ptrace(PTRACE_CONT, 20, NULL, 0) = 0');
    h.take(cont!.entry);
    const run = calls('ptrace(PTRACE_OLDSETOPTIONS, 21, NULL, PTRACE_O_TRACESYSGOOD) = 0', 'ptrace(PTRACE_SETREGS, 21, {rax=0}) = 0', 'ptrace(PTRACE_CONT, 21, NULL, 0) = 0');
    expect(h.take(multiEntry(run))).toBe(CREATED);
    expect(h.classOf(cont!.entry.pid, 20)).toBe(PARENT);
  });
});

describe('the wake-ups: 2 × P(cross | class) × crossCpuWakeupNs on each successful resume, 0 elsewhere', () => {
  it('the unpinned profile has a measured rate per class; the pinned ones none (and 0 wake-ups)', () => {
    for (const k of CROSS_CLASSES) expect(rates[k].source).toMatch(/uml-cross-cpu\.sh --timed/);
    for (const p of ['calibrated-local', 'i386-2008', 'ppc32']) expect(loadProfile(p).crossCpuRates ?? null).toBeNull();
  });
  it('charged on exactly the successful resumes, by their class', () => {
    const pricer = new LedgerPricer(unpinned);
    const cs = calls(...FORK);
    const wake = cs.map((c) => pricer.price(c.entry, [c.transferBytes]).wakeupNs);
    const cls = classes(FORK);
    cs.forEach((c, i) => {
      const resume = c.entry.errno === null && /SYSEMU|CONT/.test(c.entry.ptrace?.requestName ?? '');
      expect(wake[i]).toBe(resume ? wakeupsPerRoundTrip(rates, cls[i] as 0 | 1 | 2) * w : 0);
    });
    expect(wake[6]).toBeCloseTo(2 * rates.parent.fraction * w, 9);
    expect(wake[8]).toBeCloseTo(2 * rates.created.fraction * w, 9);
    expect(wake[0]).toBeCloseTo(2 * rates.first.fraction * w, 9);
  });
  it('pinned: 0 whatever the class; no history or no rates: two wake-ups', () => {
    const pl = new LedgerPricer(local);
    for (const c of calls(...FORK)) expect(pl.price(c.entry).wakeupNs).toBe(0);
    const [r] = calls(FORK[0]!);
    expect(price(r!.entry, unpinned).wakeupNs).toBe(2 * w);
    expect(price(r!.entry, { ...unpinned, crossCpuRates: null }, [], PARENT).wakeupNs).toBe(2 * w);
    expect(wakeupsPerRoundTrip(null, CREATED)).toBe(2);
  });
  it('--tracer other: no rates (measured on UML\'s host processes), every round trip crosses', () => {
    const other = forTracer(unpinned, 'other');
    expect(other.crossCpuRates).toBeNull();
    const pricer = new LedgerPricer(other);
    const wake = calls(...FORK).map((c) => pricer.price(c.entry).wakeupNs).filter((x) => x > 0);
    expect(wake).toEqual(Array(5).fill(2 * w));
  });
  it('a profile\'s rates are validated: a fraction from 0 to 1 with a source, the three classes only', () => {
    const ok = JSON.parse(JSON.stringify(unpinned)) as Record<string, any>;
    expect(() => validateProfile(ok)).not.toThrow();
    for (const bad of [{ ...ok.crossCpuRates, first: { fraction: 1.5, source: 'x' } }, { ...ok.crossCpuRates, parent: { fraction: 0.5, source: '' } }, { first: ok.crossCpuRates.first }, { ...ok.crossCpuRates, other: { fraction: 0, source: 'x' } }]) {
      expect(() => validateProfile({ ...ok, crossCpuRates: bad })).toThrow(ProfileError);
    }
  });
});

describe('pinned pricing does not depend on the history (the goldens\' profile)', () => {
  const pool = fixtureLines().filter((l) => /^(\d+ +)?(ptrace|wait4|write|fork|clone)\(/.test(l));
  it('a ledger priced in order (LedgerPricer) = each call priced alone, bit for bit, for every profile without rates or without wake-ups', () => {
    const profiles = ['calibrated-local', 'i386-2008', 'ppc32'].map((n) => loadProfile(n)).concat([{ ...unpinned, crossCpuRates: null }]);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 80 }), fc.nat({ max: profiles.length - 1 }), (lines, i) => {
        const p = profiles[i]!;
        const pricer = new LedgerPricer(p);
        for (const c of calls(...lines)) expect(totalNs(pricer.price(c.entry, [c.transferBytes]))).toBe(totalNs(price(c.entry, p, [c.transferBytes])));
      }),
      { numRuns: 150 },
    );
  });
});

describe('every pricing path charges the same wake-ups', () => {
  it('a simulated run (ptsim run\'s pricing): the same wake-ups in single and multi mode (batching removes none); with the rates, a fork\'s fewer than two per round trip', () => {
    const run = (mode: 'single' | 'multi', workload: string) => runUml({ profile: PROFILES['uml-6.1'], mode, policy: policyByName('full')!, workload: parseWorkload(workload) });
    for (const workload of ['fork:2', 'exec:2', 'getpid:5+fork:1+touch:8192']) {
      const s = run('single', workload);
      const m = run('multi', workload);
      const ws = priceRun(s, unpinned).timeSplitNs.wakeupNs;
      expect(priceRun(m, unpinned).timeSplitNs.wakeupNs).toBe(ws);
      const all = priceRun(s, { ...unpinned, crossCpuRates: null }).timeSplitNs.wakeupNs;
      expect(ws).toBeLessThan(0.8 * all);
      expect(priceRun(s, local).timeSplitNs.wakeupNs).toBe(0);
    }
    // getpid alone: the timed init's first class, every round trip 2 × P(first)
    const g = run('single', 'getpid:5');
    expect(priceRun(g, unpinned).timeSplitNs.wakeupNs).toBe(Math.round(priceRun(g, { ...unpinned, crossCpuRates: null }).timeSplitNs.wakeupNs * rates.first.fraction));
  });
  it('whatif, the reference and the fast path, before and after batching, on a log with forks by the caller and by stubs', async () => {
    const text = [...['4100 fork() = 20'], ...FORK.map((l) => `4100 ${l}`), '4100 clone(child_stack=NULL, flags=CLONE_VM) = 40', '4100 ptrace(PTRACE_OLDSETOPTIONS, 40, NULL, PTRACE_O_TRACESYSGOOD) = 0', '4100 ptrace(PTRACE_SYSEMU, 40, NULL, 0) = 0', '4100 ptrace(PTRACE_CONT, 21, NULL, 0) = 0', ''].join('\n');
    for (const policy of [validatePolicy(SEED), validatePolicy(FULL)]) {
      const ref = await whatIf(eventsFromText(text), policy, unpinned);
      const r = new WhatIfReader(policy, unpinned);
      text.split('\n').forEach((l, i) => {
        const b = Buffer.from(l);
        if (l) r.line(b, 0, b.length, i + 1);
      });
      const fast = r.finish().result;
      const tally = (x: typeof ref) => [...x.processes.values()].map((p) => [p.before.breakdown.wakeupNs, p.after.breakdown.wakeupNs]);
      expect(tally(fast)).toEqual(tally(ref));
      const [before, after] = tally(ref)[0]!;
      expect(after).toBe(before);
      // 20 was started by the caller (first, then parent), 21 created by 20's stub, 40 started by the caller
      expect(before).toBeCloseTo(w * 2 * (3 * rates.first.fraction + 2 * rates.parent.fraction + 2 * rates.created.fraction), 6);
    }
  });
});
