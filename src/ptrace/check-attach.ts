// ptrace_check_attach() (kernel/ptrace.c): the child must be traced by the calling
// thread and, unless the request is exempt, be in a ptrace-stop. Both failures are ESRCH,
// and this runs before the request number is looked at (ptrace.md §6).
import { isModern } from '../kernel/config.ts';
import type { Errno } from '../kernel/errno.ts';
import type { Ctx } from '../kernel/ledger.ts';
import type { Task } from '../kernel/task.ts';

export function checkAttach(ctx: Ctx, caller: Task, child: Task, ignoreState: boolean): Errno | null {
  if (child.tracer !== caller.tid) return 'ESRCH';
  if (ignoreState) return null;
  if (child.run.kind === 'job-stop' && !isModern(ctx.s.config)) {
    // 2.6.26: "if (task_is_stopped(child)) child->state = TASK_TRACED;" — modelled as the
    // job stop becoming a (reported) group-stop ptrace-stop.
    child.run = { kind: 'ptrace-stop', stop: { kind: 'group-stop', statusSig: child.run.sig, event: 0, siginfo: null, reported: true } };
    return null;
  }
  // ptrace_freeze_traced(): a LISTENing tracee is not frozen; nor is one with SIGKILL pending.
  if (child.run.kind !== 'ptrace-stop' || child.listening) return 'ESRCH';
  return null;
}
