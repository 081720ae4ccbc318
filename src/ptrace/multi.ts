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
import { readWord } from '../kernel/regs.ts';
import { isFault, wordFromBytes, writeBytes } from '../kernel/memory.ts';
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

const WORD_REQUESTS = new Set<number>([PTRACE.PEEKTEXT, PTRACE.PEEKDATA, PTRACE.PEEKUSER, PTRACE.POKETEXT, PTRACE.POKEDATA, PTRACE.POKEUSER]);
const POKES = new Set<number>([PTRACE.POKETEXT, PTRACE.POKEDATA, PTRACE.POKEUSER]);

/** access_ok(): x86 only checks that [addr, addr+size) lies below TASK_SIZE_MAX. */
function accessOk(addr: bigint, size: bigint): boolean {
  return size >= 0n && addr >= 0n && addr + size <= TASK_SIZE_MAX;
}

export function entryBytes(wordBytes: number): number {
  return 4 * wordBytes;
}

export function multiPtrace(ctx: Ctx, tracer: Task, child: Task, addr: bigint, count: bigint, version: MultiVersion): SysOutcome {
  const w = BigInt(ctx.arch.wordBytes);
  const size = BigInt.asUintN(ctx.arch.wordBytes * 8, count);
  const bytes = size * 4n * w;
  if (!accessOk(addr, bytes)) return fail('EIO');
  const subs: PtraceSub[] = ctx.multiSubs ?? [];
  ctx.multiSubs = subs;
  let ret: SysOutcome = ok(0);
  let pm: MultiEntry = { request: 0n, addr: 0n, localaddr: 0n, length: 0n };
  const stride = 4n * w;
  let at = addr;
  for (let i = 0n; i < size && isZero(ret); i++, at += stride) {
    const read = readEntry(ctx, tracer, at, pm);
    if (!read.complete && version === '2008') continue; // copy_from_user failed: entry skipped
    pm = read.entry;
    ret = runEntry(ctx, tracer, child, pm, version, subs);
  }
  return ret;
}

function isZero(r: SysOutcome): boolean {
  return 'ret' in r && r.ret === 0n;
}

/** Read one struct ptrace_multi; bytes that cannot be read keep the previous contents (2006). */
function readEntry(ctx: Ctx, tracer: Task, at: bigint, prev: MultiEntry): { entry: MultiEntry; complete: boolean } {
  // Fast path: the whole struct readable in one page (one copy_from_user that cannot fail part way).
  const whole = viewFromUser(ctx, tracer, at, 4 * ctx.arch.wordBytes);
  if (whole !== 'EFAULT') {
    const wb = ctx.arch.wordBytes;
    return { entry: { request: wordFromBytes(whole, 0, wb), addr: wordFromBytes(whole, wb, wb), localaddr: wordFromBytes(whole, 2 * wb, wb), length: wordFromBytes(whole, 3 * wb, wb) }, complete: true };
  }
  const w = BigInt(ctx.arch.wordBytes);
  const fields = [prev.request, prev.addr, prev.localaddr, prev.length];
  let complete = true;
  for (let f = 0; f < 4; f++) {
    const v = getUserWord(ctx, tracer, at + BigInt(f) * w);
    if (v === 'EFAULT') complete = false;
    else fields[f] = v;
  }
  const [request, addr, localaddr, length] = fields as [bigint, bigint, bigint, bigint];
  return { entry: { request, addr, localaddr, length }, complete };
}

/** The sub-request as the ledger's PTRACE_MULTI entry lists it. */
function logSub(subs: PtraceSub[], request: number, a: bigint, d: bigint, r: SysOutcome): SysOutcome {
  subs.push({ request, requestName: requestName(request), addr: a, data: d, ret: 'ret' in r ? r.ret : -1n, errno: 'errno' in r ? r.errno : null });
  return r;
}

function runEntry(ctx: Ctx, tracer: Task, child: Task, pm: MultiEntry, version: MultiVersion, subs: PtraceSub[]): SysOutcome {
  const req = Number(BigInt.asIntN(32, pm.request));
  const w = BigInt(ctx.arch.wordBytes);
  if (WORD_REQUESTS.has(req)) {
    let len = BigInt.asUintN(ctx.arch.wordBytes * 8, pm.length);
    if (len === 0n) len = 1n;
    let r: SysOutcome = ok(0);
    for (let j = 0n; j < len && isZero(r); j++) {
      if (j >= BigInt(WORDS_PER_ENTRY_MAX)) throw new Error('simulator bug: PTRACE_MULTI word loop exceeded its bound');
      const a = pm.addr + j * w;
      let d = pm.localaddr + j * w;
      if (POKES.has(req) && version === '2006') {
        // 2006: the value is localaddr[j], dereferenced directly by the kernel.
        const v = getUserWord(ctx, tracer, d);
        if (v === 'EFAULT') return logSub(subs, req, a, d, fail('EFAULT'));
        d = v;
      }
      r = logSub(subs, req, a, d, archPtrace(ctx, tracer, child, req, a, d));
    }
    return r;
  }
  switch (req) {
    case PTRACE.PEEKCHARDATA:
    case PTRACE.PEEKSTRINGDATA:
      return logSub(subs, req, pm.addr, pm.localaddr, readData(ctx, tracer, child, pm.addr, pm.localaddr, pm.length, req === PTRACE.PEEKSTRINGDATA));
    case PTRACE.POKECHARDATA:
      return logSub(subs, req, pm.addr, pm.localaddr, writeData(ctx, tracer, child, pm.localaddr, pm.addr, pm.length));
    default:
      // arch_ptrace(child, request, addr, (long) localaddr): TRACEME, ATTACH, MULTI → EIO.
      return logSub(subs, req, pm.addr, pm.localaddr, archPtrace(ctx, tracer, child, req, pm.addr, pm.localaddr));
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
