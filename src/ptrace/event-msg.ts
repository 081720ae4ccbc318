// PTRACE_GETEVENTMSG (kernel/ptrace.c): put_user(child->ptrace_message, data).
// fork/vfork/clone → new pid; exec → former thread id; exit → exit status in wait format;
// syscall stops (6.x) → PTRACE_EVENTMSG_SYSCALL_ENTRY (1) / _EXIT (2); other stops → 0.
import type { Ctx } from '../kernel/ledger.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { putUserWord } from '../kernel/uaccess.ts';

export function getEventMsg(ctx: Ctx, tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  return putUserWord(ctx, tracer, data, child.eventMsg) ? fail('EFAULT') : ok(0);
}
