// Signal syscalls: kill/tkill/tgkill (kernel/signal.c), rt_sigaction, rt_sigprocmask,
// rt_sigreturn, pause.
import { toSigned } from '../arch.ts';
import { allTasks } from '../state.ts';
import type { Ctx } from '../ledger.ts';
import { makeSiginfo, NSIG, SI, SIG } from '../signals.ts';
import { sendSignal } from '../signal.ts';
import type { SigAction, Task } from '../task.ts';
import { copyFromUser, copyToUser, getUserWord, putUserWord } from '../uaccess.ts';
import { DONE, fail, ok, type SysOutcome } from './types.ts';

function sigArg(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/** kill(pid, sig): pid > 0 a process, 0 own group, -1 everyone else, < -1 a group. */
export function sysKill(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const pid = Number(toSigned(ctx.arch, args[0]!));
  return killFrom(ctx, t, pid, sigArg(args[1]!));
}

export function killFrom(ctx: Ctx, t: Task, pid: number, sig: number): SysOutcome {
  if (sig < 0 || sig > NSIG) return fail('EINVAL');
  const info = makeSiginfo(sig, SI.SI_USER, { pid: t.tgid });
  let targets: Task[];
  if (pid > 0) {
    const target = ctx.s.tasks[pid];
    if (!target || target.tid !== target.tgid) return fail('ESRCH');
    targets = [target];
  } else {
    const pgid = pid === 0 ? t.pgid : -pid;
    targets = allTasks(ctx.s).filter((o) =>
      o.tid === o.tgid && o.tid !== 1 && (pid === -1 ? o.tgid !== t.tgid : o.pgid === pgid));
    if (targets.length === 0) return fail('ESRCH');
  }
  if (sig !== 0) for (const target of targets) sendSignal(ctx, target.tid, info, { group: true });
  return ok(0);
}

/** tgkill(tgid, tid, sig) → SI_TKILL. A zombie target answers ESRCH. */
export function sysTgkill(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const tgid = Number(toSigned(ctx.arch, args[0]!));
  const tid = Number(toSigned(ctx.arch, args[1]!));
  return tkillFrom(ctx, t, tgid, tid, sigArg(args[2]!));
}

export function sysTkill(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  return tkillFrom(ctx, t, -1, Number(toSigned(ctx.arch, args[0]!)), sigArg(args[1]!));
}

function tkillFrom(ctx: Ctx, t: Task, tgid: number, tid: number, sig: number): SysOutcome {
  if (tid <= 0 || (tgid !== -1 && tgid <= 0)) return fail('EINVAL');
  if (sig < 0 || sig > NSIG) return fail('EINVAL');
  const target = ctx.s.tasks[tid];
  if (!target || (tgid !== -1 && target.tgid !== tgid) || target.run.kind === 'zombie') return fail('ESRCH');
  if (sig !== 0) sendSignal(ctx, tid, makeSiginfo(sig, SI.SI_TKILL, { pid: t.tgid }));
  return ok(0);
}

const SIG_DFL = 0n;
const SIG_IGN = 1n;

/** rt_sigaction(sig, act, oact, sigsetsize): only sa_handler (word 0) is modelled. */
export function sysRtSigaction(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const sig = sigArg(args[0]!);
  const [, act, oact, size] = args as [bigint, bigint, bigint, bigint];
  if (size !== 8n) return fail('EINVAL'); // rt_sigaction: sigsetsize != sizeof(sigset_t)
  if (sig < 1 || sig > NSIG) return fail('EINVAL');
  if (act !== 0n && (sig === SIG.SIGKILL || sig === SIG.SIGSTOP)) return fail('EINVAL');
  const old = t.actions[sig] ?? 'default';
  let next: SigAction | undefined;
  if (act !== 0n) {
    const h = getUserWord(ctx, t, act);
    if (h === 'EFAULT') return fail('EFAULT');
    // struct sigaction { sa_handler; sa_flags; sa_restorer; sa_mask } (kernel ABI, word-sized
    // fields, 8-byte mask): the flags, restorer and mask are kept for SA_SIGINFO frames.
    const w = BigInt(ctx.arch.wordBytes);
    const rest = copyFromUser(ctx, t, act + w, 2 * ctx.arch.wordBytes + 8);
    if (rest === 'EFAULT') return fail('EFAULT');
    const v = new DataView(rest.buffer);
    const flags = v.getUint32(0, true);
    const restorer = ctx.arch.wordBytes === 8 ? v.getBigUint64(8, true) : BigInt(v.getUint32(4, true));
    const mask = v.getBigUint64(2 * ctx.arch.wordBytes, true);
    next = h === SIG_DFL ? 'default' : h === SIG_IGN ? 'ignore' : flags === 0 && restorer === 0n && mask === 0n ? { handler: h } : { handler: h, flags, restorer, mask };
  }
  if (oact !== 0n) {
    const v = old === 'default' ? SIG_DFL : old === 'ignore' ? SIG_IGN : old.handler;
    if (putUserWord(ctx, t, oact, v) === 'EFAULT') return fail('EFAULT');
  }
  if (next !== undefined) {
    t.actions[sig] = next;
    // Setting SIG_IGN discards pending instances (do_sigaction → flush_sigqueue_mask).
    if (next === 'ignore') t.pending = t.pending.filter((p) => p.signo !== sig);
  }
  return ok(0);
}

/** rt_sigprocmask(how, set, oset, size): SIG_BLOCK 0, SIG_UNBLOCK 1, SIG_SETMASK 2. */
export function sysRtSigprocmask(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const [how, set, oset, size] = args as [bigint, bigint, bigint, bigint];
  // "if (sigsetsize != sizeof(sigset_t)) return -EINVAL;" (kernel/signal.c; found by the
  // differential conformance run: a 4-byte set left the mask unchanged on 6.18)
  if (size !== 8n) return fail('EINVAL');
  const old = t.blocked;
  if (set !== 0n) {
    const b = copyFromUser(ctx, t, set, 8);
    if (b === 'EFAULT') return fail('EFAULT');
    const mask = new DataView(b.buffer).getBigUint64(0, true) & ~((1n << 8n) | (1n << 18n)); // never SIGKILL/SIGSTOP
    if (how === 0n) t.blocked |= mask;
    else if (how === 1n) t.blocked &= ~mask;
    else if (how === 2n) t.blocked = mask;
    else return fail('EINVAL');
  }
  if (oset !== 0n) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, old, true);
    if (copyToUser(ctx, t, oset, out) === 'EFAULT') return fail('EFAULT');
  }
  return ok(0);
}

/** rt_sigreturn: restore the context saved when the handler started; orig_ax = -1. */
export function sysRtSigreturn(ctx: Ctx, t: Task): SysOutcome {
  const frame = t.sigFrames.pop();
  if (!frame) {
    sendSignal(ctx, t.tid, makeSiginfo(SIG.SIGSEGV, SI.SI_KERNEL), { force: true });
    return DONE;
  }
  t.regs = [...frame.regs];
  t.regs[ctx.arch.origAx] = ctx.arch.mask;
  t.blocked = frame.blocked;
  return DONE;
}

export function sysPause(): SysOutcome {
  return { block: { kind: 'pause' } };
}
