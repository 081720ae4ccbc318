// What-if: replays a recorded ledger (ledger-from-strace.ts) under a batching policy and a
// cost profile, counting host syscalls and estimated time before (as recorded) and after
// (each batch = one PTRACE_MULTI). Streaming: state is one open run per caller plus the
// tallies, whatever the log's length.
//
// Arithmetic (checked in tests): after.hostSyscalls = before.hostSyscalls − Σ (k − 1) over
// batches of k requests.
import type { LedgerEntry, PtraceSub } from '../kernel/ledger.ts';
import { PTRACE, requestName } from '../ptrace/numbers.ts';
import type { LoggedCall, TraceEvent } from './ledger-from-strace.ts';
import { RunSplitter, type Run, type RuleId } from './legality.ts';
import { groupRun, type Policy } from './policy.ts';
import { addInto, price, totalNs, ZERO, type PriceBreakdown } from './price.ts';
import type { CostProfile } from './profile.ts';
import { expandForArch } from './arch-moves.ts';
import { HostProcessHistory, type CrossClassIndex } from './cross-cpu.ts';

export interface Row {
  calls: number;
  errors: number;
  ns: number;
}

/** One side (before or after) of one process, `strace -c` style. */
export interface Side {
  hostSyscalls: number;
  bySyscall: Record<string, Row>;
  byPtraceRequest: Record<string, Row>;
  /** Requests carried inside PTRACE_MULTI (after only). */
  bySubRequest: Record<string, number>;
  breakdown: PriceBreakdown;
}

export interface ProcessTally {
  pid: number;
  before: Side;
  after: Side;
}

export interface WhatIfResult {
  processes: Map<number, ProcessTally>;
  batches: { count: number; requests: number; byLength: Record<string, number> };
  runsEndedBy: Record<string, number>;
}

function newSide(): Side {
  return { hostSyscalls: 0, bySyscall: {}, byPtraceRequest: {}, bySubRequest: {}, breakdown: { ...ZERO } };
}

function bumpRow(m: Record<string, Row>, k: string, err: boolean, ns: number): void {
  const r = (m[k] ??= { calls: 0, errors: 0, ns: 0 });
  r.calls++;
  if (err) r.errors++;
  r.ns += ns;
}

function addCall(side: Side, entry: LedgerEntry, b: PriceBreakdown): void {
  const ns = totalNs(b);
  side.hostSyscalls++;
  bumpRow(side.bySyscall, entry.syscall, entry.errno !== null, ns);
  if (entry.ptrace) {
    bumpRow(side.byPtraceRequest, entry.ptrace.requestName, entry.errno !== null, ns);
    for (const s of entry.ptrace.sub ?? []) side.bySubRequest[s.requestName] = (side.bySubRequest[s.requestName] ?? 0) + 1;
  }
  addInto(side.breakdown, b);
}

/** The PTRACE_MULTI entry that carries `calls` (k ≥ 2, one caller, one tracee). */
export function multiEntry(calls: readonly LoggedCall[]): LedgerEntry {
  const first = calls[0]!.entry;
  const sub: PtraceSub[] = calls.map(({ entry: e }) => ({
    request: e.ptrace!.request, requestName: e.ptrace!.requestName,
    addr: e.args[2] ?? 0n, data: e.args[3] ?? 0n, ret: e.ret, errno: e.errno as PtraceSub['errno'],
  }));
  const last = calls[calls.length - 1]!.entry;
  const target = first.ptrace!.target;
  return {
    seq: first.seq, clockNs: first.clockNs, pid: first.pid, syscall: 'ptrace',
    args: [BigInt(PTRACE.MULTI), BigInt(target), 0n, BigInt(calls.length)],
    // First-failure rule (L5): the batch returns what its last (and only failing) entry returned.
    ret: last.errno !== null ? last.ret : 0n, errno: last.errno,
    ptrace: { request: PTRACE.MULTI, requestName: requestName(PTRACE.MULTI), target, sub },
  };
}

export class WhatIf {
  private readonly splitter = new RunSplitter();
  /** The host processes the log showed (cross-cpu.ts): a resume's class is taken as recorded, before any batching. */
  private readonly history = new HostProcessHistory();
  /** The class of each ptrace call waiting in an open run, until it is priced after batching. */
  private readonly classOf = new Map<LoggedCall, CrossClassIndex>();
  readonly result: WhatIfResult = { processes: new Map(), batches: { count: 0, requests: 0, byLength: {} }, runsEndedBy: {} };

  constructor(private readonly policy: Policy, private readonly profile: CostProfile) {}

  private proc(pid: number): ProcessTally {
    let p = this.result.processes.get(pid);
    if (!p) this.result.processes.set(pid, (p = { pid, before: newSide(), after: newSide() }));
    return p;
  }

  feed(ev: TraceEvent): void {
    if (ev.kind !== 'call') return this.runs(this.splitter.interrupt(ev.pid));
    for (const call of expandForArch(ev.call, this.profile)) {
      const e = call.entry;
      const cls = this.history.take(e);
      const b = price(e, this.profile, [call.transferBytes], cls);
      addCall(this.proc(e.pid).before, e, b);
      if (e.ptrace) this.classOf.set(call, cls);
      this.runs(this.splitter.call(call));
      if (!e.ptrace) addCall(this.proc(e.pid).after, e, b);
    }
  }

  finish(): WhatIfResult {
    this.runs(this.splitter.finish());
    return this.result;
  }

  private runs(runs: Run[]): void {
    for (const run of runs) {
      const why: RuleId | 'end-of-log' = run.endedBy;
      this.result.runsEndedBy[why] = (this.result.runsEndedBy[why] ?? 0) + 1;
      for (const g of groupRun(run.calls, this.policy)) {
        const pid = g[0]!.entry.pid;
        // A batch's round trip is its last request's, with that request's class as recorded.
        const cls = this.classOf.get(g[g.length - 1]!) ?? null;
        for (const c of g) this.classOf.delete(c);
        if (g.length === 1) {
          addCall(this.proc(pid).after, g[0]!.entry, price(g[0]!.entry, this.profile, [g[0]!.transferBytes], cls));
          continue;
        }
        const m = multiEntry(g);
        addCall(this.proc(pid).after, m, price(m, this.profile, g.map((c) => c.transferBytes), cls));
        const bt = this.result.batches;
        bt.count++;
        bt.requests += g.length;
        bt.byLength[String(g.length)] = (bt.byLength[String(g.length)] ?? 0) + 1;
      }
    }
  }
}

/** Run a whole event stream (sync or async). */
export async function whatIf(events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>, policy: Policy, profile: CostProfile): Promise<WhatIfResult> {
  const w = new WhatIf(policy, profile);
  for await (const ev of events) w.feed(ev);
  return w.finish();
}

/** Run a stream of event batches (ledger-from-strace.ts eventBatchesFromFile): one await per chunk, not per event. */
export async function whatIfBatches(batches: AsyncIterable<readonly TraceEvent[]>, policy: Policy, profile: CostProfile): Promise<WhatIfResult> {
  const w = new WhatIf(policy, profile);
  for await (const batch of batches) for (const ev of batch) w.feed(ev);
  return w.finish();
}
