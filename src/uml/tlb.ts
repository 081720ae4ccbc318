// Whole-mm flushes (arch/um/kernel/tlb.c, 6.1): flush_tlb_mm() and force_flush_all() run
// fix_range() once per VMA, so each VMA with something to change costs one stub run
// (do_ops(…, done = 1) at the end of each fix_range). guest-mm.ts has the single-range
// fix_range_common (force = 0) and flush_tlb_page.
//  * flush_tlb_mm(mm): force = 0 — only changed PTEs (after fork: the parent's write-protect,
//    mmap records: ptep_set_wrprotect → set_pte_at marks them _PAGE_NEWPAGE). A VMA without
//    changes costs nothing.
//  * force_flush_all() (fork_handler, the forked child's first run): force = 1 — every page of
//    every VMA: a present PTE is mmapped (fork's set_pte_at marks copied PTEs _PAGE_NEWPAGE),
//    a missing one munmapped; so every VMA costs exactly one stub run.
import { PAGE_SIZE } from '../kernel/memory.ts';
import type { FlushOp, GuestMm, UmlMemory } from './guest-mm.ts';
import { keysInRange } from './versioned-map.ts';

const PAGE = BigInt(PAGE_SIZE);

export function flushTlbMm(mem: UmlMemory, mm: GuestMm): void {
  for (const v of [...mm.vmas].sort((a, b) => (a.start < b.start ? -1 : 1))) mem.fixRange(mm, v.start, v.end);
}

/** fix_range(mm, start, end, force = 1): rewrite the host's view of [start, end) entirely. */
function fixRangeForce(mem: UmlMemory, mm: GuestMm, start: bigint, end: bigint): void {
  const ops: FlushOp[] = [];
  // Pages whose address lies in [start, end): vpn * PAGE >= start and < end.
  const firstVpn = Number((start + PAGE - 1n) >> 12n);
  const endVpn = Number((end + PAGE - 1n) >> 12n);
  const present = keysInRange(mm.ptes.sortedKeys(), firstVpn, endVpn);
  const munmap = (from: bigint, to: bigint) => {
    if (to <= from) return;
    const last = ops[ops.length - 1];
    if (last?.kind === 'munmap' && last.start + last.len === from) last.len += to - from;
    else ops.push({ kind: 'munmap', start: from, len: to - from });
  };
  let at = start;
  for (const vpn of present) {
    const addr = BigInt(vpn) * PAGE;
    munmap(at, addr);
    const pte = mm.ptes.get(vpn)!;
    const offset = mem.frameOffset(pte.frame);
    const last = ops[ops.length - 1];
    if (last?.kind === 'mmap' && last.start + last.len === addr && last.prot === pte.prot && last.offset + last.len === offset) last.len += PAGE;
    else ops.push({ kind: 'mmap', start: addr, len: PAGE, prot: pte.prot, offset });
    at = addr + PAGE;
  }
  munmap(at, end);
  // Deleting while iterating a Map visits every other entry once (no sorted keys to rebuild after each VMA's changes).
  for (const vpn of mm.hostMapped.keys()) if (vpn >= firstVpn && vpn < endVpn) mm.hostMapped.delete(vpn);
  for (const vpn of present) mm.hostMapped.set(vpn, mm.ptes.get(vpn)!);
  mem.runOps(mm, ops);
}

export function forceFlushAll(mem: UmlMemory, mm: GuestMm): void {
  for (const v of [...mm.vmas].sort((a, b) => (a.start < b.start ? -1 : 1))) fixRangeForce(mem, mm, v.start, v.end);
}
