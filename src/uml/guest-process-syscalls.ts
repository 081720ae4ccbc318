// Guest process syscalls, layered over GuestKernel.syscall like guest-syscalls.ts:
// fork/vfork/clone (fork.ts), execve (exec.ts), wait4/waitpid (do-wait.ts), arch_prctl
// (x86_64 ARCH_SET_FS: arch-prctl.ts), and the exit hook that wakes a waiting parent.
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import { ARCH_SET_FS, hostArchPrctlSetFs } from './arch-prctl.ts';
import { notifyParent, guestWait4 } from './do-wait.ts';
import { guestExecve } from './exec.ts';
import { CLONE_CHILD_SETTID, guestFork, type ProcessContext } from './fork.ts';
import type { GuestKernel, GuestProcess } from './guest.ts';
import type { GuestPrograms } from './guest-programs.ts';

const CLONE_VM = 0x100n;
/** sizeof(struct robust_list_head) on 64-bit (include/uapi/linux/futex.h). */
const ROBUST_LIST_HEAD_BYTES = 24n;

export function installProcessSyscalls(guest: GuestKernel, ctx: ProcessContext, programs: GuestPrograms): void {
  const host = ctx.mem.c.host;
  const fork = (p: GuestProcess) => guestFork(ctx, p);
  const handlers: Record<string, (p: GuestProcess, a: bigint[]) => bigint> = {
    fork,
    vfork: fork,
    // threads: not modelled. x86_64 clone(flags, newsp, parent_tid, child_tid, tls) (kernel/fork.c).
    clone: (p, a) => (a[0]! & CLONE_VM ? negErrnoReg(ERRNO.EINVAL) : guestFork(ctx, p, a[0]! & CLONE_CHILD_SETTID ? { childTid: a[3]! } : {})),
    // glibc's start-up and fork child (nptl: __libc_setup_tls, _Fork): the kernel only keeps the
    // pointers (kernel/futex/syscalls.c set_robust_list: len must be sizeof(struct robust_list_head);
    // kernel/fork.c set_tid_address returns the tid).
    set_robust_list: (p, a) => (a[1] === ROBUST_LIST_HEAD_BYTES ? ((p.robustList = a[0]!), 0n) : negErrnoReg(ERRNO.EINVAL)),
    set_tid_address: (p, a) => ((p.clearChildTid = a[0]!), BigInt(p.gpid)),
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
  // Its exit_mmap first drops the mm's files (hostfs.ts: close of an exec'd binary), as the
  // capture's close(fd) right after the exit trap.
  guest.onSyscall({
    after: (p, out) => {
      if (out.result !== 'exit') return;
      for (const fd of p.hostFds ?? []) ctx.hostfs.close(fd);
      p.hostFds = [];
      notifyParent(ctx, p);
    },
  });

}
