// UML's side of guest memory: physmem (the mem file every guest host process maps pages
// from; arch/um/kernel/physmem.c), each guest mm's VMAs and page tables, the guest page-fault
// handler (arch/um/kernel/trap.c handle_page_fault), the push of page-table changes to the
// host process through the stub (arch/um/kernel/tlb.c fix_range_common / flush_tlb_page), and
// the guest's mmap/munmap/mprotect/brk, which only change UML's own tables (mm/mmap.c,
// mprotect.ts); read faults on file mappings fault around (fault-around.ts).
//
// Simplifications: every first touch allocates a frame (no zero page); COW after a guest fork
// is in cow.ts (the SEGV_ACCERR path); text pages map the image's own physmem frames read+exec, data pages get a
// private copy; the stack VMA does not grow.
import type { DigestCache } from './guest-digest.ts';
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { adoptFilePage, fileSourcePage } from '../kernel/memfile.ts';
import { encodeText, type Insn } from '../kernel/isa.ts';
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { map, unmap, type StubBatch, type StubContext } from './mem.ts';
import type { GuestKernel } from './guest.ts';
import { STUB_PAGE, stubLayout, stubProgram } from './stub.ts';
import { doWpPage } from './cow.ts';
import { faultAround } from './fault-around.ts';
import { guestMprotect } from './mprotect.ts';
import { keysInRange, VersionedMap } from './versioned-map.ts';
import type { HostTracer } from './host.ts';

const PAGE = BigInt(PAGE_SIZE);
const MAP_FIXED = 0x10n;
const MAP_ANONYMOUS = 0x20n;

export interface Vma {
  start: bigint;
  end: bigint;
  readonly prot: number;
  readonly name: string;
  /** Text: the physmem frame of the VMA's first page (frames are contiguous). */
  readonly textFrame?: number;
  /** Initial contents (data): copied into a fresh frame on first touch. */
  readonly contents?: Uint8Array;
  /**
   * Fork copies its PTEs: the VMA has an anon_vma (mm/memory.c vma_needs_copy; a private file
   * mapping gets one when first written). Unset: every VMA but text (the minimal image).
   */
  readonly anonVma?: boolean;
  /**
   * A read fault maps a page that is not the mm's own: the zero page (do_anonymous_page) or
   * the page cache (do_read_fault on a private file mapping), read-only; the first write
   * copies it (static-layout.ts images). Unset: a private frame with the VMA's protection.
   */
  readonly readMapsShared?: boolean;
  /** A private mapping of a hostfs file (its pages are the page cache): read faults fault around (fault-around.ts). */
  readonly pageCache?: boolean;
}

export interface Pte {
  readonly frame: number;
  readonly prot: number;
  /** The zero page or a page-cache page (readMapsShared): a write copies it, never reuses it (do_wp_page). */
  readonly shared?: boolean;
}

/** One guest address space (mm_struct + its host process, mm->context.id.u.pid). */
export class GuestMm {
  readonly vmas: Vma[] = [];
  /** UML's page tables: virtual page number → PTE. */
  readonly ptes = new VersionedMap<number, Pte>();
  /** What the host process has mapped in the guest range (what earlier flushes pushed). */
  readonly hostMapped = new VersionedMap<number, Pte>();
  /** guest-digest.ts's cached memory hash and the versions it was computed at. */
  digestCache: DigestCache | null = null;
  brkStart = 0n;
  brk = 0n;
  constructor(
    public hostPid: number,
    readonly stubDataFrame: number,
    readonly mmapBase: bigint,
  ) {}

  vmaAt(addr: bigint): Vma | undefined {
    return this.vmas.find((v) => addr >= v.start && addr < v.end);
  }
}

// No mprotect op: fixRange maps a re-protected PTE again (its comment), so UML's protect() (mem.c) is never reached.
type Op = { kind: 'mmap'; start: bigint; len: bigint; prot: number; offset: bigint } | { kind: 'munmap'; start: bigint; len: bigint };

function round(n: bigint): bigint {
  return (n + PAGE - 1n) & ~(PAGE - 1n);
}

function pageOf(addr: bigint): number {
  return Number(addr >> 12n);
}

/** The union of two ascending lists, ascending, each value once. */
function mergeAscending(a: number[], b: number[]): number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    if (x <= y) i++;
    if (y <= x) j++;
    out.push(Math.min(x, y));
  }
  return out;
}

/** Per VMA contents (shared by the VMA's pieces and every mm loading the image): its pages as memfile.ts fileSourcePage arrays, made once. */
const CONTENT_PAGES = new WeakMap<Uint8Array, Uint8Array[]>();

/**
 * Page `index` of a VMA's initial contents, zero-padded to a page: what a fault writes into
 * its fresh frame (writeMemFile shares the array; it copied the bytes at every fault).
 */
function contentPage(contents: Uint8Array, index: number): Uint8Array {
  const bytes = contents.subarray(index * PAGE_SIZE, (index + 1) * PAGE_SIZE);
  if (bytes.length === 0) return bytes; // past the contents: nothing written, as before
  let pages = CONTENT_PAGES.get(contents);
  if (!pages) CONTENT_PAGES.set(contents, (pages = []));
  return (pages[index] ??= fileSourcePage(bytes));
}

/** UML's memory: physmem frames and every guest mm. */
export class UmlMemory {
  readonly fd: number;
  private nextFrame = 0;
  readonly stubCodeFrame: number;
  /** Guest mms by host pid. */
  readonly mms = new Map<number, GuestMm>();
  /** Stub runs made for page-table flushes (a count for tests and `trace`). */
  stubRuns = 0;

  constructor(readonly c: StubContext) {
    const k = this.kernel;
    this.fd = k.createMemFile('physmem');
    // The stub code lives in UML's own image, i.e. in physmem (__syscall_stub_start).
    this.stubCodeFrame = this.allocFrames(1);
    const insns = stubProgram(k.arch);
    k.writeMemFile(this.fd, this.frameOffset(this.stubCodeFrame), encodeText(insns));
    k.addMemFileImage(this.fd, { name: '/uml/stub', base: this.frameOffset(this.stubCodeFrame), insns });
  }

  get kernel(): Kernel {
    return this.c.host.kernel;
  }

  frameOffset(frame: number): bigint {
    return BigInt(frame) * PAGE;
  }

  allocFrames(n: number, contents?: Uint8Array): number {
    const first = this.nextFrame;
    this.nextFrame += n;
    if (contents) this.kernel.writeMemFile(this.fd, this.frameOffset(first), contents);
    return first;
  }

  /**
   * A text VMA whose image is loaded into contiguous physmem frames (the page cache); `end`
   * (a real binary's PT_LOAD size, static-layout.ts) makes it longer than the code: every page
   * gets a frame, those past the code hold nothing.
   */
  textVma(name: string, start: bigint, insns: readonly Insn[], end?: bigint): Vma {
    const text = encodeText(insns);
    const codePages = Math.max(1, Math.ceil(text.length / PAGE_SIZE));
    const pages = end === undefined ? codePages : Math.max(codePages, Number((end - start) / PAGE));
    const frame = this.allocFrames(pages, text);
    this.kernel.addMemFileImage(this.fd, { name, base: this.frameOffset(frame), insns });
    return { start, end: start + BigInt(pages) * PAGE, prot: PROT_READ | PROT_EXEC, name, textFrame: frame };
  }

  /**
   * handle_page_fault(): find the VMA, check the access, allocate the page and set the PTE.
   * Returns false for a bad access (the guest gets SIGSEGV).
   */
  handlePageFault(mm: GuestMm, addr: bigint, access: 'read' | 'write' | 'exec'): boolean {
    const vma = mm.vmaAt(addr);
    if (!vma) return false;
    const need = access === 'write' ? PROT_WRITE : access === 'exec' ? PROT_EXEC : PROT_READ;
    if ((vma.prot & need) === 0) return false;
    const vpn = pageOf(addr);
    const pte = mm.ptes.get(vpn);
    if (pte) {
      if (need === PROT_WRITE && !(pte.prot & PROT_WRITE)) doWpPage(this, mm, vpn, vma); // COW (cow.ts)
      return true;
    }
    this.mapPage(mm, vma, vpn, need === PROT_WRITE);
    if (need !== PROT_WRITE && vma.pageCache) faultAround(mm, vma, vpn, (v) => this.mapPage(mm, vma, v, false)); // do_read_fault
    return true;
  }

  /** The PTE a fault on page `vpn` of `vma` sets (a read of a readMapsShared VMA: the shared page, read-only). */
  private mapPage(mm: GuestMm, vma: Vma, vpn: number, write: boolean): void {
    const index = Number((BigInt(vpn) * PAGE - vma.start) / PAGE);
    let frame: number;
    if (vma.textFrame !== undefined) frame = vma.textFrame + index;
    else frame = this.allocFrames(1, vma.contents && contentPage(vma.contents, index));
    if (vma.readMapsShared && !write) mm.ptes.set(vpn, { frame, prot: vma.prot & ~PROT_WRITE, shared: true });
    else mm.ptes.set(vpn, { frame, prot: vma.prot });
  }

  /**
   * fix_range_common(): compare the page tables with what the host has over [start, end) and
   * queue mmap/munmap records (adjacent ones merged); the last one runs the stub
   * (done = 1). No change → no stub run.
   */
  fixRange(mm: GuestMm, start: bigint, end: bigint, extra?: readonly Op[]): void {
    const ops: Op[] = extra ? [...extra] : [];
    const first = pageOf(start);
    const last = pageOf(end);
    if (last - first <= 16) {
      // A few pages (flush_tlb_page's one): look them up instead of walking every mapping.
      for (let v = first; v < last; v++) {
        const want = mm.ptes.get(v);
        const have = mm.hostMapped.get(v);
        if (want || have) this.fixPage(mm, v, want, have, ops);
      }
    } else {
      const vpns = mergeAscending(keysInRange(mm.ptes.sortedKeys(), first, last), keysInRange(mm.hostMapped.sortedKeys(), first, last));
      for (const vpn of vpns) this.fixPage(mm, vpn, mm.ptes.get(vpn), mm.hostMapped.get(vpn), ops);
    }
    this.runOps(mm, ops);
  }

  /** fixRange's step for one page whose PTE is `want` and host mapping `have`: queue what changes it. */
  private fixPage(mm: GuestMm, vpn: number, want: Pte | undefined, have: Pte | undefined, ops: Op[]): void {
    // A PTE whose protection alone changed is mapped again, not mprotect()ed: every PTE
    // change goes through set_pte() (arch/um/include/asm/pgtable.h), which marks it
    // _PAGE_NEWPAGE, and update_pte_range() (arch/um/kernel/tlb.c) maps a present NEWPAGE
    // PTE (add_mmap); add_mprotect is only for NEWPROT without NEWPAGE, which no set_pte
    // leaves. Real UML 6.1's stubs make no mprotect in a fork loop
    // (test/fixtures/uml/host-6.1-2026-12-03/host-syscalls.jsonl).
    const remap = want && have && have.frame === want.frame && have.prot !== want.prot;
    if (remap && have.prot & PROT_WRITE) this.syncPage(mm, vpn, want.frame); // model artefact: the live bytes back to physmem first (cow.ts)
    if (want && (!have || have.frame !== want.frame || remap)) {
      const at = BigInt(vpn) * PAGE; // (bigints only for the pages that change)
      const last = ops[ops.length - 1];
      const offset = this.frameOffset(want.frame);
      if (last?.kind === 'mmap' && last.start + last.len === at && last.prot === want.prot && last.offset + last.len === offset) last.len += PAGE;
      else ops.push({ kind: 'mmap', start: at, len: PAGE, prot: want.prot, offset });
      mm.hostMapped.set(vpn, want);
    } else if (!want && have) {
      const at = BigInt(vpn) * PAGE;
      const last = ops[ops.length - 1];
      if (last?.kind === 'munmap' && last.start + last.len === at) last.len += PAGE;
      else ops.push({ kind: 'munmap', start: at, len: PAGE });
      mm.hostMapped.delete(vpn);
    }
  }

  /**
   * Physmem coherence (a model artefact, no host call; cow.ts): the model's MAP_SHARED
   * mappings are snapshots, so a writable page's live bytes are in the host process that maps
   * it. Before that page is mapped again (fixRange) or by another process (cow.ts
   * syncToPhysmem) they go back to physmem, where the real mapping shares them.
   */
  syncPage(mm: GuestMm, vpn: number, frame: number): void {
    const bytes = this.kernel.readMemory(mm.hostPid, BigInt(vpn) * PAGE, PAGE_SIZE);
    // readMemory's copy is ours alone: the file keeps it as the frame's page (no second copy).
    if (bytes) this.kernel.writeMemFile(this.fd, this.frameOffset(frame), adoptFilePage(bytes));
  }

  /** do_ops(): each op is queued in STUB_DATA; the last one runs the batch. */
  runOps(mm: GuestMm, ops: readonly Op[]): void {
    const b: StubBatch = { pid: mm.hostPid, next: null };
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const done = i === ops.length - 1;
      if (done) this.stubRuns++;
      if (op.kind === 'mmap') map(this.c, b, op.start, op.len, op.prot, this.fd, op.offset, done);
      else unmap(this.c, b, op.start, op.len, done);
    }
  }

  /** flush_tlb_page(): one page, done = 1 → one stub run. */
  flushTlbPage(mm: GuestMm, addr: bigint): void {
    const page = addr & ~0xfffn;
    this.fixRange(mm, page, page + PAGE);
  }

  /**
   * A kernel-mode access to guest memory (copy_from_user in a guest syscall): UML reads
   * through physmem; a page without a PTE faults inside UML (handle_page_fault), which also
   * flushes the new PTE to the host (one stub run: uml/README.md "+3"). Mapped pages are read
   * from the host process, whose page is the live copy in the model.
   */
  readGuest(mm: GuestMm, addr: bigint, len: number): Uint8Array | null {
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const a = addr + BigInt(done);
      const vpn = pageOf(a);
      if (!mm.ptes.has(vpn)) {
        if (!this.handlePageFault(mm, a, 'read')) return null;
        this.flushTlbPage(mm, a);
      }
      const n = Math.min(len - done, PAGE_SIZE - Number(a & 0xfffn));
      const pte = mm.ptes.get(vpn)!;
      const bytes = mm.hostMapped.get(vpn)?.frame === pte.frame ? this.kernel.readMemory(mm.hostPid, a, n) : this.kernel.readMemFile(this.fd, this.frameOffset(pte.frame) + (a & 0xfffn), n);
      if (!bytes) return null;
      out.set(bytes, done);
      done += n;
    }
    return out;
  }

  // --- the guest's memory syscalls: UML changes its own tables only ---------------------

  /** Unmap [start, end) from the VMAs and page tables, then flush the host mappings. */
  private unmapRange(mm: GuestMm, start: bigint, end: bigint): void {
    for (let i = mm.vmas.length - 1; i >= 0; i--) {
      const v = mm.vmas[i]!;
      if (v.end <= start || v.start >= end) continue;
      const parts: Vma[] = [];
      if (v.start < start) parts.push({ ...v, end: start });
      if (v.end > end) {
        // The upper piece starts `skip` pages in: its text frames and initial contents too (mm/mmap.c
        // __split_vma: new->vm_pgoff += (addr - vm_start) >> PAGE_SHIFT; as mprotect.ts splits).
        const skip = Number((end - v.start) / PAGE);
        parts.push({ ...v, start: end, textFrame: v.textFrame === undefined ? undefined : v.textFrame + skip, ...(v.contents ? { contents: v.contents.subarray(skip * PAGE_SIZE) } : {}) });
      }
      mm.vmas.splice(i, 1, ...parts);
    }
    for (const vpn of keysInRange(mm.ptes.sortedKeys(), pageOf(start), pageOf(end))) mm.ptes.delete(vpn);
    this.fixRange(mm, start, end);
  }

  private findFree(mm: GuestMm, len: bigint): bigint {
    let at = mm.mmapBase;
    for (let guard = 0; guard < 4096; guard++) {
      const clash = mm.vmas.find((v) => v.start < at + len && v.end > at);
      if (!clash) return at;
      at = clash.end;
    }
    return -1n;
  }

  /** mmap/munmap/mprotect/brk of a guest process, or undefined for other syscalls. */
  syscall(mm: GuestMm, name: string, args: readonly bigint[]): bigint | undefined {
    switch (name) {
      case 'mmap':
      case 'mmap2': {
        const [addr, len, prot, flags] = args as [bigint, bigint, bigint, bigint];
        if (len === 0n || !(flags & MAP_ANONYMOUS)) return negErrnoReg(len === 0n ? ERRNO.EINVAL : ERRNO.ENODEV);
        const size = round(len);
        let start: bigint;
        if (flags & MAP_FIXED) {
          if (addr & 0xfffn) return negErrnoReg(ERRNO.EINVAL);
          start = addr;
          this.unmapRange(mm, start, start + size);
        } else {
          start = this.findFree(mm, size);
          if (start < 0n) return negErrnoReg(ERRNO.ENOMEM);
        }
        mm.vmas.push({ start, end: start + size, prot: Number(prot & 7n), name: 'anon' });
        return start;
      }
      case 'munmap': {
        const [addr, len] = args as [bigint, bigint];
        if (addr & 0xfffn || len === 0n) return negErrnoReg(ERRNO.EINVAL);
        this.unmapRange(mm, addr, addr + round(len));
        return 0n;
      }
      case 'mprotect': {
        const [addr, len, prot] = args as [bigint, bigint, bigint];
        return guestMprotect(this, mm, addr, len, Number(prot & 7n));
      }
      case 'brk': {
        const want = args[0]!;
        if (want < mm.brkStart) return mm.brk;
        const oldEnd = round(mm.brk);
        const newEnd = round(want);
        if (newEnd > oldEnd) {
          if (mm.vmas.some((v) => v.start < newEnd && v.end > oldEnd)) return mm.brk;
          const heap = mm.vmas.find((v) => v.name === 'heap');
          if (heap) heap.end = newEnd;
          else mm.vmas.push({ start: oldEnd, end: newEnd, prot: PROT_READ | PROT_WRITE, name: 'heap' });
        } else if (newEnd < oldEnd) {
          this.unmapRange(mm, newEnd, oldEnd);
        }
        mm.brk = want;
        return want;
      }
      default:
        return undefined;
    }
  }

  /** The stub pages' layout for this run's arch. */
  get stub() {
    return (this.stubCache ??= { ...stubLayout(this.kernel.arch), page: STUB_PAGE });
  }

  private stubCache: (ReturnType<typeof stubLayout> & { page: typeof STUB_PAGE }) | null = null;

  /**
   * This memory for `host`, a fork of its tracer over a clone of its kernel (boot-cache.ts):
   * the same physmem file and frame counter. Only with no guest mm (right after start-up).
   */
  forkOnto(host: HostTracer): UmlMemory {
    if (this.mms.size > 0) throw new Error('simulator bug: UmlMemory.forkOnto with guest mms');
    const known = ['c', 'fd', 'nextFrame', 'stubCodeFrame', 'mms', 'stubRuns', 'stubCache'];
    const extra = Object.keys(this).filter((k) => !known.includes(k));
    if (extra.length) throw new Error(`simulator bug: UmlMemory.forkOnto does not know how to copy ${extra.join(', ')}`);
    const m = Object.create(UmlMemory.prototype) as UmlMemory;
    Object.assign(m, { c: { ...this.c, host }, fd: this.fd, nextFrame: this.nextFrame, stubCodeFrame: this.stubCodeFrame, mms: new Map(), stubRuns: this.stubRuns, stubCache: null });
    return m;
  }
}

export type { Op as FlushOp };

const MEMORY_SYSCALLS = new Set(['mmap', 'mmap2', 'munmap', 'mprotect', 'brk']);

/** The memory syscalls as a guest syscall layer: mmap/mmap2/munmap/mprotect/brk of a process whose mm UML knows. */
export function installMemorySyscalls(guest: GuestKernel, mem: UmlMemory): void {
  guest.addLayer((p, name, args) => {
    if (!MEMORY_SYSCALLS.has(name)) return undefined;
    const mm = mem.mms.get(p.hostPid);
    return mm ? mem.syscall(mm, name, [...args]) : undefined;
  });
}
