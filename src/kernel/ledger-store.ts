// The ledger's storage: one row per host syscall in growable typed-array columns (strings
// interned into small tables), so a run of millions of host syscalls keeps ~40-60 bytes a
// row instead of a few hundred bytes of objects. LedgerEntry objects (ledger.ts) are built
// only on demand — at(i), iteration, slice — for `trace --json`, reports and tests; hot
// readers (UML's event labels, counts, pricing) use the column accessors or forEach.
// A row round-trips exactly: at(i) deep-equals the entry that was pushed (test/kernel/ledger-store.test.ts).
import type { Errno } from './errno.ts';
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

/** Capacity growth per reallocation: 1.25 keeps the slack of a long run near 10 % (amortized O(1) still). */
const GROWTH = 1.25;

function grow<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | BigUint64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = Math.ceil(a.length * GROWTH);
  while (n < need) n = Math.ceil(n * GROWTH);
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a as never);
  return b;
}

/** Int32 columns hold WIDE for values that do not fit; the value is then in a side map. */
const WIDE = -0x80000000;
const WIDE16 = 0xffff;

function fits32(v: number): boolean {
  return v === (v | 0) && v !== WIDE;
}

/** A bigint as an unsigned 64-bit word plus a sign bit (values in [-2^63, 2^64)). */
function u64(v: bigint): bigint {
  return v < 0n ? v + U64 : v;
}

const ROW_COLUMNS = ['clockNs', 'pid', 'syscall', 'errno', 'flags', 'ret', 'argStart', 'argCount', 'argBits', 'request', 'target', 'aux', 'subCount'] as const;
const SUB_COLUMNS = ['subRequest', 'subAddr', 'subData', 'subRet', 'subNeg', 'subErrno'] as const;

export class Ledger implements Iterable<LedgerEntry> {
  length = 0;
  /**
   * Seq of the first row still held: rows below it were drained (setDrain) and discarded,
   * so a streaming run keeps flat memory. Columns are indexed by seq − base; the argument and
   * sub-request pools are compacted the same way (subBase: sub rows discarded).
   */
  private base = 0;
  private subBase = 0;
  private drainRows = 0;
  private drainFn: ((from: number, to: number) => void) | null = null;
  private cap = 64;
  private clockNs = new Float64Array(64);
  private pid = new Int32Array(64);
  private syscall = new Uint8Array(64);
  private errno = new Uint8Array(64);
  private flags = new Uint16Array(64);
  /** The return value when it fits an Int32 (else WIDE, the value in wideRet by seq). */
  private ret = new Int32Array(64);
  private readonly wideRet = new Map<number, bigint>();
  private argStart = new Uint32Array(64);
  private argCount = new Uint8Array(64);
  /**
   * Argument encoding: bit k set = argument k was negative; bit 8+k set = it took two pool
   * words (lo, hi of its value mod 2^64). A value in [0, 2^32) takes one word.
   */
  private argBits = new Uint16Array(64);
  /** Request numbers fit 16 bits (PTRACE_* < 0x4300); others are WIDE16 plus the wide map. */
  private request = new Uint16Array(64);
  private target = new Int32Array(64);
  /** wait4: the status; ptrace: the regset id (F_REGSET), the injected signal (F_SIGNAL) or the first sub row (F_SUB). */
  private aux = new Int32Array(64);
  private subCount = new Uint8Array(64);
  // The argument pool: 32-bit words (see argBits).
  private args = new Uint32Array(256);
  private argsUsed = 0;
  // The PTRACE_MULTI sub-request pool.
  private subRequest = new Int32Array(64);
  private subAddr = new BigUint64Array(64);
  private subData = new BigUint64Array(64);
  private subRet = new BigUint64Array(64);
  private subNeg = new Uint8Array(64); // bit 0 addr, 1 data, 2 ret negative
  private subErrno = new Uint8Array(64);
  private subsUsed = 0;
  private syscalls = new Names();
  private errnos = new Names();
  private regsets = new Names();
  /** Request/target values that do not fit an Int32 column (bad-input runs), by row and sub row. */
  private wide = new Map<string, number>();
  /** requestName of each request number seen (derived from the number, kept as recorded). */
  private requestNames = new RequestKeyed<string>();

  constructor(entries: Iterable<LedgerEntry> = []) {
    for (const e of entries) this.push(e);
  }

  private reserve(n: number): void {
    if (n <= this.cap) return;
    this.cap = Math.max(n, Math.ceil(this.cap * GROWTH));
    const c = this.cap;
    this.clockNs = grow(this.clockNs, c); this.pid = grow(this.pid, c); this.syscall = grow(this.syscall, c);
    this.errno = grow(this.errno, c); this.flags = grow(this.flags, c); this.ret = grow(this.ret, c);
    this.argStart = grow(this.argStart, c); this.argCount = grow(this.argCount, c); this.argBits = grow(this.argBits, c);
    this.request = grow(this.request, c); this.target = grow(this.target, c); this.aux = grow(this.aux, c);
    this.subCount = grow(this.subCount, c);
  }

  /** Append an entry (its seq must be the current length). */
  push(e: LedgerEntry): void {
    if (e.seq !== this.length) throw new Error(`simulator bug: ledger seq ${e.seq} appended at ${this.length}`);
    const i = this.length - this.base;
    let f = this.beginRow(i, e.clockNs, e.pid, e.syscall, e.ret, e.errno);
    const n = e.args.length;
    const p = e.ptrace;
    // ptrace(request, pid, addr, data): request and pid are the request and target columns.
    const skip = p && n >= 2 && e.args[0] === BigInt(p.request) && e.args[1] === BigInt(p.target) ? 2 : 0;
    if (skip) f |= F_PTRACE_ARGS;
    this.argStart[i] = this.argsUsed;
    this.argCount[i] = n;
    let bits = 0;
    for (let k = skip; k < n; k++) bits |= this.pushArg(e.args[k]!, k);
    this.argBits[i] = bits;
    if (p) f |= this.putPtrace(i, p.request, p.requestName, p.target, p.regset, p.signal, p.sub);
    if (e.wait) {
      f |= F_WAIT;
      if (p) throw new Error('simulator bug: a ledger entry with both ptrace and wait');
      if (e.wait.status === null) f |= F_WAIT_NULL;
      else this.aux[i] = e.wait.status;
    }
    if (e.emulated) f |= F_EMULATED;
    this.flags[i] = f;
    this.length++;
  }

  /**
   * Append a ptrace(request, target, addr, data) call straight into the columns: the same row
   * push() would store for its LedgerEntry (args [request, target, addr, data], the ptrace
   * info), without building the objects (the per-host-syscall hot path, Kernel.ptrace).
   */
  pushPtrace(clockNs: number, pid: number, request: number, requestName: string, target: number, addr: bigint, data: bigint, ret: bigint, errno: LedgerErrno, regset: string | undefined, signal: number | undefined, sub: readonly PtraceSub[] | undefined): void {
    const i = this.length - this.base;
    let f = this.beginRow(i, clockNs, pid, 'ptrace', ret, errno) | F_PTRACE_ARGS;
    this.argStart[i] = this.argsUsed;
    this.argCount[i] = 4;
    this.argBits[i] = this.pushArg(addr, 2) | this.pushArg(data, 3);
    f |= this.putPtrace(i, request, requestName, target, regset, signal, sub);
    this.flags[i] = f;
    this.length++;
  }

  /**
   * Append a successful wait4(target, statusAddr, options, NULL) = ret reporting `status`
   * straight into the columns: the row push() would store for its LedgerEntry (Kernel.wait4's
   * hot path, a stop or exit reaped), without building the objects.
   */
  pushWait(clockNs: number, pid: number, target: number, statusAddr: bigint, options: number, ret: number, status: number): void {
    const i = this.length - this.base;
    this.beginRow(i, clockNs, pid, 'wait4', BigInt(ret), null);
    this.argStart[i] = this.argsUsed;
    this.argCount[i] = 4;
    this.argBits[i] = this.pushSmallArg(target, 0) | this.pushArg(statusAddr, 1) | this.pushSmallArg(options, 2) | this.pushSmallArg(0, 3);
    this.aux[i] = status;
    this.flags[i] = F_WAIT;
    this.length++;
  }

  // Column index r = seq − base below (row r); wide-value keys use the seq (r + base).

  /** Row r's clock, caller, syscall, errno and return value; the flags they set. */
  private beginRow(i: number, clockNs: number, pid: number, syscall: string, ret: bigint, errno: LedgerErrno): number {
    this.reserve(i + 1);
    this.clockNs[i] = clockNs;
    this.pid[i] = pid;
    this.syscall[i] = this.syscalls.id(syscall);
    this.errno[i] = this.errnos.id(errno);
    if (ret === 0n) this.ret[i] = 0; // most calls; Number(bigint) is a runtime call
    else if (ret > -0x80000000n && ret <= 0x7fffffffn) this.ret[i] = Number(ret);
    else {
      this.ret[i] = WIDE;
      this.wideRet.set(i + this.base, ret);
    }
    return 0;
  }

  /** pushArg of an integer argument held as a number (a pid, wait4's options): no bigint when it fits a word. */
  private pushSmallArg(v: number, k: number): number {
    if (v < 0 || v > 0xffffffff) return this.pushArg(BigInt(v), k);
    if (this.argsUsed + 1 > this.args.length) this.args = grow(this.args, this.argsUsed + 1);
    this.args[this.argsUsed++] = v;
    return 0;
  }

  /** Argument k into the pool: its argBits. */
  private pushArg(v: bigint, k: number): number {
    if (this.argsUsed + 2 > this.args.length) this.args = grow(this.args, this.argsUsed + 2);
    if (v >= 0n && v <= 0xffffffffn) {
      this.args[this.argsUsed++] = v === 0n ? 0 : Number(v);
      return 0;
    }
    const w = u64(v);
    this.args[this.argsUsed++] = Number(w & 0xffffffffn);
    this.args[this.argsUsed++] = Number(w >> 32n);
    return (v < 0n ? 1 << k : 0) | (1 << (8 + k));
  }

  /** Row i's ptrace info: request, target, and at most one of regset, injected signal, sub-requests; the flags. */
  private putPtrace(i: number, request: number, requestName: string, target: number, regset: string | undefined, signal: number | undefined, sub: readonly PtraceSub[] | undefined): number {
    this.request[i] = request >= 0 && request < WIDE16 ? request : (this.wide.set(`r${i + this.base}`, request), WIDE16);
    if (this.requestNames.get(request) === undefined) this.requestNames.set(request, requestName);
    this.target[i] = this.narrow('t', i + this.base, target);
    if ((sub ? 1 : 0) + (regset !== undefined ? 1 : 0) + (signal !== undefined ? 1 : 0) > 1) {
      throw new Error('simulator bug: a ptrace ledger entry with more than one of regset, signal and sub-requests');
    }
    if (sub) {
      this.pushSubs(i, sub);
      return F_PTRACE | F_SUB;
    }
    if (regset !== undefined) {
      this.aux[i] = this.regsets.id(regset);
      return F_PTRACE | F_REGSET;
    }
    if (signal !== undefined) {
      this.aux[i] = signal;
      return F_PTRACE | F_SIGNAL;
    }
    return F_PTRACE;
  }

  private growSubs(need: number): void {
    // Doubling: only multi-mode runs have sub rows, five or so per guest syscall, and 1.25x
    // growth copied each of them ~4 times over a long run (3 % of a multi getpid loop).
    const n = Math.max(need, 2 * this.subRequest.length);
    this.subRequest = grow(this.subRequest, n); this.subAddr = grow(this.subAddr, n); this.subData = grow(this.subData, n);
    this.subRet = grow(this.subRet, n); this.subNeg = grow(this.subNeg, n); this.subErrno = grow(this.subErrno, n);
  }

  private pushSubs(i: number, subs: readonly PtraceSub[]): void {
    const need = this.subsUsed + subs.length;
    if (need > this.subRequest.length) this.growSubs(need);
    this.aux[i] = this.subsUsed; // a PTRACE_MULTI row has no regset, signal or status: aux holds its first sub row
    this.subCount[i] = subs.length;
    if (subs.length > 0xff) throw new Error(`simulator bug: a PTRACE_MULTI ledger row of ${subs.length} sub-requests (at most 255 are recorded)`);
    for (let k = 0; k < subs.length; k++) {
      const s = subs[k]!;
      const j = this.subsUsed++;
      const req = s.request;
      this.subRequest[j] = fits32(req) ? req : this.narrow('s', j + this.subBase, req);
      if (this.requestNames.get(req) === undefined) this.requestNames.set(req, s.requestName);
      const a = s.addr, d = s.data, r = s.ret;
      this.subAddr[j] = u64(a); this.subData[j] = u64(d); this.subRet[j] = r === 0n ? 0n : u64(r);
      this.subNeg[j] = (a < 0n ? 1 : 0) | (d < 0n ? 2 : 0) | (r < 0n ? 4 : 0);
      this.subErrno[j] = s.errno === null ? 0 : this.errnos.id(s.errno); // Names.id(null) is 0
    }
  }

  private narrow(col: string, i: number, v: number): number {
    if (fits32(v)) return v;
    this.wide.set(`${col}${i}`, v);
    return WIDE;
  }

  private widen(col: string, i: number, v: number): number {
    return v === WIDE ? this.wide.get(`${col}${i}`)! : v;
  }

  private requestOf(r: number): number {
    const v = this.request[r]!;
    return v === WIDE16 ? this.wide.get(`r${r + this.base}`)! : v;
  }

  private targetOf(r: number): number {
    return this.widen('t', r + this.base, this.target[r]!);
  }

  private subRequestOf(j: number): number {
    return this.widen('s', j + this.subBase, this.subRequest[j]!);
  }

  /** Row of seq i (a simulator bug if it was discarded or never written). */
  private row(i: number): number {
    const r = i - this.base;
    if (r < 0 || i >= this.length) throw new Error(`simulator bug: ledger row ${i} is not held (held: ${this.base}..${this.length})`);
    return r;
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

  /** Forget rows below seq n: the columns and pools are compacted in place (capacity kept). */
  discardBefore(n: number): void {
    if (n < this.base || n > this.length) throw new Error(`simulator bug: discardBefore(${n}) outside ${this.base}..${this.length}`);
    const k = n - this.base, held = this.length - n;
    let firstSub = this.subsUsed;
    for (let r = k; r < k + held; r++) if (this.flags[r]! & F_SUB) { firstSub = this.aux[r]!; break; }
    const firstArg = held > 0 ? this.argStart[k]! : this.argsUsed;
    for (const c of ROW_COLUMNS) (this[c] as Uint8Array).copyWithin(0, k, k + held);
    for (let r = 0; r < held; r++) {
      this.argStart[r] = this.argStart[r]! - firstArg;
      if (this.flags[r]! & F_SUB) this.aux[r] = this.aux[r]! - firstSub;
    }
    this.args.copyWithin(0, firstArg, this.argsUsed);
    this.argsUsed -= firstArg;
    for (const c of SUB_COLUMNS) (this[c] as Uint8Array).copyWithin(0, firstSub, this.subsUsed);
    this.subsUsed -= firstSub;
    this.subBase += firstSub;
    this.base = n;
    for (const seq of this.wideRet.keys()) if (seq < n) this.wideRet.delete(seq);
    for (const key of this.wide.keys()) {
      const at = Number(key.slice(1));
      if (key[0] === 's' ? at < this.subBase : at < n) this.wide.delete(key);
    }
  }

  // --- column accessors (no allocation) ------------------------------------------------

  pidAt(i: number): number {
    return this.pid[this.row(i)]!;
  }

  clockNsAt(i: number): number {
    return this.clockNs[this.row(i)]!;
  }

  syscallAt(i: number): string {
    return this.syscalls.name(this.syscall[this.row(i)]!)!;
  }

  requestNameAt(i: number): string | null {
    const r = this.row(i);
    return this.flags[r]! & F_PTRACE ? this.requestNames.get(this.requestOf(r))! : null;
  }

  /** Sub-request names of a PTRACE_MULTI row (empty for others). */
  subRequestNamesAt(i: number): string[] {
    i = this.row(i);
    if (!(this.flags[i]! & F_SUB)) return [];
    const out: string[] = [];
    for (let j = this.aux[i]!, end = j + this.subCount[i]!; j < end; j++) out.push(this.requestNames.get(this.subRequestOf(j))!);
    return out;
  }

  /** at(i).ret without building the entry. */
  retAt(i: number): bigint {
    return this.retOf(this.row(i), i);
  }

  /** at(i).errno without building the entry. */
  errnoAt(i: number): LedgerErrno {
    return this.errnos.name(this.errno[this.row(i)]!) as LedgerErrno;
  }

  /** at(i).wait?.status without building the entry (undefined: not a wait row). */
  waitStatusAt(i: number): number | null | undefined {
    const r = this.row(i);
    return this.flags[r]! & F_WAIT ? this.waitStatusOf(r) : undefined;
  }

  /** The sub-requests' ret of a PTRACE_MULTI row, as at(i).ptrace.sub (empty for others). */
  subRetsAt(i: number): bigint[] {
    i = this.row(i);
    if (!(this.flags[i]! & F_SUB)) return [];
    const out: bigint[] = [];
    for (let j = this.aux[i]!, end = j + this.subCount[i]!; j < end; j++) out.push(this.subRetOf(j));
    return out;
  }

  /** Row r's return value (seq: its key for a wide one). */
  private retOf(r: number, seq: number): bigint {
    const ret32 = this.ret[r]!;
    return ret32 === WIDE ? this.wideRet.get(seq)! : BigInt(ret32);
  }

  /** Wait row r's status (null: none reported). */
  private waitStatusOf(r: number): number | null {
    return this.flags[r]! & F_WAIT_NULL ? null : this.aux[r]!;
  }

  /** Sub row j's return value. */
  private subRetOf(j: number): bigint {
    return this.subNeg[j]! & 4 ? this.subRet[j]! - U64 : this.subRet[j]!;
  }

  // --- entries on demand ---------------------------------------------------------------

  at(seq: number): LedgerEntry | undefined {
    if (seq < 0) seq += this.length;
    if (seq < 0 || seq >= this.length) return undefined;
    const i = this.row(seq);
    const f = this.flags[i]!;
    const args: bigint[] = [];
    const bits = this.argBits[i]!;
    let k = 0;
    if (f & F_PTRACE_ARGS) {
      args.push(BigInt(this.requestOf(i)), BigInt(this.targetOf(i)));
      k = 2;
    }
    for (let p = this.argStart[i]!; k < this.argCount[i]!; k++) {
      if (!(bits & (1 << (8 + k)))) {
        args.push(BigInt(this.args[p++]!));
        continue;
      }
      const v = BigInt(this.args[p]!) | (BigInt(this.args[p + 1]!) << 32n);
      p += 2;
      args.push(bits & (1 << k) ? v - U64 : v);
    }
    const e: { -readonly [K in keyof LedgerEntry]: LedgerEntry[K] } = {
      seq,
      clockNs: this.clockNs[i]!,
      pid: this.pid[i]!,
      syscall: this.syscalls.name(this.syscall[i]!)!,
      args,
      ret: this.retOf(i, seq),
      errno: this.errnos.name(this.errno[i]!) as LedgerErrno,
    };
    if (f & F_PTRACE) {
      const p: { request: number; requestName: string; target: number; regset?: string; signal?: number; sub?: PtraceSub[] } = {
        request: this.requestOf(i),
        requestName: this.requestNames.get(this.requestOf(i))!,
        target: this.targetOf(i),
      };
      if (f & F_REGSET) p.regset = this.regsets.name(this.aux[i]!)!;
      if (f & F_SIGNAL) p.signal = this.aux[i]!;
      if (f & F_SUB) p.sub = this.subsAt(i);
      e.ptrace = p;
    }
    if (f & F_WAIT) e.wait = { status: this.waitStatusOf(i) };
    if (f & F_EMULATED) e.emulated = true;
    return e;
  }

  private subsAt(i: number): PtraceSub[] {
    const out: PtraceSub[] = [];
    for (let j = this.aux[i]!, end = j + this.subCount[i]!; j < end; j++) {
      const neg = this.subNeg[j]!;
      const a = this.subAddr[j]!, d = this.subData[j]!;
      out.push({
        request: this.subRequestOf(j),
        requestName: this.requestNames.get(this.subRequestOf(j))!,
        addr: neg & 1 ? a - U64 : a,
        data: neg & 2 ? d - U64 : d,
        ret: this.subRetOf(j),
        errno: this.errnos.name(this.subErrno[j]!) as Errno | null,
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
    for (let i = Math.max(from, this.base); i < this.length; i++) if (this.pid[i - this.base] === pid) n++;
    return n;
  }

  /** An independent copy (Kernel.clone). */
  clone(): Ledger {
    const c = new Ledger();
    c.length = this.length;
    c.base = this.base;
    c.subBase = this.subBase;
    c.cap = this.cap;
    for (const k of [...ROW_COLUMNS, ...SUB_COLUMNS, 'args'] as const) {
      (c as unknown as Record<string, unknown>)[k] = (this[k] as Uint8Array).slice();
    }
    c.argsUsed = this.argsUsed;
    c.subsUsed = this.subsUsed;
    c.syscalls = this.syscalls.copy();
    c.errnos = this.errnos.copy();
    c.regsets = this.regsets.copy();
    c.requestNames = this.requestNames.copy();
    c.wide = new Map(this.wide);
    for (const [k, v] of this.wideRet) c.wideRet.set(k, v);
    return c;
  }

  /** Bytes held by the columns and pools (for `npm run bench`: bytes per entry). */
  bytesHeld(): number {
    let n = 0;
    for (const k of [...ROW_COLUMNS, ...SUB_COLUMNS, 'args'] as const) n += (this[k] as Uint8Array).byteLength;
    return n;
  }

  /** Plain entries, for JSON dumps of small ledgers (stableJson in tests). */
  toJSON(): LedgerEntry[] {
    return this.slice();
  }
}
