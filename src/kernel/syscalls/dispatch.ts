// The syscall table of simulated tasks: number → implementation, and the bookkeeping
// every call shares (rax, phase, sleeping, the ledger entry).
import { negErrnoReg } from '../errno.ts';
import type { Ctx } from '../ledger.ts';
import { syscallName } from '../syscall-table.ts';
import type { Task } from '../task.ts';
import { sysPtrace } from '../../ptrace/sys-ptrace.ts';
import { sysArchPrctl, sysPipe, sysWrite } from './misc.ts';
import { sysBrk, sysMmap, sysMprotect, sysMunmap } from './memory.ts';
import { sysClone, sysExecve, sysExit, sysExitGroup, sysFork, sysGetpid, sysGetppid, sysGettid, sysGetuid, sysVfork } from './process.ts';
import { sysKill, sysPause, sysRtSigaction, sysRtSigprocmask, sysRtSigreturn, sysTgkill, sysTkill } from './signal.ts';
import { sysNanosleep, sysRestartSyscall, sysSchedYield } from './time.ts';
import type { SysOutcome, SyscallImpl } from './types.ts';
import { hasDeliverable, interruptSleep } from '../signal.ts';
import { sysWait4 } from './wait.ts';
import { sysSigaltstack } from './sigaltstack.ts';
import { sysGetitimer, sysSetitimer } from './itimer.ts';

const IMPLS: Record<string, SyscallImpl> = {
  getpid: sysGetpid,
  gettid: sysGettid,
  getppid: sysGetppid,
  getuid: sysGetuid,
  fork: sysFork,
  vfork: sysVfork,
  clone: sysClone,
  execve: sysExecve,
  exit: sysExit,
  exit_group: sysExitGroup,
  kill: sysKill,
  tkill: sysTkill,
  tgkill: sysTgkill,
  rt_sigaction: sysRtSigaction,
  rt_sigprocmask: sysRtSigprocmask,
  rt_sigreturn: sysRtSigreturn,
  pause: sysPause,
  nanosleep: sysNanosleep,
  restart_syscall: sysRestartSyscall,
  sched_yield: sysSchedYield,
  setitimer: sysSetitimer,
  getitimer: sysGetitimer,
  mmap: sysMmap,
  mmap2: (ctx, t, a) => sysMmap(ctx, t, a, true), // offset in pages
  sigaltstack: sysSigaltstack,
  munmap: sysMunmap,
  mprotect: sysMprotect,
  brk: sysBrk,
  write: sysWrite,
  pipe: sysPipe,
  arch_prctl: sysArchPrctl,
  wait4: sysWait4,
  waitpid: (ctx, t, a) => sysWait4(ctx, t, [a[0]!, a[1]!, a[2]!, 0n]),
  ptrace: (ctx, t, a) => sysPtrace(ctx, t, Number(BigInt.asIntN(32, a[0]!)), Number(BigInt.asIntN(32, a[1]!)), a[2]!, a[3]!),
};

export function syscallArgs(ctx: Ctx, t: Task): bigint[] {
  return ctx.arch.argRegs.map((i) => t.regs[i]!);
}

export function dispatchSyscall(ctx: Ctx, t: Task, nr: number): void {
  const name = syscallName(ctx.arch.name, nr);
  const impl = IMPLS[name];
  const args = syscallArgs(ctx, t);
  const out: SysOutcome = impl ? impl(ctx, t, args) : { errno: 'ENOSYS' };
  applyOutcome(ctx, t, name, args, out);
}

export function applyOutcome(ctx: Ctx, t: Task, name: string, args: readonly bigint[], out: SysOutcome): void {
  const { arch } = ctx;
  if ('block' in out) {
    t.run = { kind: 'blocked', on: out.block };
    // An interruptible sleep never starts with a signal pending (sys_pause: "while
    // (!signal_pending(current))"): e.g. one a tracer injected at the syscall-entry stop
    // (differential conformance run; fixture pause-with-signal-pending).
    if (hasDeliverable(t)) interruptSleep(ctx, t);
    return; // recorded when it completes (run.ts completeBlocked / signal interruption)
  }
  if ('ret' in out) t.regs[arch.ax] = out.ret & arch.mask;
  else if ('errno' in out) t.regs[arch.ax] = negErrnoReg(out.errno) & arch.mask; // i386: a 32-bit eax
  ctx.ledger.push({
    seq: -1,
    clockNs: ctx.s.clockNs,
    pid: t.tid,
    syscall: name,
    args,
    ret: 'errno' in out ? -1n : 'ret' in out ? out.ret : t.regs[arch.ax]!,
    errno: 'errno' in out ? out.errno : null,
  });
}
