// A guest fork (kernel/fork.c copy_process → dup_mm, with UML's hooks; uml-skas.md §6,
// uml/README.md "fork"): init_new_context → copy_context_skas0 on the parent's host process
// (copy-context-skas0.ts), then dup_mmap: anonymous PTEs are shared write-protected in both
// mms (COW, cow.ts); file-backed text PTEs are not copied (the child faults its text back in:
// SEGV_MAPERR); then flush_tlb_mm(parent) write-protects the parent's host mappings (one stub
// run per VMA that changed: the real run's "2 stub runs on P1"). copy_thread: the child gets
// the parent's registers with rax = 0 and the parent's TLS base; it runs later through
// fork_handler (sched.ts). vfork and clone without CLONE_VM are treated as fork; glibc's
// clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, 0, 0, &tcb->tid) (nr 56, the real
// captures' orig_rax 0x38) keeps child_tidptr: schedule_tail writes the child's tid there
// (sched.ts). CLEARTID: mm_release clears it only when other users share the mm
// (kernel/fork.c mm_release: mm_users > 1), never here.
import { PROT_WRITE } from '../kernel/memory.ts';
import { copyContextSkas0 } from './copy-context-skas0.ts';
import { syncToPhysmem } from './cow.ts';
import { guestProcess, type GuestKernel, type GuestProcess } from './guest.ts';
import { GuestMm, type UmlMemory } from './guest-mm.ts';
import type { GuestScheduler } from './sched.ts';
import { flushTlbMm } from './tlb.ts';
import type { Hostfs } from './hostfs.ts';

export interface ProcessContext {
  readonly mem: UmlMemory;
  readonly guest: GuestKernel;
  readonly sched: GuestScheduler;
  readonly hz: number;
  /** The next guest pid (alloc_pid). */
  nextGpid: number;
  /** UML's hostfs host calls (exec of a binary on the root, hostfs.ts). */
  readonly hostfs: Hostfs;
}

/** The first VMA whose pages [first, end) hold vpn (ranges.find without a closure per PTE). */
function vmaOfPage<V>(ranges: readonly { first: number; end: number; vma: V }[], vpn: number): V | undefined {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (vpn >= r.first && vpn < r.end) return r.vma;
  }
  return undefined;
}

/** dup_mmap for UML: the child mm over a new host process `pid`. */
function dupMmap(mem: UmlMemory, parent: GuestMm, pid: number, stubDataFrame: number): GuestMm {
  syncToPhysmem(mem, parent);
  const child = new GuestMm(pid, stubDataFrame, parent.mmapBase);
  child.vmas.push(...parent.vmas.map((v) => ({ ...v })));
  child.brkStart = parent.brkStart;
  child.brk = parent.brk;
  // Each VMA's pages [first, end) as numbers: vpn << 12 lies in [start, end) (vmaAt's test, no bigint per PTE).
  const ranges = parent.vmas.map((v) => ({ first: Number((v.start + 0xfffn) >> 12n), end: Number((v.end + 0xfffn) >> 12n), vma: v }));
  // Replacing a PTE while iterating keeps the map's order and visits no entry twice.
  for (const [vpn, pte] of parent.ptes) {
    const vma = vmaOfPage(ranges, vpn);
    // No anon_vma (text, never-written file mappings): not copied (mm/memory.c vma_needs_copy).
    if (!vma || !(vma.anonVma ?? vma.textFrame === undefined)) continue;
    // Each side its own PTE object (same fields; `shared` only where the parent's had it).
    const prot = pte.prot & ~PROT_WRITE;
    if (pte.shared) {
      parent.ptes.set(vpn, { frame: pte.frame, prot, shared: true });
      child.ptes.set(vpn, { frame: pte.frame, prot, shared: true });
    } else {
      parent.ptes.set(vpn, { frame: pte.frame, prot });
      child.ptes.set(vpn, { frame: pte.frame, prot });
    }
  }
  // The host clone inherited the parent's host mappings as they were.
  for (const [vpn, pte] of parent.hostMapped) child.hostMapped.set(vpn, pte);
  // The parent's memory hash as a start (guest-digest.ts): pages equal in both are not hashed again.
  child.digestCache = parent.digestCache;
  mem.mms.set(pid, child);
  return child;
}

/** CLONE_CHILD_SETTID (include/uapi/linux/sched.h). */
export const CLONE_CHILD_SETTID = 0x01000000n;

export function guestFork(ctx: ProcessContext, p: GuestProcess, opts: { childTid?: bigint } = {}): bigint {
  const { mem, guest, sched } = ctx;
  const host = mem.c.host;
  const arch = mem.kernel.arch;
  const parentMm = mem.mms.get(p.hostPid);
  if (!parentMm) throw new Error(`simulator bug: no mm for guest process ${p.gpid}`);
  const { pid, stubDataFrame } = copyContextSkas0(mem, p.hostPid, ctx.hz);
  host.markEvent('copy_context_skas0');
  dupMmap(mem, parentMm, pid, stubDataFrame);
  flushTlbMm(mem, parentMm);
  host.markEvent('fork:flush_tlb_mm');
  const child = guestProcess({ gpid: ctx.nextGpid++, parent: p.gpid, hostPid: pid, regs: [...p.regs], fs: p.fs, firstRun: true });
  child.regs[arch.ax] = 0n;
  if (opts.childTid !== undefined) child.setChildTid = opts.childTid;
  guest.procs.set(child.gpid, child);
  sched.enqueue(child);
  return BigInt(child.gpid);
}
