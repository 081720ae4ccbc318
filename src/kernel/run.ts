// Running tasks: one task's kernel paths and user instructions (runTask), and the
// deterministic scheduler that runs every runnable task while an external caller blocks
// (runUntil). Round-robin in pid order with a fixed quantum; sleeping tasks wake on the
// simulated clock; no wall clock, no randomness beyond the seeded state.
import { stepUser } from './cpu.ts';
import { runBurst } from './cpu-burst.ts';
import { chargeTimers, timerHeadroom } from './burst-timers.ts';
import { allTasks } from './state.ts';
import { doExit } from './exit.ts';
import type { Ctx } from './ledger.ts';
import { getSignal, hasDeliverable } from './signal.ts';
import { performSyscall, syscallExitWork } from './syscall-entry.ts';
import { applyOutcome, syscallArgs } from './syscalls/dispatch.ts';
import { waitOnce } from './syscalls/wait.ts';
import { fireRealTimers, itimerAfterInsn, nextRealTimerNs } from './syscalls/itimer.ts';
import { syscallName } from './syscall-table.ts';
import { toSigned } from './arch.ts';
import type { Task } from './task.ts';

/** Kernel-path steps a task may take without retiring an instruction (a loop guard). */
const KERNEL_STEPS_MAX = 10_000;

/** Run task t until it stops, sleeps, exits or retires `budget` instructions. Returns instructions retired. */
export function runTask(ctx: Ctx, t: Task, budget: number): number {
  let used = 0;
  let kernelSteps = 0;
  while (ctx.s.tasks[t.tid] === t && t.run.kind === 'running') {
    if (t.phase === 'user') {
      // User instructions back to back while the task stays in user mode and running (no
      // user instruction removes a task: exits and execs run in kernel phases below).
      const from = used;
      // Only a syscall (a kernel phase, which ends this loop) arms a timer: without one now,
      // itimerAfterInsn has nothing to count down for these instructions.
      const lead = t.tid === t.tgid ? t : ctx.s.tasks[t.tgid];
      const timed = lead?.itimers !== undefined;
      // One instruction the per-instruction way where a timer expires after it (burst-timers.ts).
      let once = false;
      if (!t.singleStep && !t.blockStep && used < budget && !hasDeliverable(t)) {
        // Instructions that neither enter the kernel nor fault change none of these: the same
        // loop, in doubles (cpu-burst.ts), up to the instruction an interval timer expires after.
        const headroom = timed ? timerHeadroom(ctx, lead!) : Infinity;
        if (headroom > 0) {
          const ran = runBurst(ctx, t, Math.min(budget - used, headroom));
          if (timed) chargeTimers(ctx, lead!, ran);
          used += ran;
          kernelSteps = 0;
          if (t.phase === 'user' && used >= budget) return used;
          continue;
        }
        once = true;
      }
      do {
        if (used >= budget) return used;
        if (hasDeliverable(t)) {
          // Interrupted in user mode: the kernel entry is not a syscall (orig_ax = -1).
          t.regs[ctx.arch.origAx] = ctx.arch.mask;
          t.phase = 'signals';
          break;
        }
        stepUser(ctx, t);
        used++;
        t.insnCount++;
        ctx.s.clockNs += ctx.s.config.insnNs;
        if (timed) itimerAfterInsn(ctx, t); // ITIMER_VIRTUAL / ITIMER_PROF (syscalls/itimer.ts)
      } while (t.phase === 'user' && t.run.kind === 'running' && !once);
      if (used > from) kernelSteps = 0; // the loop guard counts kernel steps between retired instructions
      continue;
    }
    if (++kernelSteps > KERNEL_STEPS_MAX) throw new Error(`simulator bug: task ${t.tid} loops in kernel phase ${t.phase}`);
    switch (t.phase) {
      case 'syscall-perform': performSyscall(ctx, t); break;
      case 'syscall-exit': syscallExitWork(ctx, t); break;
      case 'signals': getSignal(ctx, t); break;
      case 'exit': doExit(ctx, t); break;
    }
  }
  return used;
}

/** Wake a sleeping task whose condition now holds (nanosleep deadline, wait4 news). */
function tryWake(ctx: Ctx, t: Task): void {
  if (t.run.kind !== 'blocked') return;
  const on = t.run.on;
  if (on.kind === 'nanosleep' && ctx.s.clockNs >= on.untilNs) {
    t.restartUntilNs = null;
    t.run = { kind: 'running' };
    complete(ctx, t, { ret: 0n });
  } else if (on.kind === 'wait4') {
    const r = waitOnce(ctx, t, on.pid, on.options, on.statusAddr);
    if (r) {
      t.run = { kind: 'running' };
      complete(ctx, t, r);
    }
  }
}

function complete(ctx: Ctx, t: Task, out: Parameters<typeof applyOutcome>[4]): void {
  const nr = Number(toSigned(ctx.arch, t.regs[ctx.arch.origAx]!));
  t.phase = 'syscall-exit';
  applyOutcome(ctx, t, syscallName(ctx.arch.name, nr), syscallArgs(ctx, t), out);
}

function runnable(ctx: Ctx): Task[] {
  const out: Task[] = [];
  fireRealTimers(ctx); // ITIMER_REAL deadlines the clock has reached (syscalls/itimer.ts)
  for (const t of allTasks(ctx.s)) {
    if (t.external) continue;
    tryWake(ctx, t);
    if (t.run.kind === 'running') out.push(t);
  }
  return out.sort((a, b) => a.tid - b.tid);
}

export type RunResult = 'done' | 'idle' | 'limit';

/**
 * Run simulated tasks until `done()` holds. 'idle': nothing can run and no sleeper will
 * ever wake (a real kernel would block forever); 'limit': the instruction budget ran out.
 * `capNs` is a deadline of the caller (an external task's timer, kernel.ts wait4 untilNs):
 * no quantum runs past it and an idle clock jumps to it, so `done()` can see it exactly.
 */
export function runUntil(ctx: Ctx, done: () => boolean, insnLimit: number, advanceClock = true, capNs = Infinity): RunResult {
  let spent = 0;
  for (;;) {
    if (done()) return 'done';
    const ready = runnable(ctx);
    const timerNs = Math.min(capNs, nextRealTimerNs(ctx));
    if (ready.length === 0) {
      if (!advanceClock) return 'idle';
      const deadlines = allTasks(ctx.s)
        .map((t) => (t.run.kind === 'blocked' && t.run.on.kind === 'nanosleep' ? t.run.on.untilNs : Infinity));
      const next = Math.min(timerNs, ...deadlines);
      if (!Number.isFinite(next)) return 'idle';
      ctx.s.clockNs = Math.max(ctx.s.clockNs, next);
      if (++spent > insnLimit) return 'limit'; // a timer that wakes nobody, forever
      continue;
    }
    const t = ready.find((x) => x.tid > ctx.s.lastRun) ?? ready[0]!;
    ctx.s.lastRun = t.tid;
    // Stop the quantum at the next timer deadline so the timer fires between instructions exactly there.
    const toDeadline = Number.isFinite(timerNs) ? Math.max(1, Math.ceil((timerNs - ctx.s.clockNs) / ctx.s.config.insnNs)) : Infinity;
    spent += Math.max(1, runTask(ctx, t, Math.min(ctx.s.config.quantumInsns, toDeadline)));
    if (spent > insnLimit) return 'limit';
  }
}
