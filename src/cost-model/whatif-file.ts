// `ptsim whatif`'s path from bytes to tallies: each line is read in place (strace/call-scan.ts)
// and fed as a compact call to WhatIfTally (whatif-tally.ts); ptrace and wait4 are decoded
// from the bytes the ledger reads (request, target, a regset's length; wait4's status and
// options are checked once per distinct text). Lines the fast path does not take (exit lines,
// unfinished/resumed halves, comments, malformed lines, TRACEME, an ARCH_PRCTL code that is
// not a plain number, process_vm_readv/writev, …) go through the reference reader (ledger-from-strace.ts
// LedgerBuilder), which also owns line numbers, --lenient and the FILE:LINE errors; so the
// report is the reference's (whatif.ts over eventBatchesFromFile) byte for byte.
import { PTRACE } from '../ptrace/numbers.ts';
import { decodeWaitStatus } from './strace/decode.ts';
import { ByteMap } from './strace/byte-map.ts';
import { CALL, LineScan, PTRACE_CALL, SIGNAL, WAIT4_CALL } from './strace/call-scan.ts';
import { NameTrie } from './strace/name-trie.ts';
import { scanLogFile } from './strace/scan.ts';
import { SyntaxFault } from './strace/tokenize.ts';
import type { ReadProgress } from './strace/reader.ts';
import { LedgerBuilder, waitOptions, type LedgerOptions, type TraceEvent } from './ledger-from-strace.ts';
import type { Policy } from './policy.ts';
import type { CostProfile } from './profile.ts';
import { WhatIfTally, type TallyRequest } from './whatif-tally.ts';
import { waitHostNs } from './host-terms.ts';
import type { WhatIfResult } from './whatif.ts';

const IOV_BASE = Buffer.from('{iov_base=');
const IOV_LEN = Buffer.from(', iov_len=');
const PROCESS_VM = Buffer.from('process_vm_');
const SIG = Buffer.from('SIG');
/** The caller's own host-process creations (cross-cpu.ts: their returned pid): left to the reference. */
const OWN_CREATIONS = ['fork', 'vfork', 'clone', 'clone3'].map((n) => Buffer.from(n));

/** Requests the fast path leaves to the reference: TRACEME has no target. */
const SLOW_REQUESTS = new Set<number>([PTRACE.TRACEME]);
/** arch_prctl codes that read (legality.ts access: ARCH_GET_FS, ARCH_GET_GS). */
const ARCH_GET_FS = 0x1003;
const ARCH_GET_GS = 0x1004;

function same(b: Buffer, s: number, e: number, name: Buffer): boolean {
  if (e - s !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (b[s + i] !== name[i]) return false;
  return true;
}

/** Decimal digits b[s, e) as a number (at most 15 digits, so exact), or -1. */
function digits(b: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 15) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

const HEX = new Uint8Array(256).fill(0xff);
for (let c = 0; c < 16; c++) HEX['0123456789abcdef'.charCodeAt(c)] = HEX['0123456789ABCDEF'.charCodeAt(c)] = c;

/**
 * tokenize.ts parseNumber for decimal digits or `0x` and hex digits (at most 12, so exact) in
 * b[s, e), or -1 for anything else (then the reference decides).
 */
function number(b: Buffer, s: number, e: number): number {
  if (e - s < 3 || b[s] !== 0x30 || (b[s + 1] !== 0x78)) return digits(b, s, e);
  if (e - s > 14) return -1;
  let n = 0;
  for (let i = s + 2; i < e; i++) {
    const d = HEX[b[i]!]!;
    if (d === 0xff) return -1;
    n = n * 16 + d;
  }
  return n;
}

export interface WhatIfRun {
  readonly result: WhatIfResult;
  /** Lines read, malformed lines skipped (--lenient) and the first few of them (ledger-from-strace.ts LedgerBuilder). */
  readonly lines: number;
  readonly skippedLines: number;
  readonly skipped: readonly { line: number; message: string }[];
}

/** Feed lines (byte ranges, 1-based numbers, in order) with line(); then finish(). */
export class WhatIfReader {
  readonly builder: LedgerBuilder;
  private readonly tally: WhatIfTally;
  private readonly scan: LineScan;
  /** `PTRACE_…` request names → their record: by the scanner's trie id (requestById), else by text. */
  private readonly requests = new ByteMap<TallyRequest>(256);
  private readonly requestById: TallyRequest[] = [];
  private readonly syscalls = new ByteMap<number>(4096);
  /** A wait4 status text → its host term (host-terms.ts waitHostNs), −1 if it does not decode: by its known-group id (call-scan.ts), else by its text. */
  private readonly statusHostNsByGroup: number[] = [];
  private readonly statusHostNs = new ByteMap<number>(4096);
  private readonly optionsOk = new ByteMap<boolean>(4096);
  private readonly profile: CostProfile;
  private readonly events: TraceEvent[] = [];
  private lastLine = 0;

  constructor(policy: Policy, profile: CostProfile, opts: LedgerOptions = {}) {
    this.builder = new LedgerBuilder(opts);
    this.tally = new WhatIfTally(policy, profile);
    this.profile = profile;
    const trie = new NameTrie();
    for (const [k, nr] of Object.entries(PTRACE)) {
      if (SLOW_REQUESTS.has(nr)) continue;
      this.requests.setText(`PTRACE_${k}`, this.tally.req(nr));
      trie.add(`PTRACE_${k}`, this.requestById.length);
      this.requestById.push(this.tally.req(nr));
    }
    this.scan = new LineScan(trie);
  }

  /** One line, bytes b[s, e) without its line end. */
  line(b: Buffer, s: number, e: number, line: number): void {
    this.lastLine = line; // the builder's count, handed over in slow() and finish()
    const sc = this.scan;
    const kind = sc.scan(b, s, e);
    if (kind === SIGNAL) return this.tally.interrupt(sc.pid);
    if (kind !== CALL || !this.call(b)) this.slow(b, s, e, line);
  }

  finish(): WhatIfRun {
    if (this.lastLine > this.builder.lines) this.builder.lines = this.lastLine;
    const evs = this.builder.finish();
    for (const ev of evs) this.event(ev);
    const b = this.builder;
    return { result: this.tally.finish(), lines: b.lines, skippedLines: b.skipped, skipped: b.skippedSamples };
  }

  /** The scanned call, or false to hand the line to the reference. */
  private call(b: Buffer): boolean {
    const sc = this.scan;
    const ns = sc.nameStart;
    const ne = sc.nameEnd;
    const name = sc.name;
    if (name === PTRACE_CALL) {
      if (sc.argc < 2) return false;
      const known = sc.request >= 0;
      const r = known ? this.requestById[sc.request]! : this.requests.get(b, sc.argStart[0]!, sc.argEnd[0]!);
      if (r === undefined) return false;
      const target = known ? sc.target : digits(b, sc.argStart[1]!, sc.argEnd[1]!);
      if (target < 0) return false;
      let bytes = 0;
      let req = r;
      let archGet = false;
      if (r.request === PTRACE.ARCH_PRCTL) {
        // legality.ts access: the code (decode.ts: the data argument, the 4th) decides read or write.
        if (sc.argc !== 4) return false;
        const code = number(b, sc.argStart[3]!, sc.argEnd[3]!);
        if (code < 0) return false;
        archGet = code === ARCH_GET_FS || code === ARCH_GET_GS;
      } else if (r.request === PTRACE.CONT) {
        // strace/decode.ts: the data argument is the signal; none (0) is a stub run (host-terms.ts).
        if (sc.argc < 4) return false;
        const sig = digits(b, sc.argStart[3]!, sc.argEnd[3]!);
        if (sig === 0) req = this.tally.stubRunReq();
        else if (sig < 0 && !same(b, sc.argStart[3]!, sc.argStart[3]! + SIG.length, SIG)) return false;
      } else if (r.request === PTRACE.GETREGSET || r.request === PTRACE.SETREGSET) {
        if (sc.argc < 4) return false;
        bytes = iovLen(b, sc.argStart[3]!, sc.argEnd[3]!);
        if (bytes < 0) return false;
      }
      this.tally.ptrace(sc.pid, req, target, archGet, sc.failed, bytes);
      return true;
    }
    if (name === WAIT4_CALL) {
      if (sc.argc < 3) return false;
      // ledger-from-strace.ts callEvent: the status is decoded when the call returned a pid, then the options.
      // A returned pid (> 0: not failed, not `?`, not 0) with its status: the host term (a reap, a SIGSEGV stop).
      let hostNs = 0;
      if (!sc.failed && !sc.retNull && !sc.retZero) {
        hostNs = this.statusHost(b);
        if (hostNs < 0) return false;
      }
      const options = this.optionsOk.get(b, sc.argStart[2]!, sc.argEnd[2]!) ?? this.learnOptions(b, sc.argStart[2]!, sc.argEnd[2]!);
      if (!options) return false;
      this.tally.syscall(sc.pid, 1, sc.failed, 0, hostNs);
      return true;
    }
    // process_vm_readv/writev move `ret` bytes: left to the reference.
    if (ne - ns >= PROCESS_VM.length && same(b, ns, ns + PROCESS_VM.length, PROCESS_VM)) return false;
    for (const name of OWN_CREATIONS) if (same(b, ns, ne, name)) return false;
    let id = this.syscalls.get(b, ns, ne);
    if (id === undefined) {
      id = this.tally.syscallId(b.toString('latin1', ns, ne));
      this.syscalls.set(b, ns, ne, id);
    }
    this.tally.syscall(sc.pid, id, sc.failed, 0);
    return true;
  }

  /** The host term of the scanned wait4's status (argument 1), −1 if it does not decode; remembered per distinct text. */
  private statusHost(b: Buffer): number {
    const sc = this.scan;
    const s = sc.argStart[1]!;
    const e = sc.argEnd[1]!;
    const g = sc.argGroup[1]!;
    const known = g >= 0 ? this.statusHostNsByGroup[g] : this.statusHostNs.get(b, s, e);
    if (known !== undefined) return known;
    const ns = syntaxOk(() => waitHostNs(decodeWaitStatus(b.toString('utf8', s, e)), 1, this.profile), -1);
    if (g >= 0) this.statusHostNsByGroup[g] = ns;
    else this.statusHostNs.set(b, s, e, ns);
    return ns;
  }

  /** Whether waitOptions accepts the options text b[s, e), remembered. */
  private learnOptions(b: Buffer, s: number, e: number): boolean {
    const ok = syntaxOk(() => (waitOptions(b.toString('utf8', s, e)), true), false);
    this.optionsOk.set(b, s, e, ok);
    return ok;
  }

  private slow(b: Buffer, s: number, e: number, line: number): void {
    const evs = this.events;
    this.builder.feedBytes(b, s, e, line, evs);
    for (let i = 0; i < evs.length; i++) this.event(evs[i]!);
    evs.length = 0;
  }

  private event(ev: TraceEvent): void {
    if (ev.kind === 'call') this.tally.loggedCall(ev.call);
    else this.tally.interrupt(ev.pid);
  }
}

/** `decode()`, or `failed` when it throws a SyntaxFault (any other error is thrown on). */
function syntaxOk<T>(decode: () => T, failed: T): T {
  try {
    return decode();
  } catch (err) {
    if (!(err instanceof SyntaxFault)) throw err;
    return failed;
  }
}

/**
 * decode.ts decodePtrace's regset length, for exactly `{iov_base=X, iov_len=N}` and
 * `{iov_base=X, iov_len=N => M}` (the length after `=>`); -1 for anything else.
 */
function iovLen(b: Buffer, s: number, e: number): number {
  if (b[e - 1] !== 0x7d || e - s < IOV_BASE.length + IOV_LEN.length + 3 || !same(b, s, s + IOV_BASE.length, IOV_BASE)) return -1;
  let i = s + IOV_BASE.length;
  const v0 = i;
  while (i < e && ((b[i]! >= 0x30 && b[i]! <= 0x39) || (b[i]! >= 0x61 && b[i]! <= 0x7a) || (b[i]! >= 0x41 && b[i]! <= 0x5a) || b[i] === 0x5f)) i++;
  if (i === v0 || !same(b, i, i + IOV_LEN.length, IOV_LEN)) return -1;
  i += IOV_LEN.length;
  const d0 = i;
  while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  if (i === e - 1) return digits(b, d0, i);
  // ` => M}`
  if (b[i] !== 0x20 || b[i + 1] !== 0x3d || b[i + 2] !== 0x3e || b[i + 3] !== 0x20 || digits(b, d0, i) < 0) return -1;
  return digits(b, i + 4, e - 1);
}

/** What-if of a log file (plain or gzip): the report's inputs, through the fast reader. */
export async function whatIfFile(
  path: string, policy: Policy, profile: CostProfile,
  opts: LedgerOptions & { onProgress?: (p: ReadProgress) => void; plainChunkBytes?: number } = {},
): Promise<WhatIfRun> {
  const r = new WhatIfReader(policy, profile, opts);
  for await (const _lines of scanLogFile(path, (b, s, e, line) => r.line(b, s, e, line), opts.onProgress, undefined, opts.plainChunkBytes)) {
    // one await per chunk; the lines were fed by the scanner's callback
  }
  return r.finish();
}
