// strace log → ledger. Rebuilds the host-syscall ledger (src/kernel/ledger.ts LedgerEntry)
// of a real run from its strace log, as a stream: signal and exit lines come through as
// events too, because they bound where batching is legal (policy.ts).
//
// Conventions: a log without a pid column is one traced process, recorded as pid 0. A call
// split into unfinished/resumed halves is emitted when it completes, with its start's
// timestamp. clockNs counts from the log's first timestamp (0 when the log has none).
import type { LedgerEntry } from '../kernel/ledger.ts';
import { parseLine, SyntaxFault, type StraceLine } from './strace/line.ts';
import { Pairer, type Joined } from './strace/pair.ts';
import { argValue, decodePtrace, decodeWaitStatus } from './strace/decode.ts';
import type { ReadProgress } from './strace/reader.ts';
import { fastParse } from './strace/fast-line.ts';
import { scanLogFile } from './strace/scan.ts';

export interface LoggedCall {
  readonly entry: LedgerEntry;
  /** Line that completed the call (the resumed half for split calls). */
  readonly line: number;
  /** Line where the call started. */
  readonly startLine: number;
  /** Bytes moved tracer↔tracee by the call (regsets, process_vm_readv/writev). */
  readonly transferBytes?: number;
  /** strace -T time spent in the call. */
  readonly durationUs?: number;
}

export type TraceEvent =
  | { readonly kind: 'call'; readonly call: LoggedCall }
  | { readonly kind: 'signal'; readonly pid: number; readonly signal: string; readonly line: number }
  | { readonly kind: 'exit'; readonly pid: number; readonly line: number };

/** A malformed line: `line` is 1-based. */
export class LogError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

export interface LedgerOptions {
  /** Count and skip malformed lines instead of failing on the first one. */
  readonly lenient?: boolean;
}

const WAIT_FLAGS: Record<string, number> = {
  WNOHANG: 0x1, WUNTRACED: 0x2, WSTOPPED: 0x2, WEXITED: 0x4, WCONTINUED: 0x8, WNOWAIT: 0x01000000,
  __WNOTHREAD: 0x20000000, __WALL: 0x40000000, __WCLONE: 0x80000000,
};

/** wait4's options argument (`WSTOPPED|__WALL`, a number); SyntaxFault on an unknown flag. */
export function waitOptions(text: string | undefined): bigint {
  const n = argValue(text);
  if (n !== undefined) return n;
  let v = 0;
  for (const f of (text ?? '').split('|')) {
    const bit = WAIT_FLAGS[f.trim()];
    if (bit === undefined) throw new SyntaxFault(`wait4: unknown option "${f.trim()}"`);
    v |= bit;
  }
  return BigInt(v >>> 0);
}

/** Incremental builder: feed lines in order, collect events; bounded state (one pending call per thread). */
export class LedgerBuilder {
  private readonly pairer = new Pairer();
  private seq = 0;
  private t0Us: number | null = null;
  skipped = 0;
  lines = 0;
  /** First few skipped lines (lenient mode), for the report. */
  readonly skippedSamples: { line: number; message: string }[] = [];

  constructor(private readonly opts: LedgerOptions = {}) {}

  feed(text: string, line: number): TraceEvent[] {
    this.lines = line;
    try {
      return this.feedStrict(parseLine(text), line);
    } catch (e) {
      if (!(e instanceof SyntaxFault)) throw e;
      if (!this.opts.lenient) throw new LogError(line, e.message);
      this.skipped++;
      if (this.skippedSamples.length < 10) this.skippedSamples.push({ line, message: e.message });
      return [];
    }
  }

  /**
   * The same as feed(b.toString('utf8', start, end), line), pushing onto `out`: the common
   * lines are read from the bytes (strace/fast-line.ts), the rest by parseLine.
   */
  feedBytes(b: Buffer, start: number, end: number, line: number, out: TraceEvent[]): void {
    this.lines = line;
    try {
      const evs = this.feedStrict(fastParse(b, start, end) ?? parseLine(b.toString('utf8', start, end)), line);
      for (let i = 0; i < evs.length; i++) out.push(evs[i]!);
    } catch (e) {
      if (!(e instanceof SyntaxFault)) throw e;
      if (!this.opts.lenient) throw new LogError(line, e.message);
      this.skipped++;
      if (this.skippedSamples.length < 10) this.skippedSamples.push({ line, message: e.message });
    }
  }

  /** End of log: calls still in flight entered the kernel, so they are ledger entries (ret unknown). */
  finish(): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (const pid of this.pairer.pids()) {
      const j = this.pairer.abandon(pid);
      if (j) out.push(this.callEvent(j, this.lines));
    }
    return out;
  }

  private feedStrict(l: StraceLine, line: number): TraceEvent[] {
    switch (l.kind) {
      case 'blank':
      case 'note':
        return [];
      case 'unfinished':
        this.pairer.start(l, line);
        return [];
      case 'resumed':
        return [this.callEvent(this.pairer.resume(l), line)];
      case 'call':
        return [this.callEvent({ call: l, startLine: line }, line)];
      case 'signal':
        return [{ kind: 'signal', pid: l.pid ?? 0, signal: l.signal, line }];
      case 'exit': {
        const j = this.pairer.abandon(l.pid);
        const out: TraceEvent[] = j ? [this.callEvent(j, line)] : [];
        out.push({ kind: 'exit', pid: l.pid ?? 0, line });
        return out;
      }
    }
  }

  private callEvent(j: Joined, line: number): TraceEvent {
    const c = j.call;
    if (c.timeUs !== null && this.t0Us === null) this.t0Us = c.timeUs;
    const clockNs = c.timeUs === null || this.t0Us === null ? 0 : (c.timeUs - this.t0Us) * 1000;
    const ret = c.result.ret ?? (c.result.errno ? -1n : 0n);
    // strace knows more errno names than the kernel model's table; the name is kept as printed.
    const errno = c.result.errno as LedgerEntry['errno'];
    // Objects built field by field in a fixed order (no spreads: this runs once per logged call).
    const seq = this.seq++;
    const pid = c.pid ?? 0;
    let entry: LedgerEntry;
    let transferBytes: number | undefined;
    if (c.name === 'ptrace') {
      const p = decodePtrace(c.args);
      transferBytes = p.transferBytes;
      const ptrace: NonNullable<LedgerEntry['ptrace']> & { regset?: string; signal?: number } = { request: p.request, requestName: p.requestName, target: p.target };
      if (p.regset !== undefined) ptrace.regset = p.regset;
      if (p.signal !== undefined) ptrace.signal = p.signal;
      entry = { seq, clockNs, pid, syscall: c.name, ret, errno, args: [BigInt(p.request), BigInt(p.target), p.addr, p.data], ptrace };
    } else if (c.name === 'wait4') {
      const status = c.result.errno || c.result.ret === null || c.result.ret === 0n ? null : decodeWaitStatus(c.args[1]);
      entry = { seq, clockNs, pid, syscall: c.name, ret, errno, args: [argValue(c.args[0]) ?? 0n, 0n, waitOptions(c.args[2]), 0n], wait: { status } };
    } else {
      entry = { seq, clockNs, pid, syscall: c.name, ret, errno, args: c.args.map((a) => argValue(a) ?? 0n) };
      if ((c.name === 'process_vm_readv' || c.name === 'process_vm_writev') && ret > 0n) transferBytes = Number(ret);
    }
    const call: { -readonly [K in keyof LoggedCall]: LoggedCall[K] } = { entry, line, startLine: j.startLine };
    if (transferBytes !== undefined) call.transferBytes = transferBytes;
    if (c.durationUs !== null) call.durationUs = c.durationUs;
    return { kind: 'call', call };
  }
}

/** Events of an in-memory log (tests, small inputs). */
export function eventsFromText(text: string, opts: LedgerOptions = {}): TraceEvent[] {
  const b = new LedgerBuilder(opts);
  const out: TraceEvent[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((t, i) => out.push(...b.feed(t, i + 1)));
  out.push(...b.finish());
  return out;
}

/** The ledger of an in-memory log (calls only). */
export function ledgerFromText(text: string, opts: LedgerOptions = {}): LedgerEntry[] {
  return eventsFromText(text, opts).flatMap((e) => (e.kind === 'call' ? [e.call.entry] : []));
}

/** Stream the events of a log file (plain or gzip) in batches, one per chunk read (the byte-level scanner, strace/scan.ts). */
export async function* eventBatchesFromFile(
  path: string,
  opts: LedgerOptions & { onProgress?: (p: ReadProgress) => void; builder?: LedgerBuilder } = {},
): AsyncGenerator<TraceEvent[]> {
  const b = opts.builder ?? new LedgerBuilder(opts);
  let out: TraceEvent[] = [];
  for await (const _lines of scanLogFile(path, (buf, s, e, line) => b.feedBytes(buf, s, e, line, out), opts.onProgress)) {
    if (out.length) {
      yield out;
      out = [];
    }
  }
  out.push(...b.finish());
  if (out.length) yield out;
}

/** Stream the events of a log file (plain or gzip). The builder is returned through `builder` for its counters. */
export async function* eventsFromFile(
  path: string,
  opts: LedgerOptions & { onProgress?: (p: ReadProgress) => void; builder?: LedgerBuilder } = {},
): AsyncGenerator<TraceEvent> {
  for await (const batch of eventBatchesFromFile(path, opts)) yield* batch;
}
