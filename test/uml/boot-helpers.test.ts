// Usermode helpers at boot (src/uml/usermode-helper.ts) against real UML 6.1 boots:
// test/fixtures/uml/boot-6.1.strace.gz (the boot of uml/guest/boot-probe.c up to init's
// start_userspace: 556 helpers, the median of 13 boots, uml/README.md "Boot: usermode helpers")
// and usermode-helper-modreq.strace (3 request_module calls from init: 3 helpers).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerFromText } from '../../src/cost-model/ledger-from-strace.ts';
import type { LedgerEntry } from '../../src/kernel/ledger.ts';
import { BootError, parseBoot } from '../../src/uml/boot.ts';
import { runUml, umlLedgerView, type RunResult } from '../../src/uml/machine.ts';
import { FULL_POLICY, SEED_POLICY } from '../../src/uml/policy.ts';
import { PROFILES, type ProfileName } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';
import { __WALL } from '../../src/kernel/wait-status.ts';

const FIX = new URL('../fixtures/uml/', import.meta.url).pathname;

function run(boot: string, workload = 'getpid:2', profile: ProfileName = 'uml-6.1'): RunResult {
  return runUml({ profile: PROFILES[profile], mode: 'single', policy: SEED_POLICY, workload: parseWorkload(workload), boot });
}

/** One ptrace/wait4 call as both sides print it. */
function sig(e: LedgerEntry): string {
  if (e.syscall === 'ptrace') return e.ptrace!.requestName.replace(/^PTRACE_/, '') + (e.errno ? `=${e.errno}` : '');
  // os_kill_ptraced_process's waitpid(pid, NULL, __WALL): the real call passes no status word.
  if (Number(e.args[2]) === __WALL) return 'wait4:reaped';
  return e.errno ? `wait4=${e.errno}` : `wait4→0x${(e.wait?.status ?? 0).toString(16)}`;
}

/** The host process a call is about: ptrace's target, wait4's pid argument. */
function target(e: LedgerEntry): number {
  return e.syscall === 'ptrace' ? e.ptrace!.target : Number(BigInt.asIntN(64, e.args[0]!));
}

const isCall = (e: LedgerEntry) => e.syscall === 'ptrace' || e.syscall === 'wait4';

/** Each started host process's calls in order, for processes started by wait4 → SIGSTOP with __WALL. */
function perProcess(entries: readonly LedgerEntry[]): string[][] {
  const byPid = new Map<number, string[]>();
  for (const e of entries.filter(isCall)) {
    const pid = target(e);
    const s = sig(e);
    if (s === 'wait4→0x137f' && (Number(e.args[2]) & 0x40000000) !== 0) byPid.set(pid, []);
    byPid.get(pid)?.push(s);
  }
  return [...byPid.values()];
}

function totals(seq: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of seq) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

const REAL_BOOT = ledgerFromText(gunzipSync(readFileSync(FIX + 'boot-6.1.strace.gz')).toString('utf8'));
const HELPER = ['wait4→0x137f', 'OLDSETOPTIONS', 'SETREGS', 'CONT', 'wait4→0x57f', 'KILL', 'CONT=ESRCH', 'wait4:reaped'];

describe('usermode helpers at boot (uml-6.1) = boot-6.1.strace.gz', () => {
  const sim = run('');
  const simBoot = umlLedgerView(sim).slice(0, sim.startup.hostSyscalls).map((x) => x.entry);

  it('every real helper and every modelled one is the same 8 calls', () => {
    const real = perProcess(REAL_BOOT);
    expect(real.length).toBe(556);
    for (const p of real) expect(p).toEqual(HELPER);
    const model = perProcess(simBoot);
    expect(model.length).toBe(PROFILES['uml-6.1'].usermodeHelpersAtBoot);
    for (const p of model) expect(p).toEqual(HELPER);
  });

  it('the boot\'s per-op totals (probes + helpers, ptrace and wait4) are each within 5 % of the real boot', () => {
    const real = totals(REAL_BOOT.filter(isCall).map(sig));
    const model = totals(simBoot.filter(isCall).map(sig));
    expect([...model.keys()].sort()).toEqual([...real.keys()].sort());
    for (const [op, n] of real) {
      const m = model.get(op)!;
      expect(Math.abs(m - n) / n, `${op}: model ${m}, real ${n}`).toBeLessThanOrEqual(0.05);
    }
    expect(simBoot.filter(isCall).length).toBe(REAL_BOOT.filter(isCall).length);
  });

  it('a helper run from init (request_module) has the same shape: usermode-helper-modreq.strace', () => {
    const real = perProcess(ledgerFromText(readFileSync(FIX + 'usermode-helper-modreq.strace', 'utf8')));
    expect(real.length).toBe(3);
    for (const p of real) expect(p).toEqual(HELPER);
  });

  it('each helper is labelled usermode_helper and counted in startup.hostSyscalls, not in the run', () => {
    const events = umlLedgerView(sim).map((x) => x.event);
    expect(events.filter((e) => e === 'usermode_helper').length).toBe(556 * 10); // + fork and kill
    expect(events.slice(sim.startup.hostSyscalls).includes('usermode_helper')).toBe(false);
    expect(sim.startup.hostSyscalls - run('noumh').startup.hostSyscalls).toBe(556 * 10);
  });
});

describe('the umh boot switch', () => {
  it('parses umh=N and noumh; refuses bad values with the switch named', () => {
    expect(parseBoot('').umh).toBeNull();
    expect(parseBoot('noumh').umh).toBe(0);
    expect(parseBoot('nosysemu umh=12').umh).toBe(12);
    expect(parseBoot('nosysemu umh=12').nosysemu).toBe(true);
    expect(() => parseBoot('umh=x')).toThrow(BootError);
    expect(() => parseBoot('umh=10001')).toThrow(/umh=N needs a whole number 0\.\.10000/);
    expect(() => parseBoot('umh')).toThrow(/unknown switch 'umh'/);
  });

  it('umh=N makes exactly N helpers (both profiles; 2.6.26 has none by default)', () => {
    for (const profile of ['uml-6.1', 'uml-2.6.26'] as const) {
      const base = run('noumh', 'getpid:1', profile).startup.hostSyscalls;
      expect(run('umh=3', 'getpid:1', profile).startup.hostSyscalls - base).toBe(30);
    }
    expect(run('', 'getpid:1', 'uml-2.6.26').startup.hostSyscalls).toBe(run('noumh', 'getpid:1', 'uml-2.6.26').startup.hostSyscalls);
  });

  it('law: helpers change no run-phase count, tick or guest-visible byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom<ProfileName>('uml-6.1', 'uml-2.6.26'), (seed, umh, profile) => {
        const w = `random:${seed}:6`;
        const a = run('noumh', w, profile);
        const b = run(`umh=${umh}`, w, profile);
        const phase = (r: RunResult) => ({ h: r.hostSyscalls, s: r.bySyscall, p: r.byPtraceRequest, d: r.guestDigest, t: r.ticks, e: r.exit, g: r.guestEvents });
        expect(phase(b)).toEqual(phase(a));
        expect(b.startup.hostSyscalls - a.startup.hostSyscalls).toBe(10 * umh);
      }),
      { numRuns: 12, seed: 7 },
    );
  });
});

describe('helpers are the same calls in single and multi mode (why the law suite may leave them out)', () => {
  it('the startup ledger of umh=4 is identical in single, multi-seed and multi-full', () => {
    for (const profile of ['uml-6.1', 'uml-2.6.26'] as const) {
      const startup = (mode: 'single' | 'multi', policy: typeof SEED_POLICY) => {
        const r = runUml({ profile: PROFILES[profile], mode, policy, workload: parseWorkload('getpid:1'), boot: 'umh=4' });
        return umlLedgerView(r).filter((x) => x.event === 'usermode_helper').map((x) => `${x.entry.syscall} ${x.entry.ptrace?.requestName ?? ''} ${x.entry.syscall === 'ptrace' ? x.entry.ret : 'pid'} ${x.entry.errno}`);
      };
      const single = startup('single', SEED_POLICY);
      expect(single.length).toBe(40);
      expect(startup('multi', SEED_POLICY)).toEqual(single);
      expect(startup('multi', FULL_POLICY)).toEqual(single);
    }
  });
});
