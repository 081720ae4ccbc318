// One chunk of the compact ledger (ledger-store.ts): the columns of up to `cap` rows, and the
// argument and PTRACE_MULTI sub-request pools of those rows. A row's pool words and sub rows
// live in its own chunk, so whole chunks can be dropped (streaming) or cloned on their own.

/** Grow a pool to at least `need` entries, doubling (pools belong to one chunk: bounded copies). */
function grown<T extends Uint32Array | Int32Array | Uint8Array | BigUint64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = Math.max(16, a.length * 2);
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a as never);
  return b;
}

/** Pool words reserved per row at first: a ptrace row takes 2–4 (addr, data), a wait4 row 4. */
const ARG_WORDS_PER_ROW = 3;

export class LedgerChunk {
  clockNs: Float64Array;
  pid: Int32Array;
  syscall: Uint8Array;
  errno: Uint8Array;
  flags: Uint16Array;
  /** The return value when it fits an Int32 (else WIDE, the value in the ledger's wideRet by seq). */
  ret: Int32Array;
  /** First pool word of the row, in this chunk's `args`. */
  argStart: Uint32Array;
  argCount: Uint8Array;
  /**
   * Argument encoding: bit k set = argument k was negative; bit 8+k set = it took two pool
   * words (lo, hi of its value mod 2^64). A value in [0, 2^32) takes one word.
   */
  argBits: Uint16Array;
  /** Request numbers fit 16 bits (PTRACE_* < 0x4300); others are WIDE16 plus the wide map. */
  request: Uint16Array;
  target: Int32Array;
  /** wait4: the status; ptrace: the regset id (F_REGSET), the injected signal (F_SIGNAL) or the first sub row in this chunk (F_SUB). */
  aux: Int32Array;
  subCount: Uint8Array;
  // The argument pool: 32-bit words (see argBits).
  args: Uint32Array;
  argsUsed = 0;
  // The PTRACE_MULTI sub-request pool.
  subRequest = new Int32Array(0);
  subAddr = new BigUint64Array(0);
  subData = new BigUint64Array(0);
  subRet = new BigUint64Array(0);
  subNeg = new Uint8Array(0); // bit 0 addr, 1 data, 2 ret negative
  subErrno = new Uint8Array(0);
  subsUsed = 0;

  constructor(readonly cap: number) {
    this.clockNs = new Float64Array(cap);
    this.pid = new Int32Array(cap);
    this.syscall = new Uint8Array(cap);
    this.errno = new Uint8Array(cap);
    this.flags = new Uint16Array(cap);
    this.ret = new Int32Array(cap);
    this.argStart = new Uint32Array(cap);
    this.argCount = new Uint8Array(cap);
    this.argBits = new Uint16Array(cap);
    this.request = new Uint16Array(cap);
    this.target = new Int32Array(cap);
    this.aux = new Int32Array(cap);
    this.subCount = new Uint8Array(cap);
    this.args = new Uint32Array(cap * ARG_WORDS_PER_ROW);
  }

  /** This chunk's first `rows` rows in a chunk of capacity `cap` (a copy: the first chunk growing, or a clone). */
  copy(cap: number, rows: number): LedgerChunk {
    const c = new LedgerChunk(cap);
    c.clockNs.set(this.clockNs.subarray(0, rows)); c.pid.set(this.pid.subarray(0, rows)); c.syscall.set(this.syscall.subarray(0, rows));
    c.errno.set(this.errno.subarray(0, rows)); c.flags.set(this.flags.subarray(0, rows)); c.ret.set(this.ret.subarray(0, rows));
    c.argStart.set(this.argStart.subarray(0, rows)); c.argCount.set(this.argCount.subarray(0, rows)); c.argBits.set(this.argBits.subarray(0, rows));
    c.request.set(this.request.subarray(0, rows)); c.target.set(this.target.subarray(0, rows)); c.aux.set(this.aux.subarray(0, rows));
    c.subCount.set(this.subCount.subarray(0, rows));
    c.args = grown(c.args, this.argsUsed);
    c.args.set(this.args.subarray(0, this.argsUsed));
    c.argsUsed = this.argsUsed;
    c.subRequest = this.subRequest.slice(); c.subAddr = this.subAddr.slice(); c.subData = this.subData.slice();
    c.subRet = this.subRet.slice(); c.subNeg = this.subNeg.slice(); c.subErrno = this.subErrno.slice();
    c.subsUsed = this.subsUsed;
    return c;
  }

  /** Room for `n` more pool words. */
  reserveArgs(n: number): void {
    if (this.argsUsed + n > this.args.length) this.args = grown(this.args, this.argsUsed + n);
  }

  /** Room for `n` more sub rows (only multi-mode runs have them, five or so per guest syscall). */
  reserveSubs(n: number): void {
    const need = this.subsUsed + n;
    if (need <= this.subRequest.length) return;
    this.subRequest = grown(this.subRequest, need); this.subAddr = grown(this.subAddr, need); this.subData = grown(this.subData, need);
    this.subRet = grown(this.subRet, need); this.subNeg = grown(this.subNeg, need); this.subErrno = grown(this.subErrno, need);
  }

  /** Bytes held by the columns and pools. */
  bytes(): number {
    return this.clockNs.byteLength + this.pid.byteLength + this.syscall.byteLength + this.errno.byteLength + this.flags.byteLength
      + this.ret.byteLength + this.argStart.byteLength + this.argCount.byteLength + this.argBits.byteLength + this.request.byteLength
      + this.target.byteLength + this.aux.byteLength + this.subCount.byteLength + this.args.byteLength + this.subRequest.byteLength
      + this.subAddr.byteLength + this.subData.byteLength + this.subRet.byteLength + this.subNeg.byteLength + this.subErrno.byteLength;
  }
}
