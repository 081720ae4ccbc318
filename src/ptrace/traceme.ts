// PTRACE_TRACEME (kernel/ptrace.c ptrace_traceme): the caller becomes a tracee of its
// real parent. A second call (already traced) → EPERM.
import type { Ctx } from '../kernel/ledger.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';

export function traceme(ctx: Ctx, caller: Task): SysOutcome {
  if (caller.tracer !== null) return fail('EPERM');
  const leader = ctx.s.tasks[caller.tgid] ?? caller;
  const parent = ctx.s.tasks[leader.parent];
  if (!parent || parent.run.kind === 'zombie') return fail('EPERM');
  caller.tracer = parent.tid;
  caller.seized = false;
  return ok(0);
}
