// copy_to_user from UML into a guest process's memory (arch/um/kernel/skas/uaccess.c): UML
// writes through physmem; a page that is missing or write-protected (COW after fork) faults
// inside UML (handle_page_fault, which flushes the PTE to the host: one stub run, or two for a
// COW copy — cow.ts), as readGuest does for reads (guest-mm.ts). The model writes the live
// copy: the host process's page when it maps the PTE's frame, else the physmem frame.
import { PAGE_SIZE, PROT_WRITE } from '../kernel/memory.ts';
import type { GuestMm, UmlMemory } from './guest-mm.ts';

export function copyToUser(mem: UmlMemory, mm: GuestMm, addr: bigint, bytes: Uint8Array): boolean {
  for (let done = 0; done < bytes.length;) {
    const a = addr + BigInt(done);
    const vpn = Number(a >> 12n);
    const pte = mm.ptes.get(vpn);
    if (!pte || !(pte.prot & PROT_WRITE)) {
      if (!mem.handlePageFault(mm, a, 'write')) return false;
      mem.flushTlbPage(mm, a);
    }
    const n = Math.min(bytes.length - done, PAGE_SIZE - Number(a & 0xfffn));
    const chunk = bytes.subarray(done, done + n);
    const now = mm.ptes.get(vpn)!;
    if (mm.hostMapped.get(vpn)?.frame === now.frame) mem.kernel.writeMemory(mm.hostPid, a, chunk);
    else mem.kernel.writeMemFile(mem.fd, mem.frameOffset(now.frame) + (a & 0xfffn), chunk);
    done += n;
  }
  return true;
}
