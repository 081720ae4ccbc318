// PTRACE_SETOPTIONS and the old x86 request 21 PTRACE_OLDSETOPTIONS (kernel/ptrace.c
// ptrace_setoptions). 6.x: an unknown bit → EINVAL and nothing changes. 2.6.26: the known
// bits (mask 0x7f) are stored first, then unknown bits → EINVAL.
import { isModern } from '../kernel/config.ts';
import type { Ctx } from '../kernel/ledger.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import { PTRACE_O_MASK, type Task } from '../kernel/task.ts';

const PTRACE_O_MASK_2_6_26 = 0x7f;

export function setOptions(ctx: Ctx, _tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  if (isModern(ctx.s.config)) {
    if (data & ~BigInt(PTRACE_O_MASK)) return fail('EINVAL');
    child.options = Number(data);
    return ok(0);
  }
  child.options = Number(data & BigInt(PTRACE_O_MASK_2_6_26));
  return data & ~BigInt(PTRACE_O_MASK_2_6_26) ? fail('EINVAL') : ok(0);
}
