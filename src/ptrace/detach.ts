// PTRACE_DETACH (kernel/ptrace.c ptrace_detach): data must be a valid signal (else EIO);
// the stop ends and `data` is treated like a resume's signal (ptrace.md §7).
import type { Ctx } from '../kernel/ledger.ts';
import { ptraceDetach } from '../kernel/exit.ts';
import { validSignal } from '../kernel/signals.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';

export function detach(ctx: Ctx, _tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  if (data > 64n || data < 0n || !validSignal(Number(data))) return fail('EIO');
  ptraceDetach(ctx, child, Number(data));
  return ok(0);
}
