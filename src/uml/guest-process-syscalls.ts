// Guest process syscalls, layered over GuestKernel.syscall like guest-syscalls.ts:
// fork/vfork/clone (fork.ts), execve (exec.ts), wait4/waitpid (do-wait.ts), arch_prctl
// (x86_64 ARCH_SET_FS: arch-prctl.ts), and the exit hook that wakes a waiting parent.
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import { ARCH_SET_FS, hostArchPrctlSetFs } from './arch-prctl.ts';
import { notifyParent, guestWait4 } from './do-wait.ts';
import { guestExecve } from './exec.ts';
import { guestFork, type ProcessContext } from './fork.ts';
import type { GuestKernel, GuestProcess } from './guest.ts';
import type { GuestPrograms } from './guest-programs.ts';

const CLONE_VM = 0x100n;

export function installProcessSyscalls(guest: GuestKernel, ctx: ProcessContext, programs: GuestPrograms): void {
  const host = ctx.mem.c.host;
  const fork = (p: GuestProcess) => guestFork(ctx, p);
  const handlers: Record<string, (p: GuestProcess, a: bigint[]) => bigint> = {
    fork,
    vfork: fork,
    clone: (p, a) => (a[0]! & CLONE_VM ? negErrnoReg(ERRNO.EINVAL) : fork(p)), // threads: not modelled
    execve: (p, a) => guestExecve(ctx, programs, p, a[0]!),
    wait4: (p, a) => guestWait4(ctx, p, a[0]!, a[1]!, a[2]!),
    waitpid: (p, a) => guestWait4(ctx, p, a[0]!, a[1]!, a[2]!),
    arch_prctl(p, a) {
      if (a[0] !== BigInt(ARCH_SET_FS)) return negErrnoReg(ERRNO.EINVAL);
      p.regs = hostArchPrctlSetFs(host, p.hostPid, p.regs, a[1]!);
      p.fs = a[1]!;
      return 0n;
    },
  };
  guest.addLayer((p, name, args) => handlers[name]?.(p, [...args]));
  // The exit hook: a parent sleeping in wait4 learns of its child's exit.
  guest.onSyscall({ after: (p, out) => out.result === 'exit' && notifyParent(ctx, p) });

}
