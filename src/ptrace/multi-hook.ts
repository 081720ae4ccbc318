// Where PTRACE_MULTI enters sys_ptrace (ptrace-multi.md §2): after ptrace_check_attach (run
// once for the whole batch, not KILL-exempt), before arch_ptrace. On a kernel configured
// without it (a stock kernel) this answers nothing, so 0x4300 reaches arch_ptrace → EIO,
// exactly as Linux 6.18 answers (fixture errno-unknown-request).
import type { Ctx } from '../kernel/ledger.ts';
import type { SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { multiPtrace } from './multi.ts';
import { PTRACE } from './numbers.ts';

export function multiHook(ctx: Ctx, caller: Task, child: Task, request: number, addr: bigint, data: bigint): SysOutcome | null {
  const version = ctx.s.config.ptraceMulti;
  if (!version || request !== PTRACE.MULTI) return null;
  return multiPtrace(ctx, caller, child, addr, data, version);
}
