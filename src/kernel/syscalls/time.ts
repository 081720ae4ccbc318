// Time syscalls over the simulated clock: nanosleep, restart_syscall, sched_yield.
import type { Ctx } from '../ledger.ts';
import type { Task } from '../task.ts';
import { copyFromUser } from '../uaccess.ts';
import { fail, ok, type SysOutcome } from './types.ts';

/** nanosleep(req, rem): sleeps on the simulated clock; a signal interrupts it with -ERESTART_RESTARTBLOCK. */
export function sysNanosleep(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const w = ctx.arch.wordBytes;
  const b = copyFromUser(ctx, t, args[0]!, 2 * w);
  if (b === 'EFAULT') return fail('EFAULT');
  const v = new DataView(b.buffer);
  const sec = w === 8 ? v.getBigInt64(0, true) : BigInt(v.getInt32(0, true));
  const nsec = w === 8 ? v.getBigInt64(8, true) : BigInt(v.getInt32(4, true));
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return fail('EINVAL');
  const untilNs = ctx.s.clockNs + Number(sec * 1_000_000_000n + nsec);
  t.restartUntilNs = untilNs;
  return { block: { kind: 'nanosleep', untilNs } };
}

/** restart_syscall: continues an interrupted nanosleep until its original deadline. */
export function sysRestartSyscall(_ctx: Ctx, t: Task): SysOutcome {
  if (t.restartUntilNs === null) return fail('EINTR');
  return { block: { kind: 'nanosleep', untilNs: t.restartUntilNs } };
}

export function sysSchedYield(): SysOutcome {
  return ok(0);
}
