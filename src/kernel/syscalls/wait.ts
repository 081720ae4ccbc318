// wait4/waitpid from a simulated task: checks once, sleeps if nothing is reportable yet;
// the scheduler re-checks sleeping waiters (run.ts).
import { toSigned } from '../arch.ts';
import type { Ctx } from '../ledger.ts';
import type { Task } from '../task.ts';
import { putUser32 } from '../uaccess.ts';
import { doWait } from '../wait.ts';
import { WAIT4_VALID, WNOHANG } from '../wait-status.ts';
import { fail, ok, type SysOutcome } from './types.ts';

export function sysWait4(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const pid = Number(toSigned(ctx.arch, args[0]!));
  const statusAddr = args[1]!;
  const options = Number(args[2]! & 0xffffffffn);
  if (options & ~WAIT4_VALID) return fail('EINVAL');
  const r = waitOnce(ctx, t, pid, options, statusAddr);
  if (r) return r;
  if (options & WNOHANG) return ok(0);
  return { block: { kind: 'wait4', pid, options, statusAddr } };
}

/** One attempt: an outcome if the wait finishes now, null if it must sleep. */
export function waitOnce(ctx: Ctx, t: Task, pid: number, options: number, statusAddr: bigint): SysOutcome | null {
  const r = doWait(ctx, t, pid, options);
  if (r.kind === 'error') return fail(r.errno);
  if (r.kind === 'nothing') return null;
  if (statusAddr !== 0n && putUser32(ctx, t, statusAddr, r.status) === 'EFAULT') return fail('EFAULT');
  return ok(r.tid);
}
