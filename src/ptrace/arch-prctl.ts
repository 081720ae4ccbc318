// PTRACE_ARCH_PRCTL (x86_64 arch_ptrace → do_arch_prctl_64(child, data, addr)): the argument
// order is swapped against arch_prctl(2) — `data` is the code, `addr` the value or pointer —
// and ARCH_GET_* put_user()s into the TRACER's memory (ptrace.md §1).
import type { Ctx } from '../kernel/ledger.ts';
import { ARCH_GET_FS, ARCH_GET_GS, ARCH_SET_FS, ARCH_SET_GS } from '../kernel/syscalls/misc.ts';
import { TASK_SIZE_MAX } from '../kernel/regs.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { putUserWord } from '../kernel/uaccess.ts';

export function archPrctlRequest(ctx: Ctx, tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  if (ctx.arch.name !== 'x86_64') return fail('EIO');
  const fs = ctx.arch.regNames.indexOf('fs_base');
  const gs = ctx.arch.regNames.indexOf('gs_base');
  switch (data) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
      if (addr >= TASK_SIZE_MAX) return fail('EPERM');
      child.regs[data === ARCH_SET_FS ? fs : gs] = addr;
      return ok(0);
    case ARCH_GET_FS:
    case ARCH_GET_GS:
      return putUserWord(ctx, tracer, addr, child.regs[data === ARCH_GET_FS ? fs : gs]!) ? fail('EFAULT') : ok(0);
    default:
      return fail('EINVAL');
  }
}
