// The host side of load_elf_binary's tail for a static-layout.ts image (fs/binfmt_elf.c,
// fs/exec.c, 6.1; seen in test/fixtures/uml/glibc-fork-exec.strace and, for init from a
// kernel thread, in the full log of a `--trace all` capture, uml/README.md):
//  1. flush_thread (arch/um/kernel/exec.c): unmap(0, TASK_SIZE) through the stub — one run
//     (everything below and above the stub the new host process inherited);
//  2. setup_arg_pages: shift_arg_pages moves copy_strings' page from the temporary stack at
//     STACK_TOP_MAX to the randomized top: move_page_tables flushes the old range (one run),
//     free_pgd_range frees its page tables and tlb_finish_mmu flushes again (one run; none
//     when the random top shares the old page table: 1 of 5 execs and 1 of 4 init starts
//     captured); mprotect_fixup(VM_STACK_INCOMPLETE_SETUP) → flush_tlb_range maps the moved
//     page (one run). The captures give the counts (4, or 3, before any file read); which
//     flush is the one that comes and goes is our reading of fs/exec.c;
//  3. padzero(elf_bss) when the last PT_LOAD has a .bss: clear_user of the rest of the page
//     holding the end of the file data — a kernel-mode write fault on a private file page:
//     filemap_fault reads it ahead through hostfs (do_sync_mmap_readahead: 32 pages from
//     pgoff − 16, as the capture's pread64s at 622592…) and handle_page_fault maps it (one run);
//  4. create_elf_tables: argc/argv/envp/auxv copy_to_user'd below the strings, on the same
//     page (no run in any capture).
// The model's stack top is kernel/state.ts's; its temporary stack sits EXEC_STACK_SHIFT below.
import { PAGE_SIZE } from '../kernel/memory.ts';
import { copyToUser } from './copy-to-user.ts';
import type { GuestMm, UmlMemory } from './guest-mm.ts';
import type { Hostfs } from './hostfs.ts';
import type { StaticLayout } from './static-layout.ts';

const PAGE = BigInt(PAGE_SIZE);
/** A page table's reach (x86_64 PMD: 2 MiB): what free_pgd_range's flush unmaps. */
const PMD_BYTES = 0x200000n;
/** How far below the final stack top the model puts bprm's temporary stack. */
export const EXEC_STACK_SHIFT = 0x400000n;

/** Steps 1–4 on the new mm; returns the initial sp (argc). */
export function loadElfTail(mem: UmlMemory, hostfs: Hostfs, mm: GuestMm, layout: StaticLayout, top: bigint, file: { fd: number; bytes: number }): bigint {
  const L = mem.stub;
  mem.runOps(mm, [
    { kind: 'munmap', start: 0n, len: L.code },
    { kind: 'munmap', start: L.data + L.page, len: top - (L.data + L.page) },
  ]);
  const stack = mm.vmaAt(top - 8n)!;
  // copy_strings → get_user_pages_remote: a PTE in the temporary stack (no flush); shifted.
  const frame = mem.allocFrames(1, new Uint8Array(PAGE_SIZE));
  mm.ptes.set(Number((top - PAGE) >> 12n), { frame, prot: stack.prot });
  const old = top - EXEC_STACK_SHIFT - PAGE;
  mem.runOps(mm, [{ kind: 'munmap', start: old, len: PAGE }]); // move_page_tables
  mem.runOps(mm, [{ kind: 'munmap', start: old & ~(PMD_BYTES - 1n), len: PMD_BYTES }]); // free_pgd_range
  mem.fixRange(mm, stack.start, stack.end); // mprotect_fixup
  if (layout.padzero) {
    const page = layout.padzero.elfBss & ~(PAGE - 1n);
    hostfs.mmapReadahead(file.fd, Number(layout.padzero.fileOffset / PAGE), file.bytes);
    copyToUser(mem, mm, layout.padzero.elfBss, new Uint8Array(Number(page + PAGE - layout.padzero.elfBss)));
  }
  const at = top - 0x100n;
  const tables = new Uint8Array(0x30);
  new DataView(tables.buffer).setBigUint64(0, 1n, true); // argc = 1
  new DataView(tables.buffer).setBigUint64(8, top - 0x20n, true); // argv[0], in the strings' page
  copyToUser(mem, mm, at, tables);
  return at;
}
