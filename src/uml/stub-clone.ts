// stub_clone_handler (arch/um/kernel/skas/clone.c; uml-skas.md §6, §10): the code that runs in
// the *parent* mm's host process when UML creates a new guest mm with copy_context_skas0()
// (copy-context-skas0.ts). Instruction 0 of the stub code page jumps here, so thread_regs'
// ip is STUB_CODE itself (6.1 observed rip 0x7fc0000000).
//   parent: clone(CLONE_PARENT | CLONE_FILES | SIGCHLD, STUB_DATA + PAGE/2 - word)
//           (CLONE_PARENT: the new process is UML's child, hence its tracee after TRACEME);
//           data->parent_err = pid; int3.
//   child:  ptrace(PTRACE_TRACEME); 2.6.26: setitimer(ITIMER_VIRTUAL, &data->timer, NULL);
//           mmap(STUB_DATA, PAGE, RW, MAP_FIXED | MAP_SHARED, data->fd, data->offset) — its own
//           stub data page; the new page's child_err = the mmap result; int3.
// 6.1 has no setitimer (UML's own host timer drives ticks); i386 (2.6.26) does.
import type { Arch } from '../kernel/arch.ts';
import type { Asm } from '../kernel/asm.ts';
import { MAP_FIXED, MAP_SHARED, PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { syscallNr } from '../kernel/syscall-table.ts';
import { ITIMER } from '../kernel/syscalls/itimer.ts';
import { CLONE_PARENT } from '../kernel/syscalls/process.ts';
import { SIG } from '../kernel/signals.ts';
import { PTRACE } from '../ptrace/numbers.ts';

/** Word offsets of struct stub_data (clone part) in STUB_DATA. */
export const CLONE_DATA = { offset: 0, fd: 1, parentErr: 2, childErr: 3, timer: 4 } as const;
/** The sentinel UML writes into the new page's child_err before the clone (copy_context_skas0). */
export const CLONE_SENTINEL = 12345678n;
const CLONE_FILES = 0x400n;
export const STUB_CLONE_FLAGS = CLONE_PARENT | CLONE_FILES | BigInt(SIG.SIGCHLD);

function nr(arch: Arch, name: string): number {
  const n = syscallNr(arch.name, name);
  if (n === undefined) throw new Error(`simulator bug: no syscall ${name}`);
  return n;
}

/** Emit stub_clone_handler at the assembler's current position. */
export function emitStubCloneHandler(a: Asm, L: { readonly code: bigint; readonly data: bigint }, page: bigint): void {
  const { arch } = a;
  const w = BigInt(arch.wordBytes);
  const reg = (i: number) => arch.regNames[i]!;
  const ax = reg(arch.ax);
  const arg = (i: number) => reg(arch.argRegs[i]!);
  const field = (f: keyof typeof CLONE_DATA) => L.data + BigInt(CLONE_DATA[f]) * w;
  a.sys('clone', STUB_CLONE_FLAGS, L.data + page / 2n - w);
  const branch = a.here;
  a.emit({ op: 'jnz', reg: ax, target: -1 });
  // The child.
  a.sys('ptrace', PTRACE.TRACEME, 0, 0, 0);
  if (arch.name === 'i386') a.sys('setitimer', ITIMER.VIRTUAL, field('timer'), 0);
  a.mov(ax, nr(arch, arch.name === 'i386' ? 'mmap2' : 'mmap'));
  a.mov(arg(0), L.data).mov(arg(1), page).mov(arg(2), PROT_READ | PROT_WRITE).mov(arg(3), MAP_FIXED | MAP_SHARED);
  a.emit({ op: 'load', dst: arg(4), disp: field('fd') }, { op: 'load', dst: arg(5), disp: field('offset') }, { op: 'syscall' });
  a.emit({ op: 'store', src: ax, disp: field('childErr') }, { op: 'int3' });
  // The parent.
  a.insns[branch] = { op: 'jnz', reg: ax, target: a.here };
  a.emit({ op: 'store', src: ax, disp: field('parentErr') }, { op: 'int3' });
}
