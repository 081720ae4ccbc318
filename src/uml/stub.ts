// The stub: UML's code page mapped at STUB_CODE in every guest host process, and its data
// page at STUB_DATA (arch/um/include/shared/as-layout.h; uml-skas.md §1, §5). Written in the
// model's ISA after arch/x86/um/stub_{32,64}.S (batch_syscall_stub) and stub_segv.c
// (stub_segv_handler). 6.1 x86_64: STUB_CODE 0x7fc0000000, STUB_DATA 0x7fc0001000;
// 2.6.26 i386: 0x100000 / 0x101000.
//
// STUB_DATA layout (words of the arch's size, mem.c / faultinfo.h):
//   fault info (written by the SIGSEGV handler): [0] error_code, [1] cr2, [2] trap_no
//   syscall batch: [0] result, [1] address of the failing record (0 if none),
//   [2…] records [len = W + extra bytes][extra…][nr][a1..a6][expected], ended by a 0 len.
// The SIGSEGV handler runs on the same page as its sigaltstack (the frame sits at the top).
import type { Arch } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import { INSN_BYTES, type Insn } from '../kernel/isa.ts';
import { frameLayout } from '../kernel/sigframe.ts';
import { emitStubCloneHandler } from './stub-clone.ts';

export const STUB_PAGE = 0x1000n;

export interface StubLayout {
  readonly code: bigint;
  readonly data: bigint;
  /** Byte offset of batch_syscall_stub in the code page (6.1 observed rip 0x7fc000009b; ours is 4-aligned). */
  readonly batchOffset: bigint;
  /** Byte offset of stub_segv_handler. */
  readonly segvOffset: bigint;
}

/** Instruction index of the batch stub: 0x9c / 4, next to 6.1's 0x9b. Index 0 jumps to stub_clone_handler (stub-clone.ts), placed after the batch stub. */
const BATCH_INDEX = 39;
const SEGV_INDEX = 1;

const LAYOUTS = new Map<string, StubLayout>();

/** The stub pages' layout (one frozen object per arch). */
export function stubLayout(arch: Arch): StubLayout {
  let l = LAYOUTS.get(arch.name);
  if (!l) {
    const base = arch.name === 'x86_64' ? { code: 0x7fc0000000n, data: 0x7fc0001000n } : { code: 0x100000n, data: 0x101000n };
    l = Object.freeze({ ...base, batchOffset: BigInt(BATCH_INDEX * INSN_BYTES), segvOffset: BigInt(SEGV_INDEX * INSN_BYTES) });
    LAYOUTS.set(arch.name, l);
  }
  return l;
}

/** Word offsets in STUB_DATA (multiplied by the word size). */
export const FAULTINFO = { err: 0, cr2: 1, trapno: 2 } as const;
export const BATCH = { ret: 0, offset: 1, records: 2 } as const;
/** One record without extra data: len, nr, six arguments, expected. */
export const RECORD_WORDS = 9;

function regs(arch: Arch) {
  const n = (i: number) => arch.regNames[i]!;
  return {
    ax: n(arch.ax),
    sp: n(arch.sp),
    args: arch.argRegs.map(n),
    scratch: arch.name === 'x86_64' ? 'rbx' : 'ebx',
    /** The register the kernel puts &frame->uc in for a SA_SIGINFO handler. */
    uc: arch.name === 'x86_64' ? 'rdx' : 'ecx',
  };
}

/** The stub code page as a program (instruction 0 at STUB_CODE). */
export function stubProgram(arch: Arch): Insn[] {
  const L = stubLayout(arch);
  const w = BigInt(arch.wordBytes);
  const r = regs(arch);
  const data = L.data;
  const a = new Asm(arch);
  a.emit({ op: 'jmp', target: -1 }); // stub_clone_handler (patched below)
  // stub_segv_handler(sig, info, uc): GET_FAULTINFO_FROM_MC(*(struct faultinfo *) STUB_DATA, &uc->uc_mcontext); trap_myself().
  const F = frameLayout(arch);
  const mc = BigInt(F.mcontext);
  if (a.here !== SEGV_INDEX) throw new Error('simulator bug: stub layout');
  a.emit(
    { op: 'load', dst: r.ax, base: r.uc, disp: mc + BigInt(F.scCr2) },
    { op: 'store', src: r.ax, disp: data + BigInt(FAULTINFO.cr2) * w },
    { op: 'load', dst: r.ax, base: r.uc, disp: mc + BigInt(F.scErr) },
    { op: 'store', src: r.ax, disp: data + BigInt(FAULTINFO.err) * w },
    { op: 'load', dst: r.ax, base: r.uc, disp: mc + BigInt(F.scTrapno) },
    { op: 'store', src: r.ax, disp: data + BigInt(FAULTINFO.trapno) * w },
    { op: 'int3' },
  );
  while (a.here < BATCH_INDEX) a.emit({ op: 'ud2' });
  // batch_syscall_stub (stub.S).
  const again = BATCH_INDEX + 1;
  const done = BATCH_INDEX + 20;
  a.mov(r.sp, data + BigInt(BATCH.records) * w); // load pointer to first operation
  a.emit(
    { op: 'load', dst: r.ax, base: r.sp, disp: 0n }, // again: length of additional data (+ W)
    { op: 'store', src: r.ax, disp: data + BigInt(BATCH.offset) * w }, // write possible 0 to header
    { op: 'jnz', reg: r.ax, target: again + 4 },
    { op: 'jmp', target: done }, // length 0: end of list
    { op: 'store', src: r.sp, disp: data + BigInt(BATCH.offset) * w }, // save current pointer
    { op: 'addr', dst: r.sp, src: r.ax }, // skip length word + additional data
    { op: 'load', dst: r.ax, base: r.sp, disp: 0n }, // syscall number
    ...r.args.map((reg, i): Insn => ({ op: 'load', dst: reg, base: r.sp, disp: BigInt(i + 1) * w })),
    { op: 'syscall' },
    { op: 'load', dst: r.scratch, base: r.sp, disp: 7n * w }, // expected
    { op: 'add', dst: r.sp, imm: 8n * w },
    { op: 'subr', dst: r.scratch, src: r.ax },
    { op: 'jnz', reg: r.scratch, target: done }, // result differs: stop here
    { op: 'jmp', target: again },
  );
  if (a.here !== done) throw new Error('simulator bug: stub branch targets');
  a.emit({ op: 'store', src: r.ax, disp: data + BigInt(BATCH.ret) * w }, { op: 'int3' }); // done: save result; stop
  a.insns[0] = { op: 'jmp', target: a.here };
  emitStubCloneHandler(a, L, STUB_PAGE);
  return a.insns;
}
