// The ledger's storage: one row per host syscall in typed-array columns held in chunks
// (ledger-chunk.ts; strings interned into small tables), so a run of millions of host syscalls
// keeps ~40-60 bytes a row instead of a few hundred bytes of objects. A growing ledger does not
// copy its old rows: a full chunk stays as it is and the next one is started; only the first
// chunk grows, by doubling up to the chunk size, so a short run stays small. LedgerEntry
// objects (ledger.ts) are built only on demand — at(i), iteration, slice — for `trace --json`,
// reports and tests; hot readers (UML's event labels, counts, pricing) use the column
// accessors or forEach.
// A row round-trips exactly: at(i) deep-equals the entry that was pushed (test/kernel/ledger-store.test.ts).
import type { Errno } from './errno.ts';
import { LedgerChunk } from './ledger-chunk.ts';
import type { LedgerEntry, PtraceSub } from './ledger.ts';
import { RequestKeyed } from './request-keyed.ts';

type LedgerErrno = LedgerEntry['errno'];

const U64 = 1n << 64n;

/** An interning table: string ↔ small id (0 is reserved for "none"). */
class Names {
  private readonly ids = new Map<string, number>();
  readonly names: (string | null)[] = [null];
  /** The last name looked up and its id: consecutive rows mostly repeat one (ptrace, ptrace, wait4 …). */
  private lastName: string | null = null;
  private lastId = 0;
  id(name: string | null | undefined): number {
    if (name === null || name === undefined) return 0;
    if (name === this.lastName) return this.lastId;
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    this.lastName = name;
    this.lastId = id;
    return id;
  }
  name(id: number): string | null {
    return this.names[id]!;
  }
  copy(): Names {
    const n = new Names();
    for (let i = 1; i < this.names.length; i++) n.id(this.names[i]!);
    return n;
  }
}

// Row flags.
// F_PTRACE_ARGS: args are [request, target, …pool]: the first two are not stored twice.
const F_PTRACE = 1, F_WAIT = 2, F_WAIT_NULL = 4, F_EMULATED = 8, F_SIGNAL = 16, F_SUB = 32, F_REGSET = 128, F_PTRACE_ARGS = 256;

/** Rows per chunk: 16 Ki rows, ~0.8 MB. Every chunk but the last is full. */
export const CHUNK_ROWS = 1 << 14;
/** Capacity of the first chunk at first (it doubles up to CHUNK_ROWS). */
const FIRST_ROWS = 64;

/** Int32 columns hold WIDE for values that do not fit; the value is then in a side map. */
const WIDE = -0x80000000;
const WIDE16 = 0xffff;

function fits32(v: number): boolean {
  return v === (v | 0) && v !== WIDE;
}

/**
 * A bigint's 64-bit word, read as 32-bit halves: a BigUint64Array store is inlined by V8,
 * Number(bigint) is a runtime call (~3x dearer per argument). WORD64[0] = v stores v mod 2^64
 * (ToBigUint64, ECMA-262 §7.1.16), which is u64(v) for v in [-2^63, 2^64).
 */
const WORD64 = new BigUint64Array(1);
const WORD32 = new Uint32Array(WORD64.buffer);
const WORD32_SIGNED = new Int32Array(WORD64.buffer);
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('simulator bug: the ledger reads 64-bit words as little-endian halves');

/** A bigint as an unsigned 64-bit word plus a sign bit (values in [-2^63, 2^64)). */
function u64(v: bigint): bigint {
  return v < 0n ? v + U64 : v;
}

export class Ledger implements Iterable<LedgerEntry> {
  length = 0;
  /**
   * Seq of the first row still held: rows below it were drained (setDrain) and discarded,
   * so a streaming run keeps flat memory. Chunks wholly below it are dropped.
   */
  private base = 0;
  private drainRows = 0;
  private drainFn: ((from: number, to: number) => void) | null = null;
  /** Rows per chunk (a power of two: CHUNK_ROWS, smaller in tests), its log2 and mask. */
  private readonly chunkRows: number;
  private readonly shift: number;
  private readonly mask: number;
  private chunks: LedgerChunk[];
  /** Seq of chunks[0]'s first row. */
  private chunk0Seq = 0;
  /** The chunk rows are appended to (the last one) and its rows used. */
  private cur: LedgerChunk;
  private curRows = 0;
  /** A dropped full chunk kept for reuse (a streaming run allocates no more chunks). */
  private spare: LedgerChunk | null = null;
  private syscalls = new Names();
  private errnos = new Names();
  private regsets = new Names();
  /** Values that do not fit their Int32/Uint16 column (bad-input runs), by seq (sub rows: seq · 256 + k). */
  private readonly wideRet = new Map<number, bigint>();
  private wideRequest = new Map<number, number>();
  private wideTarget = new Map<number, number>();
  private wideSubRequest = new Map<number, number>();
  /** requestName of each request number seen (derived from the number, kept as recorded). */
  private requestNames = new RequestKeyed<string>();

  constructor(entries: Iterable<LedgerEntry> = [], chunkRows = CHUNK_ROWS) {
    if (!(chunkRows >= 1 && (chunkRows & (chunkRows - 1)) === 0)) throw new Error(`simulator bug: ledger chunk of ${chunkRows} rows (a power of two expected)`);
    this.chunkRows = chunkRows;
    this.shift = Math.log2(chunkRows);
    this.mask = chunkRows - 1;
    this.cur = new LedgerChunk(Math.min(FIRST_ROWS, chunkRows));
    this.chunks = [this.cur];
    for (const e of entries) this.push(e);
  }

  /** The row slot of the next row in `cur` (a fresh chunk or a grown first chunk when it is full). */
  private nextSlot(): number {
    const o = this.curRows;
    if (o < this.cur.cap) return o;
    if (this.cur.cap < this.chunkRows) {
      // Only chunk 0 is ever short: it doubles (a short run stays small).
      this.cur = this.cur.copy(Math.min(this.chunkRows, this.cur.cap * 2), o);
      this.chunks[this.chunks.length - 1] = this.cur;
      return o;
    }
    const c = this.spare ?? new LedgerChunk(this.chunkRows);
    this.spare = null;
    c.argsUsed = 0;
    c.subsUsed = 0;
    this.cur = c;
    this.chunks.push(c);
    this.curRows = 0;
    return 0;
  }

  /** Append an entry (its seq must be the current length). */
  push(e: LedgerEntry): void {
    if (e.seq !== this.length) throw new Error(`simulator bug: ledger seq ${e.seq} appended at ${this.length}`);
    const o = this.beginRow(e.clockNs, e.pid, e.syscall, e.ret, e.errno);
    const c = this.cur;
    let f = 0;
    const n = e.args.length;
    const p = e.ptrace;
    // ptrace(request, pid, addr, data): request and pid are the request and target columns.
    const skip = p && n >= 2 && e.args[0] === BigInt(p.request) && e.args[1] === BigInt(p.target) ? 2 : 0;
    if (skip) f |= F_PTRACE_ARGS;
    c.reserveArgs(2 * n);
    c.argStart[o] = c.argsUsed;
    c.argCount[o] = n;
    let bits = 0;
    for (let k = skip; k < n; k++) bits |= this.pushArg(c, e.args[k]!, k);
    c.argBits[o] = bits;
    if (p) f |= this.putPtrace(c, o, p.request, p.requestName, p.target, p.regset, p.signal, p.sub);
    if (e.wait) {
      f |= F_WAIT;
      if (p) throw new Error('simulator bug: a ledger entry with both ptrace and wait');
      if (e.wait.status === null) f |= F_WAIT_NULL;
      else c.aux[o] = e.wait.status;
    }
    if (e.emulated) f |= F_EMULATED;
    c.flags[o] = f;
    this.endRow();
  }

  /**
   * Append a ptrace(request, target, addr, data) call straight into the columns: the same row
   * push() would store for its LedgerEntry (args [request, target, addr, data], the ptrace
   * info), without building the objects (the per-host-syscall hot path, Kernel.ptrace).
   */
  pushPtrace(clockNs: number, pid: number, request: number, requestName: string, target: number, addr: bigint, data: bigint, ret: bigint, errno: LedgerErrno, regset: string | undefined, signal: number | undefined, sub: readonly PtraceSub[] | undefined): void {
    const o = this.beginRow(clockNs, pid, 'ptrace', ret, errno);
    const c = this.cur;
    c.reserveArgs(4);
    c.argStart[o] = c.argsUsed;
    c.argCount[o] = 4;
    c.argBits[o] = this.pushArg(c, addr, 2) | this.pushArg(c, data, 3);
    c.flags[o] = F_PTRACE_ARGS | this.putPtrace(c, o, request, requestName, target, regset, signal, sub);
    this.endRow();
  }

  /**
   * Append a successful wait4(target, statusAddr, options, NULL) = ret reporting `status`
   * straight into the columns: the row push() would store for its LedgerEntry (Kernel.wait4's
   * hot path, a stop or exit reaped), without building the objects.
   */
  pushWait(clockNs: number, pid: number, target: number, statusAddr: bigint, options: number, ret: number, status: number): void {
    const o = this.beginRow(clockNs, pid, 'wait4', BigInt(ret), null);
    const c = this.cur;
    c.reserveArgs(8);
    c.argStart[o] = c.argsUsed;
    c.argCount[o] = 4;
    c.argBits[o] = this.pushSmallArg(c, target, 0) | this.pushArg(c, statusAddr, 1) | this.pushSmallArg(c, options, 2) | this.pushSmallArg(c, 0, 3);
    c.aux[o] = status;
    c.flags[o] = F_WAIT;
    this.endRow();
  }

  /** The next row's slot in `cur`, with its clock, caller, syscall, errno and return value. */
  private beginRow(clockNs: number, pid: number, syscall: string, ret: bigint, errno: LedgerErrno): number {
    const o = this.nextSlot();
    const c = this.cur;
    c.clockNs[o] = clockNs;
    c.pid[o] = pid;
    c.syscall[o] = this.syscalls.id(syscall);
    c.errno[o] = this.errnos.id(errno);
    if (ret === 0n) c.ret[o] = 0; // most calls
    else if (ret > -0x80000000n && ret <= 0x7fffffffn) {
      WORD64[0] = ret;
      c.ret[o] = WORD32_SIGNED[0]!; // the low half, sign-extended: ret itself in this range
    } else {
      c.ret[o] = WIDE;
      this.wideRet.set(this.length, ret);
    }
    return o;
  }

  private endRow(): void {
    this.curRows++;
    this.length++;
  }

  /** pushArg of an integer argument held as a number (a pid, wait4's options): no bigint when it fits a word. Room reserved by the caller. */
  private pushSmallArg(c: LedgerChunk, v: number, k: number): number {
    if (v < 0 || v > 0xffffffff) return this.pushArg(c, BigInt(v), k);
    c.args[c.argsUsed++] = v;
    return 0;
  }

  /** Argument k into the chunk's pool (two words reserved by the caller): its argBits. */
  private pushArg(c: LedgerChunk, v: bigint, k: number): number {
    if (v === 0n) {
      c.args[c.argsUsed++] = 0;
      return 0;
    }
    WORD64[0] = v;
    c.args[c.argsUsed++] = WORD32[0]!;
    const hi = WORD32[1]!;
    if (hi === 0) return 0; // v in [0, 2^32): a negative v has hi ≥ 2^31 here
    c.args[c.argsUsed++] = hi;
    return (v < 0n ? 1 << k : 0) | (1 << (8 + k));
  }

  /** The row's ptrace info: request, target, and at most one of regset, injected signal, sub-requests; the flags. */
  private putPtrace(c: LedgerChunk, o: number, request: number, requestName: string, target: number, regset: string | undefined, signal: number | undefined, sub: readonly PtraceSub[] | undefined): number {
    const seq = this.length;
    c.request[o] = request >= 0 && request < WIDE16 ? request : (this.wideRequest.set(seq, request), WIDE16);
    if (this.requestNames.get(request) === undefined) this.requestNames.set(request, requestName);
    c.target[o] = fits32(target) ? target : (this.wideTarget.set(seq, target), WIDE);
    if ((sub ? 1 : 0) + (regset !== undefined ? 1 : 0) + (signal !== undefined ? 1 : 0) > 1) {
      throw new Error('simulator bug: a ptrace ledger entry with more than one of regset, signal and sub-requests');
    }
    if (sub) {
      this.pushSubs(c, o, sub);
      return F_PTRACE | F_SUB;
    }
    if (regset !== undefined) {
      c.aux[o] = this.regsets.id(regset);
      return F_PTRACE | F_REGSET;
    }
    if (signal !== undefined) {
      c.aux[o] = signal;
      return F_PTRACE | F_SIGNAL;
    }
    return F_PTRACE;
  }

  private pushSubs(c: LedgerChunk, o: number, subs: readonly PtraceSub[]): void {
    if (subs.length > 0xff) throw new Error(`simulator bug: a PTRACE_MULTI ledger row of ${subs.length} sub-requests (at most 255 are recorded)`);
    c.reserveSubs(subs.length);
    c.aux[o] = c.subsUsed; // a PTRACE_MULTI row has no regset, signal or status: aux holds its first sub row
    c.subCount[o] = subs.length;
    for (let k = 0; k < subs.length; k++) {
      const s = subs[k]!;
      const j = c.subsUsed++;
      const req = s.request;
      c.subRequest[j] = fits32(req) ? req : (this.wideSubRequest.set(this.length * 256 + k, req), WIDE);
      if (this.requestNames.get(req) === undefined) this.requestNames.set(req, s.requestName);
      const a = s.addr, d = s.data, r = s.ret;
      c.subAddr[j] = u64(a); c.subData[j] = u64(d); c.subRet[j] = r === 0n ? 0n : u64(r);
      c.subNeg[j] = (a < 0n ? 1 : 0) | (d < 0n ? 2 : 0) | (r < 0n ? 4 : 0);
      c.subErrno[j] = s.errno === null ? 0 : this.errnos.id(s.errno); // Names.id(null) is 0
    }
  }

  // --- row addressing ------------------------------------------------------------------

  /** The chunk holding seq i (a simulator bug if it was discarded or never written). */
  private chunkAt(i: number): LedgerChunk {
    if (i < this.base || i >= this.length) throw new Error(`simulator bug: ledger row ${i} is not held (held: ${this.base}..${this.length})`);
    return this.chunks[(i - this.chunk0Seq) >>> this.shift]!;
  }

  /** Seq i's row within its chunk (chunkAt checked it is held). */
  private slot(i: number): number {
    return (i - this.chunk0Seq) & this.mask;
  }

  private requestOf(c: LedgerChunk, o: number, seq: number): number {
    const v = c.request[o]!;
    return v === WIDE16 ? this.wideRequest.get(seq)! : v;
  }

  private targetOf(c: LedgerChunk, o: number, seq: number): number {
    const v = c.target[o]!;
    return v === WIDE ? this.wideTarget.get(seq)! : v;
  }

  /** Sub row j (the k-th of row seq) in chunk c: its request. */
  private subRequestOf(c: LedgerChunk, j: number, seq: number, k: number): number {
    const v = c.subRequest[j]!;
    return v === WIDE ? this.wideSubRequest.get(seq * 256 + k)! : v;
  }

  // --- streaming: drain and discard -----------------------------------------------------

  /** The first seq still held (0 unless rows were drained). */
  get first(): number {
    return this.base;
  }

  /**
   * Streaming: once `rowsMax` rows are held, maybeDrain() hands them to `fn(from, to)` (which
   * may read them) and then discards them. Called between host syscalls (Kernel.step), never
   * inside one, so a step's own rows are always held while the step runs.
   */
  setDrain(rowsMax: number, fn: (from: number, to: number) => void): void {
    this.drainRows = rowsMax;
    this.drainFn = fn;
  }

  maybeDrain(): void {
    if (this.drainFn !== null && this.length - this.base >= this.drainRows) this.drain();
  }

  /** Hand every held row to the drain function and discard them. */
  drain(): void {
    if (this.drainFn === null || this.length === this.base) return;
    this.drainFn(this.base, this.length);
    this.discardBefore(this.length);
  }

  /** Forget rows below seq n: chunks wholly below it are dropped (one kept as the spare). */
  discardBefore(n: number): void {
    if (n < this.base || n > this.length) throw new Error(`simulator bug: discardBefore(${n}) outside ${this.base}..${this.length}`);
    this.base = n;
    let drop = 0;
    while (drop < this.chunks.length - 1 && this.chunk0Seq + (drop + 1) * this.chunkRows <= n) drop++;
    if (drop > 0) {
      this.spare = this.chunks[drop - 1]!;
      this.chunks = this.chunks.slice(drop);
      this.chunk0Seq += drop * this.chunkRows;
    }
    for (const seq of this.wideRet.keys()) if (seq < n) this.wideRet.delete(seq);
    for (const m of [this.wideRequest, this.wideTarget]) for (const seq of m.keys()) if (seq < n) m.delete(seq);
    for (const key of this.wideSubRequest.keys()) if (key < n * 256) this.wideSubRequest.delete(key);
  }

  // --- column accessors (no allocation) ------------------------------------------------

  pidAt(i: number): number {
    return this.chunkAt(i).pid[this.slot(i)]!;
  }

  clockNsAt(i: number): number {
    return this.chunkAt(i).clockNs[this.slot(i)]!;
  }

  syscallAt(i: number): string {
    return this.syscalls.name(this.chunkAt(i).syscall[this.slot(i)]!)!;
  }

  requestNameAt(i: number): string | null {
    const c = this.chunkAt(i), o = this.slot(i);
    return c.flags[o]! & F_PTRACE ? this.requestNames.get(this.requestOf(c, o, i))! : null;
  }

  /** Sub-request names of a PTRACE_MULTI row (empty for others). */
  subRequestNamesAt(i: number): string[] {
    const c = this.chunkAt(i), o = this.slot(i);
    if (!(c.flags[o]! & F_SUB)) return [];
    const out: string[] = [];
    for (let k = 0, j = c.aux[o]!; k < c.subCount[o]!; k++, j++) out.push(this.requestNames.get(this.subRequestOf(c, j, i, k))!);
    return out;
  }

  /** at(i).ret without building the entry. */
  retAt(i: number): bigint {
    return this.retOf(this.chunkAt(i), this.slot(i), i);
  }

  /** at(i).errno without building the entry. */
  errnoAt(i: number): LedgerErrno {
    return this.errnos.name(this.chunkAt(i).errno[this.slot(i)]!) as LedgerErrno;
  }

  /** at(i).wait?.status without building the entry (undefined: not a wait row). */
  waitStatusAt(i: number): number | null | undefined {
    const c = this.chunkAt(i), o = this.slot(i);
    return c.flags[o]! & F_WAIT ? this.waitStatusOf(c, o) : undefined;
  }

  /** The sub-requests' ret of a PTRACE_MULTI row, as at(i).ptrace.sub (empty for others). */
  subRetsAt(i: number): bigint[] {
    const c = this.chunkAt(i), o = this.slot(i);
    if (!(c.flags[o]! & F_SUB)) return [];
    const out: bigint[] = [];
    for (let j = c.aux[o]!, end = j + c.subCount[o]!; j < end; j++) out.push(subRetOf(c, j));
    return out;
  }

  /** The row's return value (seq: its key for a wide one). */
  private retOf(c: LedgerChunk, o: number, seq: number): bigint {
    const ret32 = c.ret[o]!;
    return ret32 === WIDE ? this.wideRet.get(seq)! : BigInt(ret32);
  }

  /** A wait row's status (null: none reported). */
  private waitStatusOf(c: LedgerChunk, o: number): number | null {
    return c.flags[o]! & F_WAIT_NULL ? null : c.aux[o]!;
  }

  // --- entries on demand ---------------------------------------------------------------

  at(seq: number): LedgerEntry | undefined {
    if (seq < 0) seq += this.length;
    if (seq < 0 || seq >= this.length) return undefined;
    const c = this.chunkAt(seq), i = this.slot(seq);
    const f = c.flags[i]!;
    const args: bigint[] = [];
    const bits = c.argBits[i]!;
    let k = 0;
    if (f & F_PTRACE_ARGS) {
      args.push(BigInt(this.requestOf(c, i, seq)), BigInt(this.targetOf(c, i, seq)));
      k = 2;
    }
    for (let p = c.argStart[i]!; k < c.argCount[i]!; k++) {
      if (!(bits & (1 << (8 + k)))) {
        args.push(BigInt(c.args[p++]!));
        continue;
      }
      const v = BigInt(c.args[p]!) | (BigInt(c.args[p + 1]!) << 32n);
      p += 2;
      args.push(bits & (1 << k) ? v - U64 : v);
    }
    const e: { -readonly [K in keyof LedgerEntry]: LedgerEntry[K] } = {
      seq,
      clockNs: c.clockNs[i]!,
      pid: c.pid[i]!,
      syscall: this.syscalls.name(c.syscall[i]!)!,
      args,
      ret: this.retOf(c, i, seq),
      errno: this.errnos.name(c.errno[i]!) as LedgerErrno,
    };
    if (f & F_PTRACE) {
      const request = this.requestOf(c, i, seq);
      const p: { request: number; requestName: string; target: number; regset?: string; signal?: number; sub?: PtraceSub[] } = {
        request,
        requestName: this.requestNames.get(request)!,
        target: this.targetOf(c, i, seq),
      };
      if (f & F_REGSET) p.regset = this.regsets.name(c.aux[i]!)!;
      if (f & F_SIGNAL) p.signal = c.aux[i]!;
      if (f & F_SUB) p.sub = this.subsAt(c, i, seq);
      e.ptrace = p;
    }
    if (f & F_WAIT) e.wait = { status: this.waitStatusOf(c, i) };
    if (f & F_EMULATED) e.emulated = true;
    return e;
  }

  private subsAt(c: LedgerChunk, o: number, seq: number): PtraceSub[] {
    const out: PtraceSub[] = [];
    for (let k = 0, j = c.aux[o]!; k < c.subCount[o]!; k++, j++) {
      const neg = c.subNeg[j]!;
      const a = c.subAddr[j]!, d = c.subData[j]!;
      const request = this.subRequestOf(c, j, seq, k);
      out.push({
        request,
        requestName: this.requestNames.get(request)!,
        addr: neg & 1 ? a - U64 : a,
        data: neg & 2 ? d - U64 : d,
        ret: subRetOf(c, j),
        errno: this.errnos.name(c.subErrno[j]!) as Errno | null,
      });
    }
    return out;
  }

  *[Symbol.iterator](): Iterator<LedgerEntry> {
    for (let i = this.base; i < this.length; i++) yield this.at(i)!;
  }

  /** Visit entries [from, to) one at a time (each object is garbage right after: flat memory). */
  forEach(fn: (e: LedgerEntry, i: number) => void, from = this.base, to = this.length): void {
    for (let i = Math.max(this.base, from); i < Math.min(to, this.length); i++) fn(this.at(i)!, i);
  }

  slice(start = 0, end = this.length): LedgerEntry[] {
    const n = this.length;
    const s = start < 0 ? Math.max(0, n + start) : Math.min(start, n);
    const t = end < 0 ? Math.max(0, n + end) : Math.min(end, n);
    const out: LedgerEntry[] = [];
    for (let i = s; i < t; i++) out.push(this.at(i)!);
    return out;
  }

  filter(fn: (e: LedgerEntry, i: number) => boolean): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    this.forEach((e, i) => { if (fn(e, i)) out.push(e); });
    return out;
  }

  find(fn: (e: LedgerEntry, i: number) => boolean): LedgerEntry | undefined {
    for (let i = this.base; i < this.length; i++) {
      const e = this.at(i)!;
      if (fn(e, i)) return e;
    }
    return undefined;
  }

  /** Rows made by `pid` (no entry objects). */
  countPid(pid: number, from = 0): number {
    let n = 0;
    for (let i = Math.max(from, this.base); i < this.length; i++) if (this.chunkAt(i).pid[this.slot(i)] === pid) n++;
    return n;
  }

  /** An independent copy (Kernel.clone). */
  clone(): Ledger {
    const c = new Ledger([], this.chunkRows);
    c.length = this.length;
    c.base = this.base;
    c.chunk0Seq = this.chunk0Seq;
    const last = this.chunks.length - 1;
    c.chunks = this.chunks.map((k, i) => k.copy(k.cap, i === last ? this.curRows : this.chunkRows));
    c.cur = c.chunks[last]!;
    c.curRows = this.curRows;
    c.syscalls = this.syscalls.copy();
    c.errnos = this.errnos.copy();
    c.regsets = this.regsets.copy();
    c.requestNames = this.requestNames.copy();
    c.wideRequest = new Map(this.wideRequest);
    c.wideTarget = new Map(this.wideTarget);
    c.wideSubRequest = new Map(this.wideSubRequest);
    for (const [k, v] of this.wideRet) c.wideRet.set(k, v);
    return c;
  }

  /** Bytes held by the columns and pools, the spare chunk's too (for `npm run bench`: bytes per entry). */
  bytesHeld(): number {
    let n = this.spare === null ? 0 : this.spare.bytes();
    for (const k of this.chunks) n += k.bytes();
    return n;
  }

  /** Plain entries, for JSON dumps of small ledgers (stableJson in tests). */
  toJSON(): LedgerEntry[] {
    return this.slice();
  }
}

/** Sub row j's return value. */
function subRetOf(c: LedgerChunk, j: number): bigint {
  return c.subNeg[j]! & 4 ? c.subRet[j]! - U64 : c.subRet[j]!;
}
