// Guest process syscalls, layered over GuestKernel.syscall like guest-syscalls.ts:
// fork/vfork/clone (fork.ts), execve (exec.ts), wait4/waitpid (do-wait.ts), arch_prctl
// (x86_64 ARCH_SET_FS: arch-prctl.ts), and the exit hook that wakes a waiting parent.
import { toSigned } from '../kernel/arch.ts';
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import { syscallName } from '../kernel/syscall-table.ts';
import { ARCH_SET_FS, hostArchPrctlSetFs } from './arch-prctl.ts';
import { notifyParent, guestWait4 } from './do-wait.ts';
import { guestExecve } from './exec.ts';
import { guestFork, type ProcessContext } from './fork.ts';
import type { GuestKernel, GuestProcess, GuestSyscallOutcome } from './guest.ts';
import type { GuestPrograms } from './guest-programs.ts';

const CLONE_VM = 0x100n;

export function installProcessSyscalls(guest: GuestKernel, ctx: ProcessContext, programs: GuestPrograms): void {
  const base = guest.syscall.bind(guest);
  const { arch } = guest;
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
  guest.syscall = (p: GuestProcess): GuestSyscallOutcome => {
    const name = syscallName(arch.name, Number(toSigned(arch, p.regs[arch.origAx]!)));
    const handler = handlers[name];
    if (!handler) {
      const out = base(p);
      if (out.result === 'exit') notifyParent(ctx, p);
      return out;
    }
    const args = arch.argRegs.map((i) => p.regs[i]!);
    guest.events.push(`syscall:${name}`);
    host.markEvent(`syscall:${name}`);
    const result = handler(p, args) & arch.mask;
    guest.trace.push(`${p.gpid} ${name} ${args.map((x) => x.toString(16)).join(',')} ip=${p.regs[arch.ip]!.toString(16)} = ${result.toString(16)}`);
    return { name, result };
  };
}
