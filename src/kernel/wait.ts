// wait4 semantics: which tasks a caller may wait for and what it reports
// (kernel/exit.c do_wait, eligible_child, wait_consider_task, wait_task_zombie,
// wait_task_stopped, wait_task_continued; ptrace.md §5).
import { isModern } from './config.ts';
import type { Errno } from './errno.ts';
import { notifyParent, reap } from './exit.ts';
import type { Ctx } from './ledger.ts';
import { SIG } from './signals.ts';
import { stopWith } from './stop.ts';
import { threadGroup, allTasks } from './state.ts';
import type { Task } from './task.ts';
import { CONTINUED_STATUS, stoppedStatus, WCONTINUED, WNOWAIT, WUNTRACED, __WALL, __WCLONE } from './wait-status.ts';

export type WaitResult =
  | { kind: 'report'; tid: number; status: number }
  | { kind: 'nothing' } // eligible children exist but none has news (WNOHANG → 0, else sleep)
  | { kind: 'error'; errno: Errno };

function tracedBy(ctx: Ctx, t: Task, caller: Task): boolean {
  if (t.tracer === null) return false;
  return ctx.s.tasks[t.tracer]?.tgid === caller.tgid;
}

function pidMatches(t: Task, caller: Task, pid: number): boolean {
  if (pid > 0) return t.tid === pid;
  if (pid === -1) return true;
  if (pid === 0) return t.pgid === caller.pgid;
  return t.pgid === -pid;
}

/** eligible_child(): the __WALL/__WCLONE filter; tracees are exempt on modern kernels. */
function eligible(ctx: Ctx, t: Task, caller: Task, pid: number, options: number, asTracer: boolean): boolean {
  if (!pidMatches(t, caller, pid)) return false;
  if (asTracer && isModern(ctx.s.config)) return true;
  if (options & __WALL) return true;
  const isClone = t.exitSignal !== SIG.SIGCHLD;
  return isClone === ((options & __WCLONE) !== 0);
}

/** One scan of the caller's children and tracees, in pid order. Collecting a report changes state. */
export function doWait(ctx: Ctx, caller: Task, pid: number, options: number): WaitResult {
  let any = false;
  // Integer keys enumerate in ascending order (ECMA-262 OrdinaryOwnPropertyKeys): pid order.
  // A positive pid matches one task at most (pidMatches: t.tid === pid): the table's entry.
  const tasks = pid > 0 ? oneTask(ctx.s.tasks[pid]) : allTasks(ctx.s);
  for (const t of tasks) {
    const asTracer = tracedBy(ctx, t, caller);
    const asChild = t.parent === caller.tgid && t.tid === t.tgid && t.tgid !== caller.tgid;
    if (!asTracer && !asChild) continue;
    if (!eligible(ctx, t, caller, pid, options, asTracer)) continue;
    any = true;
    const r = asTracer ? considerTracee(ctx, t, caller, options) : considerChild(ctx, t, options);
    if (r) return r;
  }
  return any ? { kind: 'nothing' } : { kind: 'error', errno: 'ECHILD' };
}

const NO_TASKS: readonly Task[] = Object.freeze([]);
/** One reused one-element list (doWait's loop reads it before any later call). */
const ONE_TASK: Task[] = [];

function oneTask(t: Task | undefined): readonly Task[] {
  if (!t) return NO_TASKS;
  ONE_TASK[0] = t;
  return ONE_TASK;
}

function considerTracee(ctx: Ctx, t: Task, caller: Task, options: number): WaitResult | null {
  const run = t.run;
  if (run.kind === 'ptrace-stop') {
    // wait_consider_task(): nothing new from the stop → still wait_task_continued()
    // (differential conformance run; fixture sigcont-after-traced-group-stop).
    if (run.stop.reported) return considerChild(ctx, t, options);
    const status = stoppedStatus(run.stop.statusSig, run.stop.event);
    if (!(options & WNOWAIT)) t.run = { kind: 'ptrace-stop', stop: stopWith(run.stop, true) };
    return { kind: 'report', tid: t.tid, status };
  }
  if (run.kind === 'zombie' && !run.reportedToTracer) {
    if (t.tid === t.tgid && threadGroup(ctx.s, t.tgid).some((th) => th.tid !== t.tid)) return null; // delay_group_leader
    if (options & WNOWAIT) return { kind: 'report', tid: t.tid, status: run.status };
    const isChild = t.parent === caller.tgid && t.tid === t.tgid;
    if (isChild || t.tid !== t.tgid) {
      reap(ctx, t);
    } else {
      // Traced by a non-parent: the tracer sees the exit, then the real parent gets it.
      t.run = { ...run, reportedToTracer: true };
      t.tracer = null;
      t.seized = false;
      notifyParent(ctx, t);
    }
    return { kind: 'report', tid: t.tid, status: run.status };
  }
  return considerChild(ctx, t, options);
}

function considerChild(ctx: Ctx, t: Task, options: number): WaitResult | null {
  const run = t.run;
  if (run.kind === 'zombie') {
    if (t.tracer !== null) return null; // the tracer collects first
    if (threadGroup(ctx.s, t.tgid).some((th) => th.tid !== t.tid)) return null;
    if (!(options & WNOWAIT)) reap(ctx, t);
    return { kind: 'report', tid: t.tid, status: run.status };
  }
  if (run.kind === 'job-stop' && !run.reported && options & WUNTRACED) {
    if (!(options & WNOWAIT)) t.run = { ...run, reported: true };
    return { kind: 'report', tid: t.tid, status: stoppedStatus(run.sig) };
  }
  if (t.continued && options & WCONTINUED) {
    if (!(options & WNOWAIT)) t.continued = false;
    return { kind: 'report', tid: t.tid, status: CONTINUED_STATUS };
  }
  return null;
}
