// The guest kernel's view (UML's own state, not the host's): guest processes, each backed
// by one host process (its mm), their saved registers, the console, and the guest events a
// run served. handle_syscall (arch/um/kernel/skas/syscall.c) runs guest syscalls here.
import type { Arch } from '../kernel/arch.ts';
import { toSigned } from '../kernel/arch.ts';
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import { syscallName } from '../kernel/syscall-table.ts';
import { GuestEventCounts, GuestTrace } from './guest-trace.ts';
import { regHexOf } from './reg-hex.ts';

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
  /** set_child_tid (clone's CLONE_CHILD_SETTID child_tidptr): schedule_tail writes the tid there (sched.ts). */
  setChildTid?: bigint;
  /** set_robust_list's head and set_tid_address's pointer (kept, never used: one thread per process). */
  robustList?: bigint;
  clearChildTid?: bigint;
  /** Host files UML holds open for this process's mm (hostfs: the exec'd binary; closed when the mm goes, exec.ts). */
  hostFds?: number[];
}

/**
 * Every GuestProcess from this one literal, its optional fields present (undefined until set):
 * one hidden class, so the loop's reads of a process (regs, state) stay monomorphic whichever
 * way it was made (start_userspace, fork).
 */
export function guestProcess(f: Pick<GuestProcess, 'gpid' | 'parent' | 'hostPid' | 'regs'> & Partial<Pick<GuestProcess, 'fs' | 'firstRun'>>): GuestProcess {
  return { gpid: f.gpid, parent: f.parent, hostPid: f.hostPid, regs: f.regs, state: 'runnable', exitCode: 0, fs: f.fs, firstRun: f.firstRun, setChildTid: undefined, robustList: undefined, clearChildTid: undefined, hostFds: undefined };
}

export interface GuestSyscallOutcome {
  /** The value for rax, or 'exit' when the process is gone. */
  result: bigint | 'exit';
  name: string;
}

/** `syscall:NAME`, the guest event of a syscall: one string per name, built once (a Map key and label per guest syscall). */
const SYSCALL_EVENTS = new Map<string, string>();
export function syscallEvent(name: string): string {
  let e = SYSCALL_EVENTS.get(name);
  if (e === undefined) SYSCALL_EVENTS.set(name, (e = `syscall:${name}`));
  return e;
}

/** Guest memory reads go through UML's physmem mapping: no host syscall. */
export type GuestMemoryReader = (hostPid: number, addr: bigint, len: number) => Uint8Array | null;

/**
 * A group of guest syscalls UML handles beyond the built-ins below (timer, /proc files,
 * memory, processes): the result for rax, or undefined when the call is not this layer's.
 */
export type GuestSyscallLayer = (p: GuestProcess, name: string, args: readonly bigint[]) => bigint | undefined;

export class GuestKernel {
  readonly procs = new Map<number, GuestProcess>();
  readonly console: string[] = [];
  /** Guest events (`syscall:getpid`, …) and their counts. */
  readonly events = new GuestEventCounts();
  /** Everything guest-visible, in order, streamed into the equivalence digest (guest-trace.ts). */
  readonly trace: GuestTrace;

  /** Layers consulted before the built-ins, the most recently added first. */
  private readonly layers: GuestSyscallLayer[] = [];
  /** Run at every guest syscall boundary, in the order added: before dispatch and after it. */
  private readonly beforeHooks: ((p: GuestProcess, name: string) => void)[] = [];
  private readonly afterHooks: ((p: GuestProcess, out: GuestSyscallOutcome) => void)[] = [];

  constructor(readonly arch: Arch, readonly readMemory: GuestMemoryReader, opts: { keepTrace?: boolean } = {}) {
    this.trace = new GuestTrace(opts.keepTrace ?? true);
  }

  addLayer(layer: GuestSyscallLayer): void {
    this.layers.unshift(layer);
  }

  onSyscall(hooks: { before?: (p: GuestProcess, name: string) => void; after?: (p: GuestProcess, out: GuestSyscallOutcome) => void }): void {
    if (hooks.before) this.beforeHooks.push(hooks.before);
    if (hooks.after) this.afterHooks.push(hooks.after);
  }

  /** handle_syscall(): decode once, let the layers or the built-ins run it, record it. */
  syscall(p: GuestProcess): GuestSyscallOutcome {
    const { arch } = this;
    const regs = p.regs;
    const nrRaw = regs[arch.origAx]!;
    // The number as a signed long; a value below 2^31 is its own signed value (registers are unsigned), no asIntN.
    const name = syscallName(arch.name, nrRaw < 0x80000000n ? Number(nrRaw) : Number(toSigned(arch, nrRaw)));
    const argRegs = arch.argRegs;
    const args = new Array<bigint>(argRegs.length);
    for (let k = 0; k < argRegs.length; k++) args[k] = regs[argRegs[k]!]!;
    const before = this.beforeHooks;
    for (let k = 0; k < before.length; k++) before[k]!(p, name);
    const out = this.dispatch(p, name, args);
    const after = this.afterHooks;
    for (let k = 0; k < after.length; k++) after[k]!(p, out);
    return out;
  }

  private dispatch(p: GuestProcess, name: string, args: bigint[]): GuestSyscallOutcome {
    const { arch } = this;
    const layers = this.layers;
    for (let k = 0; k < layers.length; k++) {
      const r = layers[k]!(p, name, args);
      if (r === undefined) continue;
      const result = r & arch.mask;
      this.events.push(syscallEvent(name));
      this.trace.push(`${this.callLine(p, name, args)} = ${result.toString(16)}`);
      return { name, result };
    }
    return this.builtin(p, name, args);
  }

  /** The trace line of a syscall: caller, name, the arguments at entry, ip and sp now (hex from reg-hex.ts where cached). */
  private callLine(p: GuestProcess, name: string, args: readonly bigint[]): string {
    const { arch } = this;
    let line = `${p.gpid} ${name} `;
    for (let k = 0; k < args.length; k++) line += (k > 0 ? ',' : '') + regHexOf(p, arch.argRegs[k]!, args[k]!);
    return `${line} ip=${regHexOf(p, arch.ip, p.regs[arch.ip]!)} sp=${regHexOf(p, arch.sp, p.regs[arch.sp]!)}`;
  }

  private builtin(p: GuestProcess, name: string, args: bigint[]): GuestSyscallOutcome {
    const { arch } = this;
    this.events.push(syscallEvent(name));
    this.trace.push(this.callLine(p, name, args));
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
