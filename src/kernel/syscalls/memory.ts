// Memory syscalls: mmap (anonymous; file mappings are modelled as anonymous), munmap,
// mprotect (mm/mmap.c, mm/mprotect.c), brk (fixed break: returns the current one).
import type { Ctx } from '../ledger.ts';
import { MAP_ANONYMOUS, mmap, mprotect, munmap, MAP_FIXED, MAP_FIXED_NOREPLACE } from '../memory.ts';
import type { Task } from '../task.ts';
import { fail, ok, type SysOutcome } from './types.ts';

export function sysMmap(ctx: Ctx, t: Task, args: readonly bigint[], pageOffsetUnits = false): SysOutcome {
  const [addr, len, prot, flags] = args as [bigint, bigint, bigint, bigint];
  void pageOffsetUnits;
  if ((flags & 0x3n) === 0n) return fail('EINVAL'); // neither MAP_SHARED nor MAP_PRIVATE
  const f = Number(flags & 0xffffffffn);
  const hint = f & (MAP_FIXED | MAP_FIXED_NOREPLACE) ? addr : 0n;
  const r = mmap(ctx.s.mms[t.mm]!, hint, len, Number(prot & 7n), f | MAP_ANONYMOUS);
  if (typeof r === 'string') return fail(r);
  ctx.s.mms[t.mm] = r.mm;
  return ok(r.addr);
}

export function sysMunmap(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const r = munmap(ctx.s.mms[t.mm]!, args[0]!, args[1]!);
  if (typeof r === 'string') return fail(r);
  ctx.s.mms[t.mm] = r;
  return ok(0);
}

export function sysMprotect(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const r = mprotect(ctx.s.mms[t.mm]!, args[0]!, args[1]!, Number(args[2]! & 7n));
  if (typeof r === 'string') return fail(r);
  ctx.s.mms[t.mm] = r;
  return ok(0);
}

/** brk: the model has no heap; brk reports a fixed break (what a failed brk returns). */
export function sysBrk(): SysOutcome {
  return ok(0);
}
