// PTRACE_GETSIGMASK / PTRACE_SETSIGMASK (kernel/ptrace.c, since 3.11): addr must be
// sizeof(sigset_t) = 8 (else EINVAL); SIGKILL and SIGSTOP can never be blocked.
import type { Ctx } from '../kernel/ledger.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { copyFromUser, copyToUser } from '../kernel/uaccess.ts';

const UNBLOCKABLE = (1n << 8n) | (1n << 18n);

export function getSigmask(ctx: Ctx, tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  if (addr !== 8n) return fail('EINVAL');
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, child.blocked, true);
  return copyToUser(ctx, tracer, data, b) ? fail('EFAULT') : ok(0);
}

export function setSigmask(ctx: Ctx, tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  if (addr !== 8n) return fail('EINVAL');
  const b = copyFromUser(ctx, tracer, data, 8);
  if (b === 'EFAULT') return fail('EFAULT');
  child.blocked = new DataView(b.buffer).getBigUint64(0, true) & ~UNBLOCKABLE;
  return ok(0);
}
