// checkBatchEquivalence: does one PTRACE_MULTI call behave exactly like issuing its
// sub-requests one by one (sequential.ts)? Compared: the return value and errno, the whole
// observable kernel state afterwards (registers, memory, tracer buffers, stop state,
// pending signals), the tracee's future (driven identically to its end), and the ledger
// arithmetic: the batch costs exactly k − 1 fewer host syscalls for k executed sub-requests.
import { Kernel } from '../kernel/kernel.ts';
import type { KernelState } from '../kernel/state.ts';
import { describeStatus, __WALL } from '../kernel/wait-status.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { runMulti, writeBatch, type BatchEntry } from './batch.ts';
import { observableState } from './canonical.ts';
import { runSequential } from './sequential.ts';
import { TRACER_BUF } from './scenario.ts';
import { explain, type DivergenceId } from './classify.ts';

export interface Verdict {
  equivalent: boolean;
  multi: { ret: string; errno: string | null; subRequests: number };
  sequential: { ret: string; errno: string | null; calls: number };
  /** Host syscalls the batch saved during the batch itself (sequential calls − 1). */
  saved: number;
  /** What differed, in the order checked: 'result', 'state', 'future', 'ledger'. */
  differences: string[];
  /** Documented divergences (classify.ts) that apply to this batch; empty means none. */
  divergences: DivergenceId[];
  /** The sub-requests the batch call executed, in order. */
  executed: { request: string; addr: string; data: string; ret: string; errno: string | null }[];
  /** A smallest sub-batch that still diverges (only when not equivalent). */
  counterexample?: BatchEntry[];
}

export interface CheckOptions {
  /** Shrink a failing batch to a minimal counterexample (default true). */
  shrink?: boolean;
}

/** Drive the tracee to its end the same way in both worlds; the transcript must match. */
function future(k: Kernel, tracer: number, tracee: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) {
    const w = k.wait4(tracer, tracee, __WALL);
    if (w.hang) { out.push(`hang:${w.hang}`); break; }
    if (w.errno) { out.push(`wait:${w.errno}`); break; }
    const st = w.status ?? 0;
    k.ptrace(tracer, PTRACE.GETREGS, tracee, 0n, TRACER_BUF + 0x1000n);
    const regs = [80n, 120n, 128n].map((off) => k.readWord(tracer, TRACER_BUF + 0x1000n + off)?.toString(16));
    out.push(`${describeStatus(st)} ${regs.join(' ')}`);
    if ((st & 0x7f) !== 0x7f) break;
    k.ptrace(tracer, PTRACE.SYSCALL, tracee, 0n, 0n);
  }
  return out;
}

function runOnce(state: KernelState, tracer: number, tracee: number, batch: readonly BatchEntry[]) {
  const base = new Kernel(state);
  // Both worlds hold the array in the tracer's memory, so memory compares fairly.
  const a = base.clone();
  const b = base.clone();
  const m = runMulti(a, tracer, tracee, batch);
  const mEntry = a.ledger.at(-1)!;
  const multiLedger = a.ledger.length;
  const s = runSequential(b, tracer, tracee, batch);
  // runSequential does not write the array; write it too so tracer memory matches.
  writeBatch(b, tracer, batch);
  const seqLedger = b.ledger.length;
  const stateA = observableState(a.state);
  const stateB = observableState(b.state);
  const futureA = future(a, tracer, tracee);
  const futureB = future(b, tracer, tracee);
  const subList = mEntry.ptrace?.sub ?? [];
  const subs = subList.length;
  const stopped = base.task(tracee)?.run.kind === 'ptrace-stop';
  const tail = (k: Kernel, from: number) => k.ledger.slice(from).map((e) => `${e.pid} ${e.syscall} ${e.ptrace?.requestName ?? ''} ${e.ret} ${e.errno}`);
  return { m, s, stateA, stateB, futureA, futureB, subs, subList, stopped, version: base.state.config.ptraceMulti, saved: seqLedger - multiLedger, ledgerTailA: tail(a, multiLedger), ledgerTailB: tail(b, seqLedger) };
}

function differences(r: ReturnType<typeof runOnce>): string[] {
  const d: string[] = [];
  if (r.m.ret !== r.s.ret || r.m.errno !== r.s.errno) d.push('result');
  if (r.stateA !== r.stateB) d.push('state');
  if (r.futureA.join('\n') !== r.futureB.join('\n') || r.ledgerTailA.join('\n') !== r.ledgerTailB.join('\n')) d.push('future');
  // Ledger law: k executed sub-requests ⇒ the sequential form made k calls, k − 1 more than
  // the one PTRACE_MULTI call. A batch refused before any sub-request (ESRCH: law L1) costs
  // one call either way; an empty batch has no sequential form.
  const refused = r.subs === 0 && r.m.errno !== null;
  const k = refused ? 1 : r.subs;
  if (r.s.calls > 0 && (r.s.calls !== k || r.saved !== k - 1)) d.push('ledger');
  return d;
}

export function checkBatchEquivalence(state: KernelState, tracerPid: number, traceePid: number, batch: readonly BatchEntry[], opts: CheckOptions = {}): Verdict {
  const r = runOnce(state, tracerPid, traceePid, batch);
  const diff = differences(r);
  const verdict: Verdict = {
    equivalent: diff.length === 0,
    multi: { ret: r.m.ret.toString(), errno: r.m.errno, subRequests: r.subs },
    sequential: { ret: r.s.ret.toString(), errno: r.s.errno, calls: r.s.calls },
    saved: r.saved,
    differences: diff,
    divergences: explain(batch, r.subList, r.m.errno, r.version === '2006' ? '2006' : '2008', r.stopped),
    executed: r.subList.map((x) => ({ request: x.requestName, addr: `0x${x.addr.toString(16)}`, data: `0x${BigInt.asUintN(64, x.data).toString(16)}`, ret: x.ret.toString(), errno: x.errno })),
  };
  if (!verdict.equivalent && opts.shrink !== false) verdict.counterexample = shrink(state, tracerPid, traceePid, batch);
  return verdict;
}

/** Greedy delta debugging: drop entries while the divergence remains. */
function shrink(state: KernelState, tracer: number, tracee: number, batch: readonly BatchEntry[]): BatchEntry[] {
  let cur = [...batch];
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < cur.length && cur.length > 1; i++) {
      const candidate = cur.filter((_, j) => j !== i);
      if (differences(runOnce(state, tracer, tracee, candidate)).length > 0) {
        cur = candidate;
        changed = true;
        break;
      }
    }
  }
  return cur;
}
