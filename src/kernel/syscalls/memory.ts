// Memory syscalls: mmap (anonymous, or of a mem file — memfile.ts; other file mappings are
// modelled as anonymous), munmap,
// mprotect (mm/mmap.c, mm/mprotect.c), brk (fixed break: returns the current one).
import type { Ctx } from '../ledger.ts';
import { MAP_ANONYMOUS, mmap, mprotect, munmap, MAP_FIXED, MAP_FIXED_NOREPLACE, PAGE_SHIFT } from '../memory.ts';
import { memFileImages, memFilePage, type MemFile } from '../memfile.ts';
import { INSN_BYTES } from '../isa.ts';
import type { Task } from '../task.ts';
import { fail, ok, type SysOutcome } from './types.ts';

export function sysMmap(ctx: Ctx, t: Task, args: readonly bigint[], pageOffsetUnits = false): SysOutcome {
  const [addr, len, prot, flags] = args as [bigint, bigint, bigint, bigint];
  if ((flags & 0x3n) === 0n) return fail('EINVAL'); // neither MAP_SHARED nor MAP_PRIVATE
  const f = Number(flags & 0xffffffffn);
  const hint = f & (MAP_FIXED | MAP_FIXED_NOREPLACE) ? addr : 0n;
  // A mapping of a mem file (memfile.ts) installs its pages and images; any other fd is
  // modelled as anonymous memory, as before.
  const file: MemFile | undefined = f & MAP_ANONYMOUS ? undefined : ctx.s.files?.[Number(BigInt.asIntN(32, args[4] ?? -1n))];
  if (file) {
    const offset = pageOffsetUnits ? (args[5] ?? 0n) << PAGE_SHIFT : args[5] ?? 0n;
    if ((offset & 0xfffn) !== 0n) return fail('EINVAL');
    // The file's pages are immutable arrays (replaced on write): shared into the mapping, copied on its first write.
    const first = Number(offset >> PAGE_SHIFT);
    const r = mmap(ctx.s.mms[t.mm]!, hint, len, Number(prot & 7n), f, (i) => memFilePage(file, first + i));
    if (typeof r === 'string') return fail(r);
    const added = memFileImages(file, offset, len, r.addr, INSN_BYTES);
    // No image in the mapped pages (a data page): the list stays the same array (cpu.ts's fetch window holds).
    if (added.length > 0) {
      const keep = r.mm.images.filter((im) => !added.some((a) => a.name === im.name && a.base === im.base));
      r.mm.images = [...keep, ...added];
    }
    ctx.s.mms[t.mm] = r.mm;
    return ok(r.addr);
  }
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
