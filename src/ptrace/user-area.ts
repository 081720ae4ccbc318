// PTRACE_PEEKUSER / PTRACE_POKEUSER (arch/x86/kernel/ptrace.c arch_ptrace): an offset into
// the kernel's struct user. Unaligned or ≥ sizeof(struct user) → EIO; registers go through
// getreg/putreg; u_debugreg through ptrace_get/set_debugreg; the rest reads as 0 and
// refuses writes with EIO (ptrace.md §6, §8).
import type { Ctx } from '../kernel/ledger.ts';
import { putReg, readDebugReg, userAreaSlot, writeDebugReg } from '../kernel/regs.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { putUserWord } from '../kernel/uaccess.ts';

export function peekUserValue(ctx: Ctx, child: Task, addr: bigint): bigint | 'EIO' {
  const slot = userAreaSlot(ctx.arch, addr);
  if (typeof slot === 'string') return 'EIO';
  if (slot.kind === 'reg') return child.regs[slot.index]!;
  if (slot.kind === 'debugreg') return readDebugReg(child.debugRegs, slot.index);
  return 0n;
}

export function peekUser(ctx: Ctx, tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  const v = peekUserValue(ctx, child, addr);
  if (v === 'EIO') return fail('EIO');
  if (putUserWord(ctx, tracer, data, v) === 'EFAULT') return fail('EFAULT');
  return ok(0);
}

export function pokeUser(ctx: Ctx, _tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  const slot = userAreaSlot(ctx.arch, addr);
  if (typeof slot === 'string' || slot.kind === 'other') return fail('EIO');
  if (slot.kind === 'reg') {
    const r = putReg(ctx.arch, child.regs, slot.index, data);
    if (typeof r === 'string') return fail(r);
    child.regs = r;
    return ok(0);
  }
  const r = writeDebugReg(ctx.arch, child.debugRegs, slot.index, data, child.ptraceBps);
  if (typeof r === 'string') return fail(r);
  child.ptraceBps = r.bps;
  if (r.errno) return fail(r.errno);
  child.debugRegs = r.regs;
  return ok(0);
}
