// write (console output is accepted and counted, not stored), arch_prctl (x86_64
// arch/x86/kernel/process_64.c do_arch_prctl_64), getitimer/setitimer (not modelled → ENOSYS).
import type { Ctx } from '../ledger.ts';
import { TASK_SIZE_MAX } from '../regs.ts';
import type { Task } from '../task.ts';
import { copyFromUser, copyToUser, putUserWord } from '../uaccess.ts';
import { fail, ok, type SysOutcome } from './types.ts';

export function sysWrite(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const len = Number(args[2]! & 0xffffffffn);
  if (len === 0) return ok(0);
  const b = copyFromUser(ctx, t, args[1]!, len);
  if (b === 'EFAULT') return fail('EFAULT');
  return ok(len);
}

/** pipe(fds): no file objects are modelled; it hands out two fd numbers (3, 4) so callers see success. */
export function sysPipe(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, 3, true);
  v.setInt32(4, 4, true);
  return copyToUser(ctx, t, args[0]!, b) === 'EFAULT' ? fail('EFAULT') : ok(0);
}

export const ARCH_SET_GS = 0x1001n;
export const ARCH_SET_FS = 0x1002n;
export const ARCH_GET_FS = 0x1003n;
export const ARCH_GET_GS = 0x1004n;

/**
 * do_arch_prctl_64(task, option, arg2). ARCH_GET_* put_user()s into the CALLER's memory:
 * the task itself for arch_prctl(2), the tracer for PTRACE_ARCH_PRCTL (`caller`).
 */
export function archPrctl(ctx: Ctx, t: Task, code: bigint, addr: bigint, caller: Task = t): SysOutcome {
  const fs = ctx.arch.regNames.indexOf('fs_base');
  const gs = ctx.arch.regNames.indexOf('gs_base');
  if (fs < 0) return fail('EINVAL');
  switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
      if (addr >= TASK_SIZE_MAX) return fail('EPERM');
      t.regs[code === ARCH_SET_FS ? fs : gs] = addr;
      return ok(0);
    case ARCH_GET_FS:
    case ARCH_GET_GS:
      return putUserWord(ctx, caller, addr, t.regs[code === ARCH_GET_FS ? fs : gs]!) === 'EFAULT' ? fail('EFAULT') : ok(0);
    default:
      return fail('EINVAL');
  }
}

export function sysArchPrctl(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  return archPrctl(ctx, t, args[0]!, args[1]!);
}
