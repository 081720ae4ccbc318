// Guest scheduling (kernel/sched/core.c schedule → context_switch → UML's __switch_to /
// arch_switch_to, finish_task_switch; arch/um/kernel/process.c fork_handler): a FIFO run
// queue of guest processes. Switching only changes which host process the userspace() loop
// drives (userspace_pid[0], no host call), plus:
//  * a forked child's first run: fork_handler → force_flush_all() (one stub run per VMA,
//    tlb.ts), schedule_tail → finish_task_switch(prev) and, for clone(CLONE_CHILD_SETTID),
//    put_user(tid, set_child_tid) (a kernel-mode write: COW of the TCB page, copy-to-user.ts),
//    then arch_switch_to;
//  * arch_switch_to (x86_64 UML only): a task with a TLS base (thread.arch.fs ≠ 0) gets it
//    re-set on its host process: SETREGS, ARCH_PRCTL(fs, ARCH_SET_FS), GETREGS (arch-prctl.ts);
//  * finish_task_switch(prev): a dead prev's mm is dropped only now, after the switch
//    (mmdrop → destroy_context → os_kill_ptraced_process: kill, PTRACE_KILL, CONT → ESRCH,
//    wait4(NULL, __WALL)) — uml/README.md: the parent's SETREGS/ARCH_PRCTL/GETREGS come first.
// Preemption at a timer tick (kernel/sched/fair.c, 6.1: scheduler_tick → task_tick_fair →
// check_preempt_tick): every guest task is nice 0, so sched_slice = __sched_period(nr) / nr with
// __sched_period = sysctl_sched_latency 6 ms (one CPU: factor 1 + ilog2(1) = 1), or nr × 0.75 ms
// (sysctl_sched_min_granularity) past sched_nr_latency = 8 tasks. A tick that finds the
// current task has run longer than its slice since it got the CPU sets need_resched; the loop's
// schedule() then puts it at the back of the run queue and switches (FIFO, not CFS's vruntime
// tree; the vruntime comparison of check_preempt_tick is left out). At HZ=100 two runnable
// tasks switch at every tick (10 ms > 3 ms), as in test/fixtures/uml/tick-switch.strace.
// Otherwise a process runs until it blocks (wait4) or exits. The order is part of the guest
// trace ("sched A -> B").
import type { GuestKernel, GuestProcess } from './guest.ts';
import type { UmlMemory } from './guest-mm.ts';
import type { HostTracer } from './host.ts';
import type { UmlProfile } from './profile.ts';
import { hostArchPrctlSetFs } from './arch-prctl.ts';
import { killPtracedProcess } from './teardown.ts';
import { forceFlushAll } from './tlb.ts';
import { copyToUser } from './copy-to-user.ts';
import { UmlTimer } from './time.ts';

const QUEUE_MAX = 4096;
/** sysctl_sched_latency and sysctl_sched_min_granularity (one CPU), sched_nr_latency. */
const SCHED_LATENCY_NS = 6_000_000;
const SCHED_MIN_GRANULARITY_NS = 750_000;
const SCHED_NR_LATENCY = 8;

/** sched_slice() for `nr` runnable nice-0 tasks (kernel/sched/fair.c __sched_period). */
export function schedSliceNs(nr: number): number {
  const period = nr > SCHED_NR_LATENCY ? nr * SCHED_MIN_GRANULARITY_NS : SCHED_LATENCY_NS;
  return Math.floor(period / nr);
}

export class GuestScheduler {
  private readonly runQueue: GuestProcess[] = [];
  /** Dead processes whose mm is dropped at the next finish_task_switch. */
  private readonly dying = new Set<GuestProcess>();
  /** What a woken process does first, back in its own context (a blocked syscall completing). */
  private readonly onResume = new Map<GuestProcess, () => void>();
  /** Context switches made (a count for tests). */
  switches = 0;
  /** Switches made by a tick's preemption (a count for tests). */
  preemptions = 0;
  /** TIF_NEED_RESCHED of the current task, set by schedulerTick. */
  private needResched = false;
  /** When the current task got the CPU (prev_sum_exec_runtime's clock). */
  private sliceStartNs = 0;

  constructor(
    readonly host: HostTracer,
    readonly mem: UmlMemory,
    readonly guest: GuestKernel,
    readonly profile: UmlProfile,
  ) {}

  /** wake_up_new_task / try_to_wake_up: onto the run queue. */
  enqueue(p: GuestProcess, resume?: () => void): void {
    if (this.runQueue.length >= QUEUE_MAX) throw new Error('simulator bug: guest run queue overflow');
    p.state = 'runnable';
    if (resume) this.onResume.set(p, resume);
    this.runQueue.push(p);
  }

  /** Asleep in the guest kernel until enqueue()d again (whose `resume` then completes the call). */
  block(p: GuestProcess): void {
    p.state = 'blocked';
  }

  /**
   * do_exit's last part: true if the mm is dropped later, after the switch away (any process
   * but init); false = the caller tears it down now (init: the run ends).
   */
  exited(p: GuestProcess): boolean {
    if (p.gpid === 1) return false;
    this.dying.add(p);
    return true;
  }

  private get nowNs(): number {
    return this.host.kernel.state.clockNs;
  }

  /** check_preempt_tick for the task the tick interrupted (null: the idle task). */
  schedulerTick(current: GuestProcess | null): void {
    if (!current || current.state !== 'runnable' || this.runQueue.length === 0) return;
    if (this.nowNs - this.sliceStartNs > schedSliceNs(1 + this.runQueue.length)) this.needResched = true;
  }

  /** schedule() at the end of a loop iteration: the process the loop drives next. */
  schedule(prev: GuestProcess): GuestProcess {
    if (prev.gpid === 1 && prev.state === 'zombie') return prev; // init is gone: the run ends (haltOthers)
    if (prev.state === 'runnable') {
      if (!this.needResched || this.runQueue.length === 0) return prev;
      this.needResched = false;
      this.preemptions++;
      this.runQueue.push(prev); // put_prev_task: back of the queue, still runnable
      const next = this.runQueue.shift()!;
      this.switchTo(prev, next);
      return next;
    }
    const next = this.runQueue.shift();
    if (!next) {
      if (prev.state === 'blocked') throw new Error(`simulator bug: guest process ${prev.gpid} blocked with nothing runnable`);
      return prev;
    }
    this.switchTo(prev, next);
    return next;
  }

  private switchTo(prev: GuestProcess, next: GuestProcess): void {
    this.switches++;
    this.needResched = false;
    this.sliceStartNs = this.nowNs;
    this.guest.trace.push(`sched ${prev.gpid} -> ${next.gpid}`);
    if (next.firstRun) {
      next.firstRun = false;
      forceFlushAll(this.mem, this.mem.mms.get(next.hostPid)!);
      this.host.markEvent(`fork_handler:${next.gpid}`);
      this.finishTaskSwitch(prev);
      this.setChildTid(next);
      this.archSwitchTo(next);
      this.host.timer?.enterUserspace(next); // userspace() entry of the new task
    } else {
      this.archSwitchTo(next);
      this.finishTaskSwitch(prev);
      if (this.host.timer instanceof UmlTimer) this.host.timer.current = next; // userspace_pid[0]
    }
    const resume = this.onResume.get(next);
    this.onResume.delete(next);
    resume?.();
  }

  /** schedule_tail's `put_user(task_pid_vnr(current), current->set_child_tid)` (kernel/sched/core.c). */
  private setChildTid(next: GuestProcess): void {
    if (next.setChildTid === undefined) return;
    const tid = new Uint8Array(4);
    new DataView(tid.buffer).setInt32(0, next.gpid, true);
    copyToUser(this.mem, this.mem.mms.get(next.hostPid)!, next.setChildTid, tid);
    this.host.markEvent(`schedule_tail:${next.gpid}`);
  }

  /**
   * The run ended with init's exit: UML's halt kills every other mm's host process
   * (arch/um/kernel/reboot.c kill_off_processes → os_kill_ptraced_process(pid, 1)).
   */
  haltOthers(): void {
    for (const p of this.guest.procs.values()) {
      if (p.gpid === 1 || p.state === 'zombie' || !this.mem.mms.has(p.hostPid)) continue;
      destroyContext(this.host, this.mem, this.profile, p.hostPid);
      this.host.markEvent(`halt:${p.gpid}`);
    }
  }

  /** arch_switch_to (arch/x86/um/syscalls_64.c): only x86_64, only with a TLS base. */
  private archSwitchTo(next: GuestProcess): void {
    if (this.host.kernel.arch.name !== 'x86_64' || !next.fs) return;
    next.regs = hostArchPrctlSetFs(this.host, next.hostPid, next.regs, next.fs);
    this.host.markEvent(`switch:${next.gpid}`);
  }

  private finishTaskSwitch(prev: GuestProcess): void {
    if (!this.dying.delete(prev)) return;
    destroyContext(this.host, this.mem, this.profile, prev.hostPid);
    this.host.markEvent(`teardown:${prev.gpid}`);
  }
}

/** destroy_context (arch/um/kernel/skas/mmu.c): kill the mm's host process and forget the mm. */
export function destroyContext(host: HostTracer, mem: UmlMemory, profile: UmlProfile, pid: number): void {
  killPtracedProcess(host, profile, pid);
  mem.mms.delete(pid);
}
