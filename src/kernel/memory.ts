// A task's address space: 4 KiB pages with read/write/exec protection
// (mm/mmap.c, mm/mprotect.c). Changed in place; fork (and a kernel snapshot) shares the
// pages copy-on-write (AddressSpace.fork / writable), as dup_mmap + do_wp_page do.
import type { Errno } from './errno.ts';
import type { Insn } from './isa.ts';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12n;

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_FIXED_NOREPLACE = 0x100000;

export interface Page {
  readonly prot: number;
  readonly bytes: Uint8Array;
}

/** A program image mapped at `base`: instruction i lives at base + i * INSN_BYTES. */
export interface Image {
  readonly name: string;
  readonly base: bigint;
  readonly insns: readonly Insn[];
}

/** The last page-change stamp handed out, by any address space (AddressSpace #pageVersions, contentToken). */
let changeStamp = 0;
/** AddressSpace.contentToken of an unmapped page. */
export const PAGE_ABSENT: unique symbol = Symbol('page absent');

/**
 * An address space, changed in place (the mutable core). Copy-on-write between address
 * spaces: after fork() both share every page's bytes, and a write copies the page first
 * unless this address space owns it (`owned`: page numbers whose bytes no other address
 * space can see). Page objects are never changed in place (mprotect replaces them), so a
 * Page may be shared freely; only owned byte arrays are written through.
 */
export class AddressSpace {
  /** Page numbers whose `bytes` only this address space references. */
  readonly #owned = new Set<number>();
  /** Per page number: a new stamp (changeStamp) at every change of that page (its bytes, protection, mapping). */
  readonly #pageVersions = new Map<number, number>();

  /**
   * A token for page pn's bytes that is equal only where the bytes are: the bytes array itself
   * while no address space can write it in place (shared: after fork, ZERO_PAGE, a mem file's
   * page), else the stamp of its last change (stamps are unique across address spaces), or
   * PAGE_ABSENT. Equal tokens, now or earlier, here or in another address space, mean equal
   * contents (guest-digest.ts; test/kernel/memory.test.ts).
   */
  contentToken(pn: number): unknown {
    const page = this.pages.get(pn);
    if (!page) return PAGE_ABSENT;
    if (pn === this.#stampedPn) this.#stampSeen = true;
    return this.#owned.has(pn) ? this.#pageVersions.get(pn) : page.bytes;
  }

  /** Bumped by every change of any page (the sum of all page versions' bumps). */
  changes = 0;
  /**
   * Bumped whenever any page number gets another Page object (mapped, unmapped, protected,
   * copied on write), not by writes through an owned page: while it stands, a Page looked up
   * earlier is still the page (cpu.ts's instruction-fetch window).
   */
  layout = 0;

  /**
   * The page whose stamp was set last, and whether contentToken handed that stamp out since:
   * until it did, a further write of the same page needs no new stamp (nobody holds the old one
   * to compare with), so a run of stores to one page (a stub's data page, a stack) stamps once.
   */
  #stampedPn = -1;
  #stampSeen = true;

  #stamp(pn: number): void {
    this.#pageVersions.set(pn, ++changeStamp);
    this.#stampedPn = pn;
    this.#stampSeen = false;
  }

  #touch(pn: number): void {
    this.#stamp(pn);
    this.changes++;
    this.layout++;
    if (pn === this.#watchPn) this.watchVersion++;
  }

  // One watched byte range within a page (ptrace/regset.ts: the tracer's XSAVE buffer): its
  // version changes with every write that overlaps it, and with any other change of its page
  // (mapping, protection), but not with writes elsewhere in that page.
  #watchPn = -1;
  #watchFrom = 0;
  #watchTo = 0;
  /** Bumped by every change that may touch the watched range (or when the range moves). */
  watchVersion = 0;

  /** Watch [off, off + len) of page pn (one range per address space; a new range replaces the old). */
  watch(pn: number, off: number, len: number): void {
    if (pn === this.#watchPn && off === this.#watchFrom && off + len === this.#watchTo) return;
    this.#watchPn = pn;
    this.#watchFrom = off;
    this.#watchTo = off + len;
    this.watchVersion++;
  }

  /** Is [off, off + len) of page pn the watched range exactly? */
  watching(pn: number, off: number, len: number): boolean {
    return pn === this.#watchPn && off === this.#watchFrom && off + len === this.#watchTo;
  }

  /** A write of [off, off + len) within page pn is about to happen: bump the watch if it overlaps. */
  #noteWrite(pn: number, off: number, len: number): void {
    if (pn === this.#watchPn && off < this.#watchTo && off + len > this.#watchFrom) this.watchVersion++;
  }

  constructor(
    /** page number (addr >> 12) → page. */
    readonly pages: Map<number, Page>,
    public images: readonly Image[],
    /** Hint for the next mmap without an address (grows downwards, like the mmap base). */
    public mmapBase: bigint,
  ) {}

  // The last two pages looked up (page()), valid while `layout` stands: every change of which
  // Page object a page number holds bumps it. A tracer's user copies alternate between a page
  // or two (UML: its register buffer, and its iovec with the XSAVE buffer).
  #memoLayout = -1;
  #memoPnA = -1;
  #memoPageA: Page | undefined = undefined;
  #memoPnB = -1;
  #memoPageB: Page | undefined = undefined;

  /** pages.get(pn), from the two-page memo where it holds. */
  page(pn: number): Page | undefined {
    if (this.#memoLayout === this.layout) {
      if (pn === this.#memoPnA) return this.#memoPageA;
      if (pn === this.#memoPnB) return this.#memoPageB;
    } else {
      this.#memoLayout = this.layout;
      this.#memoPnA = this.#memoPnB = -1;
    }
    const page = this.pages.get(pn);
    this.#memoPnB = this.#memoPnA;
    this.#memoPageB = this.#memoPageA;
    this.#memoPnA = pn;
    this.#memoPageA = page;
    return page;
  }

  /** A copy-on-write copy (fork's dup_mmap, or a snapshot): neither side owns a page after it. */
  fork(): AddressSpace {
    this.#owned.clear();
    return new AddressSpace(new Map(this.pages), this.images, this.mmapBase);
  }

  /** Bytes [off, off + len) of page `pn` are about to be written: those bytes may be written in place (the page copied first if shared). */
  writable(pn: number, off: number, len: number): Uint8Array {
    const page = this.page(pn)!;
    this.changes++;
    this.#noteWrite(pn, off, len);
    if (this.#owned.has(pn)) {
      if (pn !== this.#stampedPn || this.#stampSeen) this.#stamp(pn);
      return page.bytes;
    }
    this.#stamp(pn);
    const bytes = page.bytes === ZERO_PAGE ? allocPage() : allocPage(page.bytes); // a fresh zeroed page needs no copy
    this.pages.set(pn, { prot: page.prot, bytes });
    this.layout++;
    this.#owned.add(pn);
    return bytes;
  }

  /**
   * Install a page whose bytes others may share (ZERO_PAGE): not owned, so the first write
   * copies it (do_anonymous_page maps the zero page for reads the same way; here it also saves
   * allocating 4 KiB for every page an mmap names but nobody writes).
   */
  installShared(pn: number, page: Page): void {
    this.#touch(pn);
    this.pages.set(pn, page);
    this.#owned.delete(pn);
  }

  /** Install a fresh page this address space owns. */
  install(pn: number, page: Page): void {
    this.#touch(pn);
    this.pages.set(pn, page);
    this.#owned.add(pn);
  }

  remove(pn: number): void {
    this.#touch(pn);
    this.pages.delete(pn);
    this.#owned.delete(pn);
  }

  /** Change a page's protection, keeping its bytes (and whether they are owned). */
  protect(pn: number, prot: number): void {
    this.#touch(pn);
    this.pages.set(pn, { prot, bytes: this.pages.get(pn)!.bytes });
  }

}

/** The bytes of every anonymous page not yet written: shared, never written through (writable() copies it). */
const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

/** A fresh zeroed 4 KiB page (its own bytes: no other array views them), with `from`'s bytes copied in when given. */
export function allocPage(from?: Uint8Array): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE);
  if (from) page.set(from);
  return page;
}

export const MMAP_BASE_X86_64 = 0x7f0000000000n;
export const MMAP_BASE_I386 = 0xb7000000n;

export function emptyAddressSpace(mmapBase: bigint): AddressSpace {
  return new AddressSpace(new Map(), [], mmapBase);
}

export type Fault = { fault: 'SEGV_MAPERR' | 'SEGV_ACCERR'; addr: bigint };

/**
 * Below 2^53 an address converts to a double exactly: page number and offset need no bigint op
 * (no allocation). Number() of a bigint at or above 2^53 is at or above it, and of a negative
 * one negative, so the double alone says which case an address is (cpu.ts's fetch window too).
 */
export const ADDR_EXACT = 2 ** 53;

function pageNo(addr: bigint): number {
  const a = Number(addr);
  return a >= 0 && a < ADDR_EXACT ? Math.floor(a / PAGE_SIZE) : Number(addr >> PAGE_SHIFT);
}

/** addr & 0xfff, for any address (a negative one: its two's-complement low bits, as the bigint op gives). */
function pageOff(addr: bigint): number {
  const a = Number(addr);
  return a >= 0 && a < ADDR_EXACT ? a % PAGE_SIZE : Number(addr & 0xfffn);
}

/** Read `len` bytes as the CPU would: every page must be mapped and allow `need` (PROT_READ/EXEC). */
export function readBytes(mm: AddressSpace, addr: bigint, len: number, need = PROT_READ): Uint8Array | Fault {
  // Fast path: within one page (almost every access).
  const off0 = pageOff(addr);
  if (addr >= 0n && off0 + len <= PAGE_SIZE) {
    const page = mm.page(pageNo(addr));
    if (!page) return { fault: 'SEGV_MAPERR', addr };
    if (need !== 0 && (page.prot & need) === 0) return { fault: 'SEGV_ACCERR', addr };
    return page.bytes.slice(off0, off0 + len);
  }
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const a = addr + BigInt(done);
    if (a < 0n) return { fault: 'SEGV_MAPERR', addr: a };
    const page = mm.page(pageNo(a));
    if (!page) return { fault: 'SEGV_MAPERR', addr: a };
    if (need !== 0 && (page.prot & need) === 0) return { fault: 'SEGV_ACCERR', addr: a };
    const off = pageOff(a);
    const n = Math.min(len - done, PAGE_SIZE - off);
    out.set(page.bytes.subarray(off, off + n), done);
    done += n;
  }
  return out;
}

/**
 * readBytes without the copy where the range lies in one page: a view into the page's bytes,
 * valid only until that memory next changes. For callers that consume the bytes at once
 * (SETREGS's register image, UML reading back its register buffer); a copy across pages.
 */
export function viewBytes(mm: AddressSpace, addr: bigint, len: number, need = PROT_READ): Uint8Array | Fault {
  const off0 = pageOff(addr);
  if (addr < 0n || off0 + len > PAGE_SIZE) return readBytes(mm, addr, len, need);
  const page = mm.page(pageNo(addr));
  if (!page) return { fault: 'SEGV_MAPERR', addr };
  if (need !== 0 && (page.prot & need) === 0) return { fault: 'SEGV_ACCERR', addr };
  return page.bytes.subarray(off0, off0 + len);
}

/**
 * Write bytes in place (copy-on-write per page); returns `mm` itself. `force` models access_process_vm(FOLL_FORCE) used by ptrace POKE*: it writes
 * through missing PROT_WRITE (on a private copy) but still needs a mapping.
 */
export function writeBytes(mm: AddressSpace, addr: bigint, data: Uint8Array, force = false): AddressSpace | Fault {
  // Fast path: within one page.
  const off0 = pageOff(addr);
  if (addr >= 0n && off0 + data.length <= PAGE_SIZE) {
    const pn = pageNo(addr);
    const page = mm.page(pn);
    if (!page) return { fault: 'SEGV_MAPERR', addr };
    if (!force && (page.prot & PROT_WRITE) === 0) return { fault: 'SEGV_ACCERR', addr };
    mm.writable(pn, off0, data.length).set(data, off0);
    return mm;
  }
  // Check every page first: a fault leaves memory unchanged (our stores are all-or-nothing).
  for (let done = 0; done < data.length;) {
    const a = addr + BigInt(done);
    const page = a < 0n ? undefined : mm.page(pageNo(a));
    if (!page) return { fault: 'SEGV_MAPERR', addr: a };
    if (!force && (page.prot & PROT_WRITE) === 0) return { fault: 'SEGV_ACCERR', addr: a };
    done += Math.min(data.length - done, PAGE_SIZE - pageOff(a));
  }
  for (let done = 0; done < data.length;) {
    const a = addr + BigInt(done);
    const off = pageOff(a);
    const n = Math.min(data.length - done, PAGE_SIZE - off);
    mm.writable(pageNo(a), off, n).set(n === data.length ? data : data.subarray(done, done + n), off);
    done += n;
  }
  return mm;
}

/**
 * A little-endian word (4 or 8 bytes) without allocating: the hot path of every user copy of
 * one word (iovecs, PTRACE_MULTI entries, PEEK/POKE). Falls back to readBytes across pages.
 */
export function readWordAt(mm: AddressSpace, addr: bigint, wordBytes: number, need: number): bigint | Fault {
  // Page number and offset from one conversion to a double (ADDR_EXACT).
  const a = Number(addr);
  const pn = Math.floor(a / PAGE_SIZE);
  const off = a - pn * PAGE_SIZE;
  if (!(a >= 0 && a < ADDR_EXACT) || off + wordBytes > PAGE_SIZE) {
    const r = readBytes(mm, addr, wordBytes, need);
    return isFault(r) ? r : wordFromBytes(r, 0, wordBytes);
  }
  const page = mm.page(pn);
  if (!page) return { fault: 'SEGV_MAPERR', addr };
  if (need !== 0 && (page.prot & need) === 0) return { fault: 'SEGV_ACCERR', addr };
  return wordFromBytes(page.bytes, off, wordBytes);
}

/** Store a little-endian word (truncated to its width); null, or the fault (memory unchanged). */
export function writeWordAt(mm: AddressSpace, addr: bigint, wordBytes: number, value: bigint, force: boolean): Fault | null {
  const a = Number(addr); // as in readWordAt
  const pn = Math.floor(a / PAGE_SIZE);
  const off = a - pn * PAGE_SIZE;
  if (!(a >= 0 && a < ADDR_EXACT) || off + wordBytes > PAGE_SIZE) {
    const b = new Uint8Array(wordBytes);
    wordToBytes(b, 0, wordBytes, value);
    const r = writeBytes(mm, addr, b, force);
    return isFault(r) ? r : null;
  }
  const page = mm.page(pn);
  if (!page) return { fault: 'SEGV_MAPERR', addr };
  if (!force && (page.prot & PROT_WRITE) === 0) return { fault: 'SEGV_ACCERR', addr };
  // Storing the word already there changes nothing (no copy, no new page version): UML
  // rewrites its iovec with the same base and length before every call.
  if (wordEquals(page.bytes, off, wordBytes, value)) return null;
  wordToBytes(mm.writable(pn, off, wordBytes), off, wordBytes, value);
  return null;
}

/**
 * A word through one 8-byte scratch (little-endian, as the typed arrays are on every host this
 * runs on — checked below): reading a 64-bit word is one bigint (the value), storing or
 * comparing one is none, where assembling it from 32-bit halves took three or four.
 */
const WORD64 = new BigUint64Array(1);
const WORD8 = new Uint8Array(WORD64.buffer);
const WORD32 = new Uint32Array(WORD64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian word (4 or 8 bytes) at b[o…]: no DataView, one bigint (the value). */
export function wordFromBytes(b: Uint8Array, o: number, wordBytes: number): bigint {
  const lo = (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  if (wordBytes === 4) return BigInt(lo);
  const hi = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
  if (hi === 0) return BigInt(lo);
  if (!LITTLE_ENDIAN) return (BigInt(hi) << 32n) | BigInt(lo);
  WORD32[0] = lo;
  WORD32[1] = hi;
  return WORD64[0]!;
}

/** Do the bytes at o hold `value` (truncated to the word) already? */
function wordEquals(b: Uint8Array, o: number, wordBytes: number, value: bigint): boolean {
  if (!LITTLE_ENDIAN) return wordEqualsBig(b, o, wordBytes, value);
  WORD64[0] = value; // ToBigUint64: value mod 2^64, as the & masks below took it
  for (let i = 0; i < wordBytes; i++) if (b[o + i] !== WORD8[i]) return false;
  return true;
}

function wordEqualsBig(b: Uint8Array, o: number, wordBytes: number, value: bigint): boolean {
  const lo = Number(value & 0xffffffffn);
  if ((b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) !== (lo | 0)) return false;
  if (wordBytes === 4) return true;
  const hi = Number((value >> 32n) & 0xffffffffn);
  return (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) === (hi | 0);
}

function wordToBytes(b: Uint8Array, o: number, wordBytes: number, value: bigint): void {
  if (LITTLE_ENDIAN) {
    WORD64[0] = value;
    for (let i = 0; i < wordBytes; i++) b[o + i] = WORD8[i]!;
    return;
  }
  const lo = Number(value & 0xffffffffn);
  b[o] = lo; b[o + 1] = lo >>> 8; b[o + 2] = lo >>> 16; b[o + 3] = lo >>> 24;
  if (wordBytes === 4) return;
  const hi = Number((value >> 32n) & 0xffffffffn);
  b[o + 4] = hi; b[o + 5] = hi >>> 8; b[o + 6] = hi >>> 16; b[o + 7] = hi >>> 24;
}

/** Do the `bytes.length` bytes at addr (one page, readable with `need`) equal `bytes`? Null if unreadable. */
export function bytesEqualAt(mm: AddressSpace, addr: bigint, bytes: Uint8Array, need: number): boolean | null {
  const off = pageOff(addr);
  if (addr < 0n || off + bytes.length > PAGE_SIZE) return null;
  const page = mm.page(pageNo(addr));
  if (!page || (need !== 0 && (page.prot & need) === 0)) return null;
  const b = page.bytes;
  const n = bytes.length;
  let i = 0;
  // Word-wise where both sides are 4-byte aligned (an XSAVE image: 2432 bytes → 608 compares).
  if ((b.byteOffset + off) % 4 === 0 && bytes.byteOffset % 4 === 0) {
    const x = new Int32Array(b.buffer, b.byteOffset + off, n >> 2);
    const y = new Int32Array(bytes.buffer, bytes.byteOffset, n >> 2);
    for (; i < x.length; i++) if (x[i] !== y[i]) return false;
    i = x.length * 4;
  }
  for (; i < n; i++) if (b[off + i] !== bytes[i]) return false;
  return true;
}

/** One byte as the CPU fetches it (no allocation): the byte, or the fault. */
export function byteAt(mm: AddressSpace, addr: bigint, need: number): number | Fault {
  const page = addr < 0n ? undefined : mm.page(pageNo(addr));
  if (!page) return { fault: 'SEGV_MAPERR', addr };
  if (need !== 0 && (page.prot & need) === 0) return { fault: 'SEGV_ACCERR', addr };
  return page.bytes[pageOff(addr)]!;
}

/** Can the tracer-side ptrace access (FOLL_FORCE) reach this address? Needs only a mapping. */
export function isMapped(mm: AddressSpace, addr: bigint, len: number): boolean {
  for (let done = 0; done < len;) {
    const a = addr + BigInt(done);
    if (a < 0n || !mm.pages.has(pageNo(a))) return false;
    done += Math.min(len - done, PAGE_SIZE - pageOff(a));
  }
  return true;
}

export function isFault(x: unknown): x is Fault {
  return typeof x === 'object' && x !== null && 'fault' in x;
}

function pageAligned(a: bigint): boolean {
  return (a & 0xfffn) === 0n;
}

function pageCount(len: bigint): number {
  return Number((len + 0xfffn) >> PAGE_SHIFT);
}

/**
 * mmap(2) of anonymous memory (file mappings are anonymous pages with given contents).
 * `contents`: the bytes to copy in, or per page an immutable 4 KiB array to share (a mem
 * file's page, memfile.ts; undefined = zeros), installed copy-on-write like ZERO_PAGE.
 */
export function mmap(
  mm: AddressSpace,
  addr: bigint,
  len: bigint,
  prot: number,
  flags: number,
  contents?: Uint8Array | ((page: number) => Uint8Array | undefined),
): { mm: AddressSpace; addr: bigint } | Errno {
  if (len <= 0n) return 'EINVAL';
  const n = pageCount(len);
  let start = addr;
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  if (fixed && !pageAligned(addr)) return 'EINVAL';
  if (fixed && (flags & MAP_FIXED_NOREPLACE) !== 0) {
    for (let i = 0; i < n; i++) if (mm.pages.has(pageNo(addr) + i)) return 'EEXIST';
  }
  let mmapBase = mm.mmapBase;
  if (!fixed) {
    start = findFree(mm, n);
    mmapBase = start;
  }
  for (let i = 0; i < n; i++) {
    if (!contents) {
      mm.installShared(pageNo(start) + i, { prot, bytes: ZERO_PAGE });
      continue;
    }
    if (typeof contents === 'function') {
      mm.installShared(pageNo(start) + i, { prot, bytes: contents(i) ?? ZERO_PAGE });
      continue;
    }
    const bytes = allocPage(contents.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
    mm.install(pageNo(start) + i, { prot, bytes });
  }
  // A fixed mapping over an image's text replaces it (the image's instructions go away).
  const end = start + BigInt(n * PAGE_SIZE);
  dropImages(mm, start, end);
  mm.mmapBase = mmapBase;
  return { mm, addr: start };
}

function findFree(mm: AddressSpace, n: number): bigint {
  let top = pageNo(mm.mmapBase);
  for (;;) {
    const first = top - n;
    let free = true;
    for (let i = 0; i < n; i++) if (mm.pages.has(first + i)) { free = false; top = first + i; break; }
    if (free) return BigInt(first) << PAGE_SHIFT;
  }
}

/** munmap(2): unmapping a hole is not an error. */
export function munmap(mm: AddressSpace, addr: bigint, len: bigint): AddressSpace | Errno {
  if (!pageAligned(addr) || len <= 0n) return 'EINVAL';
  const n = pageCount(len);
  const first = pageNo(addr);
  // Large ranges (UML unmapping a whole user range) walk the mapped pages instead.
  if (n > mm.pages.size) {
    for (const pn of [...mm.pages.keys()]) if (pn >= first && pn < first + n) mm.remove(pn);
  } else {
    for (let i = 0; i < n; i++) if (mm.pages.has(first + i)) mm.remove(first + i); // a hole changes nothing
  }
  dropImages(mm, addr, addr + BigInt(n * PAGE_SIZE));
  return mm;
}

/** mprotect(2): every page in the range must be mapped, else ENOMEM. */
export function mprotect(mm: AddressSpace, addr: bigint, len: bigint, prot: number): AddressSpace | Errno {
  if (!pageAligned(addr)) return 'EINVAL';
  if (len === 0n) return mm;
  const n = pageCount(len);
  for (let i = 0; i < n; i++) if (!mm.pages.has(pageNo(addr) + i)) return 'ENOMEM';
  for (let i = 0; i < n; i++) mm.protect(pageNo(addr) + i, prot);
  return mm;
}

/** Install a program image: its text pages are mapped read+exec and hold the encoded bytes. */
export function mapImage(mm: AddressSpace, image: Image, encode: (insns: readonly Insn[]) => Uint8Array): AddressSpace | Errno {
  const text = encode(image.insns);
  const r = mmap(mm, image.base, BigInt(Math.max(text.length, 1)), PROT_READ | PROT_EXEC, MAP_FIXED | MAP_PRIVATE, text);
  if (typeof r === 'string') return r;
  r.mm.images = [...r.mm.images, image];
  return r.mm;
}

/** Images overlapping [start, end) go away: their text was unmapped or mapped over. */
function dropImages(mm: AddressSpace, start: bigint, end: bigint): void {
  if (mm.images.some((im) => !(im.base + BigInt(im.insns.length * 4) <= start || im.base >= end))) {
    mm.images = mm.images.filter((im) => im.base + BigInt(im.insns.length * 4) <= start || im.base >= end);
  }
}
