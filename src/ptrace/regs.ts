// PTRACE_GETREGS/SETREGS, GETFPREGS/SETFPREGS, GETFPXREGS/SETFPXREGS
// (arch/x86/kernel/ptrace.c arch_ptrace → copy_regset_to_user / copy_regset_from_user).
// The tracer buffer is read or written whole: a bad pointer → EFAULT. SETREGS applies
// putreg() field by field and stops at the first invalid one (segment selector, fs_base).
import type { Ctx } from '../kernel/ledger.ts';
import { putRegsFromBytesInPlace, regsScratch } from '../kernel/regs.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { copyFromUser, copyToUser, viewFromUser } from '../kernel/uaccess.ts';

export function getRegs(ctx: Ctx, tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  return copyToUser(ctx, tracer, data, regsScratch(ctx.arch, child.regs)) ? fail('EFAULT') : ok(0);
}

export function setRegs(ctx: Ctx, tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  const size = ctx.arch.regNames.length * ctx.arch.wordBytes;
  const b = viewFromUser(ctx, tracer, data, size); // consumed before anything writes tracer memory
  if (b === 'EFAULT') return fail('EFAULT');
  const errno = putRegsFromBytesInPlace(ctx.arch, child.regs, b); // in place: no copy of the task's registers
  return errno ? fail(errno) : ok(0);
}

/** x86_64: the 512-byte FXSAVE image (xfpregs_get); i386: user_fpregs_struct (108 bytes). */
export function getFpRegs(ctx: Ctx, tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  return copyToUser(ctx, tracer, data, child.fpregs) ? fail('EFAULT') : ok(0);
}

/** xfpregs_set(): MXCSR bits outside mxcsr_feature_mask (0xffff) → EINVAL. */
export function setFpRegs(ctx: Ctx, tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  const b = copyFromUser(ctx, tracer, data, child.fpregs.length);
  if (b === 'EFAULT') return fail('EFAULT');
  const err = checkFxsave(ctx, b);
  if (err) return fail(err);
  child.fpregs = b;
  return ok(0);
}

export function checkFxsave(ctx: Ctx, b: Uint8Array): 'EINVAL' | null {
  if (ctx.arch.name !== 'x86_64' || b.length < 32) return null;
  const mxcsr = new DataView(b.buffer, b.byteOffset).getUint32(24, true);
  return mxcsr & ~0xffff ? 'EINVAL' : null;
}

/** i386 only (PTRACE_GETFPXREGS 18): 512-byte FXSAVE. Native x86_64 tracees answer EIO. */
export function getFpxRegs(ctx: Ctx, tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  if (ctx.arch.name !== 'i386') return fail('EIO');
  const fx = new Uint8Array(512);
  fx.set(child.fpregs.subarray(0, Math.min(512, child.fpregs.length)));
  return copyToUser(ctx, tracer, data, fx) ? fail('EFAULT') : ok(0);
}

export function setFpxRegs(ctx: Ctx, tracer: Task, child: Task, _addr: bigint, data: bigint): SysOutcome {
  if (ctx.arch.name !== 'i386') return fail('EIO');
  const b = copyFromUser(ctx, tracer, data, 512);
  if (b === 'EFAULT') return fail('EFAULT');
  return ok(0);
}
