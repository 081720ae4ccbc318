// The UML host side against the real UML 6.1 traces, and single ≡ multi.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compareRuns, traceLines } from '../../src/cli/uml-commands.ts';
import { runUml } from '../../src/uml/machine.ts';
import { FULL_POLICY, SEED_POLICY, groupRun, parsePolicy, PolicyError } from '../../src/uml/policy.ts';
import { PROFILES } from '../../src/uml/profile.ts';
import { parseWorkload, WorkloadError } from '../../src/uml/workload.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';
import { simSequence, straceSequence } from './strace-seq.ts';

const run61 = (workload: string, mode: 'single' | 'multi' = 'single', policy = SEED_POLICY) =>
  runUml({ profile: PROFILES['uml-6.1'], mode, policy, workload: parseWorkload(workload) });

describe('uml-6.1 reproduces the real host call sequences', () => {
  test('one guest syscall: SETREGS, SETREGSET, SYSEMU, wait4, GETREGS, GETREGSET (guest-syscall.strace)', () => {
    const real = straceSequence('guest-syscall.strace');
    const perSyscall = real.slice(0, 6);
    expect(perSyscall).toEqual(['PTRACE_SETREGS', 'PTRACE_SETREGSET', 'PTRACE_SYSEMU', 'wait4:SIGTRAP|0x80', 'PTRACE_GETREGS', 'PTRACE_GETREGSET']);
    const sim = simSequence(traceLines(run61('getpid:2')).filter((l) => l.guestEvent === 'syscall:getpid'));
    expect(sim).toEqual([...perSyscall, ...perSyscall]);
    expect(real.length).toBe(18); // the fixture: two getpid traps + the end-marker write trap, 6 each
  });
  test('start-up probes: the exact request and wait sequence of startup-probes.strace', () => {
    const real = straceSequence('startup-probes.strace');
    const sim = simSequence(traceLines(run61('getpid:1')).filter((l) => l.guestEvent === 'probe'));
    expect(sim).toEqual(real.slice(0, sim.length));
    expect(sim.length).toBe(real.length);
  });
  test('the probe messages are UML 6.1\'s', () => {
    expect(run61('getpid:1').startup.messages).toEqual([
      'Checking that ptrace can change system call numbers...OK',
      'Checking syscall emulation patch for ptrace...OK',
      'Checking advanced syscall emulation patch for ptrace...OK',
    ]);
  });
  test('process exit: kill(SIGKILL), PTRACE_KILL = 0, PTRACE_CONT = ESRCH, wait4 reaps', () => {
    const exit = traceLines(run61('getpid:1')).filter((l) => l.guestEvent === 'exit:1');
    expect(exit.map((l) => `${l.syscall} ${l.request ?? l.signal ?? ''} ${l.errno ?? l.result}`)).toEqual([
      'kill SIGKILL 0', 'ptrace PTRACE_KILL 0', 'ptrace PTRACE_CONT ESRCH', `wait4  ${exit[3]!.result}`,
    ]);
    expect(exit[3]!.stop).toBe('killed(SIGKILL)');
  });
});

describe('host calls per guest syscall', () => {
  test('uml-2.6.26: 4 single, 3 with the seed policy (SETREGS+SYSEMU merged)', () => {
    const base = (mode: 'single' | 'multi', n: number) => runUml({ profile: PROFILES['uml-2.6.26'], mode, policy: SEED_POLICY, workload: parseWorkload(`getpid:${n}`) }).hostSyscalls;
    expect(base('single', 11) - base('single', 1)).toBe(40);
    expect(base('multi', 11) - base('multi', 1)).toBe(30);
  });
  test('uml-6.1: 6 single; the literal seed policy saves nothing in the loop (SETREGSET sits between SETREGS and SYSEMU); full: 3', () => {
    const n = (mode: 'single' | 'multi', k: number, policy = SEED_POLICY) => run61(`getpid:${k}`, mode, policy).hostSyscalls;
    expect(n('single', 11) - n('single', 1)).toBe(60);
    expect(n('multi', 11) - n('multi', 1)).toBe(60);
    expect(n('multi', 11, FULL_POLICY) - n('multi', 1, FULL_POLICY)).toBe(30);
  });
});

describe('law: single and multi give the identical guest-visible run; multi = single − merged calls', () => {
  const part = fc.oneof(
    fc.integer({ min: 1, max: 40 }).map((n) => `getpid:${n}`),
    fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 200 })).map(([n, b]) => `write:${n}x${b}`),
  );
  test('random workloads × both profiles × both policies', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), fc.constantFrom('uml-2.6.26', 'uml-6.1'), fc.constantFrom('seed', 'full'), (parts, profile, policy) => {
        const c = compareRuns({ workload: parts.join('+'), profile, policy });
        expect(c.single.guestDigest).toBe(c.multi.guestDigest);
        expect(c.single.console).toBe(c.multi.console);
        expect(c.equivalent).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
  test('the same seed gives a byte-identical ledger', () => {
    const a = traceLines(run61('getpid:5+write:2x30', 'multi', FULL_POLICY));
    const b = traceLines(run61('getpid:5+write:2x30', 'multi', FULL_POLICY));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('policies and workloads as data, with errors that name the bad part', () => {
  test('groupRun: seed merges only its exact pairs; full merges every run', () => {
    expect(groupRun(SEED_POLICY, 'userspace', [PTRACE.SETREGS, PTRACE.SYSEMU])).toEqual([2]);
    expect(groupRun(SEED_POLICY, 'userspace', [PTRACE.SETREGS, PTRACE.SETREGSET, PTRACE.SYSEMU])).toEqual([1, 1, 1]);
    expect(groupRun(SEED_POLICY, 'do_syscall_stub', [PTRACE.SETREGS, PTRACE.SYSEMU])).toEqual([1, 1]);
    expect(groupRun(FULL_POLICY, 'userspace-fetch', [PTRACE.GETREGS, PTRACE.GETREGSET])).toEqual([2]);
  });
  test('a policy file is validated field by field', () => {
    expect(parsePolicy('{"name":"mine","rules":[{"site":"userspace","requests":["SETREGS","SETREGSET","RESUME"]}]}').rules).toHaveLength(1);
    expect(() => parsePolicy('{"name":"x","rules":[{"site":"userspace","requests":["SETREGS","BOGUS"]}]}')).toThrow(/rules\[0\]\.requests\[1\]: unknown request "BOGUS"/);
    expect(() => parsePolicy('[1]')).toThrow(PolicyError);
  });
  test('a bad workload spec names the bad part', () => {
    expect(() => parseWorkload('getpid:10+write:3')).toThrow(/part 2 'write:3'/);
    expect(() => parseWorkload('getpid:0')).toThrow(WorkloadError);
    expect(() => parseWorkload('nosuch:1')).toThrow(/unknown workload 'nosuch'/);
  });
});
