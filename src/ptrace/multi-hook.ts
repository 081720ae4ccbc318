// Where PTRACE_MULTI enters sys_ptrace (ptrace-multi.md §2). Stock kernels have no such
// request, so this answers nothing and 0x4300 falls through to arch_ptrace → EIO.
import type { Ctx } from '../kernel/ledger.ts';
import type { SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';

export function multiHook(_ctx: Ctx, _caller: Task, _child: Task, _request: number, _addr: bigint, _data: bigint): SysOutcome | null {
  return null;
}
