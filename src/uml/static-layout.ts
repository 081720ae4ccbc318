// Address-space layouts of the guest's real static binaries, as linux.uml 6.1 (x86_64) lays
// them out. Source: test/fixtures/uml/glibc-layout.txt — init's /proc/self/maps inside the
// real guest (uml/guest/init.c, `cc -static -O2`, glibc 2.36, printed by its maps=1 switch)
// and `readelf -lW` of it and of uml/guest/child.c's exec-child. What each VMA is:
//   PT_LOAD 0 (ELF headers, notes), PT_LOAD 1 (.text), PT_LOAD 2 (.rodata, .eh_frame): file
//   mappings never written, so without anon_vma: fork does not copy their PTEs
//   (mm/memory.c vma_needs_copy); the child faults them back in (SEGV_MAPERR);
//   PT_LOAD 3 split by glibc's RELRO mprotect (GNU_RELRO 0x4a3678+0x3988 → 0x4a3000-0x4a7000
//   r--) and .data (rw-); .bss beyond the file (anonymous, rwx: UML's VM_DATA_DEFAULT_FLAGS);
//   [heap] (brk; glibc's __libc_setup_tls puts the TLS block and TCB there: fs_base 0x4b1380
//   in every capture's ARCH_PRCTL); [stack]; [vdso] (UML's one-page special mapping, right
//   below STUB_CODE; no [vvar]). Nine VMAs: force_flush_all runs fix_range once per VMA.
// The model keeps its own stack top (kernel/state.ts stackTop; the real one is randomized,
// 0x7fbf86d000…0x7fbffa9000 across runs); sizes and every other address are the real ones.
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../kernel/memory.ts';

export interface LayoutVma {
  readonly start: bigint;
  readonly end: bigint;
  readonly prot: number;
  readonly name: string;
  /**
   * 'text': the program's code (page cache frames); 'file': a private file mapping whose
   * contents are the image's bytes at that address; 'anon': zero-filled.
   */
  readonly kind: 'text' | 'file' | 'anon';
  /** Has anonymous pages (was written): fork copies its PTEs (vma_needs_copy). */
  readonly anonVma: boolean;
  /**
   * GNU_RELRO: the exec maps it as the start of the next VMA (PT_LOAD 3, rw-); glibc's start-up
   * makes it read-only (_dl_protect_relro's mprotect, mprotect.ts), which splits the VMA.
   */
  readonly relro?: true;
}

export interface StaticLayout {
  readonly vmas: readonly LayoutVma[];
  /** e_entry (the model's code starts at the text VMA; the real entries: init 0x4019b0, exec-child 0x401000). */
  readonly entry: bigint;
  /** The [heap] VMA's start: brk (mm->start_brk as the maps show it). */
  readonly brk: bigint;
  /** Size of the [stack] VMA below the stack top (0x21000: 128 KiB stack_expand + one page). */
  readonly stackBytes: bigint;
  /** The last PT_LOAD has a .bss: elf_bss (end of its file data) and the file offset of that page (binfmt-elf.ts padzero). */
  readonly padzero?: { readonly elfBss: bigint; readonly fileOffset: bigint };
  /** The file's size on the hostfs root. */
  readonly fileBytes: number;
}

const R = PROT_READ;
const RW = PROT_READ | PROT_WRITE;
const RX = PROT_READ | PROT_EXEC;
const RWX = PROT_READ | PROT_WRITE | PROT_EXEC;

/** The vdso: one page below STUB_CODE (arch/x86/um/vdso/vma.c: um_vdso_addr = task_size - PAGE_SIZE). */
export const UML_VDSO = { start: 0x7fbffff000n, end: 0x7fc0000000n } as const;
export const STACK_BYTES = 0x21000n;

/** The guest init (uml/guest/init.c), glibc-layout.txt part 1. */
export const INIT_LAYOUT: StaticLayout = {
  vmas: [
    { start: 0x400000n, end: 0x401000n, prot: R, name: 'init:headers', kind: 'file', anonVma: false },
    { start: 0x401000n, end: 0x47b000n, prot: RX, name: 'init:text', kind: 'text', anonVma: false },
    { start: 0x47b000n, end: 0x4a3000n, prot: R, name: 'init:rodata', kind: 'file', anonVma: false },
    { start: 0x4a3000n, end: 0x4a7000n, prot: R, name: 'init:relro', kind: 'file', anonVma: true, relro: true },
    { start: 0x4a7000n, end: 0x4aa000n, prot: RW, name: 'init:data', kind: 'file', anonVma: true },
    { start: 0x4aa000n, end: 0x4b0000n, prot: RWX, name: 'init:bss', kind: 'anon', anonVma: true },
  ],
  entry: 0x401000n,
  brk: 0x4b1000n,
  stackBytes: STACK_BYTES,
  // PT_LOAD 3: vaddr 0x4a3678 + filesz 0x5c18; its page 0x4a9000 is at file offset 0xa8000.
  padzero: { elfBss: 0x4a9290n, fileOffset: 0xa8000n },
  fileBytes: 771952, // the capture's newfstatat of /init
};

/** The RELRO range glibc's start-up mprotects to PROT_READ (glibc-first-start.strace.gz line 1174: mprotect(0x4a3000, 0x4000, 1)). */
export const INIT_RELRO = { start: 0x4a3000n, bytes: 0x4000n } as const;

/** The [heap] end init's start-up grows brk to (glibc-layout.txt: 004b1000-004d3000 [heap]). */
export const INIT_HEAP_END = 0x4d3000n;

/** exec-child (uml/guest/child.c), glibc-layout.txt part 3: three PT_LOADs, no data, no bss. */
export const EXEC_CHILD_LAYOUT: StaticLayout = {
  vmas: [
    { start: 0x400000n, end: 0x401000n, prot: R, name: 'exec-child:headers', kind: 'file', anonVma: false },
    { start: 0x401000n, end: 0x402000n, prot: RX, name: 'exec-child:text', kind: 'text', anonVma: false },
    { start: 0x402000n, end: 0x403000n, prot: R, name: 'exec-child:rodata', kind: 'file', anonVma: false },
  ],
  entry: 0x401000n,
  brk: 0x403000n,
  stackBytes: STACK_BYTES,
  fileBytes: 9168, // the capture's newfstatat st_size; `ls -l` of the build
};

export const EXEC_CHILD_FILE_BYTES = EXEC_CHILD_LAYOUT.fileBytes;

/** Addresses glibc's code touches (`nm` of the same init build; the real fault addresses in glibc-fork-exit.strace). */
export const GLIBC = {
  /** .bss __fork_generation: __libc_fork's child side bumps it (SEGV_ACCERR 0x4aef88). */
  forkGeneration: 0x4aef88n,
  /** .data _dl_load_lock: the child re-initialises it (__rtld_lock_initialize; SEGV_ACCERR 0x4a8120). */
  dlLoadLock: 0x4a8120n,
  /** .bss: the first .bss page glibc's start-up touches (glibc-first-start.strace.gz line 104: SEGV_MAPERR 0x4ae9f8, rip 0x403331). */
  startBss: 0x4ae9f8n,
  /** .rodata: a page glibc's start-up reads (glibc-first-start.strace.gz line 1070: SEGV_MAPERR 0x48fde8). */
  startRodata: 0x48fde8n,
  /** .rodata: where init's string constants (the execve path) live. */
  rodata: 0x47b000n,
  /**
   * The TCB (struct pthread) = fs_base; tid at +0x2d0 (CLONE_CHILD_SETTID's target, set_tid_address's),
   * robust_head at +0x2e0 (set_robust_list's): glibc 2.36's offsets, as linux.uml's own start-up
   * shows them in the captures (arch_prctl(ARCH_SET_FS, …740), set_tid_address(…a10), set_robust_list(…a20)).
   */
  tcb: 0x4b1380n,
  tidOffset: 0x2d0n,
  robustHeadOffset: 0x2e0n,
  /** sizeof(struct robust_list_head) on x86_64 (set_robust_list's len). */
  robustHeadBytes: 24n,
} as const;
