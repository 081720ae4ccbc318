// The what-if engine over compact call records: the same tallies as whatif.ts WhatIf (the
// reference, kept for the tests) without a LedgerEntry, a Run or a PriceBreakdown per call.
// A call is a few numbers (pid, interned syscall, request, target, failed, bytes); the open run
// of each caller (legality.ts RunSplitter's rules R2–R8) is a reused buffer; closed runs are
// grouped by the policy (policy.ts groupRun) and priced (price.ts) in place. Every float sum
// is added in the reference's order, so reports are byte-identical (checked on random logs in
// test/cost-model/whatif-fast.test.ts).
import { PTRACE, requestName } from '../ptrace/numbers.ts';
import { RESUMES, STANDALONE, access, type RuleId } from './legality.ts';
import type { LoggedCall } from './ledger-from-strace.ts';
import type { Policy } from './policy.ts';
import type { CostProfile } from './profile.ts';
import { requestHostNs, waitHostNs, wakeupNs } from './host-terms.ts';
import { FIRST, HostProcessHistory, type CrossClassIndex } from './cross-cpu.ts';
import { zeroBreakdown } from './price.ts';
import type { ProcessTally, Row, Side, WhatIfResult } from './whatif.ts';

const K_READ = 0;
const K_WRITE = 1;
const K_RESUME = 2;
const K_STANDALONE = 3;

const WORD_MEMORY = new Set<number>([PTRACE.PEEKTEXT, PTRACE.PEEKDATA, PTRACE.POKETEXT, PTRACE.POKEDATA]);
const SYSCALL_STOP = new Set<number>([PTRACE.SYSCALL, PTRACE.SYSEMU]);
const SIGNAL_STOP = new Set<number>([PTRACE.CONT, PTRACE.SINGLESTEP, PTRACE.SINGLEBLOCK, PTRACE.SYSEMU_SINGLESTEP]);
const GETS = new Set<number>([PTRACE.GETREGS, PTRACE.GETFPREGS, PTRACE.GETFPXREGS, PTRACE.GETREGSET]);
const SETS = new Set<number>([PTRACE.SETREGS, PTRACE.SETFPREGS, PTRACE.SETFPXREGS, PTRACE.SETREGSET]);

/** A ptrace request with everything the rules, the policy and the price need, computed once. */
interface Req {
  readonly index: number;
  readonly request: number;
  readonly name: string;
  /** K_*; ARCH_PRCTL is decided per call (its data argument). */
  readonly kind: number;
  /** price.ts, a single call: ptraceDispatchNs + the request's work. */
  readonly requestNs: number;
  /** price.ts inside a MULTI: (multiSubDispatchNs + multiEntryCopyInNs) + work. */
  readonly subNs: number;
  readonly wordMemory: boolean;
  /** Round trip when the request succeeded. */
  readonly roundTripNs: number;
  /** Its cross-CPU wake-ups when the request succeeded, by the class of the host process resumed (host-terms.ts wakeupNs, cross-cpu.ts). */
  readonly wakeupNs: readonly [number, number, number];
  /** (OLD)SETOPTIONS: a new host process (cross-cpu.ts HostProcessHistory.optionsSet). */
  readonly setsOptions: boolean;
  /** A resume with a round trip (cross-cpu.ts HostProcessHistory.resumed). */
  readonly resumes: boolean;
  /** Host work of the request when it succeeded (host-terms.ts requestHostNs: a new host process; a stub run for stubRunReq()). */
  readonly hostWorkNs: number;
  /** merge = 'runs' with a request list: whether it may join a batch. */
  readonly batchable: boolean;
}

/** Per process: the reference's ProcessTally plus row caches and the open run. */
interface Proc {
  readonly pid: number;
  readonly tally: ProcessTally;
  readonly beforeSys: (Row | undefined)[];
  readonly afterSys: (Row | undefined)[];
  readonly beforeReq: (Row | undefined)[];
  readonly afterReq: (Row | undefined)[];
  /** Sub-requests of the after side's MULTI calls by request index (Req.index); the names are filled in by finish(). */
  readonly afterSub: number[];
  open: boolean;
  target: number;
  sawRead: boolean;
  len: number;
  reqs: Req[];
  failed: boolean[];
  bytes: number[];
  /** The class of each request's target as recorded (cross-cpu.ts). */
  cls: CrossClassIndex[];
}

function newSide(): Side {
  return { hostSyscalls: 0, bySyscall: {}, byPtraceRequest: {}, bySubRequest: {}, breakdown: zeroBreakdown() };
}

/** whatif.ts bumpRow's row lookup (`m[k] ??= …`), done once per key and cached by the caller. */
function rowOf(m: Record<string, Row>, k: string): Row {
  return (m[k] ??= { calls: 0, errors: 0, ns: 0 });
}

export class WhatIfTally {
  readonly result: WhatIfResult = { processes: new Map(), batches: { count: 0, requests: 0, byLength: {} }, runsEndedBy: {} };
  private readonly procs = new Map<number, Proc>();
  private last: Proc | null = null;
  private readonly reqs: Req[] = [];
  private readonly reqByNr = new Map<number, Req>();
  private readonly sysNames: string[] = [];
  private readonly sysIds = new Map<string, number>();
  private readonly sysRequestNs: number[] = [];
  private readonly entryExitNs: number;
  private readonly dispatchNs: number;
  private readonly perByteNs: number;
  private readonly perWordNs: number;
  private readonly maxBatch: number;
  private readonly pairs: boolean;
  private readonly multiReq: Req;
  private readonly peekUser: Req;
  private readonly pokeUser: Req;
  /** The host processes the log showed (cross-cpu.ts), as whatif.ts WhatIf's. */
  private readonly history = new HostProcessHistory();
  /** Whether a round trip's price depends on the class (host-terms.ts wakeupNs: only with crossCpuRates); if not, the history is not kept. */
  private readonly classesPriced: boolean;

  constructor(private readonly policy: Policy, private readonly profile: CostProfile) {
    const c = profile.costs;
    this.entryExitNs = c.syscallEntryExitNs.ns;
    this.dispatchNs = c.ptraceDispatchNs.ns;
    this.perByteNs = c.transferNsPerByte.ns;
    this.perWordNs = c.transferNsPerWord.ns;
    this.maxBatch = policy.data.maxBatch === 0 ? Infinity : policy.data.maxBatch;
    this.pairs = policy.data.merge === 'pairs';
    this.classesPriced = !!profile.crossCpuRates;
    this.syscallId('ptrace');
    this.syscallId('wait4');
    this.peekUser = this.req(PTRACE.PEEKUSER);
    this.pokeUser = this.req(PTRACE.POKEUSER);
    this.multiReq = this.req(PTRACE.MULTI);
  }

  /** The interned id of a syscall name (0: ptrace, 1: wait4). */
  syscallId(name: string): number {
    let id = this.sysIds.get(name);
    if (id === undefined) {
      id = this.sysNames.length;
      this.sysIds.set(name, id);
      this.sysNames.push(name);
      // price.ts, a call that is not ptrace.
      this.sysRequestNs.push(this.profile.requestNs[name]?.ns ?? 0);
    }
    return id;
  }

  /** The request record of a ptrace request number. */
  req(request: number): Req {
    let r = this.reqByNr.get(request);
    if (r) return r;
    const name = requestName(request);
    const p = this.profile;
    const c = p.costs;
    const work = (p.requestNs[name] ?? p.requestNs.default!).ns;
    const kind = STANDALONE.has(request) ? K_STANDALONE : RESUMES.has(request) ? K_RESUME : access({ entry: { seq: 0, clockNs: 0, pid: 0, syscall: 'ptrace', args: [], ret: 0n, errno: null, ptrace: { request, requestName: name, target: 0 } }, line: 0, startLine: 0 }) === 'read' ? K_READ : K_WRITE;
    const roundTripNs = SYSCALL_STOP.has(request) ? c.roundTripSyscallStopNs.ns : SIGNAL_STOP.has(request) ? c.roundTripSignalStopNs.ns : 0;
    r = {
      index: this.reqs.length, request, name, kind,
      requestNs: c.ptraceDispatchNs.ns + work,
      subNs: c.multiSubDispatchNs.ns + c.multiEntryCopyInNs.ns + work,
      wordMemory: WORD_MEMORY.has(request),
      roundTripNs,
      wakeupNs: [wakeupNs(roundTripNs, p, 0), wakeupNs(roundTripNs, p, 1), wakeupNs(roundTripNs, p, 2)],
      setsOptions: request === PTRACE.OLDSETOPTIONS || request === PTRACE.SETOPTIONS,
      resumes: SYSCALL_STOP.has(request) || SIGNAL_STOP.has(request), // a round trip (cross-cpu.ts RESUMES)
      hostWorkNs: requestHostNs(request, p, 1), // as with a signal: a CONT without one is stubRunReq()
      batchable: !this.policy.requests || this.policy.requests.has(request),
    };
    this.reqs.push(r);
    this.reqByNr.set(request, r);
    return r;
  }

  /**
   * The record of a PTRACE_CONT with no signal, a stub run: the CONT record (same row index and
   * name) whose host work is the stub run's (host-terms.ts requestHostNs with signal 0).
   */
  stubRunReq(): Req {
    if (this.stubRun) return this.stubRun;
    const cont = this.req(PTRACE.CONT);
    this.stubRun = { ...cont, hostWorkNs: requestHostNs(PTRACE.CONT, this.profile, 0) };
    return this.stubRun;
  }

  private stubRun: Req | undefined;

  private proc(pid: number): Proc {
    const l = this.last;
    if (l !== null && l.pid === pid) return l;
    let p = this.procs.get(pid);
    if (!p) {
      p = {
        pid, tally: { pid, before: newSide(), after: newSide() }, beforeSys: [], afterSys: [], beforeReq: [], afterReq: [], afterSub: [],
        open: false, target: 0, sawRead: false, len: 0, reqs: [], failed: [], bytes: [], cls: [],
      };
      this.procs.set(pid, p);
      // whatif.ts WhatIf.feed's proc(pid): a process is reported from its first call on.
      this.result.processes.set(pid, p.tally);
    }
    this.last = p;
    return p;
  }

  /**
   * A call that is not ptrace (`sys`: syscallId), `bytes` moved when it succeeded, `hostNs` its
   * host term (a wait4's: host-terms.ts waitHostNs; 0 for a failed call).
   */
  syscall(pid: number, sys: number, failed: boolean, bytes: number, hostNs = 0): void {
    const p = this.proc(pid);
    const ee = this.entryExitNs;
    const rq = this.sysRequestNs[sys]!;
    const tr = failed ? 0 : bytes * this.perByteNs;
    const hw = failed ? 0 : hostNs;
    const ns = ee + rq + tr + 0 + 0 + hw;
    this.bumpSys(p.tally.before, p.beforeSys, sys, failed, ns);
    addBreakdown(p.tally.before, ee, rq, tr, 0, 0, hw);
    if (p.open) this.close(p, 'R3-no-syscall-between');
    this.bumpSys(p.tally.after, p.afterSys, sys, failed, ns);
    addBreakdown(p.tally.after, ee, rq, tr, 0, 0, hw);
  }

  /** A ptrace call; `archGet`: an ARCH_PRCTL whose code reads (legality.ts access). */
  ptrace(pid: number, r: Req, target: number, archGet: boolean, failed: boolean, bytes: number): void {
    const rm = this.profile.registerMoves;
    if (rm !== null && (GETS.has(r.request) || SETS.has(r.request))) {
      // arch-moves.ts expandForArch: word moves, no byte count; a failed block move fails at its first word.
      const get = GETS.has(r.request);
      const gp = r.request === PTRACE.GETREGS || r.request === PTRACE.SETREGS;
      const words = gp ? (get ? rm.getWords : rm.setWords) : rm.regsetWords;
      const n = failed ? 1 : words;
      const w = get ? this.peekUser : this.pokeUser;
      for (let i = 0; i < n; i++) this.ptraceOne(pid, w, target, false, failed, 0);
      return;
    }
    this.ptraceOne(pid, r, target, archGet, failed, bytes);
  }

  private ptraceOne(pid: number, r: Req, target: number, archGet: boolean, failed: boolean, bytes: number): void {
    const p = this.proc(pid);
    // cross-cpu.ts HostProcessHistory.take: a creation first, then the class, then a resume.
    let cls: CrossClassIndex = FIRST;
    if (this.classesPriced) {
      const h = this.history;
      if (!failed && r.setsOptions) h.optionsSet(pid, target);
      cls = h.classOf(pid, target);
      if (!failed && r.resumes) h.resumed(pid, target);
    }
    // Before: the call as recorded (price.ts, a single request).
    this.addSingle(p.tally.before, p.beforeSys, p.beforeReq, r, failed, bytes, cls);
    // legality.ts RunSplitter.call.
    const kind = r.request === PTRACE.ARCH_PRCTL ? (archGet ? K_READ : K_WRITE) : r.kind;
    if (kind === K_STANDALONE) {
      if (p.open) this.close(p, 'R7-standalone-only');
      this.bumpRun('R7-standalone-only');
      this.single(p, r, failed, bytes, cls);
      return;
    }
    if (p.open && p.target !== target) this.close(p, 'R2-same-tracee');
    else if (p.open && p.sawRead && kind !== K_READ) this.close(p, 'R5-write-after-read');
    if (!p.open) {
      p.open = true;
      p.target = target;
      p.sawRead = false;
      p.len = 0;
    }
    const i = p.len++;
    p.reqs[i] = r;
    p.failed[i] = failed;
    p.bytes[i] = bytes;
    p.cls[i] = cls;
    if (kind === K_READ) p.sawRead = true;
    if (failed) this.close(p, 'R6-failure-ends-batch');
    else if (kind === K_RESUME) this.close(p, 'R4-resume-ends-batch');
  }

  /** A signal delivered to `pid`, or its exit (R8). */
  interrupt(pid: number): void {
    const l = this.last;
    const p = l !== null && l.pid === pid ? l : this.procs.get(pid);
    if (p && p.open) this.close(p, 'R8-signal-or-exit-ends');
  }

  /** A call event of the reference reader (ledger-from-strace.ts), for lines the fast reader hands on. */
  loggedCall(call: LoggedCall): void {
    const e = call.entry;
    const failed = e.errno !== null;
    const bytes = call.transferBytes ?? 0;
    if (!e.ptrace && this.classesPriced) this.history.take(e); // the caller's own fork/clone (cross-cpu.ts)
    if (!e.ptrace) return this.syscall(e.pid, this.syscallId(e.syscall), failed, bytes, e.wait ? waitHostNs(e.wait.status, Number(e.ret), this.profile) : 0);
    const archGet = e.ptrace.request === PTRACE.ARCH_PRCTL && access(call) === 'read';
    const stubRun = e.ptrace.request === PTRACE.CONT && (e.ptrace.signal ?? 0) === 0;
    this.ptrace(e.pid, stubRun ? this.stubRunReq() : this.req(e.ptrace.request), e.ptrace.target, archGet, failed, bytes);
  }

  /** End of log: every open run ends (RunSplitter.finish); the counters kept by index are written out by name. */
  finish(): WhatIfResult {
    for (const p of this.procs.values()) if (p.open) this.close(p, 'end-of-log');
    for (const p of this.procs.values()) {
      const subs = p.tally.after.bySubRequest;
      for (let i = 0; i < p.afterSub.length; i++) if (p.afterSub[i]) subs[this.reqs[i]!.name] = p.afterSub[i]!;
    }
    for (let i = 0; i < this.runNames.length; i++) this.result.runsEndedBy[this.runNames[i]!] = this.runCounts[i]!;
    for (let k = 0; k < this.batchLengths.length; k++) if (this.batchLengths[k]) this.result.batches.byLength[String(k)] = this.batchLengths[k]!;
    return this.result;
  }

  /** runsEndedBy as first met (a rule's name is a string constant: found by identity among a few), and batches.byLength by length. */
  private readonly runNames: string[] = [];
  private readonly runCounts: number[] = [];
  private readonly batchLengths: number[] = [];

  private bumpRun(why: RuleId | 'end-of-log'): void {
    const names = this.runNames;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === why) {
        this.runCounts[i]!++;
        return;
      }
    }
    names.push(why);
    this.runCounts.push(1);
  }

  private bumpSys(side: Side, rows: (Row | undefined)[], sys: number, failed: boolean, ns: number): void {
    side.hostSyscalls++;
    const row = (rows[sys] ??= rowOf(side.bySyscall, this.sysNames[sys]!));
    row.calls++;
    if (failed) row.errors++;
    row.ns += ns;
  }

  private bumpReq(side: Side, rows: (Row | undefined)[], r: Req, failed: boolean, ns: number): void {
    const row = (rows[r.index] ??= rowOf(side.byPtraceRequest, r.name));
    row.calls++;
    if (failed) row.errors++;
    row.ns += ns;
  }

  /** One request issued alone after batching (whatif.ts runs(), a group of one). */
  private single(p: Proc, r: Req, failed: boolean, bytes: number, cls: CrossClassIndex): void {
    this.addSingle(p.tally.after, p.afterSys, p.afterReq, r, failed, bytes, cls);
  }

  /** One request as its own host call (price.ts, a single request), added to one side of the tally. */
  private addSingle(side: Side, sysRows: (Row | undefined)[], reqRows: (Row | undefined)[], r: Req, failed: boolean, bytes: number, cls: CrossClassIndex): void {
    const ee = this.entryExitNs;
    const rq = r.requestNs;
    const tr = failed ? 0 : r.wordMemory ? this.perWordNs : bytes * this.perByteNs;
    const rt = failed ? 0 : r.roundTripNs;
    const wk = failed ? 0 : r.wakeupNs[cls];
    const hw = failed ? 0 : r.hostWorkNs;
    const ns = ee + rq + tr + rt + wk + hw;
    this.bumpSys(side, sysRows, 0, failed, ns);
    this.bumpReq(side, reqRows, r, failed, ns);
    addBreakdown(side, ee, rq, tr, rt, wk, hw);
  }

  /** Requests [from, to) of the open run as one PTRACE_MULTI (whatif.ts multiEntry, price.ts). */
  private multi(p: Proc, from: number, to: number): void {
    const ee = this.entryExitNs;
    let rq = this.dispatchNs;
    let tr = 0;
    let rt = 0;
    let wk = 0;
    let hw = 0;
    const after = p.tally.after;
    for (let i = from; i < to; i++) {
      const r = p.reqs[i]!;
      const ok = !p.failed[i];
      rq += r.subNs;
      tr += ok ? (r.wordMemory ? this.perWordNs : p.bytes[i]! * this.perByteNs) : 0;
      if (ok) hw += r.hostWorkNs;
      if (i === to - 1) {
        rt = ok ? r.roundTripNs : 0;
        wk = ok ? r.wakeupNs[p.cls[i]!] : 0;
      }
      p.afterSub[r.index] = (p.afterSub[r.index] ?? 0) + 1; // after.bySubRequest[r.name], by finish()
    }
    const failed = p.failed[to - 1]!;
    const ns = ee + rq + tr + rt + wk + hw;
    this.bumpSys(after, p.afterSys, 0, failed, ns);
    this.bumpReq(after, p.afterReq, this.multiReq, failed, ns);
    addBreakdown(after, ee, rq, tr, rt, wk, hw);
    const k = to - from;
    const bt = this.result.batches;
    bt.count++;
    bt.requests += k;
    this.batchLengths[k] = (this.batchLengths[k] ?? 0) + 1; // bt.byLength[String(k)], by finish()
  }

  private group(p: Proc, from: number, to: number): void {
    if (to - from === 1) this.single(p, p.reqs[from]!, p.failed[from]!, p.bytes[from]!, p.cls[from]!);
    else this.multi(p, from, to);
  }

  /** The open run ends: count why, then issue it as the policy groups it (policy.ts groupRun). */
  private close(p: Proc, why: RuleId | 'end-of-log'): void {
    p.open = false;
    this.bumpRun(why);
    const n = p.len;
    p.len = 0;
    if (this.pairs) {
      const pairs = this.policy.pairs;
      for (let i = 0; i < n; i++) {
        let merged = false;
        if (i + 1 < n && this.maxBatch >= 2) {
          const a = p.reqs[i]!.request;
          const b = p.reqs[i + 1]!.request;
          for (let k = 0; k < pairs.length; k++) if (pairs[k]!.first.has(a) && pairs[k]!.second.has(b)) merged = true;
        }
        if (merged) {
          this.group(p, i, i + 2);
          i++;
        } else this.group(p, i, i + 1);
      }
      return;
    }
    let start = 0;
    for (let i = 0; i < n; i++) {
      if (!p.reqs[i]!.batchable) {
        if (i > start) this.group(p, start, i);
        this.group(p, i, i + 1);
        start = i + 1;
        continue;
      }
      if (i - start >= this.maxBatch) {
        this.group(p, start, i);
        start = i;
      }
    }
    if (n > start) this.group(p, start, n);
  }
}

export type { Req as TallyRequest };

/** One priced call's parts added to a side's time split (in the reference's order: price.ts addInto). */
function addBreakdown(side: Side, entryExitNs: number, requestNs: number, transferNs: number, roundTripNs: number, wakeupNs: number, hostWorkNs: number): void {
  side.breakdown.entryExitNs += entryExitNs;
  side.breakdown.requestNs += requestNs;
  side.breakdown.transferNs += transferNs;
  side.breakdown.roundTripNs += roundTripNs;
  side.breakdown.wakeupNs += wakeupNs;
  side.breakdown.hostWorkNs += hostWorkNs;
}
