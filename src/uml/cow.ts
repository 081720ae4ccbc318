// Copy-on-write of guest pages after a guest fork (mm/memory.c do_wp_page / wp_page_copy /
// wp_page_reuse, as UML's page tables see them; uml/README.md "page fault, COW"):
//  * the frame is still shared with another mm → wp_page_copy: ptep_clear_flush() (UML's
//    flush_tlb_page: one stub run unmapping the page), a new frame with a copy of the data,
//    set_pte_at; handle_page_fault's own flush_tlb_page then maps it (the second stub run):
//    the real 6.1 "usually 2 stub runs" (17 calls) for a SEGV_ACCERR fault;
//  * the zero page or a page-cache page (Pte.shared: a read fault mapped it) → wp_page_copy too;
//  * the frame is ours alone → wp_page_reuse: the PTE becomes writable; one stub run (the
//    page mapped again: ptep_set_access_flags → set_pte_at marks it _PAGE_NEWPAGE, guest-mm.ts
//    fixRange) — the "sometimes 14".
// Physmem coherence (a model artefact, no host call): the model's MAP_SHARED mappings of the
// physmem file are snapshots (kernel/memfile.ts), so the live data of a writable page is in
// the host process that maps it. syncToPhysmem() copies those pages back into physmem where
// the real mapping would simply be shared; fork calls it before any other process maps them.
import { PAGE_SIZE, PROT_EXEC, PROT_WRITE } from '../kernel/memory.ts';
import { memFilePage } from '../kernel/memfile.ts';
import type { GuestMm, UmlMemory, Vma } from './guest-mm.ts';

const PAGE = BigInt(PAGE_SIZE);

function sharedElsewhere(mem: UmlMemory, mm: GuestMm, frame: number): boolean {
  for (const other of mem.mms.values()) {
    if (other === mm) continue;
    for (const pte of other.ptes.values()) if (pte.frame === frame) return true;
  }
  return false;
}

/** do_wp_page for a write to a present, write-protected PTE in a writable VMA. */
export function doWpPage(mem: UmlMemory, mm: GuestMm, vpn: number, vma: Vma): void {
  const pte = mm.ptes.get(vpn)!;
  if (!pte.shared && !sharedElsewhere(mem, mm, pte.frame)) {
    mm.ptes.set(vpn, { frame: pte.frame, prot: vma.prot });
    return;
  }
  const at = BigInt(vpn) * PAGE;
  // The frame's page as it is now (physmem pages are immutable arrays, replaced on write; a
  // page never written reads as zeros, as a fresh frame does without a write).
  const f = mem.kernel.state.files?.[mem.fd];
  const data = f ? memFilePage(f, pte.frame) : undefined;
  mm.ptes.delete(vpn);
  mem.flushTlbPage(mm, at); // ptep_clear_flush
  mm.ptes.set(vpn, { frame: mem.allocFrames(1, data), prot: vma.prot });
}

/** Copy the live contents of mm's writable host-mapped pages into their physmem frames. */
export function syncToPhysmem(mem: UmlMemory, mm: GuestMm): void {
  for (const [vpn, have] of mm.hostMapped) {
    const pte = mm.ptes.get(vpn);
    if (!pte || pte.frame !== have.frame || !(have.prot & PROT_WRITE) || have.prot & PROT_EXEC) continue;
    mem.syncPage(mm, vpn, pte.frame);
  }
}
