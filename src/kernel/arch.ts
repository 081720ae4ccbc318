// Architectures the host model supports: x86_64 (modern hosts) and i386 (the seed's
// 2.6.26 host). Register layouts are the kernel's user_regs_struct in kernel order
// (arch/x86/include/asm/user_64.h, user_32.h); ptrace.md §8.

export type ArchName = 'x86_64' | 'i386';

export interface Arch {
  readonly name: ArchName;
  readonly wordBytes: 8 | 4;
  /** user_regs_struct fields in kernel order; PEEKUSER offset = index * wordBytes. */
  readonly regNames: readonly string[];
  /** sizeof(struct user) as the kernel checks it in arch_ptrace PEEKUSR/POKEUSR. */
  readonly userAreaBytes: number;
  /** Byte range of u_debugreg[8] inside struct user. */
  readonly debugRegOffset: number;
  readonly fpregsBytes: number;
  readonly ax: number;
  readonly origAx: number;
  readonly ip: number;
  readonly sp: number;
  readonly flags: number;
  readonly cs: number;
  readonly ss: number;
  /** Syscall argument registers in order (x86_64: rdi rsi rdx r10 r8 r9; i386: ebx ecx edx esi edi ebp). */
  readonly argRegs: readonly number[];
  /** Registers the `syscall` instruction clobbers (x86_64: rcx ← rip, r11 ← rflags). */
  readonly sysClobber: readonly number[];
  /** User-mode segment selectors the kernel accepts for cs (plus 0x23 on x86_64: 32-bit CS). */
  readonly userCs: readonly bigint[];
  readonly userDs: bigint;
  readonly mask: bigint;
}

const X86_64_REGS = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx',
  'rsi', 'rdi', 'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base',
  'ds', 'es', 'fs', 'gs',
] as const;

const I386_REGS = [
  'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'eax', 'ds', 'es', 'fs', 'gs', 'orig_eax',
  'eip', 'cs', 'eflags', 'esp', 'ss',
] as const;

function idx(names: readonly string[], n: string): number {
  const i = names.indexOf(n);
  if (i < 0) throw new Error(`simulator bug: no register ${n}`);
  return i;
}

export const X86_64: Arch = {
  name: 'x86_64',
  wordBytes: 8,
  regNames: X86_64_REGS,
  // ptrace.md §8.1: regs 0..215, u_debugreg[8] at 848..903, kernel size 928.
  userAreaBytes: 928,
  debugRegOffset: 848,
  fpregsBytes: 512,
  ax: idx(X86_64_REGS, 'rax'),
  origAx: idx(X86_64_REGS, 'orig_rax'),
  ip: idx(X86_64_REGS, 'rip'),
  sp: idx(X86_64_REGS, 'rsp'),
  flags: idx(X86_64_REGS, 'eflags'),
  cs: idx(X86_64_REGS, 'cs'),
  ss: idx(X86_64_REGS, 'ss'),
  argRegs: ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'].map((n) => idx(X86_64_REGS, n)),
  sysClobber: [idx(X86_64_REGS, 'rcx'), idx(X86_64_REGS, 'r11')],
  userCs: [0x33n, 0x23n],
  userDs: 0x2bn,
  mask: (1n << 64n) - 1n,
};

export const I386: Arch = {
  name: 'i386',
  wordBytes: 4,
  regNames: I386_REGS,
  // ptrace.md §8.2: regs 0..67, u_debugreg[8] at 252..283, size 284.
  userAreaBytes: 284,
  debugRegOffset: 252,
  fpregsBytes: 108,
  ax: idx(I386_REGS, 'eax'),
  origAx: idx(I386_REGS, 'orig_eax'),
  ip: idx(I386_REGS, 'eip'),
  sp: idx(I386_REGS, 'esp'),
  flags: idx(I386_REGS, 'eflags'),
  cs: idx(I386_REGS, 'cs'),
  ss: idx(I386_REGS, 'ss'),
  argRegs: ['ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp'].map((n) => idx(I386_REGS, n)),
  sysClobber: [],
  userCs: [0x73n],
  userDs: 0x7bn,
  mask: (1n << 32n) - 1n,
};

export function archByName(name: ArchName): Arch {
  return name === 'x86_64' ? X86_64 : I386;
}

export function regIndex(arch: Arch, name: string): number | undefined {
  const i = arch.regNames.indexOf(name);
  return i < 0 ? undefined : i;
}

/** Sign-extend a register value of the arch's width to a JS bigint. */
export function toSigned(arch: Arch, v: bigint): bigint {
  return BigInt.asIntN(arch.wordBytes * 8, v);
}

export function toUnsigned(arch: Arch, v: bigint): bigint {
  return BigInt.asUintN(arch.wordBytes * 8, v);
}
