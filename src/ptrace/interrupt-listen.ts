// PTRACE_INTERRUPT and PTRACE_LISTEN (kernel/ptrace.c ptrace_request), seized tracees only
// (otherwise EIO). INTERRUPT sets JOBCTL_TRAP_STOP and wakes the tracee; LISTEN is allowed
// only at a PTRACE_EVENT_STOP stop and leaves the tracee stopped but not "frozen", so
// further requests answer ESRCH until it re-traps.
import type { Ctx } from '../kernel/ledger.ts';
import { interruptSleep } from '../kernel/signal.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import { PTRACE_EVENT, type Task } from '../kernel/task.ts';

export function interrupt(ctx: Ctx, _tracer: Task, child: Task): SysOutcome {
  if (!child.seized) return fail('EIO');
  if (child.run.kind === 'zombie' || child.phase === 'exit') return ok(0);
  child.interruptPending = true;
  if (child.run.kind === 'blocked') interruptSleep(ctx, child);
  if (child.run.kind === 'ptrace-stop' && child.listening) {
    // ptrace_signal_wake_up(child, true): the listening tracee re-traps at once.
    const stop = child.run.stop;
    child.listening = false;
    child.interruptPending = false;
    child.run = { kind: 'ptrace-stop', stop: { ...stop, reported: false } };
  }
  return ok(0);
}

export function listen(_ctx: Ctx, _tracer: Task, child: Task): SysOutcome {
  if (!child.seized) return fail('EIO');
  if (child.run.kind !== 'ptrace-stop') return fail('EIO');
  const si = child.run.stop.siginfo;
  if (!si || si.code >> 8 !== PTRACE_EVENT.STOP) return fail('EIO');
  child.listening = true;
  return ok(0);
}
