// The guest init shaped like the real static glibc init (uml/guest/init.c, `cc -static`):
// its address space is static-layout.ts's INIT_LAYOUT, and its code touches the pages the
// real one does, so faults and stub runs come out as in test/fixtures/uml/glibc-fork-exit.strace
// and glibc-fork-exec.strace. Every x86_64 (uml-6.1) workload's init (2.6.26's i386 guest keeps
// workload.ts's minimal image).
//
// Code pages: main (start-up + the workload, from the text start) and, on the next page,
// "libc" (fork, _exit, execve, waitpid). Real: main at 0x4014f0-0x4020xx, _Fork/__libc_fork/
// _exit at 0x4310d0-0x431649 (nm). A fork child's first instruction is in libc (SEGV_MAPERR:
// fork copies no text PTEs), it returns to main (a second MAPERR) and exits through libc.
//
// Start-up (csu/libc-start.c for a static binary, csu/libc-tls.c __libc_setup_tls, the
// strace of a static glibc 2.36 binary): reads the program headers (ELF headers page), brk(0)
// and brk(end) (the TLS block and malloc's heap: [heap] 0x4b1000-0x4d3000), TLS_INIT_TP
// writes the TCB (fs_base 0x4b1380, every capture's ARCH_PRCTL), arch_prctl(ARCH_SET_FS),
// set_tid_address, set_robust_list. It also reads the .bss and .data words the fork child
// writes (__fork_generation, _dl_load_lock; the child's writes there cost 2 stub runs each,
// wp_page_copy), the RELRO GOT and a .rodata table, writes a .bss variable, and ends with
// _dl_protect_relro's mprotect(RELRO, PROT_READ) (one stub run). Taken from the real start-up
// of this init (test/fixtures/uml/glibc-first-start.strace.gz: about 70 faults, the model keeps one per
// VMA they touch): the first .bss fault (SEGV_MAPERR 0x4ae9f8, line 104), a .rodata read
// (0x48fde8, line 1070), the mprotect (line 1174). What the first fork's parent flush then
// finds (6 stub runs, glibc-first-fork.strace lines 42-65): pending
// fault-around PTEs in .text and .rodata (fault-around.ts), written pages in .data (padzero),
// .bss, [heap] (the TCB) and [stack]; RELRO was flushed by the mprotect, the ELF headers page
// and the vdso are single pages.
//
// fork (sysdeps/nptl/_Fork.c, posix/fork.c, glibc 2.36, single-threaded):
//   clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, 0, 0, &tcb->tid, 0) (nr 56);
//   child: set_robust_list(&tcb->robust_head, 24); __fork_generation += …; the
//   _dl_load_lock re-initialised; a stack write (its frame); back in main: _exit → exit_group.
//   parent: the pid to its stack (COW after fork: 2 stub runs), waitpid → wait4(pid, &st, 0, 0).
// execve(path in .rodata, …): the kernel reads the path from a page the child does not have
// (one stub run on the old mm, before the clone of the new one).
import type { Arch } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import { INSN_BYTES } from '../kernel/isa.ts';
import { PROT_READ } from '../kernel/memory.ts';
import { syscallNr } from '../kernel/syscall-table.ts';
import { ARCH_SET_FS } from './arch-prctl.ts';
import { CLONE_CHILD_SETTID } from './fork.ts';
import { EXEC_CHILD } from './guest-programs.ts';
import { GLIBC, INIT_HEAP_END, INIT_LAYOUT, INIT_RELRO } from './static-layout.ts';
import type { GuestImage } from './start-userspace.ts';
import { guestScratch } from './time.ts';

const CLONE_CHILD_CLEARTID = 0x00200000n;
const SIGCHLD = 17n;
/** glibc's arch_fork flags (sysdeps/unix/sysv/linux/arch-fork.h). */
export const GLIBC_FORK_FLAGS = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;

/** Where init's string constants sit in .rodata: the execve path, then write parts' message. */
export const INIT_EXEC_PATH = GLIBC.rodata;
export const INIT_MESSAGE = GLIBC.rodata + 0x1000n;
const PAGE = 0x1000n;

/** Emits one non-fork workload part (workload.ts) at the assembler's position. */
export type PartEmitter = (a: Asm, part: { kind: string }) => void;

function nr(a: Asm, name: string): number {
  const n = syscallNr(a.arch.name, name);
  if (n === undefined) throw new Error(`simulator bug: no syscall ${name}`);
  return n;
}

function reg(a: Asm, i: number): string {
  return a.arch.regNames[i]!;
}

/** __libc_start_main's side effects on the address space (see the header). */
function startup(a: Asm): void {
  const ax = reg(a, a.arch.ax);
  a.emit({ op: 'load', dst: ax, disp: 0x400040n }); // the program headers (e_phoff 64)
  a.store(GLIBC.startBss, 0n); // a .bss variable of __libc_start_main's
  a.sys('brk', 0).sys('brk', INIT_HEAP_END);
  a.store(GLIBC.tcb, GLIBC.tcb); // TLS_INIT_TP: tcb->tcb = tcb
  a.sys('arch_prctl', ARCH_SET_FS, GLIBC.tcb);
  a.sys('set_tid_address', GLIBC.tcb + GLIBC.tidOffset);
  a.sys('set_robust_list', GLIBC.tcb + GLIBC.robustHeadOffset, GLIBC.robustHeadBytes);
  a.emit({ op: 'load', dst: ax, disp: 0x4a3ff8n }); // the RELRO GOT
  a.emit({ op: 'load', dst: ax, disp: GLIBC.forkGeneration }, { op: 'load', dst: ax, disp: GLIBC.dlLoadLock });
  a.emit({ op: 'load', dst: ax, disp: GLIBC.startRodata }); // a .rodata table
  a.sys('mprotect', INIT_RELRO.start, INIT_RELRO.bytes, PROT_READ); // _dl_protect_relro
}

interface ForkSite {
  readonly kind: 'fork' | 'exec';
  /** The main-side jump into libc (patched) and where the child and parent come back. */
  readonly call: number;
  readonly childBack: number;
  readonly parentBack: number;
}

/**
 * init for `parts`: start-up, each part (fork/exec through libc, the others by `emitPart`),
 * exit_group(0); then the libc page. Also the contents of .rodata (path, message).
 */
export function glibcInitImage(arch: Arch, parts: readonly { kind: string; count?: number }[], emitPart: PartEmitter, message: Uint8Array): GuestImage {
  const a = new Asm(arch);
  const counter = 'r12';
  const ax = reg(a, arch.ax);
  const arg = (i: number) => reg(a, arch.argRegs[i]!);
  const slot = { status: guestScratch(arch, 5), pid: guestScratch(arch, 6) };
  startup(a);
  const sites: ForkSite[] = [];
  for (const p of parts) {
    if (p.kind !== 'fork' && p.kind !== 'exec') {
      emitPart(a, p);
      continue;
    }
    a.mov(counter, p.count!);
    const top = a.here;
    const call = a.here;
    a.emit({ op: 'jmp', target: -1 }); // fork() (patched: libc)
    const childBack = a.here;
    a.emit({ op: 'jmp', target: -1 }); // the child: _exit(counter) / execve (patched)
    const parentBack = a.here;
    a.emit({ op: 'add', dst: counter, imm: -1n }, { op: 'jnz', reg: counter, target: top });
    sites.push({ kind: p.kind as 'fork' | 'exec', call, childBack, parentBack });
  }
  a.exit(0);
  while (BigInt(a.here * INSN_BYTES) % PAGE !== 0n) a.emit({ op: 'ud2' });
  // libc: one copy of fork/waitpid and _exit/execve per fork part.
  for (const s of sites) {
    a.insns[s.call] = { op: 'jmp', target: a.here };
    a.sys('clone', GLIBC_FORK_FLAGS, 0, 0, GLIBC.tcb + GLIBC.tidOffset, 0);
    const branch = a.here;
    a.emit({ op: 'jnz', reg: ax, target: -1 });
    a.sys('set_robust_list', GLIBC.tcb + GLIBC.robustHeadOffset, GLIBC.robustHeadBytes);
    a.store(GLIBC.forkGeneration, 4n).store(GLIBC.dlLoadLock, 0n).store(slot.pid, 0n);
    a.emit({ op: 'jmp', target: s.childBack });
    a.insns[branch] = { op: 'jnz', reg: ax, target: a.here };
    a.emit({ op: 'store', src: ax, disp: slot.pid }, { op: 'movr', dst: arg(0), src: ax });
    a.mov(arg(1), slot.status).mov(arg(2), 0).mov(arg(3), 0).mov(ax, nr(a, 'wait4')).emit({ op: 'syscall' });
    a.emit({ op: 'jmp', target: s.parentBack });
    a.insns[s.childBack] = { op: 'jmp', target: a.here };
    if (s.kind === 'exec') {
      a.sys('execve', INIT_EXEC_PATH, 0, 0);
      a.exit(127);
    } else {
      a.emit({ op: 'movr', dst: arg(0), src: counter }).mov(ax, nr(a, 'exit_group')).emit({ op: 'syscall' });
    }
  }
  const rodata = new Uint8Array(Number(INIT_MESSAGE - GLIBC.rodata) + message.length);
  rodata.set(new TextEncoder().encode(`${EXEC_CHILD}\0`), 0);
  rodata.set(message, Number(INIT_MESSAGE - GLIBC.rodata));
  return { insns: a.insns, data: { start: INIT_MESSAGE, bytes: message }, layout: INIT_LAYOUT, files: new Map([['init:rodata', rodata]]) };
}
