// Resume requests: PTRACE_CONT, SYSCALL, SINGLESTEP, SINGLEBLOCK, SYSEMU, SYSEMU_SINGLESTEP
// (kernel/ptrace.c ptrace_resume) and PTRACE_KILL. `data` must be a valid signal (0..64)
// else EIO, checked before anything changes; the request sets the per-task tracing mode
// for the next run and wakes the tracee (ptrace.md §7). `addr` is ignored on stock kernels.
import { isModern } from '../kernel/config.ts';
import { resumeFromStop } from '../kernel/exit.ts';
import type { Ctx } from '../kernel/ledger.ts';
import { makeSiginfo, SI, SIG, NSIG } from '../kernel/signals.ts';
import { sendSignal } from '../kernel/signal.ts';
import { noteResumeAfterSysemu } from '../kernel/syscall-entry.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { PTRACE } from './numbers.ts';
import { PTRACE_VM_MASK, PTRACE_VM_TEST, VM_SKIPCALL, VM_SKIPEXIT, vmSkipBits } from './ptrace-vm.ts';

export interface ResumeMode {
  readonly syscall: boolean;
  readonly sysemu: boolean;
  readonly step: 'none' | 'single' | 'block';
}

/** The mode table of ptrace.md §7 (2.6.26 semantics, same today); one constant object per mode. */
const MODE_LIST: readonly [number, ResumeMode][] = [
  [PTRACE.CONT, { syscall: false, sysemu: false, step: 'none' }],
  [PTRACE.SYSCALL, { syscall: true, sysemu: false, step: 'none' }],
  [PTRACE.SINGLESTEP, { syscall: false, sysemu: false, step: 'single' }],
  [PTRACE.SINGLEBLOCK, { syscall: false, sysemu: false, step: 'block' }],
  [PTRACE.SYSEMU, { syscall: false, sysemu: true, step: 'none' }],
  [PTRACE.SYSEMU_SINGLESTEP, { syscall: false, sysemu: true, step: 'single' }],
];
const MODES = new Array<ResumeMode | undefined>(64).fill(undefined);
for (const [r, m] of MODE_LIST) MODES[r] = Object.freeze(m);

export function resumeMode(request: number): ResumeMode | undefined {
  return request >= 0 && request < MODES.length ? MODES[request] : undefined;
}

const NSIG_BIG = BigInt(NSIG);

export function validResumeSignal(data: bigint): boolean {
  // valid_signal(): data is unsigned long, so -1 is huge and invalid.
  return data >= 0n && data <= NSIG_BIG;
}

export function resume(ctx: Ctx, _tracer: Task, child: Task, addr: bigint, data: bigint, request: number): SysOutcome {
  if (!validResumeSignal(data)) return fail('EIO');
  const mode = resumeMode(request)!;
  applyResume(ctx, child, mode, Number(data), vmSkipBits(ctx.s.config, 'resume', addr));
  return ok(0);
}

/**
 * Davoli's 2006 PTRACE_SYSVM (request 33 on a kernel configured with ptraceVm '2006'):
 * PTRACE_VM_TEST answers the supported mask without resuming; otherwise SYSCALL + skip bits.
 */
export function sysvm(ctx: Ctx, _tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  if (addr & PTRACE_VM_TEST) return ok(PTRACE_VM_MASK);
  if (!validResumeSignal(data)) return fail('EIO');
  applyResume(ctx, child, { syscall: true, sysemu: false, step: 'none' }, Number(data), vmSkipBits(ctx.s.config, 'sysvm', addr));
  return ok(0);
}

export function applyResume(ctx: Ctx, child: Task, mode: ResumeMode, sig: number, vmSkip = 0): void {
  child.traceSyscall = mode.syscall;
  child.sysemu = mode.sysemu;
  child.singleStep = mode.step === 'single';
  child.blockStep = mode.step === 'block';
  child.vmSkip = vmSkip;
  if (child.run.kind === 'ptrace-stop') {
    const kind = child.run.stop.kind;
    if (kind === 'sysemu' && mode.syscall) noteResumeAfterSysemu(ctx, child);
    if (kind === 'syscall-enter' && vmSkip & VM_SKIPCALL) {
      // PTRACE_VM: the entry hook returns "skip" after the stop; the call does not run.
      child.syscallEmulated = true;
      child.phase = 'syscall-exit';
    }
    if ((kind === 'syscall-enter' || kind === 'sysemu') && vmSkip & VM_SKIPEXIT) child.suppressExitStop = true;
  }
  resumeFromStop(ctx, child, sig);
}

/**
 * PTRACE_KILL. 6.x: send_sig_info(SIGKILL) — works on a running tracee too (the only
 * request exempt from the "stopped" check). 2.6.26: resume with exit_code = SIGKILL, which
 * does nothing to a tracee that is not stopped (ptrace.md §6).
 */
export function kill(ctx: Ctx, _tracer: Task, child: Task): SysOutcome {
  if (child.run.kind === 'zombie') return ok(0);
  if (isModern(ctx.s.config)) {
    sendSignal(ctx, child.tid, makeSiginfo(SIG.SIGKILL, SI.SI_USER));
    return ok(0);
  }
  if (child.run.kind !== 'ptrace-stop') return ok(0);
  applyResume(ctx, child, { syscall: child.traceSyscall, sysemu: child.sysemu, step: 'none' }, SIG.SIGKILL);
  if ((child.run as Task['run']).kind === 'running' && child.deliverSig === null) {
    // From a syscall or event stop the 2.6.26 exit_code SIGKILL still kills on the way out.
    sendSignal(ctx, child.tid, makeSiginfo(SIG.SIGKILL, SI.SI_KERNEL));
  }
  return ok(0);
}
