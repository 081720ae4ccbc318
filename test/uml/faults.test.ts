// Guest demand paging through UML's real fault path and the syscall stub (src/uml/fault.ts,
// mem.ts, stub.ts, guest-mm.ts), against the real 6.1 trace test/fixtures/uml/page-fault.strace.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compareRuns, traceLines, type TraceLine } from '../../src/cli/uml-commands.ts';
import { siginfoFromBytes } from '../../src/kernel/siginfo-layout.ts';
import { SI, SIG } from '../../src/kernel/signals.ts';
import { runUml, umlLedgerView, type RunResult } from '../../src/uml/machine.ts';
import { UML_FAULT_SIGINFO } from '../../src/uml/mem.ts';
import { FULL_POLICY, SEED_POLICY, type Policy } from '../../src/uml/policy.ts';
import { PROFILES, type ProfileName } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';

/** `ptrace(PTRACE_X, pid, [NT_…|NULL], [SIG…])` → "PTRACE_X[ NT_…][ SIG…]"; wait4 → "wait4:SIG[|0x80]". */
function straceCalls(file: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(new URL(`../fixtures/uml/${file}`, import.meta.url), 'utf8').split('\n')) {
    const p = /^ptrace\((PTRACE_[A-Z_]+), \d+(?:, (NT_[A-Z0-9_]+|NULL))?(?:, (SIG[A-Z]+)\))?/.exec(line);
    if (p) out.push([p[1], p[2]?.startsWith('NT_') ? p[2] : '', p[3] ?? ''].filter(Boolean).join(' '));
    const w = /^wait4\(.*WSTOPSIG\(s\) == (SIG[A-Z]+)( \| 0x80)?/.exec(line);
    if (w) out.push(`wait4:${w[1]}${w[2] ? '|0x80' : ''}`);
  }
  return out;
}

function simCalls(lines: readonly TraceLine[]): string[] {
  return lines.flatMap((l) => {
    if (l.request) return [[l.request, l.regset ?? '', l.request === 'PTRACE_CONT' || l.request === 'PTRACE_SYSEMU' ? l.signal ?? '' : ''].filter(Boolean).join(' ')];
    if (l.syscall === 'wait4') return [`wait4:${l.stop}`];
    return [];
  });
}

const run = (profile: ProfileName, workload: string, mode: 'single' | 'multi' = 'single', policy: Policy = SEED_POLICY) =>
  runUml({ profile: PROFILES[profile], mode, policy, workload: parseWorkload(workload) });

/** Host calls UML made for guest page faults (the loop's resume … the stub run's wait4). */
function faultCalls(r: RunResult): TraceLine[] {
  return traceLines(r).filter((l) => l.guestEvent === 'fault:SIGSEGV' && l.syscall !== 'getitimer');
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

describe('uml-6.1: a first-touch fault is exactly the real host sequence (page-fault.strace)', () => {
  const real = straceCalls('page-fault.strace');
  const perFault = real.slice(0, 14);
  test('the fixture holds two identical 14-call faults', () => {
    expect(perFault).toEqual([
      'PTRACE_SETREGS', 'PTRACE_SETREGSET NT_X86_XSTATE', 'PTRACE_SYSEMU', 'wait4:SIGSEGV',
      'PTRACE_GETREGS', 'PTRACE_GETREGSET NT_X86_XSTATE', 'PTRACE_GETSIGINFO', 'PTRACE_GETREGSET NT_X86_XSTATE',
      'PTRACE_CONT SIGSEGV', 'wait4:SIGTRAP', 'PTRACE_SETREGSET NT_X86_XSTATE',
      'PTRACE_SETREGS', 'PTRACE_CONT', 'wait4:SIGTRAP',
    ]);
    expect(real.slice(14, 28)).toEqual(perFault);
  });
  test('touch:8192: the entry-point fault and both page faults each match it call for call', () => {
    const r = run('uml-6.1', 'touch:8192');
    expect(r.exit).toBe('exited(0)');
    // glibc-shaped init (guest-libc.ts): text at the entry point, the ELF headers, .bss (written,
    // then read on the same page), the TCB, the RELRO GOT, .data (its PTE set by the RELRO
    // fault's fault-around, but not yet on the host), a .rodata table, then the two fresh pages:
    // all host first touches.
    expect(r.guestEvents['fault:SIGSEGV']).toBe(9);
    const faults = chunks(simCalls(faultCalls(r)), 14);
    expect(faults).toHaveLength(9);
    for (const f of faults) expect(f).toEqual(perFault);
    // The last GETSIGINFO: SIGSEGV, SEGV_MAPERR at the second fresh page (the fixture's 0x40001000).
    const info = siginfoFromBytes(r.kernel!.arch, r.kernel!.readMemory(r.host!.uml, UML_FAULT_SIGINFO, 128)!);
    expect([info.signo, info.code, info.addr]).toEqual([SIG.SIGSEGV, SI.SEGV_MAPERR, 0x40001000n]);
  });
  test('start_userspace ends with one stub run; the guest syscall path is unchanged (6 calls)', () => {
    const lines = traceLines(run('uml-6.1', 'touch:8192'));
    expect(simCalls(lines.filter((l) => l.guestEvent === 'start_userspace')).slice(-3)).toEqual(['PTRACE_SETREGS', 'PTRACE_CONT', 'wait4:SIGTRAP']);
    expect(simCalls(lines.filter((l) => l.guestEvent === 'syscall:mmap'))).toEqual(real.slice(28, 34));
    // munmap of touched pages: the trap (6) plus one stub run (3).
    expect(simCalls(lines.filter((l) => l.guestEvent === 'syscall:munmap')).slice(6)).toEqual(['PTRACE_SETREGS', 'PTRACE_CONT', 'wait4:SIGTRAP']);
  });
  test('a kernel-mode touch (write() from a fresh data page) costs one extra stub run, once', () => {
    const lines = traceLines(run('uml-6.1', 'write:2x10'));
    const writes = lines.filter((l) => l.guestEvent === 'syscall:write');
    expect(writes).toHaveLength(6 + 3 + 6);
    expect(simCalls(writes.slice(6, 9))).toEqual(['PTRACE_SETREGS', 'PTRACE_CONT', 'wait4:SIGTRAP']);
  });
});

describe('uml-2.6.26 runs the same workload: no GETSIGINFO, FP through GETFPXREGS/SETFPXREGS', () => {
  test('touch:8192: 3 faults of 11 calls each', () => {
    const r = run('uml-2.6.26', 'touch:8192');
    expect(r.exit).toBe('exited(0)');
    expect(r.guestEvents['fault:SIGSEGV']).toBe(3);
    const faults = chunks(simCalls(faultCalls(r)), 11);
    expect(faults).toHaveLength(3);
    for (const f of faults) {
      expect(f).toEqual([
        'PTRACE_SETREGS', 'PTRACE_SYSEMU', 'wait4:SIGSEGV', 'PTRACE_GETREGS', 'PTRACE_GETFPXREGS',
        'PTRACE_CONT SIGSEGV', 'wait4:SIGTRAP', 'PTRACE_SETFPXREGS', 'PTRACE_SETREGS', 'PTRACE_CONT', 'wait4:SIGTRAP',
      ]);
    }
  });
});

describe('single ≡ multi for demand paging; multi is shorter by exactly the merged calls', () => {
  const cases: [ProfileName, Policy, number, number][] = [
    // profile, policy, host calls per fault single, multi
    ['uml-6.1', SEED_POLICY, 14, 13],
    ['uml-6.1', FULL_POLICY, 14, 8],
    ['uml-2.6.26', SEED_POLICY, 11, 9],
    ['uml-2.6.26', FULL_POLICY, 11, 8],
  ];
  test.each(cases)('%s, policy %s', (profile, policy, single, multi) => {
    const workload = 'touch:8192+write:2x30+getpid:3';
    const s = run(profile, workload, 'single', policy);
    const m = run(profile, workload, 'multi', policy);
    expect(m.mode).toBe('multi');
    expect(m.guestDigest).toBe(s.guestDigest);
    expect(m.console).toBe(s.console);
    const merged = umlLedgerView(m).slice(m.startup.hostSyscalls).filter(({ entry }) => entry.ptrace?.request === PTRACE.MULTI).reduce((n, { entry }) => n + entry.ptrace!.sub!.length - 1, 0);
    expect(merged).toBeGreaterThan(0);
    expect(s.hostSyscalls - m.hostSyscalls).toBe(merged);
    expect(faultCalls(s).length / s.guestEvents['fault:SIGSEGV']!).toBe(single);
    expect(faultCalls(m).length / m.guestEvents['fault:SIGSEGV']!).toBe(multi);
    expect(compareRuns({ workload, profile, policy: policy.name }).equivalent).toBe(true);
  });
});
