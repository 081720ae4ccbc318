// Several guest processes (src/uml/fork.ts, copy-context-skas0.ts, sched.ts, exec.ts,
// do-wait.ts) against the real 6.1 host traces test/fixtures/uml/fork-exit.strace,
// fork-exit-kill.strace and fork-exec.strace (uml/README.md "fork", "first run of the fork
// child", "process exit / mm teardown", "execve"). Stub-run counts depend on the guest's page
// layout, so sequences are compared as structure: runs of stub runs collapse to one token.
import { describe, expect, test } from 'vitest';
import { traceLines, type TraceLine } from '../../src/cli/uml-commands.ts';
import { ERRNO, negErrnoReg } from '../../src/kernel/errno.ts';
import { archByName } from '../../src/kernel/arch.ts';
import { syscallNr } from '../../src/kernel/syscall-table.ts';
import { guestWait4 } from '../../src/uml/do-wait.ts';
import type { ProcessContext } from '../../src/uml/fork.ts';
import { GuestKernel, type GuestProcess } from '../../src/uml/guest.ts';
import { runUml, type RunResult } from '../../src/uml/machine.ts';
import { FULL_POLICY, SEED_POLICY, type Policy } from '../../src/uml/policy.ts';
import { PROFILES, type ProfileName } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';
import { realCalls, type HostCall } from './host-seq.ts';

// realCalls: host-seq.ts (these fixtures hold no restarted wait4 and no hostfs file call).
type Call = HostCall;

function simCalls(lines: readonly TraceLine[]): Call[] {
  return lines.flatMap((l): Call[] => {
    if (l.request) {
      const op = l.request.replace('PTRACE_', '');
      return [{ op: op === 'CONT' && l.errno === 'ESRCH' ? 'CONT:ESRCH' : l.signal === 'SIGSEGV' ? `${op}:SIGSEGV` : op, pid: l.target! }];
    }
    if (l.syscall === 'wait4') return [{ op: l.stop?.startsWith('stopped') || l.stop?.includes('SIG') && !l.stop.startsWith('killed') ? `wait4:${/(SIG[A-Z]+(\|0x80)?)/.exec(l.stop!)![1]}` : 'wait4:reaped', pid: l.target! }];
    if (l.syscall === 'kill' && l.signal === 'SIGKILL') return [{ op: 'kill:SIGKILL', pid: l.target! }];
    return [];
  });
}

const SYSCALL = ['SETREGS', 'SETREGSET', 'SYSEMU', 'wait4:SIGTRAP|0x80', 'GETREGS', 'GETREGSET'];
const FAULT = ['SETREGS', 'SETREGSET', 'SYSEMU', 'wait4:SIGSEGV', 'GETREGS', 'GETREGSET', 'GETSIGINFO', 'GETREGSET', 'CONT:SIGSEGV', 'wait4:SIGTRAP', 'SETREGSET'];
const CLONE = ['SETREGS', 'SETREGSET', 'CONT', 'wait4:SIGTRAP', 'wait4:SIGTRAP', 'OLDSETOPTIONS'];
const STUB = ['SETREGS', 'CONT', 'wait4:SIGTRAP'];
const SWITCH = ['SETREGS', 'ARCH_PRCTL', 'GETREGS'];
const TEARDOWN = ['KILL', 'CONT:ESRCH', 'wait4:reaped'];

/**
 * Calls → tokens "syscall P1", "fault P2", "clone P1>P2", "stubs P1" (any number of stub runs),
 * "switch P1", "teardown P2"; pids renamed P1, P2, … in order of appearance; kill() and
 * timer stops inside a stub wait (wait4:SIGALRM + CONT) dropped.
 */
function tokens(calls: readonly Call[]): string[] {
  const names = new Map<number, string>();
  const name = (pid: number) => names.get(pid) ?? (names.set(pid, `P${names.size + 1}`), names.get(pid)!);
  const cs = calls.filter((c, i) => c.op !== 'kill:SIGKILL' && c.op !== 'wait4:SIGALRM' && !(c.op === 'CONT' && calls[i - 1]?.op === 'wait4:SIGALRM'));
  const out: string[] = [];
  const at = (i: number, pat: readonly string[]) => pat.every((op, j) => cs[i + j]?.op === op);
  for (let i = 0; i < cs.length;) {
    const p = name(cs[i]!.pid);
    if (at(i, CLONE)) {
      out.push(`clone ${p}>${name(cs[i + 4]!.pid)}`);
      i += CLONE.length;
    } else if (at(i, SYSCALL)) (out.push(`syscall ${p}`), (i += SYSCALL.length));
    else if (at(i, FAULT)) (out.push(`fault ${p}`), (i += FAULT.length));
    else if (at(i, SWITCH)) (out.push(`switch ${p}`), (i += SWITCH.length));
    else if (at(i, TEARDOWN)) (out.push(`teardown ${p}`), (i += TEARDOWN.length));
    else if (at(i, STUB)) {
      if (out[out.length - 1] !== `stubs ${p}`) out.push(`stubs ${p}`);
      i += STUB.length;
    } else throw new Error(`unrecognised host calls at ${i}: ${cs.slice(i, i + 6).map((c) => c.op).join(', ')}`);
  }
  return out;
}

const run = (profile: ProfileName, workload: string, mode: 'single' | 'multi' = 'single', policy: Policy = SEED_POLICY) =>
  runUml({ profile: PROFILES[profile], mode, policy, workload: parseWorkload(workload), keepTrace: true });

/** The run from the trap of the first `event` syscall to the trap of init's exit_group (its teardown left out). */
function segment(r: RunResult, first: string): TraceLine[] {
  const lines = traceLines(r);
  const from = lines.findIndex((l) => l.guestEvent === first);
  const to = lines.findIndex((l) => l.guestEvent === 'exit:1');
  return lines.slice(from, to);
}

const labelled = (r: RunResult, event: string) => simCalls(traceLines(r).filter((l) => l.guestEvent === event)).map((c) => c.op);

describe('uml-6.1 fork + exit + wait (fork-exit.strace)', () => {
  const real = tokens(realCalls('fork-exit.strace'));
  const r = run('uml-6.1', 'fork:1');
  const sim = tokens(simCalls(segment(r, 'syscall:clone')));

  test('the real segment has the expected shape', () => {
    expect(real.slice(0, 8)).toEqual(['syscall P1', 'clone P1>P2', 'stubs P1', 'fault P1', 'stubs P1', 'syscall P1', 'stubs P2', 'switch P2']);
    expect(real.slice(-4)).toEqual(['syscall P2', 'switch P1', 'teardown P2', 'syscall P1']);
  });

  test('copy_context_skas0 is exactly SETREGS, SETREGSET, CONT, wait4(parent), wait4(child), OLDSETOPTIONS', () => {
    const calls = realCalls('fork-exit.strace');
    expect(calls.slice(6, 12).map((c) => c.op)).toEqual(CLONE);
    expect(labelled(r, 'copy_context_skas0')).toEqual(CLONE);
    const cc = simCalls(traceLines(r).filter((l) => l.guestEvent === 'copy_context_skas0'));
    expect([cc[0]!.pid, cc[1]!.pid, cc[2]!.pid, cc[3]!.pid]).toEqual(Array(4).fill(cc[0]!.pid)); // the parent
    expect(cc[4]!.pid).not.toBe(cc[0]!.pid); // the child
    expect(cc[5]!.pid).toBe(cc[4]!.pid);
  });

  test('fork, COW fault, wait4, the child first run (force_flush_all, then arch_switch_to): same structure', () => {
    // The parent's COW write-protect and the child's force_flush_all are "stubs" (k, m runs).
    expect(sim.slice(0, 8)).toEqual(real.slice(0, 8));
    // The child first faults in its text at the fork's return address (MAPERR: not copied).
    expect(sim[8]).toBe('fault P2');
    expect(real[8]).toBe('fault P2');
    // The child's exit, the switch back to the waiting parent, then the dead mm's teardown.
    expect(sim.slice(-4)).toEqual(real.slice(-4));
    // In between the real child (glibc) makes more faults and set_robust_list; ours exits at once.
    for (const t of real.slice(8, -4)) expect(t).toMatch(/^(fault|stubs|syscall) P2$/);
    for (const t of sim.slice(8, -4)) expect(t).toMatch(/^(fault|stubs|syscall) P2$/);
  });

  test('the parent COW fault takes two stub runs (unmap the shared page, map the copy): 17 calls', () => {
    const lines = segment(r, 'syscall:clone');
    const faults = lines.filter((l) => l.guestEvent === 'fault:SIGSEGV' && l.target === lines[0]!.target);
    expect(simCalls(faults).map((c) => c.op)).toEqual([...FAULT, ...STUB, ...STUB]);
  });

  test('the child first run: m stub runs, then SETREGS (rax 0), ARCH_PRCTL(fs, ARCH_SET_FS), GETREGS', () => {
    expect(labelled(r, 'fork_handler:2')).toEqual(Array(9).fill(STUB).flat()); // one per VMA of the real static init (glibc-fork-exec.test.ts)
    expect(labelled(r, 'switch:2')).toEqual(SWITCH);
    const prctl = traceLines(r).find((l) => l.guestEvent === 'switch:2' && l.request === 'PTRACE_ARCH_PRCTL')!;
    const entry = r.kernel!.ledger.at(prctl.seq)!;
    expect(entry.args[3]).toBe(0x1002n);
    expect(entry.args[2]).toBe(0x4b1380n); // the TLS base init set with arch_prctl (the real fs_base)
  });
});

describe('teardown of an exited process: kill, PTRACE_KILL, CONT → ESRCH, wait4(NULL, __WALL), after the switch', () => {
  test('exactly as fork-exit-kill.strace', () => {
    const calls = realCalls('fork-exit-kill.strace');
    const k = calls.findIndex((c) => c.op === 'kill:SIGKILL');
    const real = calls.slice(k - 3, k + 4).map((c) => c.op);
    expect(real).toEqual([...SWITCH, 'kill:SIGKILL', ...TEARDOWN]);
    const r = run('uml-6.1', 'fork:1');
    expect([...labelled(r, 'switch:1'), ...labelled(r, 'teardown:2')]).toEqual(real);
  });
  test('2.6.26: no ARCH_PRCTL; the teardown is the same', () => {
    const r = run('uml-2.6.26', 'fork:1');
    expect(labelled(r, 'switch:1')).toEqual([]);
    expect(labelled(r, 'teardown:2')).toEqual(['kill:SIGKILL', ...TEARDOWN]);
    expect(labelled(r, 'copy_context_skas0')).toEqual(['SETREGS', 'CONT', 'wait4:SIGTRAP', 'wait4:SIGTRAP', 'OLDSETOPTIONS']);
  });
});

describe('uml-6.1 execve from a forked child (fork-exec.strace)', () => {
  test('execve trap, clone from its own host process, old mm killed at once, stub runs, SYSEMU → SIGSEGV at the entry', () => {
    const allReal = tokens(realCalls('fork-exec.strace'));
    const r = run('uml-6.1', 'exec:1');
    const sim = tokens(simCalls(segment(r, 'syscall:execve')));
    // From the execve trap of P2 (the third token naming P2 after the fork's first run).
    const from = allReal.findIndex((t, i) => t === 'syscall P2' && allReal[i + 1] === 'stubs P2' && allReal[i + 2] === 'clone P2>P3');
    const real = allReal.slice(from);
    const norm = (ts: string[]) => {
      const firstPid = /P\d+/.exec(ts[0]!)![0];
      const newPid = /P\d+>(P\d+)/.exec(ts.find((t) => t.startsWith('clone'))!)![1]!;
      const parent = ts[ts.length - 1]!.split(' ')[1]!;
      return ts.map((t) => t.replaceAll(firstPid, 'OLD').replaceAll(newPid, 'NEW').replaceAll(parent, 'INIT'));
    };
    expect(norm(sim)).toEqual(norm(real));
    expect(norm(sim)).toEqual([
      'syscall OLD', 'stubs OLD', 'clone OLD>NEW', 'teardown OLD', 'stubs NEW', 'fault NEW', 'stubs NEW',
      'syscall NEW', 'stubs NEW', // write: kernel-mode touch of the data page (+3)
      'syscall NEW', 'switch INIT', 'teardown NEW', 'syscall INIT',
    ]);
    // The new image starts with SETREGS, SETREGSET, SYSEMU → SIGSEGV: no GETREGS/ARCH_PRCTL first.
    const firstRun = simCalls(traceLines(r).filter((l) => l.guestEvent === 'fault:SIGSEGV')).map((c) => c.op);
    expect(firstRun.slice(-FAULT.length - STUB.length, -STUB.length)).toEqual(FAULT);
    expect(r.console).toBe('exec-child: hello\n');
  });
});

describe('single ≡ multi with several processes', () => {
  for (const profile of ['uml-6.1', 'uml-2.6.26'] as const) {
    for (const workload of ['fork:3', 'exec:2', 'fork:1+exec:1+getpid:3+write:1x5']) {
      test(`${profile} ${workload}: same guestDigest; multi shorter by exactly the merged calls`, () => {
        const single = run(profile, workload);
        expect(single.exit).toBe('exited(0)');
        for (const policy of [SEED_POLICY, FULL_POLICY]) {
          const multi = run(profile, workload, 'multi', policy);
          expect(multi.guestDigest).toBe(single.guestDigest);
          expect(multi.console).toBe(single.console);
          const subs = Object.values(multi.bySubRequest).reduce((a, b) => a + b, 0);
          const merged = subs - (multi.byPtraceRequest.PTRACE_MULTI ?? 0);
          expect(merged).toBeGreaterThan(0);
          expect(single.hostSyscalls - multi.hostSyscalls).toBe(merged);
        }
      });
    }
  }
  test('the seed merges copy_context_skas0 on 2.6.26 but not on 6.1 (SETREGSET in between)', () => {
    const sub = (r: RunResult) => traceLines(r).filter((l) => l.guestEvent === 'copy_context_skas0' && l.request === 'PTRACE_MULTI').map((l) => l.sub!.map((s) => s.request));
    expect(sub(run('uml-2.6.26', 'fork:1', 'multi', SEED_POLICY))).toEqual([['PTRACE_SETREGS', 'PTRACE_CONT']]);
    expect(sub(run('uml-6.1', 'fork:1', 'multi', SEED_POLICY))).toEqual([]);
    expect(sub(run('uml-6.1', 'fork:1', 'multi', FULL_POLICY))).toEqual([['PTRACE_SETREGS', 'PTRACE_SETREGSET', 'PTRACE_CONT']]);
  });
});

describe('guest wait4, getppid, scheduling order', () => {
  test('fork:3: each child exits with the loop counter; wait4 returns its pid and status code << 8', () => {
    for (const profile of ['uml-6.1', 'uml-2.6.26'] as const) {
      const r = run(profile, 'fork:3');
      const trace = r.guest!.trace.records!;
      expect(trace.filter((t) => t.includes('reaped'))).toEqual(['1 reaped 2 status=0x300', '1 reaped 3 status=0x200', '1 reaped 4 status=0x100']);
      expect(trace.filter((t) => t.startsWith('sched'))).toEqual(['sched 1 -> 2', 'sched 2 -> 1', 'sched 1 -> 3', 'sched 3 -> 1', 'sched 1 -> 4', 'sched 4 -> 1']);
      const waits = trace.filter((t) => / wait4 .* = /.test(t));
      expect(waits.map((t) => t.split(' = ')[1])).toEqual(['0', '0', '0']); // blocked: completed on wake-up
      expect(r.exit).toBe('exited(0)');
      expect(r.guest!.procs.size).toBe(1); // every child reaped
    }
  });
  test('exec:2: the console and status 0', () => {
    const r = run('uml-6.1', 'exec:2');
    expect(r.console).toBe('exec-child: hello\n'.repeat(2));
    expect(r.guest!.trace.records!.filter((t) => t.includes('reaped'))).toEqual(['1 reaped 2 status=0x0', '1 reaped 3 status=0x0']);
  });
  test('ECHILD without children; WNOHANG with a running child → 0; getppid', () => {
    const arch = archByName('x86_64');
    const guest = new GuestKernel(arch, () => null);
    const parent: GuestProcess = { gpid: 1, parent: 0, hostPid: 10, regs: Array(arch.regNames.length).fill(0n), state: 'runnable', exitCode: 0 };
    guest.procs.set(1, parent);
    const ctx = { mem: { kernel: { arch } }, guest, sched: {}, hz: 100, nextGpid: 2 } as unknown as ProcessContext;
    expect(guestWait4(ctx, parent, -1n, 0n, 0n)).toBe(negErrnoReg(ERRNO.ECHILD) & arch.mask);
    const child: GuestProcess = { gpid: 2, parent: 1, hostPid: 11, regs: Array(arch.regNames.length).fill(0n), state: 'runnable', exitCode: 0 };
    guest.procs.set(2, child);
    expect(guestWait4(ctx, parent, -1n, 0n, 1n)).toBe(0n);
    expect(guestWait4(ctx, parent, 7n, 0n, 1n)).toBe(negErrnoReg(ERRNO.ECHILD) & arch.mask);
    child.regs[arch.origAx] = BigInt(syscallNr('x86_64', 'getppid')!);
    expect(guest.syscall(child).result).toBe(1n);
  });
});
