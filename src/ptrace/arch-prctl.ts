// PTRACE_ARCH_PRCTL (x86_64 arch_ptrace → do_arch_prctl_64(child, data, addr)): the argument
// order is swapped against arch_prctl(2) — `data` is the code, `addr` the value or pointer —
// and ARCH_GET_* put_user()s into the TRACER's memory (ptrace.md §1). i386 has no such request.
import type { Ctx } from '../kernel/ledger.ts';
import { archPrctl } from '../kernel/syscalls/misc.ts';
import { fail, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';

export function archPrctlRequest(ctx: Ctx, tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  if (ctx.arch.name !== 'x86_64') return fail('EIO');
  return archPrctl(ctx, child, data, addr, tracer);
}
