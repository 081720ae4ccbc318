// Timer ticks, guest sleeps, /proc/sysemu and nosysemu in the UML model, checked against the
// real UML 6.1 captures in test/fixtures/uml/ (uml/README.md) and uml-skas.md §4/§8/§9.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFromText } from '../../src/cost-model/ledger-from-strace.ts';
import type { LedgerEntry } from '../../src/kernel/ledger.ts';
import { runUml, umlLedgerView, type RunOptions, type RunResult } from '../../src/uml/machine.ts';
import { SEED_POLICY } from '../../src/uml/policy.ts';
import { PROFILES, type ProfileName } from '../../src/uml/profile.ts';
import { UmlSwitches } from '../../src/uml/proc-sysemu.ts';
import { parseWorkload } from '../../src/uml/workload.ts';

const FIX = new URL('../fixtures/uml/', import.meta.url).pathname;
/** 10 µs per guest instruction: a 100 Hz tick is 1000 instructions (keeps the suite fast). */
const INSN_NS = 10_000;

function run(profile: ProfileName, workload: string, extra: Partial<RunOptions> = {}): RunResult {
  return runUml({ profile: PROFILES[profile], mode: 'single', policy: SEED_POLICY, workload: parseWorkload(workload), insnNs: INSN_NS, ...extra });
}

/** One host call as the comparison sees it: request / wait result / signal sent. */
function sig(e: LedgerEntry): string {
  if (e.syscall === 'ptrace') return e.ptrace!.requestName.replace(/^PTRACE_/, '') + (e.errno ? `=${e.errno}` : '');
  if (e.syscall === 'wait4') return e.errno ? `wait4=${e.errno}` : `wait4→0x${(e.wait?.status ?? 0).toString(16)}`;
  if (e.syscall === 'kill') return `kill(${e.args[1]})`;
  return e.syscall;
}

function fixture(name: string, keep: readonly string[]): string[] {
  return ledgerFromText(readFileSync(FIX + name, 'utf8')).filter((e) => keep.includes(e.syscall)).map(sig);
}

/** UML's run-phase calls from the first one labelled `fromEvent` to the last one labelled `toEvent`. */
function segment(r: RunResult, fromEvent: string, toEvent: string, keep?: readonly string[]): string[] {
  const v = umlLedgerView(r);
  const a = v.findIndex((x) => x.event === fromEvent);
  const b = v.map((x) => x.event).lastIndexOf(toEvent);
  expect(a).toBeGreaterThanOrEqual(0);
  return v.slice(a, b + 1).map((x) => x.entry).filter((e) => !keep || keep.includes(e.syscall)).map(sig);
}

describe('(a) uml-6.1 timer tick = timer-tick.strace', () => {
  it('two ticks during a user-mode loop: 6 calls + 1 restarted wait4 each, then the next syscall', () => {
    const r = run('uml-6.1', 'getpid:1+spin:1200+getpid:1');
    expect(r.ticks).toBe(2);
    expect(r.exit).toBe('exited(0)');
    expect(segment(r, 'signal:SIGALRM', 'syscall:getpid', ['ptrace', 'wait4'])).toEqual(fixture('timer-tick.strace', ['ptrace', 'wait4']));
    expect(r.guestEvents['signal:SIGALRM']).toBe(2);
  });

  it('with kill and timer_settime traced = timer-tick-kill.strace (kill(P, SIGALRM), then the re-arm)', () => {
    const keep = ['ptrace', 'wait4', 'kill', 'timer_settime'];
    const r = run('uml-6.1', 'getpid:1+spin:600+getpid:1');
    expect(r.ticks).toBe(1);
    expect(segment(r, 'signal:SIGALRM', 'syscall:getpid', keep)).toEqual(fixture('timer-tick-kill.strace', keep));
    const kill = r.kernel!.ledger.find((e) => e.syscall === 'kill' && e.args[1] === 14n)!;
    expect(Number(kill.args[0])).toBe([...r.kernel!.ledger].reverse().find((e) => e.ptrace?.requestName === 'PTRACE_SYSEMU' && e.pid === kill.pid)!.ptrace!.target);
  });

  it('the tick period follows RunOptions.hz on the simulated clock', () => {
    const at100 = run('uml-6.1', 'spin:3000');
    const at250 = run('uml-6.1', 'spin:3000', { hz: 250 });
    expect(at250.ticks).toBeGreaterThan(at100.ticks);
    const settimes = at250.kernel!.ledger.filter((e) => e.syscall === 'timer_settime');
    expect(settimes.every((e) => e.args[3] === 4_000_000n)).toBe(true);
  });
});

describe('(b) uml-2.6.26 SIGVTALRM (child ITIMER_VIRTUAL)', () => {
  it('the child arms ITIMER_VIRTUAL; each tick is waitpid → SIGVTALRM, GETREGS, then SETREGS + SYSEMU', () => {
    const r = run('uml-2.6.26', 'getpid:1+spin:1200+getpid:1');
    expect(r.ticks).toBe(2);
    expect(r.exit).toBe('exited(0)');
    const k = r.kernel!;
    const child = k.ledger.find((e) => e.syscall === 'setitimer' && e.pid !== r.host!.uml)!;
    expect(child.args[0]).toBe(1n); // ITIMER_VIRTUAL
    expect(r.bySyscall.getitimer).toBe(1); // userspace() entry
    expect(r.bySyscall.kill).toBe(1); // only the teardown: no host timer relay
    expect(r.bySyscall.timer_settime).toBeUndefined();
    const tickPart = segment(r, 'signal:SIGVTALRM', 'signal:SIGVTALRM');
    expect(tickPart).toEqual(['SETREGS', 'SYSEMU', 'wait4→0x1a7f', 'GETREGS', 'SETREGS', 'SYSEMU', 'wait4→0x1a7f', 'GETREGS']);
  });

  it('multi mode merges SETREGS + SYSEMU: 3 host calls per tick', () => {
    const r = run('uml-2.6.26', 'getpid:1+spin:1200+getpid:1', { mode: 'multi' });
    expect(segment(r, 'signal:SIGVTALRM', 'signal:SIGVTALRM')).toEqual(['MULTI', 'wait4→0x1a7f', 'GETREGS', 'MULTI', 'wait4→0x1a7f', 'GETREGS']);
  });
});

describe('(c) single ≡ multi with ticks and sleeps', () => {
  for (const profile of ['uml-6.1', 'uml-2.6.26'] as const) {
    it(`${profile}: same guest digest, same ticks`, () => {
      const w = 'getpid:3+spin:1500+sleep:2+write:2x16+spin:700';
      const single = run(profile, w);
      const multi = run(profile, w, { mode: 'multi' });
      expect(multi.mode).toBe('multi');
      expect(single.ticks).toBeGreaterThan(2);
      expect(multi.ticks).toBe(single.ticks);
      expect(multi.guestDigest).toBe(single.guestDigest);
      expect(multi.console).toBe(single.console);
      expect(multi.exit).toBe('exited(0)');
    });
  }

  it('sleep:N idles UML on the host (nanosleep) until the tick that wakes the guest', () => {
    const r = run('uml-6.1', 'sleep:3');
    expect(r.exit).toBe('exited(0)');
    expect(r.guestEvents['syscall:nanosleep']).toBe(3);
    expect(r.bySyscall.nanosleep).toBeGreaterThanOrEqual(3);
    // The idle task has no mm: no kill(P, SIGALRM) while the guest sleeps.
    expect(r.bySyscall.kill).toBe(1);
  });
});

describe('(d) nosysemu: 9 host calls per guest syscall = nosysemu-guest-syscall.strace', () => {
  it('uml-6.1: SETREGS, SETREGSET, SYSCALL, wait4, GETREGS, GETREGSET, POKEUSER, SYSCALL, wait4', () => {
    const r = run('uml-6.1', 'getpid:3', { boot: 'nosysemu' });
    const calls = segment(r, 'syscall:getpid', 'syscall:getpid', ['ptrace', 'wait4']);
    expect(calls.length).toBe(27);
    expect(calls).toEqual(fixture('nosysemu-guest-syscall.strace', ['ptrace', 'wait4']));
  });

  it('uml-2.6.26: 7 (no regsets)', () => {
    const r = run('uml-2.6.26', 'getpid:3', { boot: 'nosysemu' });
    expect(segment(r, 'syscall:getpid', 'syscall:getpid', ['ptrace', 'wait4']).length).toBe(21);
  });
});

describe('(e) /proc/sysemu 2 → 0 while the tracee sits in a SYSEMU stop', () => {
  it('uml-6.1 on a 6.18 host: unexpected syscall-exit stop, handle_trap fails, init is killed = sysemu0-panic.strace', () => {
    const r = run('uml-6.1', 'getpid:1+sysemu:0+getpid:1');
    expect(r.exit).toBe('panic: Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b');
    // The fixture starts at the trap before the write (lseek there, open here).
    const real = fixture('sysemu0-panic.strace', ['ptrace', 'wait4']);
    const dumpAt = real.indexOf('wait4→0xb7f') + 1; // ptrace_dump_regs' GETREGS
    const model = segment(r, 'syscall:open', 'panic', ['ptrace', 'wait4']);
    expect(model.slice(0, dumpAt + 1)).toEqual(real.slice(0, dumpAt + 1));
    // os_dump_core: wait4(-1, WNOHANG|__WALL) until 0 (the real run also reaped 2 helper processes).
    expect(model.slice(dumpAt + 1)).toEqual(['wait4→0x0']);
    expect(real.at(-1)).toBe('wait4→0x0');
    const console = readFileSync(FIX + 'sysemu0-panic.console', 'utf8').split('\n');
    const norm = (l: string) => l.replace(/errno = \d+/, 'errno = N');
    for (const line of r.kernelLog.slice(-2)) expect(console.map(norm)).toContain(norm(line));
    expect(r.kernelLog[0]).toBe('Stub registers -');
  });

  it('uml-2.6.26 (no exit stop after a SYSEMU entry): the switch works, later syscalls cost 7', () => {
    const r = run('uml-2.6.26', 'getpid:1+sysemu:0+getpid:2');
    expect(r.exit).toBe('exited(0)');
    expect(r.byPtraceRequest.PTRACE_POKEUSER).toBe(4); // close, getpid ×2, exit_group
  });

  it('/proc/sysptmulti 0 switches PTRACE_MULTI off mid-run', () => {
    const w = 'getpid:5+sysptmulti:0+getpid:5';
    const r = run('uml-2.6.26', w, { mode: 'multi' });
    expect(r.exit).toBe('exited(0)');
    const v = umlLedgerView(r);
    const switchedAt = v.map((x) => x.event).lastIndexOf('syscall:write');
    const isMulti = (x: (typeof v)[number]) => x.entry.ptrace?.requestName === 'PTRACE_MULTI';
    expect(v.slice(0, switchedAt + 1).filter(isMulti).length).toBeGreaterThanOrEqual(5 + 2); // getpid ×5, open, write
    expect(v.slice(switchedAt + 1).filter(isMulti)).toEqual([]); // close, getpid ×5, exit_group: single calls
    expect(r.guestEvents['syscall:getpid']).toBe(10);
  });

  it('reads print the value and "\\n"; writes take the first character; values above sysemu_supported are ignored', () => {
    const host = { mode: 'single' } as never;
    const s = new UmlSwitches(host, 1, false, false);
    expect(s.read('/proc/sysemu')).toBe('1\n');
    s.write('/proc/sysemu', new TextEncoder().encode('2'));
    expect(s.usingSysemu).toBe(1);
    expect(s.write('/proc/sysemu', new TextEncoder().encode('0junk'))).toBe(5);
    expect(s.read('/proc/sysemu')).toBe('0\n');
    s.write('/proc/sysemu', new TextEncoder().encode('x'));
    expect(s.usingSysemu).toBe(0);
    expect(s.exists('/proc/sysptmulti')).toBe(false);
  });
});

describe('(f) determinism', () => {
  it('same seed → byte-identical ledger (ticks, ERESTARTSYS, sleeps)', () => {
    const w = 'getpid:2+spin:1500+sleep:1+getpid:1';
    const dump = (r: RunResult) => JSON.stringify(r.kernel!.ledger, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    for (const profile of ['uml-6.1', 'uml-2.6.26'] as const) {
      const a = run(profile, w, { seed: 7 });
      const b = run(profile, w, { seed: 7 });
      expect(dump(a)).toBe(dump(b));
      expect(a.guestDigest).toBe(b.guestDigest);
    }
  });
});
