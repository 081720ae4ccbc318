// The userspace() loop (arch/um/os-Linux/skas/process.c; uml-skas.md §4, §8): resume the
// guest process's host process with its saved registers, wait for the next stop, fetch the
// registers, dispatch. Host calls per guest syscall: 2.6.26 SETREGS, SYSEMU, waitpid, GETREGS
// (4); 6.1 adds SETREGSET/GETREGSET(NT_X86_XSTATE) around every stop (6). In multi mode the
// seed merges SETREGS + the resume op (its first site).
import { regsFromBytesReusing, regsScratch, type RegsRead } from '../kernel/regs.ts';
import { SIG } from '../kernel/signals.ts';
import { ERRNO } from '../kernel/errno.ts';
import { WSTOPSIG, WIFSTOPPED, WUNTRACED, __WALL } from '../kernel/wait-status.ts';
import { NT, PTRACE } from '../ptrace/numbers.ts';
import type { GuestKernel, GuestProcess } from './guest.ts';
import { UML_REGS, UML_XSTATE_IOV, type Call, type HostTracer } from './host.ts';
import type { UmlProfile } from './profile.ts';
import { killPtracedProcess } from './teardown.ts';
import { UmlFatal } from './errors.ts';
import { dumpRegs, fatalSigsegv } from './panic.ts';
import type { GuestScheduler } from './sched.ts';
import { LastKeyWeakMap } from '../kernel/last-key-map.ts';

export { UmlFatal };

/** The resume op: SELECT_PTRACE_OPERATION[using_sysemu][singlestepping] with no single-stepping. */
export function resumeOp(usingSysemu: number): number {
  return usingSysemu > 0 ? PTRACE.SYSEMU : PTRACE.SYSCALL;
}

function putRegs(host: HostTracer, regs: bigint[]): void {
  host.kernel.writeMemory(host.uml, UML_REGS, regsScratch(host.kernel.arch, regs));
}

/** UML's last read of its register buffer, per tracer (regsFromBytesReusing: unchanged words keep their bigints). */
const LAST_READ = new LastKeyWeakMap<HostTracer, RegsRead>();

function getRegs(host: HostTracer): bigint[] {
  const arch = host.kernel.arch;
  const r = regsFromBytesReusing(arch, host.kernel.viewMemory(host.uml, UML_REGS, arch.regNames.length * arch.wordBytes)!, LAST_READ.get(host) ?? null);
  LAST_READ.set(host, r.read);
  return r.values;
}

export function setXstateIov(host: HostTracer, profile: UmlProfile): void {
  host.kernel.writeWord(host.uml, UML_XSTATE_IOV, UML_XSTATE_IOV + 0x100n);
  host.kernel.writeWord(host.uml, UML_XSTATE_IOV + 8n, profile.xstateIovLen);
}

/** The loop's two runs of requests, per profile and resume op: built once (Call objects are immutable). */
const LOOP_CALLS = new LastKeyWeakMap<UmlProfile, Map<number, { resume: readonly Call[]; fetch: readonly Call[] }>>();

function loopCalls(profile: UmlProfile, op: number): { resume: readonly Call[]; fetch: readonly Call[] } {
  let byOp = LOOP_CALLS.get(profile);
  if (!byOp) LOOP_CALLS.set(profile, (byOp = new Map()));
  let c = byOp.get(op);
  if (c) return c;
  const resume: Call[] = [{ request: PTRACE.SETREGS, addr: 0n, data: UML_REGS }];
  if (profile.xstateRegset) resume.push({ request: PTRACE.SETREGSET, addr: BigInt(NT.NT_X86_XSTATE), data: UML_XSTATE_IOV });
  resume.push({ request: op, addr: 0n, data: 0n });
  const fetch: Call[] = [{ request: PTRACE.GETREGS, addr: 0n, data: UML_REGS }];
  if (profile.xstateRegset) fetch.push({ request: PTRACE.GETREGSET, addr: BigInt(NT.NT_X86_XSTATE), data: UML_XSTATE_IOV });
  byOp.set(op, (c = { resume, fetch }));
  return c;
}

/**
 * Run guest process `p` until it exits; with a scheduler (sched.ts), after each event the loop
 * drives whichever process is current ("pid = userspace_pid[0]") until none is runnable.
 */
export function userspace(host: HostTracer, guest: GuestKernel, profile: UmlProfile, p: GuestProcess, usingSysemu: () => number, onSegv?: (p: GuestProcess) => void, sched?: GuestScheduler): void {
  const arch = host.kernel.arch;
  host.timer?.enterUserspace(p); // time.ts: userspace_pid[0]; 2.6.26 getitimer(ITIMER_VIRTUAL)
  for (let guard = 0; p.state === 'runnable'; guard++) {
    if (guard > 10_000_000) throw new Error('simulator bug: userspace loop did not end');
    const using = usingSysemu();
    putRegs(host, p.regs);
    if (profile.xstateRegset) setXstateIov(host, profile);
    const { resume, fetch } = loopCalls(profile, resumeOp(using));
    const r = host.run('userspace', p.hostPid, resume);
    if (r.errno) throw new UmlFatal(`userspace - ptrace continue failed, op = ${resumeOp(using)}, errno = ${r.errno}`);
    const w = host.wait4(p.hostPid, WUNTRACED | __WALL);
    if (w.errno || w.status === undefined || w.status === null) throw new UmlFatal(`userspace - wait failed, errno = ${w.errno ?? w.hang}`);
    const g = host.run('userspace-fetch', p.hostPid, fetch);
    if (g.errno) throw new UmlFatal(`userspace - PTRACE_GETREGS failed, errno = ${g.errno}`);
    p.regs = getRegs(host);
    if (!WIFSTOPPED(w.status)) throw new UmlFatal(`userspace - child exited with status 0x${w.status.toString(16)}`);
    const sig = WSTOPSIG(w.status);
    if (sig === (SIG.SIGTRAP | 0x80)) {
      handleTrap(host, guest, profile, p, using, sched);
    } else if (sig === SIG.SIGSEGV && onSegv) {
      onSegv(p); // fault.ts: get_skas_faultinfo, then segv() → handle_page_fault → flush_tlb_page
    } else if (host.timer && sig === SIG[profile.tickSignal]) {
      host.timer.loopStop(p, sig); // time.ts: 6.1 SIGALRM, 2.6.26 SIGVTALRM
    } else {
      fatalSigsegv(host, p, [`userspace - child stopped with signal ${sig}`]);
    }
    // "PT_SYSCALL_NR(regs->gp) = -1": the host must not restart anything.
    p.regs[arch.origAx] = arch.mask;
    if (sched) p = sched.schedule(p);
  }
}

/** handle_trap(): a guest syscall. Without SYSEMU the host call is nullified into getpid first. */
function handleTrap(host: HostTracer, guest: GuestKernel, profile: UmlProfile, p: GuestProcess, usingSysemu: number, sched?: GuestScheduler): void {
  const arch = host.kernel.arch;
  if (usingSysemu === 0) {
    const getpid = arch.name === 'x86_64' ? 39n : 20n;
    host.ptrace(PTRACE.POKEUSER, p.hostPid, BigInt(arch.origAx * arch.wordBytes), getpid);
    host.ptrace(PTRACE.SYSCALL, p.hostPid, 0n, 0n);
    const w = host.wait4(p.hostPid, WUNTRACED | __WALL);
    if (w.status !== (((SIG.SIGTRAP | 0x80) << 8) | 0x7f)) {
      // ptrace_dump_regs + printk + fatal_sigsegv (6.1 prints the stale libc errno; 0 here).
      const dump = dumpRegs(host, p.hostPid);
      fatalSigsegv(host, p, [...dump, `handle_trap - failed to wait at end of syscall, errno = ${w.errno ? ERRNO[w.errno as keyof typeof ERRNO] ?? w.errno : 0}, status = ${w.status}`]);
    }
  }
  const out = guest.syscall(p);
  if (out.result === 'exit') {
    // init: torn down now (the run ends); others: after the switch away (sched.ts).
    if (!sched?.exited(p)) killPtracedProcess(host, profile, p.hostPid);
    host.markEvent(`exit:${p.gpid}`);
    return;
  }
  p.regs[arch.ax] = out.result & arch.mask;
}
