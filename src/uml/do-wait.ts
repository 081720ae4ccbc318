// Guest wait4/waitpid (kernel/exit.c do_wait, wait_task_zombie): reap a zombie child, store
// its status (exit code << 8) with copy_to_user, return its pid; no matching child → -ECHILD;
// WNOHANG and nothing to reap → 0; otherwise the parent blocks until a matching child exits
// (sched.ts), and the call completes when the parent is switched back in.
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import { copyToUser } from './copy-to-user.ts';
import type { ProcessContext } from './fork.ts';
import type { GuestProcess } from './guest.ts';

const WNOHANG = 1n;

interface WaitRequest {
  /** -1 = any child, else a guest pid. */
  readonly want: number;
  readonly statusAddr: bigint;
}

/** Parents asleep in wait4, by gpid. */
const waiting = new WeakMap<ProcessContext, Map<number, WaitRequest>>();

function waiters(ctx: ProcessContext): Map<number, WaitRequest> {
  let m = waiting.get(ctx);
  if (!m) waiting.set(ctx, (m = new Map()));
  return m;
}

function matches(c: GuestProcess, parent: GuestProcess, want: number): boolean {
  return c.parent === parent.gpid && (want === -1 || c.gpid === want);
}

/** One pass of do_wait: a pid, -ECHILD, or null (nothing to reap yet). */
function tryWait(ctx: ProcessContext, p: GuestProcess, req: WaitRequest): bigint | null {
  const { guest, mem } = ctx;
  const arch = mem.kernel.arch;
  const children = [...guest.procs.values()].filter((c) => matches(c, p, req.want));
  if (children.length === 0) return negErrnoReg(ERRNO.ECHILD) & arch.mask;
  const z = children.find((c) => c.state === 'zombie');
  if (!z) return null;
  guest.procs.delete(z.gpid);
  const status = (z.exitCode & 0xff) << 8;
  if (req.statusAddr !== 0n) {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, status, true);
    const mm = mem.mms.get(p.hostPid)!;
    if (!copyToUser(mem, mm, req.statusAddr, bytes)) return negErrnoReg(ERRNO.EFAULT) & arch.mask;
  }
  guest.trace.push(`${p.gpid} reaped ${z.gpid} status=0x${status.toString(16)}`);
  return BigInt(z.gpid);
}

export function guestWait4(ctx: ProcessContext, p: GuestProcess, pid: bigint, statusAddr: bigint, options: bigint): bigint {
  const arch = ctx.mem.kernel.arch;
  const want = Number(BigInt.asIntN(32, pid));
  if (want !== -1 && want <= 0) return negErrnoReg(ERRNO.EINVAL) & arch.mask; // process groups: not modelled
  const req = { want, statusAddr };
  const now = tryWait(ctx, p, req);
  if (now !== null) return now;
  if (options & WNOHANG) return 0n;
  waiters(ctx).set(p.gpid, req);
  ctx.sched.block(p);
  ctx.guest.trace.push(`${p.gpid} wait4 blocks`);
  return 0n; // placeholder: the result is written when the call completes
}

/** do_notify_parent: a child exited; wake its parent if it waits for it. */
export function notifyParent(ctx: ProcessContext, child: GuestProcess): void {
  const parent = ctx.guest.procs.get(child.parent);
  const req = waiters(ctx).get(child.parent);
  if (!parent || !req || parent.state !== 'blocked' || !matches(child, parent, req.want)) return;
  waiters(ctx).delete(parent.gpid);
  const arch = ctx.mem.kernel.arch;
  ctx.sched.enqueue(parent, () => {
    parent.regs[arch.ax] = tryWait(ctx, parent, req) ?? 0n;
  });
}
