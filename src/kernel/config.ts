// Which kernel the model is: generation, architecture, and the never-merged features
// (PTRACE_MULTI, PTRACE_VM) a patched kernel would have. A stock configuration answers
// exactly as the real kernel on this machine does (ptrace.md §10, ptrace-multi.md §4).
import type { ArchName } from './arch.ts';

export type Generation = '6.18' | '2.6.26';

export interface KernelConfig {
  readonly generation: Generation;
  readonly arch: ArchName;
  /** PTRACE_SYSEMU / SYSEMU_SINGLESTEP exist (x86_64 from 2.6.27, i386 from 2.6.14). */
  readonly sysemu: boolean;
  /** Davoli's PTRACE_MULTI (0x4300..0x4303), in the 2006 or 2008 form, or absent. */
  readonly ptraceMulti: false | '2006' | '2008';
  /** Davoli's PTRACE_SYSVM request (2006) or PTRACE_SYSCALL skip flags in addr (2008). */
  readonly ptraceVm: false | '2006' | '2008';
  /** NT_X86_XSTATE size on the modelled CPU (2432 on this machine: fixture getregset-sizes). */
  readonly xstateBytes: number;
  /**
   * PTRACE_SINGLEBLOCK traps only after taken branches (hardware BTF). On this machine (a
   * VM) it traps after every instruction, like SINGLESTEP (fixture syscall-addr-ignored).
   */
  readonly blockStepBranchOnly: boolean;
  /** The first pid handed out after init (real systems are past 300 long before a test runs). */
  readonly firstPid: number;
  /** Seed for every scheduling choice. */
  readonly seed: number;
  /** Instructions a task runs before the scheduler moves to the next runnable one. */
  readonly quantumInsns: number;
  /** Simulated time one user instruction takes. */
  readonly insnNs: number;
  /** A blocking wait gives up (reports a hang) after this many instructions without an event. */
  readonly waitInsnLimit: number;
}

export const STOCK_6_18: KernelConfig = {
  generation: '6.18',
  arch: 'x86_64',
  sysemu: true,
  ptraceMulti: false,
  ptraceVm: false,
  xstateBytes: 2432,
  blockStepBranchOnly: false,
  firstPid: 1000,
  seed: 1,
  quantumInsns: 1000,
  insnNs: 1,
  waitInsnLimit: 5_000_000,
};

/** The seed's host: i386 Linux 2.6.26 (SYSEMU on i386 only; request 33 is SINGLEBLOCK). */
export const STOCK_2_6_26_I386: KernelConfig = {
  ...STOCK_6_18,
  generation: '2.6.26',
  arch: 'i386',
  xstateBytes: 512,
};

export function kernelConfig(overrides: Partial<KernelConfig> = {}): KernelConfig {
  const base = overrides.generation === '2.6.26' ? STOCK_2_6_26_I386 : STOCK_6_18;
  const cfg = { ...base, ...overrides };
  if (cfg.generation === '2.6.26' && cfg.arch === 'x86_64' && overrides.sysemu === undefined) {
    // include/asm-x86/ptrace-abi.h @2.6.26 defines SYSEMU only for __i386__.
    return { ...cfg, sysemu: false };
  }
  return cfg;
}

/** Is this a modern kernel (the behaviours verified on 6.18)? */
export function isModern(cfg: KernelConfig): boolean {
  return cfg.generation !== '2.6.26';
}
