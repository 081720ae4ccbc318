// The ledger's storage: one row per host syscall in growable typed-array columns (strings
// interned into small tables), so a run of millions of host syscalls keeps ~40-60 bytes a
// row instead of a few hundred bytes of objects. LedgerEntry objects (ledger.ts) are built
// only on demand — at(i), iteration, slice — for `trace --json`, reports and tests; hot
// readers (UML's event labels, counts, pricing) use the column accessors or forEach.
// A row round-trips exactly: at(i) deep-equals the entry that was pushed (test/kernel/ledger-store.test.ts).
import type { Errno } from './errno.ts';
import type { LedgerEntry, PtraceSub } from './ledger.ts';

type LedgerErrno = LedgerEntry['errno'];

const U64 = 1n << 64n;

/** An interning table: string ↔ small id (0 is reserved for "none"). */
class Names {
  private readonly ids = new Map<string, number>();
  readonly names: (string | null)[] = [null];
  id(name: string | null | undefined): number {
    if (name === null || name === undefined) return 0;
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
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
const F_PTRACE = 1, F_WAIT = 2, F_WAIT_NULL = 4, F_EMULATED = 8, F_SIGNAL = 16, F_SUB = 32, F_RET_NEG = 64, F_REGSET = 128, F_PTRACE_ARGS = 256;

function grow<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | BigUint64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = Math.ceil(a.length * 1.5);
  while (n < need) n = Math.ceil(n * 1.5);
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a as never);
  return b;
}

/** Int32 columns hold WIDE for values that do not fit; the value is then in a side map. */
const WIDE = -0x80000000;

function fits32(v: number): boolean {
  return v === (v | 0) && v !== WIDE;
}

/** A bigint as an unsigned 64-bit word plus a sign bit (values in [-2^63, 2^64)). */
function u64(v: bigint): bigint {
  return v < 0n ? v + U64 : v;
}

export class Ledger implements Iterable<LedgerEntry> {
  length = 0;
  private cap = 64;
  private clockNs = new Float64Array(64);
  private pid = new Int32Array(64);
  private syscall = new Uint8Array(64);
  private errno = new Uint8Array(64);
  private flags = new Uint16Array(64);
  private ret = new BigUint64Array(64);
  private argStart = new Uint32Array(64);
  private argCount = new Uint8Array(64);
  /** Bit i set: argument i was negative. */
  private argNeg = new Uint8Array(64);
  private request = new Int32Array(64);
  private target = new Int32Array(64);
  /** wait4: the status; ptrace: the regset id (F_REGSET), the injected signal (F_SIGNAL) or the first sub row (F_SUB). */
  private aux = new Int32Array(64);
  private subCount = new Uint16Array(64);
  // The argument pool.
  private args = new BigUint64Array(256);
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
  private requestNames = new Map<number, string>();

  constructor(entries: Iterable<LedgerEntry> = []) {
    for (const e of entries) this.push(e);
  }

  private reserve(n: number): void {
    if (n <= this.cap) return;
    this.cap = Math.max(n, Math.ceil(this.cap * 1.5));
    const c = this.cap;
    this.clockNs = grow(this.clockNs, c); this.pid = grow(this.pid, c); this.syscall = grow(this.syscall, c);
    this.errno = grow(this.errno, c); this.flags = grow(this.flags, c); this.ret = grow(this.ret, c);
    this.argStart = grow(this.argStart, c); this.argCount = grow(this.argCount, c); this.argNeg = grow(this.argNeg, c);
    this.request = grow(this.request, c); this.target = grow(this.target, c); this.aux = grow(this.aux, c);
    this.subCount = grow(this.subCount, c);
  }

  /** Append an entry (its seq must be the current length). */
  push(e: LedgerEntry): void {
    if (e.seq !== this.length) throw new Error(`simulator bug: ledger seq ${e.seq} appended at ${this.length}`);
    const i = this.length;
    let f = this.beginRow(i, e.clockNs, e.pid, e.syscall, e.ret, e.errno);
    const n = e.args.length;
    const p = e.ptrace;
    // ptrace(request, pid, addr, data): request and pid are the request and target columns.
    const skip = p && n >= 2 && e.args[0] === BigInt(p.request) && e.args[1] === BigInt(p.target) ? 2 : 0;
    if (skip) f |= F_PTRACE_ARGS;
    if (this.argsUsed + n - skip > this.args.length) this.args = grow(this.args, this.argsUsed + n - skip);
    this.argStart[i] = this.argsUsed;
    this.argCount[i] = n;
    let neg = 0;
    for (let k = skip; k < n; k++) {
      const a = e.args[k]!;
      if (a < 0n) neg |= 1 << k;
      this.args[this.argsUsed++] = u64(a);
    }
    this.argNeg[i] = neg;
    if (p) f |= this.putPtrace(i, p.request, p.requestName, p.target, p.regset, p.signal, p.sub);
    if (e.wait) {
      f |= F_WAIT;
      if (p) throw new Error('simulator bug: a ledger entry with both ptrace and wait');
      if (e.wait.status === null) f |= F_WAIT_NULL;
      else this.aux[i] = e.wait.status;
    }
    if (e.emulated) f |= F_EMULATED;
    this.flags[i] = f;
    this.length = i + 1;
  }

  /**
   * Append a ptrace(request, target, addr, data) call straight into the columns: the same row
   * push() would store for its LedgerEntry (args [request, target, addr, data], the ptrace
   * info), without building the objects (the per-host-syscall hot path, Kernel.ptrace).
   */
  pushPtrace(clockNs: number, pid: number, request: number, requestName: string, target: number, addr: bigint, data: bigint, ret: bigint, errno: LedgerErrno, regset: string | undefined, signal: number | undefined, sub: readonly PtraceSub[] | undefined): void {
    const i = this.length;
    let f = this.beginRow(i, clockNs, pid, 'ptrace', ret, errno) | F_PTRACE_ARGS;
    if (this.argsUsed + 2 > this.args.length) this.args = grow(this.args, this.argsUsed + 2);
    this.argStart[i] = this.argsUsed;
    this.argCount[i] = 4;
    this.argNeg[i] = (addr < 0n ? 4 : 0) | (data < 0n ? 8 : 0);
    this.args[this.argsUsed++] = u64(addr);
    this.args[this.argsUsed++] = u64(data);
    f |= this.putPtrace(i, request, requestName, target, regset, signal, sub);
    this.flags[i] = f;
    this.length = i + 1;
  }

  /** Row i's clock, caller, syscall, errno and return value; the flags they set. */
  private beginRow(i: number, clockNs: number, pid: number, syscall: string, ret: bigint, errno: LedgerErrno): number {
    this.reserve(i + 1);
    this.clockNs[i] = clockNs;
    this.pid[i] = pid;
    this.syscall[i] = this.syscalls.id(syscall);
    this.errno[i] = this.errnos.id(errno);
    this.ret[i] = u64(ret);
    return ret < 0n ? F_RET_NEG : 0;
  }

  /** Row i's ptrace info: request, target, and at most one of regset, injected signal, sub-requests; the flags. */
  private putPtrace(i: number, request: number, requestName: string, target: number, regset: string | undefined, signal: number | undefined, sub: readonly PtraceSub[] | undefined): number {
    this.request[i] = this.narrow('r', i, request);
    if (!this.requestNames.has(request)) this.requestNames.set(request, requestName);
    this.target[i] = this.narrow('t', i, target);
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
    this.subRequest = grow(this.subRequest, need); this.subAddr = grow(this.subAddr, need); this.subData = grow(this.subData, need);
    this.subRet = grow(this.subRet, need); this.subNeg = grow(this.subNeg, need); this.subErrno = grow(this.subErrno, need);
  }

  private pushSubs(i: number, subs: readonly PtraceSub[]): void {
    const need = this.subsUsed + subs.length;
    if (need > this.subRequest.length) this.growSubs(need);
    this.aux[i] = this.subsUsed; // a PTRACE_MULTI row has no regset, signal or status: aux holds its first sub row
    this.subCount[i] = subs.length;
    for (const s of subs) {
      const j = this.subsUsed++;
      this.subRequest[j] = this.narrow('s', j, s.request);
      if (!this.requestNames.has(s.request)) this.requestNames.set(s.request, s.requestName);
      this.subAddr[j] = u64(s.addr); this.subData[j] = u64(s.data); this.subRet[j] = u64(s.ret);
      this.subNeg[j] = (s.addr < 0n ? 1 : 0) | (s.data < 0n ? 2 : 0) | (s.ret < 0n ? 4 : 0);
      this.subErrno[j] = this.errnos.id(s.errno);
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

  private requestOf(i: number): number {
    return this.widen('r', i, this.request[i]!);
  }

  private targetOf(i: number): number {
    return this.widen('t', i, this.target[i]!);
  }

  private subRequestOf(j: number): number {
    return this.widen('s', j, this.subRequest[j]!);
  }

  // --- column accessors (no allocation) ------------------------------------------------

  pidAt(i: number): number {
    return this.pid[i]!;
  }

  syscallAt(i: number): string {
    return this.syscalls.name(this.syscall[i]!)!;
  }

  requestNameAt(i: number): string | null {
    return this.flags[i]! & F_PTRACE ? this.requestNames.get(this.requestOf(i))! : null;
  }

  /** Sub-request names of a PTRACE_MULTI row (empty for others). */
  subRequestNamesAt(i: number): string[] {
    if (!(this.flags[i]! & F_SUB)) return [];
    const out: string[] = [];
    for (let j = this.aux[i]!, end = j + this.subCount[i]!; j < end; j++) out.push(this.requestNames.get(this.subRequestOf(j))!);
    return out;
  }

  // --- entries on demand ---------------------------------------------------------------

  at(i: number): LedgerEntry | undefined {
    if (i < 0) i += this.length;
    if (i < 0 || i >= this.length) return undefined;
    const f = this.flags[i]!;
    const args: bigint[] = [];
    const neg = this.argNeg[i]!;
    let k = 0;
    if (f & F_PTRACE_ARGS) {
      args.push(BigInt(this.requestOf(i)), BigInt(this.targetOf(i)));
      k = 2;
    }
    for (let s = this.argStart[i]! - k; k < this.argCount[i]!; k++) {
      const v = this.args[s + k]!;
      args.push(neg & (1 << k) ? v - U64 : v);
    }
    const ret = this.ret[i]!;
    const e: { -readonly [K in keyof LedgerEntry]: LedgerEntry[K] } = {
      seq: i,
      clockNs: this.clockNs[i]!,
      pid: this.pid[i]!,
      syscall: this.syscalls.name(this.syscall[i]!)!,
      args,
      ret: f & F_RET_NEG ? ret - U64 : ret,
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
    if (f & F_WAIT) e.wait = { status: f & F_WAIT_NULL ? null : this.aux[i]! };
    if (f & F_EMULATED) e.emulated = true;
    return e;
  }

  private subsAt(i: number): PtraceSub[] {
    const out: PtraceSub[] = [];
    for (let j = this.aux[i]!, end = j + this.subCount[i]!; j < end; j++) {
      const neg = this.subNeg[j]!;
      const a = this.subAddr[j]!, d = this.subData[j]!, r = this.subRet[j]!;
      out.push({
        request: this.subRequestOf(j),
        requestName: this.requestNames.get(this.subRequestOf(j))!,
        addr: neg & 1 ? a - U64 : a,
        data: neg & 2 ? d - U64 : d,
        ret: neg & 4 ? r - U64 : r,
        errno: this.errnos.name(this.subErrno[j]!) as Errno | null,
      });
    }
    return out;
  }

  *[Symbol.iterator](): Iterator<LedgerEntry> {
    for (let i = 0; i < this.length; i++) yield this.at(i)!;
  }

  /** Visit entries [from, to) one at a time (each object is garbage right after: flat memory). */
  forEach(fn: (e: LedgerEntry, i: number) => void, from = 0, to = this.length): void {
    for (let i = Math.max(0, from); i < Math.min(to, this.length); i++) fn(this.at(i)!, i);
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
    for (let i = 0; i < this.length; i++) {
      const e = this.at(i)!;
      if (fn(e, i)) return e;
    }
    return undefined;
  }

  /** Rows made by `pid` (no entry objects). */
  countPid(pid: number, from = 0): number {
    let n = 0;
    for (let i = from; i < this.length; i++) if (this.pid[i] === pid) n++;
    return n;
  }

  /** An independent copy (Kernel.clone). */
  clone(): Ledger {
    const c = new Ledger();
    c.length = this.length;
    c.cap = this.cap;
    for (const k of ['clockNs', 'pid', 'syscall', 'errno', 'flags', 'ret', 'argStart', 'argCount', 'argNeg', 'request', 'target', 'aux', 'subCount', 'args', 'subRequest', 'subAddr', 'subData', 'subRet', 'subNeg', 'subErrno'] as const) {
      (c as unknown as Record<string, unknown>)[k] = (this[k] as Uint8Array).slice();
    }
    c.argsUsed = this.argsUsed;
    c.subsUsed = this.subsUsed;
    c.syscalls = this.syscalls.copy();
    c.errnos = this.errnos.copy();
    c.regsets = this.regsets.copy();
    c.requestNames = new Map(this.requestNames);
    c.wide = new Map(this.wide);
    return c;
  }

  /** Bytes held by the columns and pools (for `npm run bench`: bytes per entry). */
  bytesHeld(): number {
    let n = 0;
    for (const k of ['clockNs', 'pid', 'syscall', 'errno', 'flags', 'ret', 'argStart', 'argCount', 'argNeg', 'request', 'target', 'aux', 'subCount', 'args', 'subRequest', 'subAddr', 'subData', 'subRet', 'subNeg', 'subErrno'] as const) n += (this[k] as Uint8Array).byteLength;
    return n;
  }

  /** Plain entries, for JSON dumps of small ledgers (stableJson in tests). */
  toJSON(): LedgerEntry[] {
    return this.slice();
  }
}
