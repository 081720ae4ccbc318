// UML's timer tick on the host side, on the simulated clock (no wall clock anywhere).
//
// uml-6.1 (arch/um/os-Linux/time.c, arch/um/kernel/time.c um_timer, uml-skas.md §8/§10,
// fixtures timer-tick.strace / timer-tick-kill.strace): UML owns a one-shot host POSIX timer,
// re-armed every tick with timer_settime. Its SIGALRM runs timer_handler → um_timer, which
// relays the tick to the current guest mm's host process: kill(P, SIGALRM)
// (os_alarm_process; not when the idle task runs: it has no mm). If UML sat in wait4, that
// wait4 returns `? ERESTARTSYS` and is restarted (SA_RESTART); it then reports P's SIGALRM
// stop; userspace() fetches the registers and resumes with data 0 (the signal is dropped).
// If the tick comes while UML is not in wait4, there is no ERESTARTSYS: P stops at once.
//
// uml-2.6.26 (arch/um/os-Linux/skas/process.c, os-Linux/time.c set_interval, §3/§4): the
// guest's host process has its own ITIMER_VIRTUAL (1/HZ of its CPU time) set by
// userspace_tramp; SIGVTALRM stops reach the loop: GETREGS, then the tick runs if
// `now >= nsecs` (nsecs = UML's own ITIMER_VIRTUAL remainder at userspace() entry + now).
//
// Both: when the only guest process sleeps, UML idles until the next tick with a host
// sleep (modelled with the kernel's nanosleep; 6.1 really uses sigsuspend in os_idle_sleep,
// 2.6.26 nanosleep in idle_sleep) and the tick then wakes the sleeper.
import type { Arch } from '../kernel/arch.ts';
import type { SysResult } from '../kernel/kernel.ts';
import type { Insn } from '../kernel/isa.ts';
import { Asm } from '../kernel/asm.ts';
import { SIG } from '../kernel/signals.ts';
import { stackTop } from '../kernel/state.ts';
import { ITIMER } from '../kernel/syscalls/itimer.ts';
import type { GuestKernel, GuestProcess } from './guest.ts';
import type { HostTimer, HostTracer } from './host.ts';
import type { UmlProfile } from './profile.ts';

/** CONFIG_HZ of both modelled UML builds. */
export const HZ_DEFAULT = 100;
/** A wait that keeps expiring with nothing to report (guest wedged) gives up after this many ticks. */
const RESTARTS_MAX = 10_000;

export class UmlTimer implements HostTimer {
  readonly periodNs: number;
  /** 6.1: the host POSIX timer's expiry; 2.6.26: UML's next tick (idle sleeps only). */
  nextTickNs = 0;
  /** Guest jiffies: ticks UML has handled. */
  jiffies = 0;
  /** userspace_pid[0]'s process (null while the idle task runs). */
  current: GuestProcess | null = null;
  /** 2.6.26 userspace(): a SIGVTALRM before this time is ignored. */
  private nsecs = 0;
  private itValueNs = 0;

  constructor(
    readonly host: HostTracer,
    readonly profile: UmlProfile,
    readonly guest: GuestKernel,
    readonly hz: number,
  ) {
    if (!Number.isInteger(hz) || hz < 1 || hz > 10_000) throw new Error(`hz must be 1..10000, got ${hz}`);
    this.periodNs = Math.round(1e9 / hz);
  }

  /** UML's clock (os_nsecs): the simulated host clock. */
  get clockNs(): number {
    return this.host.kernel.state.clockNs;
  }

  private get now(): number {
    return this.clockNs;
  }

  private get hostAlarm(): boolean {
    return this.profile.tickSignal === 'SIGALRM';
  }

  /** Boot: 6.1 arms its one-shot host timer (timer_settime); 2.6.26 starts counting ticks. */
  arm(): void {
    this.nextTickNs = this.now + this.periodNs;
    if (this.hostAlarm) this.host.kernel.timerSettime(this.host.uml, 0, this.periodNs);
  }

  /** One UML wait4: 6.1 interrupts it at the timer's expiry, runs the handler, restarts it. */
  wait4(host: HostTracer, pid: number, options: number, statusAddr: bigint): SysResult {
    if (!this.hostAlarm) return host.rawWait4(pid, options, statusAddr);
    for (let i = 0; i < RESTARTS_MAX; i++) {
      if (this.now >= this.nextTickNs) this.alarm(); // expired while UML was not in wait4: no ERESTARTSYS
      const r = host.rawWait4(pid, options, statusAddr, this.nextTickNs);
      if (r.errno !== 'ERESTARTSYS') return r;
      this.alarm();
    }
    return { ret: 0n, errno: null, status: null, hang: 'limit' };
  }

  /** 6.1 timer_handler → um_timer: a guest tick, relayed to the current mm, then the re-arm. */
  private alarm(): void {
    this.tick('alarm');
    if (this.current) this.host.kernel.kill(this.host.uml, this.current.hostPid, SIG.SIGALRM);
    while (this.nextTickNs <= this.now) this.nextTickNs += this.periodNs;
    this.host.kernel.timerSettime(this.host.uml, 0, this.nextTickNs - this.now);
  }

  /** scheduler_tick's preemption check (sched.ts), given the task the tick interrupted. */
  onTick: ((current: GuestProcess | null) => void) | null = null;

  private tick(how: string): void {
    this.jiffies++;
    this.guest.trace.push(`tick ${this.jiffies} ${how}`);
    this.onTick?.(this.current);
  }

  /** userspace() entry (2.6.26): getitimer(ITIMER_VIRTUAL) on UML itself → nsecs = remaining + now. */
  enterUserspace(p: GuestProcess): void {
    this.current = p;
    if (this.hostAlarm) return;
    const r = this.host.kernel.getitimer(this.host.uml, ITIMER.VIRTUAL);
    this.itValueNs = r.itimer?.valueNs ?? 0;
    this.nsecs = this.itValueNs + this.now;
  }

  /**
   * The loop's timer-signal case. 6.1 `case SIGALRM: break` (the tick already ran in the
   * handler); 2.6.26 `case SIGVTALRM`: the tick runs only if due, then nsecs moves on.
   */
  loopStop(p: GuestProcess, sig: number): void {
    const arch = this.host.kernel.arch;
    const name = sig === SIG.SIGALRM ? 'SIGALRM' : 'SIGVTALRM';
    this.guest.events.push(`signal:${name}`);
    this.guest.trace.push(`${p.gpid} ${name} ip=${p.regs[arch.ip]!.toString(16)}`);
    if (sig === SIG.SIGVTALRM && this.now >= this.nsecs) {
      this.tick('SIGVTALRM');
      this.nsecs = this.itValueNs + this.now;
    }
    this.host.markEvent(`signal:${name}`);
  }

  /** The only runnable guest process sleeps until `wakeNs`: UML idles tick by tick (no mm, so no kill). */
  idleUntil(wakeNs: number): void {
    const was = this.current;
    this.current = null;
    for (let i = 0; this.now < wakeNs; i++) {
      if (i > RESTARTS_MAX) throw new Error('simulator bug: idle loop did not reach its deadline');
      if (this.nextTickNs > this.now) this.host.kernel.sleep(this.host.uml, this.nextTickNs - this.now);
      if (this.hostAlarm) {
        this.alarm();
      } else {
        this.tick('idle');
        while (this.nextTickNs <= this.now) this.nextTickNs += this.periodNs;
      }
    }
    this.current = was;
  }
}

/** Scratch space on the guest's stack for values its code stores before a syscall. */
export function guestScratch(arch: Arch, slot: number): bigint {
  return stackTop(arch) - 0x800n + BigInt(slot) * 0x40n;
}

/**
 * 2.6.26 userspace_tramp's set_interval(): setitimer(ITIMER_VIRTUAL, {1/HZ, 1/HZ}, NULL)
 * (the struct built on the stack). Goes between PTRACE_TRACEME and kill(self, SIGSTOP).
 */
export function setIntervalInsns(arch: Arch, hz: number): Insn[] {
  const usec = BigInt(Math.floor(1_000_000 / hz));
  const at = guestScratch(arch, 0);
  const w = BigInt(arch.wordBytes);
  const a = new Asm(arch);
  a.store(at, 0n).store(at + w, usec).store(at + 2n * w, 0n).store(at + 3n * w, usec);
  a.sys('setitimer', ITIMER.VIRTUAL, at, 0);
  return a.insns;
}
