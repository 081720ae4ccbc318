// Which of UML's round trips cross CPUs when UML is not pinned (docs/cost-model.md "Which round
// trips cross CPUs"): a round trip's expected cross-CPU wake-ups are 2 × P(cross | class), the
// class being that of the host process the resume wakes, decided from what UML's ledger showed
// before the resume. Measured per class on real UML 6.1 with the scheduler's tracepoints
// (scripts/uml-cross-cpu.sh --timed; the rates and their sources are the unpinned profile's
// `crossCpuRates`):
//   first    a host process that has created no host process in the ledger and was not created
//            by another one's stub in it: the timed init's host process before its first fork
//            (getpid, write, faults: uml/guest/init.c TIMED runs them before the fork loop) —
//            UML and it alternate on two CPUs, nearly every wake-up crosses;
//   parent   a host process whose stub created one in the ledger and that was not itself created
//            in it: init's after its first fork — from then on it mostly shares UML's CPU;
//   created  a host process created in the ledger by another host process's stub (a fork child,
//            exec's new process), also once it has created one itself (exec's child, whose stub
//            makes the new process: measured as one class) — it mostly runs on the other CPU.
// What the ledger shows (UML 6.1 arch/um/kernel/skas/mmu.c init_new_context): a new mm of a
// process with an mm is copy_context_skas0 — UML resumes the current host process's stub, which
// clones; UML then waits for the new pid and sets PTRACE_O_TRACESYSGOOD on it (OLDSETOPTIONS,
// uml/README.md "fork"). So the creator of a new host process is the target of the caller's last
// successful resume before the (OLD)SETOPTIONS. A new mm of a kernel thread (init's first exec,
// usermode helpers) is start_userspace: UML clones the process itself — its own fork/clone row,
// when the log has it, returns the pid — and that process is of class `first`.
// Without a history (a single call priced alone, `whatif --tracer other`, the teaching view), or
// with a profile without rates, every round trip crosses: two wake-ups, as the calibrator's own
// tracer and tracee showed unpinned (calibrate/ptrace-calibrate.c -u).
// State: per caller, the pids it created or saw created (bounded by the host's pid_max,
// kernel/pid.c PID_MAX_LIMIT) and its last resumed target.
import type { LedgerEntry } from '../kernel/ledger.ts';
import { PTRACE } from '../ptrace/numbers.ts';

export const CROSS_CLASSES = ['first', 'parent', 'created'] as const;
export type CrossClass = (typeof CROSS_CLASSES)[number];
/** Index into CROSS_CLASSES (0 first, 1 parent, 2 created). */
export type CrossClassIndex = 0 | 1 | 2;

export const FIRST: CrossClassIndex = 0;
export const PARENT: CrossClassIndex = 1;
export const CREATED: CrossClassIndex = 2;

/** A measured fraction (0…1) and where it came from. */
export interface SourcedFraction {
  readonly fraction: number;
  readonly source: string;
}

/** P(a round trip's wake-ups cross CPUs | class of the host process resumed). */
export type CrossCpuRates = Readonly<Record<CrossClass, SourcedFraction>>;

/** UML's own host-process creations by syscall name (start_userspace: its clone). */
const OWN_CREATION = new Set(['fork', 'vfork', 'clone', 'clone3']);
/** Resumes: each ends in the tracee's next stop, a round trip (price.ts). */
const RESUMES = new Set<number>([PTRACE.SYSCALL, PTRACE.SYSEMU, PTRACE.CONT, PTRACE.SINGLESTEP, PTRACE.SINGLEBLOCK, PTRACE.SYSEMU_SINGLESTEP]);

interface Caller {
  lastResumed: number;
  readonly started: Set<number>;
  readonly created: Set<number>;
  readonly parents: Set<number>;
}

/** The host processes a ledger has shown, per caller (the tracer). */
export class HostProcessHistory {
  private readonly callers = new Map<number, Caller>();

  private caller(pid: number): Caller {
    let c = this.callers.get(pid);
    if (!c) this.callers.set(pid, (c = { lastResumed: -1, started: new Set(), created: new Set(), parents: new Set() }));
    return c;
  }

  /** The class of `target` resumed by `caller` now (before this resume is noted). */
  classOf(caller: number, target: number): CrossClassIndex {
    const c = this.callers.get(caller);
    if (!c) return FIRST;
    if (c.created.has(target)) return CREATED;
    return c.parents.has(target) ? PARENT : FIRST;
  }

  /** `pid` created a host process before the ledger starts (a log cut from a longer run: strace-ops.ts). */
  markParent(caller: number, pid: number): void {
    this.caller(caller).parents.add(pid);
  }

  /** A successful resume of `target`. */
  resumed(caller: number, target: number): void {
    this.caller(caller).lastResumed = target;
  }

  /** The caller's own successful fork/clone returned `pid` (start_userspace). */
  started(caller: number, pid: number): void {
    this.caller(caller).started.add(pid);
  }

  /** A successful (OLD)SETOPTIONS on `target`: a new host process, made by the last resumed one's stub unless the caller started it. */
  optionsSet(caller: number, target: number): void {
    const c = this.caller(caller);
    if (c.started.delete(target)) return;
    c.created.add(target);
    if (c.lastResumed >= 0 && c.lastResumed !== target) c.parents.add(c.lastResumed);
  }

  /**
   * One ledger entry, in ledger order: its creations are noted first (a PTRACE_MULTI's
   * (OLD)SETOPTIONS precede its resume, as the same calls issued one by one), then the class of
   * its target is taken, then a successful resume is noted. Returns that class (what a round
   * trip of the entry is priced with; meaningless for an entry without one).
   */
  take(e: LedgerEntry): CrossClassIndex {
    const p = e.ptrace;
    if (!p) {
      if (e.errno === null && OWN_CREATION.has(e.syscall) && e.ret > 0n) this.started(e.pid, Number(e.ret));
      return FIRST;
    }
    const sub = p.sub;
    if (sub) {
      for (const s of sub) if (s.errno === null && (s.request === PTRACE.OLDSETOPTIONS || s.request === PTRACE.SETOPTIONS)) this.optionsSet(e.pid, p.target);
    } else if (e.errno === null && (p.request === PTRACE.OLDSETOPTIONS || p.request === PTRACE.SETOPTIONS)) this.optionsSet(e.pid, p.target);
    const cls = this.classOf(e.pid, p.target);
    const last = sub ? sub[sub.length - 1] : undefined;
    const resumedOk = last ? last.errno === null && RESUMES.has(last.request) : e.errno === null && RESUMES.has(p.request);
    if (resumedOk) this.resumed(e.pid, p.target);
    return cls;
  }
}

/**
 * Expected cross-CPU wake-ups of one round trip: 2 × P(cross | class). No class (no history) or
 * no rates in the profile: 2 (every round trip crosses).
 */
export function wakeupsPerRoundTrip(rates: CrossCpuRates | null | undefined, cls: CrossClassIndex | null): number {
  if (!rates || cls === null) return 2;
  return 2 * rates[CROSS_CLASSES[cls]].fraction;
}
