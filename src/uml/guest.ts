// The guest kernel's view (UML's own state, not the host's): guest processes, each backed
// by one host process (its mm), their saved registers, the console, and the guest events a
// run served. handle_syscall (arch/um/kernel/skas/syscall.c) runs guest syscalls here.
import type { Arch } from '../kernel/arch.ts';
import { toSigned } from '../kernel/arch.ts';
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import { syscallName } from '../kernel/syscall-table.ts';

export interface GuestProcess {
  readonly gpid: number;
  readonly parent: number;
  /** The host process (tracee) that is this process's address space. */
  hostPid: number;
  /** Saved user registers (regs->gp), in the host's user_regs_struct order. */
  regs: bigint[];
  /** 'blocked': asleep in the guest kernel (wait4), off the run queue until woken (sched.ts). */
  state: 'runnable' | 'blocked' | 'zombie';
  exitCode: number;
  /** thread.arch.fs (x86_64 TLS base; 0/undefined = none): arch_switch_to re-sets it (sched.ts). */
  fs?: bigint;
  /** A forked child that has not run yet: fork_handler → force_flush_all first (fork.ts). */
  firstRun?: boolean;
}

export interface GuestSyscallOutcome {
  /** The value for rax, or 'exit' when the process is gone. */
  result: bigint | 'exit';
  name: string;
}

/** Guest memory reads go through UML's physmem mapping: no host syscall. */
export type GuestMemoryReader = (hostPid: number, addr: bigint, len: number) => Uint8Array | null;

export class GuestKernel {
  readonly procs = new Map<number, GuestProcess>();
  readonly console: string[] = [];
  /** Guest events in order (`syscall:getpid`, …) and their counts. */
  readonly events: string[] = [];
  /** Everything guest-visible, in order, for the equivalence digest. */
  readonly trace: string[] = [];

  constructor(readonly arch: Arch, readonly readMemory: GuestMemoryReader) {}

  syscall(p: GuestProcess): GuestSyscallOutcome {
    const { arch } = this;
    const nr = Number(toSigned(arch, p.regs[arch.origAx]!));
    const args = arch.argRegs.map((i) => p.regs[i]!);
    const name = syscallName(arch.name, nr);
    this.events.push(`syscall:${name}`);
    this.trace.push(`${p.gpid} ${name} ${args.map((a) => a.toString(16)).join(',')} ip=${p.regs[arch.ip]!.toString(16)} sp=${p.regs[arch.sp]!.toString(16)}`);
    switch (name) {
      case 'getpid':
        return { name, result: BigInt(p.gpid) };
      case 'getppid':
        return { name, result: BigInt(p.parent) };
      case 'write': {
        const len = Number(args[2]! & 0xffffffffn);
        const bytes = this.readMemory(p.hostPid, args[1]!, len);
        if (!bytes) return { name, result: negErrnoReg(ERRNO.EFAULT) };
        if (args[0] === 1n || args[0] === 2n) this.console.push(new TextDecoder().decode(bytes));
        return { name, result: BigInt(len) };
      }
      case 'exit':
      case 'exit_group':
        p.state = 'zombie';
        p.exitCode = Number(args[0]! & 0xffn);
        this.trace.push(`${p.gpid} exited ${p.exitCode}`);
        return { name, result: 'exit' };
      default:
        return { name, result: negErrnoReg(ERRNO.ENOSYS) };
    }
  }
}
