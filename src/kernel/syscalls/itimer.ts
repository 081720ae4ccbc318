// Interval timers: setitimer/getitimer (kernel/time/itimer.c) for ITIMER_REAL (SIGALRM on
// the simulated clock), ITIMER_VIRTUAL (SIGVTALRM after the process's own user-mode time) and
// ITIMER_PROF (SIGPROF; kernel time is not modelled, so it counts like ITIMER_VIRTUAL).
// Signal generation lives in the scheduler (run.ts): itimerAfterInsn after every retired user
// instruction, fireRealTimers before each scheduling choice, nextRealTimerNs to cap quanta
// and idle clock jumps so a timer fires exactly at its deadline.
// Simplifications (documented): timers belong to the thread-group leader (signal_struct);
// CPU timers are exact per instruction (Linux samples them at ticks); no overrun counting.
import type { Ctx } from '../ledger.ts';
import { allTasks } from '../state.ts';
import { makeSiginfo, SI, SIG } from '../signals.ts';
import { sendSignal } from '../signal.ts';
import type { ItimerSlot, Task } from '../task.ts';
import { copyFromUser, copyToUser } from '../uaccess.ts';
import { fail, ok, type SysOutcome } from './types.ts';

export const ITIMER = { REAL: 0, VIRTUAL: 1, PROF: 2 } as const;
const WHICH = ['real', 'virtual', 'prof'] as const;
type Which = (typeof WHICH)[number];
const SIGNAL_OF: Record<Which, number> = { real: SIG.SIGALRM, virtual: SIG.SIGVTALRM, prof: SIG.SIGPROF };

export interface ItimerValue {
  /** it_value: time to the next expiry, 0 = disarmed. */
  readonly valueNs: number;
  /** it_interval: the reload value, 0 = one-shot. */
  readonly intervalNs: number;
}

function leader(ctx: Ctx, t: Task): Task {
  return ctx.s.tasks[t.tgid] ?? t;
}

/** do_getitimer(): the remaining time and interval of one timer. */
export function getItimer(ctx: Ctx, t: Task, which: number): ItimerValue | 'EINVAL' {
  const w = WHICH[which];
  if (w === undefined) return 'EINVAL';
  const slot = leader(ctx, t).itimers?.[w];
  if (!slot) return { valueNs: 0, intervalNs: 0 };
  const valueNs = w === 'real' ? Math.max(0, slot.untilNs - ctx.s.clockNs) : Math.max(0, slot.untilNs);
  return { valueNs, intervalNs: slot.intervalNs };
}

/** do_setitimer(): arm (value > 0) or disarm (value 0); returns the old value. */
export function setItimer(ctx: Ctx, t: Task, which: number, v: ItimerValue): ItimerValue | 'EINVAL' {
  const old = getItimer(ctx, t, which);
  if (old === 'EINVAL') return old;
  const w = WHICH[which]!;
  const lead = leader(ctx, t);
  const timers = (lead.itimers ??= {});
  if (v.valueNs <= 0) {
    delete timers[w];
  } else {
    // ITIMER_REAL: an absolute deadline on the clock; CPU timers: the user time left (counts down).
    timers[w] = { untilNs: w === 'real' ? ctx.s.clockNs + v.valueNs : v.valueNs, intervalNs: v.intervalNs };
  }
  return old;
}

function readItimerval(ctx: Ctx, t: Task, addr: bigint): ItimerValue | 'EFAULT' | 'EINVAL' {
  const w = ctx.arch.wordBytes;
  const b = copyFromUser(ctx, t, addr, 4 * w);
  if (b === 'EFAULT') return 'EFAULT';
  const v = new DataView(b.buffer);
  const word = (i: number) => (w === 8 ? Number(v.getBigInt64(i * 8, true)) : v.getInt32(i * 4, true));
  const [iSec, iUsec, vSec, vUsec] = [word(0), word(1), word(2), word(3)];
  // timeval_valid(): tv_usec in [0, 1e6), tv_sec >= 0.
  if (iSec < 0 || vSec < 0 || iUsec < 0 || vUsec < 0 || iUsec >= 1_000_000 || vUsec >= 1_000_000) return 'EINVAL';
  return { intervalNs: iSec * 1e9 + iUsec * 1000, valueNs: vSec * 1e9 + vUsec * 1000 };
}

function writeItimerval(ctx: Ctx, t: Task, addr: bigint, v: ItimerValue): 'EFAULT' | null {
  const w = ctx.arch.wordBytes;
  const b = new Uint8Array(4 * w);
  const d = new DataView(b.buffer);
  const put = (i: number, n: number) => (w === 8 ? d.setBigInt64(i * 8, BigInt(n), true) : d.setInt32(i * 4, n, true));
  // ns → timeval (truncated to microseconds, as ns_to_timeval on a positive value).
  const tv = (ns: number) => [Math.floor(ns / 1e9), Math.floor((ns % 1e9) / 1000)] as const;
  const [is, iu] = tv(v.intervalNs);
  const [vs, vu] = tv(v.valueNs);
  put(0, is); put(1, iu); put(2, vs); put(3, vu);
  return copyToUser(ctx, t, addr, b) === 'EFAULT' ? 'EFAULT' : null;
}

/** setitimer(which, new, old). */
export function sysSetitimer(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const which = Number(BigInt.asIntN(32, args[0]!));
  if (WHICH[which] === undefined) return fail('EINVAL');
  const nv = args[1] === 0n ? { valueNs: 0, intervalNs: 0 } : readItimerval(ctx, t, args[1]!);
  if (typeof nv === 'string') return fail(nv);
  const old = setItimer(ctx, t, which, nv);
  if (old === 'EINVAL') return fail('EINVAL');
  if (args[2] !== 0n && writeItimerval(ctx, t, args[2]!, old) === 'EFAULT') return fail('EFAULT');
  return ok(0);
}

/** getitimer(which, curr). */
export function sysGetitimer(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const v = getItimer(ctx, t, Number(BigInt.asIntN(32, args[0]!)));
  if (v === 'EINVAL') return fail('EINVAL');
  if (writeItimerval(ctx, t, args[1]!, v) === 'EFAULT') return fail('EFAULT');
  return ok(0);
}

function expire(ctx: Ctx, lead: Task, w: Which, slot: ItimerSlot): void {
  // it_real_fn() / check_cpu_itimer(): kill_pid_info(sig, SEND_SIG_PRIV) → SI_KERNEL, to the group.
  sendSignal(ctx, lead.tid, makeSiginfo(SIGNAL_OF[w], SI.SI_KERNEL, {}), { group: true });
  if (slot.intervalNs > 0) {
    if (w === 'real') {
      let until = slot.untilNs + slot.intervalNs;
      while (until <= ctx.s.clockNs) until += slot.intervalNs; // hrtimer_forward: overruns collapse into one signal
      lead.itimers![w] = { untilNs: until, intervalNs: slot.intervalNs };
    } else {
      lead.itimers![w] = { untilNs: slot.untilNs + slot.intervalNs, intervalNs: slot.intervalNs };
    }
  } else {
    delete lead.itimers![w];
  }
}

/** After one user instruction of t: charge it to the process's CPU timers; expire them at zero (and its own due ITIMER_REAL). */
export function itimerAfterInsn(ctx: Ctx, t: Task): void {
  const lead = t.tid === t.tgid ? t : ctx.s.tasks[t.tgid];
  const timers = lead?.itimers;
  if (!timers) return;
  // Its own ITIMER_REAL, armed during this quantum (run.ts caps quanta only at timers armed before).
  if (timers.real && timers.real.untilNs <= ctx.s.clockNs) expire(ctx, lead!, 'real', timers.real);
  countDown(ctx, lead!, timers, 'virtual');
  countDown(ctx, lead!, timers, 'prof');
}

/** One instruction of user time off a CPU timer (in place: no allocation per instruction); expire it at zero. */
function countDown(ctx: Ctx, lead: Task, timers: NonNullable<Task['itimers']>, w: 'virtual' | 'prof'): void {
  const slot = timers[w];
  if (!slot) return;
  slot.untilNs -= ctx.s.config.insnNs;
  if (slot.untilNs <= 0) expire(ctx, lead, w, slot);
}

/** Expire every ITIMER_REAL whose deadline the clock has reached. */
export function fireRealTimers(ctx: Ctx): void {
  for (const t of allTasks(ctx.s)) {
    const slot = t.itimers?.real;
    if (slot && t.run.kind !== 'zombie' && slot.untilNs <= ctx.s.clockNs) expire(ctx, t, 'real', slot);
  }
}

/** The earliest pending ITIMER_REAL deadline (Infinity if none). */
export function nextRealTimerNs(ctx: Ctx): number {
  let next = Infinity;
  for (const t of allTasks(ctx.s)) {
    const slot = t.itimers?.real;
    if (slot && t.run.kind !== 'zombie') next = Math.min(next, slot.untilNs);
  }
  return next;
}
