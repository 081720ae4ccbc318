// A tick that makes the guest scheduler switch (sched.ts schedulerTick, the `background:N`
// workload part), against the real UML 6.1 capture test/fixtures/uml/tick-switch.strace
// (uml/guest/bg-spin.c: init spins while a forked child spins forever; every tick switches).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerFromText } from '../../src/cost-model/ledger-from-strace.ts';
import type { LedgerEntry } from '../../src/kernel/ledger.ts';
import { runUml, umlLedgerView, type RunResult } from '../../src/uml/machine.ts';
import { FULL_POLICY, SEED_POLICY } from '../../src/uml/policy.ts';
import { PROFILES, type ProfileName } from '../../src/uml/profile.ts';
import { schedSliceNs } from '../../src/uml/sched.ts';
import { parseWorkload, WorkloadError } from '../../src/uml/workload.ts';

const FIX = new URL('../fixtures/uml/', import.meta.url).pathname;
/** 10 µs per guest instruction: a 100 Hz tick is 1000 instructions (keeps the suite fast). */
const INSN_NS = 10_000;

function run(workload: string, extra: { profile?: ProfileName; hz?: number; mode?: 'single' | 'multi' } = {}): RunResult {
  const mode = extra.mode ?? 'single';
  return runUml({ profile: PROFILES[extra.profile ?? 'uml-6.1'], mode, policy: mode === 'multi' ? FULL_POLICY : SEED_POLICY, workload: parseWorkload(workload), insnNs: INSN_NS, boot: 'noumh', hz: extra.hz });
}

interface Call {
  s: string;
  pid: number;
}

function call(e: LedgerEntry): Call {
  const s = e.syscall === 'ptrace' ? e.ptrace!.requestName.replace(/^PTRACE_/, '') : e.errno ? `wait4=${e.errno}` : `wait4→0x${(e.wait?.status ?? 0).toString(16)}`;
  return { s, pid: e.syscall === 'ptrace' ? e.ptrace!.target : Number(BigInt.asIntN(64, e.args[0]!)) };
}

/** Each tick: from its SIGALRM stop (with the restarted wait4 before it) to the next resume. */
function tickUnits(calls: readonly Call[]): Call[][] {
  const out: Call[][] = [];
  for (let i = 0; i < calls.length; i++) {
    if (calls[i]!.s !== 'wait4→0xe7f') continue;
    const from = i > 0 && calls[i - 1]!.s === 'wait4=ERESTARTSYS' ? i - 1 : i;
    let to = i;
    while (to < calls.length && calls[to]!.s !== 'SYSEMU') to++;
    out.push(calls.slice(from, to + 1));
  }
  return out;
}

const SWITCH_TICK = ['wait4=ERESTARTSYS', 'wait4→0xe7f', 'GETREGS', 'GETREGSET', 'SETREGS', 'ARCH_PRCTL', 'GETREGS', 'SETREGS', 'SETREGSET', 'SYSEMU'];

/** A unit's shape, and whether it left the interrupted process for another one. */
function shape(u: readonly Call[]): { seq: string[]; switched: boolean } {
  const stopped = u.find((c) => c.s === 'wait4→0xe7f')!.pid;
  return { seq: u.map((c) => c.s), switched: u[u.length - 1]!.pid !== stopped };
}

const real = tickUnits(ledgerFromText(readFileSync(FIX + 'tick-switch.strace', 'utf8')).filter((e) => e.syscall === 'ptrace' || e.syscall === 'wait4').map(call));

describe('tick with a background task (uml-6.1) = tick-switch.strace', () => {
  it('the real capture: every tick but the first (the child\'s first fault) is the 10-call switch, alternating P1/P2', () => {
    expect(real.length).toBe(8);
    for (const u of real.slice(1)) expect(shape(u)).toEqual({ seq: SWITCH_TICK, switched: true });
  });

  it('the model: background:1 + a spinning init gives the same per-tick sequence, every tick a switch', () => {
    const r = run('background:1+spin:6000');
    expect(r.exit).toBe('exited(0)');
    const units = tickUnits(umlLedgerView(r).map((x) => x.entry).filter((e) => e.syscall === 'ptrace' || e.syscall === 'wait4').map(call));
    expect(units.length).toBe(r.ticks);
    expect(r.ticks).toBeGreaterThanOrEqual(10);
    // The first switch to the child is its first run (fork_handler's flush, its text fault).
    for (const u of units.slice(2)) expect(shape(u)).toEqual({ seq: SWITCH_TICK, switched: true });
  });

  it('without a background task no tick switches (the +3 SETREGS/ARCH_PRCTL/GETREGS never appear)', () => {
    const r = run('fork:1+spin:6000');
    expect(r.ticks).toBeGreaterThanOrEqual(10);
    const units = tickUnits(umlLedgerView(r).map((x) => x.entry).filter((e) => e.syscall === 'ptrace' || e.syscall === 'wait4').map(call));
    for (const u of units) expect(shape(u).switched).toBe(false);
  });

  it('at the end UML kills the background task (kill, KILL, CONT → ESRCH, wait4), labelled halt:2', () => {
    const r = run('background:1+getpid:3');
    const halt = umlLedgerView(r).filter((x) => x.event === 'halt:2').map((x) => x.entry.syscall);
    expect(halt).toEqual(['kill', 'ptrace', 'ptrace', 'wait4']);
    expect(r.byPtraceRequest.PTRACE_KILL).toBe(2);
  });
});

describe('the guest scheduler\'s preemption rule (CFS check_preempt_tick, sched.ts)', () => {
  it('sched_slice: 6 ms shared by up to 8 tasks, then 0.75 ms each', () => {
    expect(schedSliceNs(2)).toBe(3_000_000);
    expect(schedSliceNs(8)).toBe(750_000);
    expect(schedSliceNs(9)).toBe(750_000);
    expect(schedSliceNs(3)).toBe(2_000_000);
  });

  it('at HZ=1000 (1 ms ticks) two tasks switch every 4th tick (more than 3 ms since the last switch)', () => {
    const r = run('background:1+spin:20000', { hz: 1000 });
    const units = tickUnits(umlLedgerView(r).map((x) => x.entry).filter((e) => e.syscall === 'ptrace' || e.syscall === 'wait4').map(call));
    const switched = units.map((u) => shape(u).switched);
    // After the child's first run: a switch at every 4th tick (3 ms + the time since the switch).
    // (The first two switches also carry the fork's own work, the child's first run with its
    // 9 stub runs and its faults, and the parent's COW fault, which take guest-instruction time at
    // this test's 10 µs per instruction: start at the third.)
    const first = switched.flatMap((s, i) => (i >= 4 && s ? [i] : []))[2]!;
    const steady = switched.slice(first, first + 16);
    expect(steady).toEqual([true, false, false, false, true, false, false, false, true, false, false, false, true, false, false, false]);
  });

  it('background:N parses 1..64 and only there', () => {
    expect(parseWorkload('background:2').parts).toEqual([{ kind: 'background', count: 2 }]);
    expect(() => parseWorkload('background:65')).toThrow(WorkloadError);
    expect(() => parseWorkload('background:0')).toThrow(/N must be 1\.\./);
  });

  it('law: with background tasks single ≡ multi still holds (same ticks, switches, guest digest)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 500, max: 4000 }), fc.constantFrom<ProfileName>('uml-6.1', 'uml-2.6.26'), (n, spin, profile) => {
        const w = `background:${n}+spin:${spin}+getpid:2`;
        const a = run(w, { profile });
        const b = run(w, { profile, mode: 'multi' });
        expect(b.guestDigest).toBe(a.guestDigest);
        expect(b.ticks).toBe(a.ticks);
        expect(b.exit).toBe('exited(0)');
      }),
      { numRuns: 6, seed: 3 },
    );
  });
});
