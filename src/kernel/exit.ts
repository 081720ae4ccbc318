// Task exit: kernel/exit.c do_exit, do_group_exit, zap_other_threads, exit_notify,
// forget_original_parent, exit_ptrace; kernel/ptrace.c __ptrace_unlink/__ptrace_detach.
import type { Ctx } from './ledger.ts';
import { makeSiginfo, SI, SIG } from './signals.ts';
import { threadGroup, allTasks, removeTask } from './state.ts';
import { enterStop } from './stop.ts';
import { PTRACE_EVENT, PTRACE_O, type Task } from './task.ts';
import { WIFSIGNALED, WTERMSIG, WEXITSTATUS, killedStatus } from './wait-status.ts';
// Imported lazily to avoid a cycle at module load: signal.ts imports exit.ts.
import * as signal from './signal.ts';

/**
 * do_group_exit(): every live thread of the group will exit with `status`. Sleeping and
 * stopped threads are woken (zap_other_threads sends them SIGKILL).
 */
export function beginGroupExit(ctx: Ctx, tgid: number, status: number, opts: { killed: boolean; caller?: number }): void {
  for (const th of threadGroup(ctx.s, tgid)) {
    if (th.run.kind === 'zombie' || th.phase === 'exit') continue;
    th.exitStatus = status;
    th.exitKilled = opts.killed || (opts.caller !== undefined && th.tid !== opts.caller);
    // A sleeping thread's syscall ends first (pause: -ERESTARTNOHAND in rax, as seen at
    // PTRACE_EVENT_EXIT; differential conformance run; fixture sigkill-in-pause-regs).
    if (th.run.kind === 'blocked') signal.interruptSleep(ctx, th);
    th.phase = 'exit';
    th.run = { kind: 'running' };
    // kernel/signal.c ptrace_stop(): a tracee woken from its stop (here by SIGKILL) clears
    // JOBCTL_LISTENING, so a later PTRACE_EVENT_EXIT stop is not mistaken for a LISTEN.
    th.listening = false;
  }
}

/** do_exit() for one thread, run when the exiting thread is scheduled. */
export function doExit(ctx: Ctx, t: Task): void {
  // ptrace_event(PTRACE_EVENT_EXIT, code): also for a task dying of SIGKILL (recorded on
  // 6.18: fixture sigkill-traceexit, event message 0x9).
  const wantsEvent = t.tracer !== null && (t.options & PTRACE_O.TRACEEXIT) !== 0 && !t.exitEventDone;
  if (wantsEvent) {
    t.exitEventDone = true;
    const code = SIG.SIGTRAP | (PTRACE_EVENT.EXIT << 8);
    t.phase = 'exit';
    enterStop(ctx, t, { kind: 'event', statusSig: SIG.SIGTRAP, event: PTRACE_EVENT.EXIT, siginfo: makeSiginfo(SIG.SIGTRAP, code, { pid: t.tid }) }, BigInt(t.exitStatus));
    return;
  }
  t.run = { kind: 'zombie', status: t.exitStatus, reportedToTracer: false };
  t.pending = [];
  exitPtrace(ctx, t);
  wakeVforkParent(ctx, t);
  releaseMmIfUnused(ctx, t.mm);
  const liveThreads = threadGroup(ctx.s, t.tgid).filter((th) => th.run.kind !== 'zombie');
  if (liveThreads.length === 0) forgetOriginalParent(ctx, t.tgid);
  exitNotify(ctx, t);
}

/** exit_notify(): tell the parent (or let the tracer collect first); auto-reap where nobody will. */
function exitNotify(ctx: Ctx, t: Task): void {
  if (t.tracer !== null) return; // the tracer reports it first (wait_task_zombie, ptrace case)
  if (t.tid !== t.tgid) {
    // A non-leader thread is released at once (release_task); only the leader is waited for.
    removeTask(ctx.s, t.tid);
    maybeNotifyLeader(ctx, t.tgid);
    return;
  }
  if (threadGroup(ctx.s, t.tgid).some((th) => th.run.kind !== 'zombie')) return; // delay_group_leader
  notifyParent(ctx, t);
}

function maybeNotifyLeader(ctx: Ctx, tgid: number): void {
  const leader = ctx.s.tasks[tgid];
  if (!leader || leader.run.kind !== 'zombie' || leader.tracer !== null) return;
  if (threadGroup(ctx.s, tgid).every((th) => th.run.kind === 'zombie')) notifyParent(ctx, leader);
}

/** do_notify_parent(): SIGCHLD (exit_signal) to the parent; init (external, reaping) releases at once. */
export function notifyParent(ctx: Ctx, t: Task): void {
  if (t.run.kind !== 'zombie') return;
  if (t.parent === 1 || !ctx.s.tasks[t.parent]) {
    removeTask(ctx.s, t.tid);
    return;
  }
  // do_notify_parent(): an untraced child whose parent ignores SIGCHLD is auto-reaped and
  // no signal is sent at all (differential conformance run; fixture sigchld-ignored-autoreap).
  if (t.exitSignal === SIG.SIGCHLD && ctx.s.tasks[t.parent]!.actions[SIG.SIGCHLD] === 'ignore') {
    removeTask(ctx.s, t.tid);
    return;
  }
  if (t.exitSignal > 0) {
    const st = t.run.status;
    const code = WIFSIGNALED(st) ? SI.CLD_KILLED : SI.CLD_EXITED;
    const status = WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st);
    signal.sendSignal(ctx, t.parent, makeSiginfo(t.exitSignal, code, { pid: t.tgid, status }), { group: true }); // __send_signal_locked(..., PIDTYPE_TGID)
  }
}

/** exit_ptrace(): an exiting tracer detaches its tracees; PTRACE_O_EXITKILL kills them. */
function exitPtrace(ctx: Ctx, tracer: Task): void {
  for (const t of allTasks(ctx.s)) {
    if (t.tracer !== tracer.tid) continue;
    if (t.options & PTRACE_O.EXITKILL) signal.sendSignal(ctx, t.tid, makeSiginfo(SIG.SIGKILL, SI.SI_USER));
    ptraceDetach(ctx, t, 0);
  }
}

/**
 * __ptrace_unlink() + wake-up: the task is no longer traced. A zombie goes to its real
 * parent; a stopped task resumes (or stays stopped if a group stop is in effect).
 */
export function ptraceDetach(ctx: Ctx, t: Task, sig: number): void {
  const wasStop = t.run.kind === 'ptrace-stop' ? t.run.stop : null;
  const tracer = t.tracer ?? 0;
  t.tracer = null;
  t.seized = false;
  t.options = 0;
  t.traceSyscall = false;
  t.sysemu = false;
  t.singleStep = false;
  t.blockStep = false;
  t.interruptPending = false;
  t.listening = false;
  if (t.run.kind === 'zombie') {
    exitNotify(ctx, t);
    return;
  }
  if (wasStop) {
    if (wasStop.kind === 'group-stop') {
      // __ptrace_unlink() re-traps into TASK_STOPPED; the real parent's WUNTRACED wait still
      // sees group_exit_code unless it consumed it before (differential conformance run).
      t.run = { kind: 'job-stop', sig: wasStop.statusSig, reported: wasStop.jobReported ?? true };
      return;
    }
    resumeFromStop(ctx, t, sig, tracer);
  }
  // __ptrace_unlink(): "Reinstate JOBCTL_STOP_PENDING if group stop is in effect": a task a
  // tracer let run while its group stays stopped goes back into the job-control stop once
  // detached (differential conformance run; fixture detach-into-group-stop).
  if (t.groupStopped) t.groupStopPending = true;
}

/**
 * What the `data` of a resume (or DETACH) means at each stop kind (ptrace.md §7,
 * "Signal injection summary"): injected at a signal-delivery-stop, queued as a new signal
 * from a syscall stop (ptrace_report_syscall → send_sig(..., 1)), dropped at event and
 * group stops. The task's phase was set when it stopped.
 */
export function resumeFromStop(ctx: Ctx, t: Task, sig: number, tracer = t.tracer ?? 0): void {
  if (t.run.kind !== 'ptrace-stop') return;
  const stop = t.run.stop;
  t.run = { kind: 'running' };
  t.listening = false;
  switch (stop.kind) {
    case 'signal-delivery': {
      t.deliverSig = sig;
      if (sig === 0) t.deliverInfo = null;
      else if (stop.siginfo && stop.siginfo.signo === sig) t.deliverInfo = stop.siginfo;
      else {
        // ptrace_signal(): "If the debugger wanted something else, build a siginfo" (SI_USER, from the tracer).
        t.deliverInfo = makeSiginfo(sig, SI.SI_USER, { pid: tracer });
      }
      return;
    }
    case 'syscall-enter':
    case 'syscall-exit':
    case 'sysemu':
      if (sig !== 0) signal.sendSignal(ctx, t.tid, makeSiginfo(sig, SI.SI_KERNEL));
      return;
    case 'event':
    case 'group-stop':
    case 'listen':
      return;
  }
}

/** forget_original_parent(): children of a dead thread group go to init, which reaps zombies. */
function forgetOriginalParent(ctx: Ctx, tgid: number): void {
  for (const c of allTasks(ctx.s)) {
    if (c.parent !== tgid || c.tgid === tgid) continue;
    c.parent = 1;
    if (c.run.kind === 'zombie' && c.tracer === null && c.tid === c.tgid) removeTask(ctx.s, c.tid);
  }
}

function wakeVforkParent(ctx: Ctx, t: Task): void {
  if (t.vforkParent === null) return;
  const p = ctx.s.tasks[t.vforkParent];
  t.vforkParent = null;
  if (p && p.run.kind === 'blocked' && p.run.on.kind === 'vfork') {
    p.run = { kind: 'running' };
    p.phase = 'syscall-exit';
  }
}

export { wakeVforkParent };

function releaseMmIfUnused(ctx: Ctx, mm: number): void {
  const used = allTasks(ctx.s).some((o) => o.mm === mm && o.run.kind !== 'zombie');
  if (!used) delete ctx.s.mms[mm];
}

/** release_task() after a successful wait: the task disappears; a traced non-child goes to its parent. */
export function reap(ctx: Ctx, t: Task): void {
  removeTask(ctx.s, t.tid);
  if (t.tid !== t.tgid) maybeNotifyLeader(ctx, t.tgid);
}

export { killedStatus };
