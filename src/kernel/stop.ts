// Entering a ptrace-stop: kernel/signal.c ptrace_stop(). The tracee becomes TASK_TRACED,
// its stop becomes visible to the tracer's wait4 exactly once, and the tracer is notified
// with SIGCHLD (do_notify_parent_cldstop, CLD_TRAPPED).
import { isModern } from './config.ts';
import type { Ctx } from './ledger.ts';
import type { PtraceStop, Task } from './task.ts';

/**
 * `message` is ptrace_message for GETEVENTMSG: the event's message at event stops,
 * PTRACE_EVENTMSG_SYSCALL_ENTRY (1) / _EXIT (2) at syscall stops. Modern kernels set it
 * for every stop (0 if none) and clear it on resume; 2.6.26 kept the last event's value.
 */
export function enterStop(ctx: Ctx, t: Task, stop: Omit<PtraceStop, 'reported'>, message?: bigint): void {
  if (isModern(ctx.s.config)) t.eventMsg = message ?? 0n;
  else if (message !== undefined && stop.kind === 'event') t.eventMsg = message;
  t.run = { kind: 'ptrace-stop', stop: stopWith(stop, false) };
  // SIGCHLD to the tracer is not modelled as a queued signal: tracers here are driven
  // from outside and learn of stops through wait4, which is what the ledger records.
}

/**
 * `{ ...stop, reported }` (same keys, same order), built field by field for the common stop
 * without `jobReported`: a spread over the stops' several shapes is a slow generic copy on
 * the per-host-syscall path (every stop is entered and reported once).
 */
export function stopWith(stop: Omit<PtraceStop, 'reported'> | PtraceStop, reported: boolean): PtraceStop {
  if (!('jobReported' in stop)) return { kind: stop.kind, statusSig: stop.statusSig, event: stop.event, siginfo: stop.siginfo, reported };
  return { ...stop, reported };
}

/** Replace the siginfo of the current stop (PTRACE_SETSIGINFO). */
export function setStopSiginfo(t: Task, siginfo: PtraceStop['siginfo']): void {
  if (t.run.kind !== 'ptrace-stop') return;
  t.run = { kind: 'ptrace-stop', stop: { ...t.run.stop, siginfo } };
}
