// PTRACE_ATTACH and PTRACE_SEIZE (kernel/ptrace.c ptrace_attach).
// SEIZE: addr must be 0 and data only PTRACE_O_* bits, else EIO; no SIGSTOP is sent.
// Both: kernel thread, own thread group, zombie or already traced → EPERM.
import { isModern } from '../kernel/config.ts';
import type { Ctx } from '../kernel/ledger.ts';
import { makeSiginfo, SI, SIG } from '../kernel/signals.ts';
import { sendSignal } from '../kernel/signal.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import { PTRACE_O_MASK, type Task } from '../kernel/task.ts';

export function attach(ctx: Ctx, caller: Task, child: Task, addr: bigint, data: bigint, seize: boolean): SysOutcome {
  if (seize) {
    if (!isModern(ctx.s.config)) return fail('EIO'); // PTRACE_SEIZE is 3.4+: unknown request
    if (addr !== 0n) return fail('EIO');
    if (data & ~BigInt(PTRACE_O_MASK)) return fail('EIO');
  }
  // The model's init (pid 1) is external and stands in for a kernel-protected task.
  if (child.tid === 1) return fail('EPERM');
  if (child.tgid === caller.tgid) return fail('EPERM');
  if (child.run.kind === 'zombie' || child.phase === 'exit') return fail('EPERM');
  if (child.tracer !== null) return fail('EPERM');
  child.tracer = caller.tid;
  child.seized = seize;
  child.options = seize ? Number(data) : 0;
  if (child.run.kind === 'job-stop') {
    // "If the task is already STOPPED, set JOBCTL_TRAP_STOP and TRAPPING, and kick it so
    // that it transits to TRACED": the tracer's next wait reports the stop.
    const sig = child.run.sig;
    const jobReported = child.run.reported; // group_exit_code already consumed by the parent?
    child.phase = 'signals';
    child.run = {
      kind: 'ptrace-stop',
      stop: seize
        ? { kind: 'group-stop', statusSig: sig, event: 0x80, siginfo: makeSiginfo(sig, sig | 0x8000, { pid: child.tid }), reported: false, jobReported }
        : { kind: 'group-stop', statusSig: sig, event: 0, siginfo: null, reported: false, jobReported },
    };
  }
  // send_sig_info(SIGSTOP, SEND_SIG_PRIV, task): si_code SI_KERNEL.
  if (!seize) sendSignal(ctx, child.tid, makeSiginfo(SIG.SIGSTOP, SI.SI_KERNEL));
  return ok(0);
}
