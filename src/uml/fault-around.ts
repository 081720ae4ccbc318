// Fault-around (mm/memory.c do_read_fault → do_fault_around → filemap_map_pages, Linux 6.1):
// a read or exec fault on a file mapping (hostfs's generic_file_vm_ops has .map_pages) also
// maps the neighbouring page-cache pages that have no PTE yet: up to fault_around_bytes
// (65536, 16 pages) from the fault address rounded down to 64 KiB (not below the VMA's
// start), stopping at the VMA's end and at the end of the page table (PTRS_PER_PTE 512).
// UML's set_pte_at marks those PTEs _PAGE_NEWPAGE, but handle_page_fault's flush_tlb_page
// pushes only the faulting page to the host: the others stay pending until a fix_range over
// them — the parent's flush_tlb_mm at the next fork costs one stub run for every VMA that has
// some (uml/README.md "init's first fork": the text and .rodata of a fresh init). The host
// still faults on a pending page when it is first touched (SEGV_MAPERR: the host has nothing
// there), and the guest handler then finds the PTE present. Evidence in
// test/fixtures/uml/glibc-first-start.strace.gz (init's real start-up), line 290:
// a SEGV_MAPERR write to .data's first page with 2 stub runs, a write to a present read-only
// page-cache PTE that the host had never mapped (wp_page_copy: unmap, then map the copy).
// Simplification: every page of the binary counts as cached and up to date (the real
// readahead state, PG_readahead pages skipped, is not modelled).
import type { GuestMm, Vma } from './guest-mm.ts';

/** fault_around_bytes >> PAGE_SHIFT (mm/memory.c: 64 KiB). */
export const FAULT_AROUND_PAGES = 16;
/** PTRS_PER_PTE on x86_64 (4-level): a page table maps 2 MiB. */
const PTRS_PER_PTE = 512;

/** The pages do_fault_around maps for a fault on page `vpn` of `vma` (the faulting page included). */
export function faultAroundWindow(vma: Vma, vpn: number): { first: number; last: number } {
  const vmaFirst = Number(vma.start >> 12n);
  const vmaLast = Number(vma.end >> 12n) - 1;
  const first = Math.max(vpn & ~(FAULT_AROUND_PAGES - 1), vmaFirst);
  const tableLast = first - (first % PTRS_PER_PTE) + PTRS_PER_PTE - 1;
  return { first, last: Math.min(tableLast, vmaLast, first + FAULT_AROUND_PAGES - 1) };
}

/** filemap_map_pages: a read-fault PTE (`mapRead`) for every page of the window that has none. */
export function faultAround(mm: GuestMm, vma: Vma, vpn: number, mapRead: (vpn: number) => void): void {
  const { first, last } = faultAroundWindow(vma, vpn);
  for (let v = first; v <= last; v++) if (v !== vpn && !mm.ptes.has(v)) mapRead(v);
}
