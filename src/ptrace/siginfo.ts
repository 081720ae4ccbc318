// PTRACE_GETSIGINFO / PTRACE_SETSIGINFO (kernel/ptrace.c ptrace_getsiginfo/ptrace_setsiginfo):
// the stop's last_siginfo. None (a non-seized group-stop) → EINVAL; a bad tracer pointer → EFAULT
// (SETSIGINFO copies from the tracer first, then checks for last_siginfo).
import type { Ctx } from '../kernel/ledger.ts';
import { SIGINFO_BYTES, siginfoFromBytes, siginfoScratch } from '../kernel/siginfo-layout.ts';
import { setStopSiginfo } from '../kernel/stop.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { copyFromUser, copyToUser } from '../kernel/uaccess.ts';

export function getSiginfo(ctx: Ctx, tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  const info = child.run.kind === 'ptrace-stop' ? child.run.stop.siginfo : null;
  if (!info) return fail('EINVAL');
  return copyToUser(ctx, tracer, data, siginfoScratch(ctx.arch, info)) ? fail('EFAULT') : ok(0);
}

export function setSiginfo(ctx: Ctx, tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  const b = copyFromUser(ctx, tracer, data, SIGINFO_BYTES);
  if (b === 'EFAULT') return fail('EFAULT');
  if (child.run.kind !== 'ptrace-stop' || !child.run.stop.siginfo) return fail('EINVAL');
  setStopSiginfo(child, siginfoFromBytes(ctx.arch, b));
  return ok(0);
}

