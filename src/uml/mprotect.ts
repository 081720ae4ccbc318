// A guest mprotect (mm/mprotect.c do_mprotect_pkey, Linux 6.1), on UML's own tables: the
// VMAs over [start, end) are split at both ends (mprotect_fixup → split_vma) and get `prot`;
// change_protection rewrites their present PTEs (a PTE without write permission, e.g. a COW
// or read-fault one, stays write-protected), and its flush_tlb_range is UML's
// fix_range(mm, start, end): one stub run when the host's mappings change. glibc's static
// start-up uses it once, for RELRO (_dl_protect_relro: test/fixtures/uml/glibc-first-start.strace.gz line 1174,
// mprotect(0x4a3000, 0x4000, PROT_READ), then one stub run).
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import { PAGE_SIZE, PROT_WRITE } from '../kernel/memory.ts';
import type { GuestMm, UmlMemory, Vma } from './guest-mm.ts';

const PAGE = BigInt(PAGE_SIZE);

function splitAt(mm: GuestMm, at: bigint): void {
  const i = mm.vmas.findIndex((v) => v.start < at && at < v.end);
  if (i < 0) return;
  const v = mm.vmas[i]!;
  const pages = Number((at - v.start) / PAGE);
  const high: Vma = { ...v, start: at, ...(v.textFrame === undefined ? {} : { textFrame: v.textFrame + pages }), ...(v.contents ? { contents: v.contents.subarray(pages * PAGE_SIZE) } : {}) };
  mm.vmas.splice(i, 1, { ...v, end: at }, high);
}

/** mprotect(start, len, prot): 0, or -EINVAL (unaligned start) / -ENOMEM (a hole in the range). */
export function guestMprotect(mem: UmlMemory, mm: GuestMm, start: bigint, len: bigint, prot: number): bigint {
  if (start & (PAGE - 1n)) return negErrnoReg(ERRNO.EINVAL);
  const end = (start + len + PAGE - 1n) & ~(PAGE - 1n);
  if (end === start) return 0n;
  for (let at = start; at < end; at += PAGE) if (!mm.vmaAt(at)) return negErrnoReg(ERRNO.ENOMEM);
  splitAt(mm, start);
  splitAt(mm, end);
  mm.vmas.forEach((v, i) => {
    if (v.start >= start && v.end <= end) mm.vmas[i] = { ...v, prot };
  });
  for (const vpn of [...mm.ptes.keys()]) {
    const at = BigInt(vpn) * PAGE;
    if (at < start || at >= end) continue;
    const pte = mm.ptes.get(vpn)!;
    mm.ptes.set(vpn, { ...pte, prot: (prot & ~PROT_WRITE) | (pte.prot & prot & PROT_WRITE) });
  }
  mem.fixRange(mm, start, end);
  return 0n;
}
