// The syscall path of a task: entry work (syscall-enter / SYSEMU stop), the call itself,
// exit work (syscall-exit stop or single-step report). kernel/entry/common.c
// syscall_trace_enter / syscall_exit_work; arch/x86/entry/common.c do_syscall_64.
import { toSigned } from './arch.ts';
import { isModern } from './config.ts';
import { ERRNO, negErrnoReg } from './errno.ts';
import type { Ctx } from './ledger.ts';
import { makeSiginfo, SI, SIG } from './signals.ts';
import { sendSignal } from './signal.ts';
import { enterStop } from './stop.ts';
import { PTRACE_O, type Task } from './task.ts';
import { dispatchSyscall } from './syscalls/dispatch.ts';

/** include/linux/ptrace.h PTRACE_EVENTMSG_SYSCALL_ENTRY / _EXIT. */
export const EVENTMSG_SYSCALL_ENTRY = 1n;
export const EVENTMSG_SYSCALL_EXIT = 2n;

function syscallStopSig(t: Task): number {
  // ptrace_report_syscall(): "ptrace_notify(SIGTRAP | ((ptrace & PT_TRACESYSGOOD) ? 0x80 : 0))".
  return SIG.SIGTRAP | (t.options & PTRACE_O.TRACESYSGOOD ? 0x80 : 0);
}

/** -ENOSYS as a 64-bit register (negErrnoReg & mask), made once. */
const MASK_64 = (1n << 64n) - 1n;
const ENOSYS_REG_64 = negErrnoReg(ERRNO.ENOSYS) & MASK_64;

/** The `syscall` instruction: rip is already past it. */
export function syscallEntry(ctx: Ctx, t: Task): void {
  const { arch } = ctx;
  t.regs[arch.origAx] = t.regs[arch.ax]!;
  t.regs[arch.ax] = arch.mask === MASK_64 ? ENOSYS_REG_64 : negErrnoReg(ERRNO.ENOSYS) & arch.mask; // i386: eax = 0xffffffda
  if (arch.name === 'x86_64') {
    // The syscall instruction: rcx ← rip, r11 ← rflags.
    t.regs[arch.sysClobber[0]!] = t.regs[arch.ip]!;
    t.regs[arch.sysClobber[1]!] = t.regs[arch.flags]!;
  }
  t.syscallEmulated = false;
  t.suppressExitStop = false;
  // syscall_trace_enter(): the work flags are read before the stop, so SYSEMU at entry
  // means the call is skipped however the tracer resumes.
  if (t.tracer !== null && (t.traceSyscall || t.sysemu)) {
    t.syscallEmulated = t.sysemu;
    t.phase = t.sysemu ? 'syscall-exit' : 'syscall-perform';
    const sig = syscallStopSig(t);
    enterStop(ctx, t, {
      kind: t.sysemu ? 'sysemu' : 'syscall-enter',
      statusSig: sig,
      event: 0,
      siginfo: makeSiginfo(SIG.SIGTRAP, sig, { pid: t.tid }),
    }, EVENTMSG_SYSCALL_ENTRY);
    return;
  }
  t.phase = 'syscall-perform';
}

/** do_syscall_64(): run the call named by orig_ax (the tracer may have changed it); -1 runs nothing. */
export function performSyscall(ctx: Ctx, t: Task): void {
  const orig = t.regs[ctx.arch.origAx]!;
  // A small number as it is (no sign extension needed below 2^31); anything else sign-extended.
  const nr = orig >= 0n && orig < 0x80000000n ? orig : toSigned(ctx.arch, orig);
  t.phase = 'syscall-exit';
  if (nr === -1n) {
    ctx.ledger.push({ seq: -1, clockNs: ctx.s.clockNs, pid: t.tid, syscall: 'none', args: [], ret: t.regs[ctx.arch.ax]!, errno: null, emulated: true });
    return;
  }
  dispatchSyscall(ctx, t, Number(nr));
}

/** syscall_exit_work(): the exit stop (PTRACE_SYSCALL) or a single-step report. */
export function syscallExitWork(ctx: Ctx, t: Task): void {
  t.phase = 'signals';
  if (t.pendingRet !== null) {
    t.regs[ctx.arch.ax] = t.pendingRet & ctx.arch.mask;
    t.pendingRet = null;
  }
  if (t.tracer === null) return;
  if (t.suppressExitStop) {
    // 2.6.26 SYSEMU→SYSCALL, or Davoli's PTRACE_VM skip-exit flag: no exit stop this time.
    t.suppressExitStop = false;
    return;
  }
  if (t.traceSyscall) {
    const sig = syscallStopSig(t);
    enterStop(ctx, t, { kind: 'syscall-exit', statusSig: sig, event: 0, siginfo: makeSiginfo(SIG.SIGTRAP, sig, { pid: t.tid }) }, EVENTMSG_SYSCALL_EXIT);
    return;
  }
  if ((t.singleStep || t.blockStep) && !t.sysemu) {
    // report_single_step() → user_single_step_report(): SIGTRAP, TRAP_BRKPT. Block-step too:
    // arch/x86/kernel/step.c enable_step() → enable_single_step() sets TIF_SINGLESTEP for
    // both (differential conformance run; fixture singleblock-over-syscall).
    sendSignal(ctx, t.tid, makeSiginfo(SIG.SIGTRAP, SI.TRAP_BRKPT, { addr: t.regs[ctx.arch.ip]! }), { force: true });
  }
}

/** 2.6.26 i386 entry code: after a SYSEMU entry, resuming with PTRACE_SYSCALL gives no exit stop. */
export function noteResumeAfterSysemu(ctx: Ctx, t: Task): void {
  if (!isModern(ctx.s.config) && t.syscallEmulated) t.suppressExitStop = true;
}
