// sigaltstack(uss, uoss) (kernel/signal.c do_sigaltstack). stack_t is { void *ss_sp; int
// ss_flags; size_t ss_size } (x86_64: 0, 8, 16; i386: 0, 4, 8). The old value is taken before
// the change. EPERM while running on the altstack, EINVAL for bad flags, ENOMEM below
// MINSIGSTKSZ; SS_DISABLE clears it.
import type { Ctx } from '../ledger.ts';
import { MINSIGSTKSZ, onSigStack, sasSsFlags, SS_DISABLE, SS_ONSTACK } from '../sigframe.ts';
import type { Task } from '../task.ts';
import { copyFromUser, copyToUser } from '../uaccess.ts';
import { fail, ok, type SysOutcome } from './types.ts';

/** SS_AUTODISARM (accepted, not modelled). */
const SS_FLAG_BITS = 1 << 31;

export function sysSigaltstack(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const [uss, uoss] = args as [bigint, bigint];
  const w = ctx.arch.wordBytes;
  const size = 3 * w;
  const sp = t.regs[ctx.arch.sp]!;
  const old = { sp: t.altStack?.sp ?? 0n, flags: sasSsFlags(t, sp), size: t.altStack?.size ?? 0n };
  if (uss !== 0n) {
    const b = copyFromUser(ctx, t, uss, size);
    if (b === 'EFAULT') return fail('EFAULT');
    const v = new DataView(b.buffer);
    const ssSp = w === 8 ? v.getBigUint64(0, true) : BigInt(v.getUint32(0, true));
    const ssFlags = v.getInt32(w, true);
    const ssSize = w === 8 ? v.getBigUint64(2 * w, true) : BigInt(v.getUint32(2 * w, true));
    if (onSigStack(t, sp)) return fail('EPERM');
    const mode = ssFlags & ~SS_FLAG_BITS;
    if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return fail('EINVAL');
    if (mode === SS_DISABLE) t.altStack = { sp: 0n, size: 0n };
    else if (ssSize < MINSIGSTKSZ) return fail('ENOMEM');
    else t.altStack = { sp: ssSp, size: ssSize };
  }
  if (uoss !== 0n) {
    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    if (w === 8) v.setBigUint64(0, old.sp, true);
    else v.setUint32(0, Number(old.sp & 0xffffffffn), true);
    v.setInt32(w, old.flags, true);
    if (w === 8) v.setBigUint64(2 * w, old.size, true);
    else v.setUint32(2 * w, Number(old.size & 0xffffffffn), true);
    if (copyToUser(ctx, t, uoss, out) === 'EFAULT') return fail('EFAULT');
  }
  return ok(0);
}
