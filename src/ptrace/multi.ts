// PTRACE_MULTI (Renzo Davoli, never merged): one ptrace() call runs an array of
// `struct ptrace_multi { long request; long addr; void *localaddr; long length; }`
// read from the tracer's memory. Semantics and quirks follow the published patches
// (ptrace-multi.md §3–§5): view-os kernel-patch-viewos/patch-linux-2.6.26-rc6-ptrace_multi
// (2008, multi_ptrace) and LKML <20060518155848.GC17498@cs.unibo.it> (2006).
//  * The attach/stopped check already ran once, in sys_ptrace, for the whole batch.
//  * Entries run in order while the last result is 0; the first non-zero result (an errno
//    or a positive byte count from *CHARDATA/STRINGDATA) ends the batch and is returned.
//  * PEEK*/POKE* take `length` as a word count; only 0 becomes 1 (it is unsigned).
//  * 2008 POKE*: the value written is localaddr + j·W, the buffer's ADDRESS (a bug kept on purpose).
//  * 2008: an entry that cannot be copied from the tracer is skipped; 2006: it runs with
//    whatever the local struct held (here: the previous entry's fields, zeros at first).
import { TASK_SIZE_MAX } from '../kernel/regs.ts';
import type { Ctx, PtraceSub } from '../kernel/ledger.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { copyFromUser, getUserWord, mappedPrefix, remoteRead, remoteWrite, viewFromUser } from '../kernel/uaccess.ts';
import { readWord, wholeBuffer32 } from '../kernel/regs.ts';
import { isFault, PAGE_SIZE, PROT_READ, wordFromBytes, writeBytes, type AddressSpace } from '../kernel/memory.ts';
import { PTRACE, requestName } from './numbers.ts';
import { archPtrace } from './sys-ptrace.ts';

export type MultiVersion = '2006' | '2008';

export interface MultiEntry {
  request: bigint;
  addr: bigint;
  localaddr: bigint;
  length: bigint;
}

/** A bound on the words one PEEK/POKE entry may move (a huge unsigned length runs until the first failure). */
const WORDS_PER_ENTRY_MAX = 1 << 20;


/** access_ok(): x86 only checks that [addr, addr+size) lies below TASK_SIZE_MAX. */
function accessOk(addr: bigint, size: bigint): boolean {
  return size >= 0n && addr >= 0n && addr + size <= TASK_SIZE_MAX;
}

export function entryBytes(wordBytes: number): number {
  return 4 * wordBytes;
}

export function multiPtrace(ctx: Ctx, tracer: Task, child: Task, addr: bigint, count: bigint, version: MultiVersion): SysOutcome {
  const wb = ctx.arch.wordBytes;
  const size = BigInt.asUintN(wb * 8, count);
  const stride = 4 * wb;
  if (!accessOk(addr, size * BigInt(stride))) return fail('EIO');
  const subs: PtraceSub[] = ctx.multiSubs ?? [];
  ctx.multiSubs = subs;
  const n = Number(size); // exact: access_ok bounds size · stride by TASK_SIZE_MAX (< 2^53)
  const win = arrayWindow(ctx, tracer, addr, n * stride);
  let ret: SysOutcome = OK0;
  let pm: Entry = ZERO_ENTRY;
  for (let i = 0; i < n && isZero(ret); i++) {
    // Entry i's address as a bigint only off the window (exact: i · stride < 2^53).
    const e = win !== null && win.holds(ctx, tracer) ? decoded(win.bytes, win.off + i * stride, wb, win.words) : readEntry(ctx, tracer, addr + BigInt(i * stride), pm);
    if (e === null) { // copy_from_user failed part way: skipped (2008), or the previous contents (2006)
      if (version === '2008') continue;
      pm = partialEntry(ctx, tracer, addr + BigInt(i * stride), pm);
    } else pm = e;
    ret = runEntry(ctx, tracer, child, pm, version, subs);
  }
  return ret;
}

const OK0 = ok(0);

/** A decoded struct ptrace_multi, with its request as a number and that request's name. */
interface Entry extends MultiEntry {
  readonly req: number;
  readonly requestName: string;
  /** The sub-request row of the entry run with (addr, localaddr) and result 0 (non-word requests): one frozen value. */
  okSub: PtraceSub | null;
}

function entryOf(request: bigint, addr: bigint, localaddr: bigint, length: bigint): Entry {
  const req = Number(BigInt.asIntN(32, request));
  return { request, addr, localaddr, length, req, requestName: requestName(req), okSub: null };
}

const ZERO_ENTRY: Entry = entryOf(0n, 0n, 0n, 0n);

function isZero(r: SysOutcome): boolean {
  return r === OK0 || ('ret' in r && r.ret === 0n);
}

/**
 * The tracer's struct array as a live view of its page, where it lies in one readable page:
 * the kernel reads entry i only after entry i−1 ran (which may have written the array), and
 * a view of the page's bytes sees every write made in place. It is the page's bytes while the
 * address space is the same object and its layout counter stands (memory.ts: any other Page
 * object for a page number, a copy on write included, bumps it).
 */
class ArrayWindow {
  /** The page's bytes as 32-bit words (host order) when the array is 4-aligned in them, for decoded()'s compare. */
  readonly words: Uint32Array | null;
  constructor(readonly bytes: Uint8Array, readonly off: number, readonly mm: AddressSpace, readonly layout: number) {
    this.words = ((bytes.byteOffset + off) & 3) === 0 && (bytes.buffer.byteLength & 3) === 0 ? wholeBuffer32(bytes.buffer) : null;
  }
  holds(ctx: Ctx, tracer: Task): boolean {
    const mm = ctx.s.mms[tracer.mm];
    return mm === this.mm && mm.layout === this.layout;
  }
}

function arrayWindow(ctx: Ctx, tracer: Task, addr: bigint, len: number): ArrayWindow | null {
  const off = Number(addr & 0xfffn);
  const mm = ctx.s.mms[tracer.mm];
  if (mm === undefined || len === 0 || off + len > PAGE_SIZE) return null;
  const page = mm.page(Number(addr >> 12n));
  if (page === undefined || (page.prot & PROT_READ) === 0) return null;
  return new ArrayWindow(page.bytes, off, mm, mm.layout);
}

/**
 * Entries decoded before, by their bytes (direct-mapped on the request's low bits): a loop's
 * batches are the same few structs every time, so their words need not become new bigints.
 * The bytes are kept as 32-bit words and compared a word at a time where the entry is 4-aligned
 * in its buffer (every array in a page: stride 4·wb), else byte by byte.
 */
const DECODED_SLOTS = 32;
const decodedWords: (Uint32Array | undefined)[] = new Array<Uint32Array | undefined>(DECODED_SLOTS).fill(undefined);
const decodedEntries: (Entry | undefined)[] = new Array<Entry | undefined>(DECODED_SLOTS).fill(undefined);

/** The entry held in b[o, o + 4·wb); `in32`: b's whole buffer as 32-bit words, where b[o…] is 4-aligned in it (else null). */
function decoded(b: Uint8Array, o: number, wb: number, in32: Uint32Array | null): Entry {
  const slot = b[o]! & (DECODED_SLOTS - 1);
  const seen = decodedWords[slot];
  if (seen !== undefined && seen.length === wb && sameWords(seen, b, o, in32)) return decodedEntries[slot]!; // 4·wb bytes = wb words
  const e = entryOf(wordFromBytes(b, o, wb), wordFromBytes(b, o + wb, wb), wordFromBytes(b, o + 2 * wb, wb), wordFromBytes(b, o + 3 * wb, wb));
  decodedWords[slot] = new Uint32Array(b.slice(o, o + 4 * wb).buffer);
  decodedEntries[slot] = e;
  return e;
}

/** Do b[o…] hold the words `seen` (host byte order, as both were read)? */
function sameWords(seen: Uint32Array, b: Uint8Array, o: number, in32: Uint32Array | null): boolean {
  if (in32 !== null) {
    const w = (b.byteOffset + o) >>> 2;
    for (let k = 0; k < seen.length; k++) if (seen[k] !== in32[w + k]) return false;
    return true;
  }
  const seenBytes = new Uint8Array(seen.buffer, seen.byteOffset, seen.byteLength);
  for (let k = 0; k < seenBytes.length; k++) if (seenBytes[k] !== b[o + k]) return false;
  return true;
}

/** Read one struct ptrace_multi at `at` (one copy_from_user); null if it cannot all be read. */
function readEntry(ctx: Ctx, tracer: Task, at: bigint, prev: Entry): Entry | null {
  // Fast path: the whole struct readable in one page (one copy_from_user that cannot fail part way).
  const whole = viewFromUser(ctx, tracer, at, 4 * ctx.arch.wordBytes);
  if (whole !== 'EFAULT') return decoded(whole, 0, ctx.arch.wordBytes, null);
  const w = BigInt(ctx.arch.wordBytes);
  for (let f = 0; f < 4; f++) if (getUserWord(ctx, tracer, at + BigInt(f) * w) === 'EFAULT') return null;
  return partialEntry(ctx, tracer, at, prev); // readable word by word (the struct straddles two pages)
}

/** The struct read word by word: bytes that cannot be read keep the previous contents (2006). */
function partialEntry(ctx: Ctx, tracer: Task, at: bigint, prev: Entry): Entry {
  const w = BigInt(ctx.arch.wordBytes);
  const fields = [prev.request, prev.addr, prev.localaddr, prev.length];
  for (let f = 0; f < 4; f++) {
    const v = getUserWord(ctx, tracer, at + BigInt(f) * w);
    if (v !== 'EFAULT') fields[f] = v;
  }
  return entryOf(fields[0]!, fields[1]!, fields[2]!, fields[3]!);
}

/** The sub-request as the ledger's PTRACE_MULTI entry lists it. */
function logSub(subs: PtraceSub[], request: number, name: string, a: bigint, d: bigint, r: SysOutcome): SysOutcome {
  subs.push({ request, requestName: name, addr: a, data: d, ret: 'ret' in r ? r.ret : -1n, errno: 'errno' in r ? r.errno : null });
  return r;
}

/** logSub of an entry run with (addr, localaddr): a result of 0 is the entry's one frozen row. */
function logEntrySub(subs: PtraceSub[], pm: Entry, r: SysOutcome): SysOutcome {
  if (r !== OK0) return logSub(subs, pm.req, pm.requestName, pm.addr, pm.localaddr, r);
  subs.push((pm.okSub ??= Object.freeze({ request: pm.req, requestName: pm.requestName, addr: pm.addr, data: pm.localaddr, ret: 0n, errno: null })));
  return r;
}

function isWordRequest(req: number): boolean {
  return req === PTRACE.PEEKTEXT || req === PTRACE.PEEKDATA || req === PTRACE.PEEKUSER || isPoke(req);
}

function isPoke(req: number): boolean {
  return req === PTRACE.POKETEXT || req === PTRACE.POKEDATA || req === PTRACE.POKEUSER;
}

function runEntry(ctx: Ctx, tracer: Task, child: Task, pm: Entry, version: MultiVersion, subs: PtraceSub[]): SysOutcome {
  const req = pm.req;
  if (isWordRequest(req)) {
    const w = BigInt(ctx.arch.wordBytes);
    let len = BigInt.asUintN(ctx.arch.wordBytes * 8, pm.length);
    if (len === 0n) len = 1n;
    let r: SysOutcome = OK0;
    for (let j = 0n; j < len && isZero(r); j++) {
      if (j >= BigInt(WORDS_PER_ENTRY_MAX)) throw new Error('simulator bug: PTRACE_MULTI word loop exceeded its bound');
      const a = pm.addr + j * w;
      let d = pm.localaddr + j * w;
      if (isPoke(req) && version === '2006') {
        // 2006: the value is localaddr[j], dereferenced directly by the kernel.
        const v = getUserWord(ctx, tracer, d);
        if (v === 'EFAULT') return logSub(subs, req, pm.requestName, a, d, fail('EFAULT'));
        d = v;
      }
      r = logSub(subs, req, pm.requestName, a, d, archPtrace(ctx, tracer, child, req, a, d));
    }
    return r;
  }
  switch (req) {
    case PTRACE.PEEKCHARDATA:
    case PTRACE.PEEKSTRINGDATA:
      return logEntrySub(subs, pm, readData(ctx, tracer, child, pm.addr, pm.localaddr, pm.length, req === PTRACE.PEEKSTRINGDATA));
    case PTRACE.POKECHARDATA:
      return logEntrySub(subs, pm, writeData(ctx, tracer, child, pm.localaddr, pm.addr, pm.length));
    default:
      // arch_ptrace(child, request, addr, (long) localaddr): TRACEME, ATTACH, MULTI → EIO.
      return logEntrySub(subs, pm, archPtrace(ctx, tracer, child, req, pm.addr, pm.localaddr));
  }
}

/**
 * ptrace_readdata / ptrace_readstringdata → access_process_vm_user(write=0): copies page by
 * page until the first tracee page that cannot be pinned; errors copying to the tracer are
 * ignored (__copy_to_user's result is unused); returns the number of bytes transferred.
 */
function readData(ctx: Ctx, tracer: Task, child: Task, src: bigint, dst: bigint, lengthRaw: bigint, string: boolean): SysOutcome {
  const len = BigInt.asUintN(ctx.arch.wordBytes * 8, lengthRaw);
  if (!accessOk(dst, len)) return fail('EIO');
  let n = mappedPrefix(ctx, child, src, Number(len > 1n << 24n ? 1n << 24n : len));
  const data = n > 0 ? remoteRead(ctx, child, src, n) : new Uint8Array(0);
  if (typeof data === 'string') return ok(0);
  let bytes = data;
  if (string) {
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      n = nul + 1;
      bytes = bytes.subarray(0, n);
    }
  }
  copyToUserIgnoringFaults(ctx, tracer, dst, bytes);
  return ok(n);
}

/** ptrace_writedata: access_ok is applied to the TRACEE address (bug kept); unreadable tracer bytes are zeros. */
function writeData(ctx: Ctx, tracer: Task, child: Task, src: bigint, dst: bigint, lengthRaw: bigint): SysOutcome {
  const len = BigInt.asUintN(ctx.arch.wordBytes * 8, lengthRaw);
  if (!accessOk(dst, len)) return fail('EIO');
  const n = mappedPrefix(ctx, child, dst, Number(len > 1n << 24n ? 1n << 24n : len));
  if (n === 0) return ok(0);
  const buf = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const b = copyFromUser(ctx, tracer, src + BigInt(i), 1);
    if (b !== 'EFAULT') buf[i] = b[0]!;
  }
  if (remoteWrite(ctx, child, dst, buf) !== null) return ok(0);
  return ok(n);
}

function copyToUserIgnoringFaults(ctx: Ctx, t: Task, dst: bigint, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) {
    const mm = ctx.s.mms[t.mm]!;
    const r = writeBytes(mm, dst + BigInt(i), bytes.subarray(i, i + 1), false);
    if (!isFault(r)) ctx.s.mms[t.mm] = r;
  }
}

/** Decode an array of entries from raw words (for tools and tests). */
export function decodeEntries(words: readonly bigint[]): MultiEntry[] {
  const out: MultiEntry[] = [];
  for (let i = 0; i + 3 < words.length; i += 4) out.push({ request: words[i]!, addr: words[i + 1]!, localaddr: words[i + 2]!, length: words[i + 3]! });
  return out;
}

export { readWord };
