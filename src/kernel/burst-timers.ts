// The interval timers during a burst of user instructions (cpu-burst.ts): how many
// instructions a task's group may retire with none of its timers expiring, and charging them
// at once afterwards. itimerAfterInsn (syscalls/itimer.ts) subtracts insnNs from a CPU timer
// after every instruction and expires ITIMER_REAL once the clock reaches it; in integers below
// 2^53 j subtractions equal one subtraction of j * insnNs, so the burst's result is the same.
// Anything not such an integer gets 0 instructions (the per-instruction path of run.ts).
import type { Ctx } from './ledger.ts';
import type { Task } from './task.ts';

/** The largest j with j * step < left, exactly; 0 if none or if they are not safe integers. */
function stepsBelow(left: number, step: number): number {
  if (!Number.isSafeInteger(left) || !Number.isSafeInteger(step) || left <= 0 || step <= 0) return 0;
  let j = Math.floor(left / step);
  while (j > 0 && j * step >= left) j--;
  while ((j + 1) * step < left) j++;
  return j;
}

/** Instructions lead's process may retire with no interval timer expiring (Infinity if none is armed). */
export function timerHeadroom(ctx: Ctx, lead: Task): number {
  const timers = lead.itimers;
  if (!timers) return Infinity;
  const step = ctx.s.config.insnNs;
  let cap = Infinity;
  // A CPU timer expires after the instruction that takes it to 0 or below (countDown).
  if (timers.virtual) cap = Math.min(cap, stepsBelow(timers.virtual.untilNs, step));
  if (timers.prof) cap = Math.min(cap, stepsBelow(timers.prof.untilNs, step));
  // ITIMER_REAL expires after the instruction whose clock tick reaches its deadline.
  const real = timers.real;
  if (real) cap = Math.min(cap, Number.isSafeInteger(real.untilNs) && Number.isSafeInteger(ctx.s.clockNs) ? stepsBelow(real.untilNs - ctx.s.clockNs, step) : 0);
  return cap;
}

/** Charge `insns` instructions (at most timerHeadroom's) to lead's CPU timers, as itimerAfterInsn would one at a time. */
export function chargeTimers(ctx: Ctx, lead: Task, insns: number): void {
  const timers = lead.itimers;
  if (!timers || insns === 0) return;
  const ns = insns * ctx.s.config.insnNs;
  if (timers.virtual) timers.virtual.untilNs -= ns;
  if (timers.prof) timers.prof.untilNs -= ns;
}
