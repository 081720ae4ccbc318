// Signal generation and delivery: kernel/signal.c (send_signal_locked, sig_ignored,
// prepare_signal, complete_signal, get_signal, ptrace_signal, do_signal_stop) and
// arch/x86/kernel/signal.c (arch_do_signal_or_restart: syscall restart fix-up).
import { toSigned } from './arch.ts';
import { ERESTART_RESTARTBLOCK, ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS, ERRNO, negErrnoReg } from './errno.ts';
import { INSN_BYTES } from './isa.ts';
import type { Ctx } from './ledger.ts';
import { defaultAction, makeSiginfo, SI, SIG, type Siginfo } from './signals.ts';
import { enterStop } from './stop.ts';
import { syscallNr } from './syscall-table.ts';
import { threadGroup } from './state.ts';
import { PTRACE_EVENT, type Task } from './task.ts';
import { beginGroupExit } from './exit.ts';
import { killedStatus } from './wait-status.ts';
import { frameOnAltstack, SA_NODEFER, SA_SIGINFO, setupRtFrame } from './sigframe.ts';

const STOP_SIGNALS = new Set<number>([SIG.SIGSTOP, SIG.SIGTSTP, SIG.SIGTTIN, SIG.SIGTTOU]);
/** Synchronous (fault) signals are dequeued first (kernel/signal.c SYNCHRONOUS_MASK). */
const SYNCHRONOUS = new Set<number>([SIG.SIGSEGV, SIG.SIGBUS, SIG.SIGILL, SIG.SIGTRAP, SIG.SIGFPE, SIG.SIGSYS]);

/** 1n << (sig - 1) for signals 1..64, made once (isBlocked runs for every queued signal at every check). */
const BITS: readonly bigint[] = Array.from({ length: 65 }, (_, sig) => (sig === 0 ? 0n : 1n << BigInt(sig - 1)));

function bit(sig: number): bigint {
  return BITS[sig] ?? 1n << BigInt(sig - 1);
}

/** Every signal but SIGKILL and SIGSTOP, which sa_mask cannot block (sigdelsetmask in sigaction). */
const BLOCKABLE = ~(bit(SIG.SIGKILL) | bit(SIG.SIGSTOP));

export function isBlocked(t: Task, sig: number): boolean {
  if (sig === SIG.SIGKILL || sig === SIG.SIGSTOP) return false;
  return (t.blocked & bit(sig)) !== 0n;
}

/** sig_ignored(): ignored signals are dropped at generation, except for tracees (tracers want to see them). */
function ignoredAtGeneration(t: Task, sig: number): boolean {
  if (t.tracer !== null && sig !== SIG.SIGKILL) return false;
  if (isBlocked(t, sig)) return false;
  const act = t.actions[sig] ?? 'default';
  if (act === 'ignore') return true;
  return act === 'default' && (defaultAction(sig) === 'ign' || sig === SIG.SIGCONT);
}

/**
 * Send a signal. `group` targets the whole thread group (kill), else one thread (tgkill).
 * `force` models force_sig_info for faults: unblock and un-ignore the signal.
 */
export function sendSignal(ctx: Ctx, tid: number, info: Siginfo, opts: { group?: boolean; force?: boolean } = {}): void {
  const target = ctx.s.tasks[tid];
  if (!target || target.run.kind === 'zombie') return;
  const sig = info.signo;
  if (sig === SIG.SIGKILL) {
    // prepare_signal / complete_signal: SIGKILL makes the whole group exit, waking
    // every thread, ptrace-stopped or not.
    beginGroupExit(ctx, target.tgid, killedStatus(SIG.SIGKILL), { killed: true });
    return;
  }
  if (STOP_SIGNALS.has(sig)) {
    // prepare_signal(): a stop signal flushes pending SIGCONT.
    for (const t of threadGroup(ctx.s, target.tgid)) t.pending = t.pending.filter((p) => p.signo !== SIG.SIGCONT);
  }
  if (sig === SIG.SIGCONT) {
    // prepare_signal(): SIGCONT flushes pending stop signals and resumes a stopped group.
    for (const t of threadGroup(ctx.s, target.tgid)) {
      t.pending = t.pending.filter((p) => !STOP_SIGNALS.has(p.signo));
      t.groupStopPending = false;
      t.stopDequeued = false; // task_clear_jobctl_pending(JOBCTL_STOP_PENDING) also clears _DEQUEUED
      // "if (signal->flags & SIGNAL_STOP_STOPPED) why |= SIGNAL_CLD_CONTINUED": the parent's
      // WCONTINUED sees it even when a tracer had the task running meanwhile (differential
      // conformance run; fixture sigcont-after-traced-group-stop).
      if (t.groupStopped && t.run.kind !== 'job-stop') continuedNotify(ctx, t);
      t.groupStopped = false; // prepare_signal(SIGCONT): the group stop is over
      // ptrace_trap_notify(): a seized tracee re-traps with PTRACE_EVENT_STOP to report
      // the SIGCONT (fixture seize-stopped-fork: 0x80057f, then the SIGCONT delivery-stop).
      if (t.seized && t.tracer !== null) {
        if (t.listening && t.run.kind === 'ptrace-stop') {
          // A LISTENing tracee wakes and re-traps at once; the group stop is over → SIGTRAP.
          t.listening = false;
          const code = SIG.SIGTRAP | (PTRACE_EVENT.STOP << 8);
          t.run = { kind: 'ptrace-stop', stop: { kind: 'event', statusSig: SIG.SIGTRAP, event: PTRACE_EVENT.STOP, siginfo: makeSiginfo(SIG.SIGTRAP, code, { pid: t.tid }), reported: false } };
        } else {
          t.interruptPending = true;
        }
      }
      if (t.run.kind === 'job-stop') {
        t.run = { kind: 'running' };
        t.phase = 'signals';
        continuedNotify(ctx, t);
      }
    }
  }
  if (opts.force) {
    // force_sig_info_to_task(): a blocked or ignored fault signal is unblocked and reset.
    if (target.blocked !== 0n) target.blocked &= ~bit(sig); // (nothing blocked: no bigint op)
    if (target.actions[sig] === 'ignore') target.actions[sig] = 'default';
  } else if (ignoredAtGeneration(target, sig)) {
    return;
  }
  // legacy_queue(): a standard signal already pending (in the same queue: the thread's own or
  // the group's shared one) is not queued twice.
  const shared = opts.group === true;
  if (sig < 32 && target.pending.some((p) => p.signo === sig && (p.shared === true) === shared)) return;
  target.pending.push(shared ? { ...info, shared } : info);
  wakeForSignal(ctx, target, sig);
}

/** Mark that a stopped child was continued, for WCONTINUED. */
function continuedNotify(_ctx: Ctx, t: Task): void {
  t.continued = true;
}

/** signal_wake_up(): interrupt an interruptible sleep if the signal is deliverable. */
function wakeForSignal(ctx: Ctx, t: Task, sig: number): void {
  if (t.run.kind !== 'blocked' || isBlocked(t, sig)) return;
  interruptSleep(ctx, t);
}

/** A sleeping syscall returns -ERESTART*: pause → NOHAND, nanosleep → RESTARTBLOCK, wait4 → RESTARTSYS. */
export function interruptSleep(ctx: Ctx, t: Task): void {
  if (t.run.kind !== 'blocked') return;
  const on = t.run.on;
  const code = on.kind === 'pause' ? ERESTARTNOHAND : on.kind === 'nanosleep' ? ERESTART_RESTARTBLOCK : ERESTARTSYS;
  t.regs[ctx.arch.ax] = negErrnoReg(code) & ctx.arch.mask;
  t.run = { kind: 'running' };
  t.phase = 'syscall-exit';
}

/**
 * get_signal()'s choice: dequeue_synchronous_signal() (the first kernel-generated, si_code > 0,
 * synchronous signal queued on the thread), else dequeue_signal(): the thread's private queue
 * before the group's shared one, and in each next_signal(): synchronous signals first, then the
 * lowest number (differential conformance run: a tgkill'd or ptrace-injected SIGTSTP is taken
 * before a kill()'d SIGUSR1; fixture private-before-shared-signal).
 */
const rank = (x: Siginfo) => (x.shared ? 1000 : 0) + (SYNCHRONOUS.has(x.signo) ? 0 : 100) + x.signo;

function dequeue(t: Task): Siginfo | undefined {
  if (t.pending.length === 0) return undefined;
  // One queued signal (the fault or trap that stopped a stub run): it is the choice unless blocked.
  if (t.pending.length === 1) return isBlocked(t, t.pending[0]!.signo) ? undefined : t.pending.pop();
  let best = t.pending.findIndex((p) => !p.shared && p.code > 0 && SYNCHRONOUS.has(p.signo) && !isBlocked(t, p.signo));
  if (best < 0) {
    for (let i = 0; i < t.pending.length; i++) {
      const p = t.pending[i]!;
      if (isBlocked(t, p.signo)) continue;
      if (best < 0 || rank(p) < rank(t.pending[best]!)) best = i;
    }
  }
  if (best < 0) return undefined;
  const [info] = t.pending.splice(best, 1);
  return info;
}

export function hasDeliverable(t: Task): boolean {
  return t.groupStopPending || t.interruptPending || (t.pending.length > 0 && t.pending.some((p) => !isBlocked(t, p.signo)));
}

/**
 * get_signal() for task t, run when it returns to user mode (phase 'signals').
 * Either stops the task (ptrace-stop or job-stop), starts its exit, sets up a handler,
 * or returns it to user mode after the syscall-restart fix-up.
 */
export function getSignal(ctx: Ctx, t: Task): void {
  for (let guard = 0; guard < 256; guard++) {
    // A tracee resumed from a signal-delivery-stop continues inside ptrace_signal(): the
    // signal the tracer chose is handled before the loop looks at a pending group stop or
    // trap again (differential conformance run; fixture detach-into-group-stop).
    const decided = t.deliverSig !== null;
    if (t.groupStopPending && !decided) {
      doSignalStop(ctx, t);
      return;
    }
    if (t.interruptPending && t.seized && t.tracer !== null && !decided) {
      // do_jobctl_trap(): PTRACE_INTERRUPT (or LISTEN wake-up) with no group stop → SIGTRAP;
      // while the group stop is in effect (SIGNAL_STOP_STOPPED) → the stop signal, 0x80137f
      // (differential conformance run; fixture interrupt-in-group-stop).
      t.interruptPending = false;
      trapStop(ctx, t, t.groupStopped ? t.groupStopSig || SIG.SIGSTOP : SIG.SIGTRAP);
      return;
    }
    let info: Siginfo | null;
    if (t.deliverSig !== null) {
      // The tracer's decision at the signal-delivery-stop (ptrace_signal after ptrace_stop).
      const sig = t.deliverSig;
      info = sig === 0 ? null : t.deliverInfo;
      t.deliverSig = null;
      t.deliverInfo = null;
      if (info === null) continue;
      if (isBlocked(t, info.signo)) {
        // "If the (new) signal is now blocked, requeue it."
        t.pending.push(info);
        continue;
      }
    } else {
      const next = dequeue(t);
      if (!next) break;
      info = next;
      // dequeue_signal(): "Set a marker that we have dequeued a stop signal".
      if (STOP_SIGNALS.has(info.signo)) t.stopDequeued = true;
      if (t.tracer !== null && info.signo !== SIG.SIGKILL) {
        // ptrace_signal(): every signal but SIGKILL stops a tracee before delivery, and it
        // sets JOBCTL_STOP_DEQUEUED "unconditionally because we do not know whether
        // debugger will change signr": a stop signal injected here stops the group unless a
        // SIGCONT came meanwhile (fixtures sigcont-cancels-injected-stop, inject-stop-after-group-stop).
        t.stopDequeued = true;
        t.phase = 'signals';
        enterStop(ctx, t, { kind: 'signal-delivery', statusSig: info.signo, event: 0, siginfo: info });
        return;
      }
    }
    if (handleSignal(ctx, t, info)) return;
  }
  restartFixup(ctx, t, false);
  t.phase = 'user';
}

/** Act on a signal that reached delivery. Returns true if the task left the signal loop. */
function handleSignal(ctx: Ctx, t: Task, info: Siginfo): boolean {
  const sig = info.signo;
  const act = t.actions[sig] ?? 'default';
  if (act === 'ignore') return false;
  if (act !== 'default') {
    if ((act.flags ?? 0) & SA_SIGINFO) return setupSiginfoFrame(ctx, t, info, act);
    setupFrame(ctx, t, sig, act.handler);
    return true;
  }
  switch (defaultAction(sig)) {
    case 'ign':
    case 'cont':
      return false;
    case 'stop':
      // do_signal_stop(): no group stop unless JOBCTL_STOP_DEQUEUED is still set: a SIGCONT
      // generated since the stop signal was dequeued (e.g. while it sat in its
      // signal-delivery-stop) cancels it (differential conformance run; fixture
      // sigcont-cancels-injected-stop).
      if (!t.stopDequeued) return false;
      // do_signal_stop(): the whole group stops; each thread stops when it next checks.
      for (const th of threadGroup(ctx.s, t.tgid)) {
        if (th.run.kind === 'zombie') continue;
        th.groupStopPending = true;
        th.groupStopSig = sig;
        if (th.run.kind === 'blocked') interruptSleep(ctx, th);
      }
      return false;
    case 'term':
    case 'core':
      // No core dumps (RLIMIT_CORE 0 on the reference host: SIGSEGV → status 0x000b).
      beginGroupExit(ctx, t.tgid, killedStatus(sig), { killed: sig === SIG.SIGKILL });
      return true;
  }
}

/** do_signal_stop(): a traced thread enters a group-stop ptrace-stop; an untraced one a job stop. */
function doSignalStop(ctx: Ctx, t: Task): void {
  t.groupStopPending = false;
  t.stopDequeued = false; // task_participate_group_stop() clears JOBCTL_STOP_PENDING and _DEQUEUED
  t.groupStopped = true; // the (single-threaded) group stop completes: SIGNAL_STOP_STOPPED
  const sig = t.groupStopSig || SIG.SIGSTOP;
  t.phase = 'signals';
  if (t.tracer !== null) {
    if (t.seized) {
      trapStop(ctx, t, sig);
    } else {
      // ptrace_stop(signr, CLD_STOPPED, 0, NULL): last_siginfo NULL → GETSIGINFO EINVAL.
      enterStop(ctx, t, { kind: 'group-stop', statusSig: sig, event: 0, siginfo: null, jobReported: false });
    }
    return;
  }
  t.run = { kind: 'job-stop', sig, reported: false };
  const parent = ctx.s.tasks[t.parent];
  if (parent) sendSignal(ctx, parent.tid, makeSiginfo(SIG.SIGCHLD, SI.CLD_STOPPED, { pid: t.tgid, status: sig }), { group: true });
}

/** ptrace_do_notify(signr, signr | PTRACE_EVENT_STOP << 8): the seized group-stop / INTERRUPT trap. */
function trapStop(ctx: Ctx, t: Task, sig: number): void {
  const code = sig | (PTRACE_EVENT.STOP << 8);
  const kind = sig === SIG.SIGTRAP ? 'event' : 'group-stop';
  t.phase = 'signals';
  enterStop(ctx, t, { kind, statusSig: sig, event: PTRACE_EVENT.STOP, siginfo: makeSiginfo(sig, code, { pid: t.tid }), jobReported: false });
}

/** Run a user handler: save the context kernel-side, jump to the handler with the signal in arg 0. */
function setupFrame(ctx: Ctx, t: Task, sig: number, handler: bigint): void {
  restartFixup(ctx, t, true);
  t.sigFrames.push({ regs: [...t.regs], blocked: t.blocked });
  t.blocked |= bit(sig);
  t.regs[ctx.arch.ip] = handler;
  t.regs[ctx.arch.argRegs[0]!] = BigInt(sig);
  t.regs[ctx.arch.origAx] = ctx.arch.mask; // -1: the frame is not a syscall to restart
  t.phase = 'user';
}

/**
 * handle_signal() for a SA_SIGINFO handler: the rt frame goes to user memory (sigframe.ts,
 * arch/x86/kernel/signal.c). sa_mask and SA_NODEFER decide what is blocked while it runs.
 * A frame that cannot be written → force_sigsegv() (signal_setup_done(failed)).
 */
function setupSiginfoFrame(ctx: Ctx, t: Task, info: Siginfo, act: { handler: bigint; flags?: number; restorer?: bigint; mask?: bigint }): boolean {
  restartFixup(ctx, t, true);
  const flags = act.flags ?? 0;
  const saved = { regs: [...t.regs], blocked: t.blocked, altstack: frameOnAltstack(ctx, t, flags) };
  if (!setupRtFrame(ctx, t, info, act, t.blocked)) {
    t.actions[SIG.SIGSEGV] = 'default';
    sendSignal(ctx, t.tid, makeSiginfo(SIG.SIGSEGV, SI.SI_KERNEL), { force: true });
    return false;
  }
  t.sigFrames.push(saved);
  const mask = act.mask ?? 0n;
  if (mask !== 0n) t.blocked |= mask & BLOCKABLE; // (no sa_mask: no bigint ops)
  if (!(flags & SA_NODEFER)) t.blocked |= bit(info.signo);
  t.regs[ctx.arch.origAx] = ctx.arch.mask;
  t.phase = 'user';
  return true;
}

/**
 * arch_do_signal_or_restart(): if the task stopped in a syscall that returned -ERESTART*,
 * restart it (no handler ran) or turn it into -EINTR (a handler runs).
 */
const ERESTARTNOHAND_N = BigInt(ERESTARTNOHAND), ERESTARTSYS_N = BigInt(ERESTARTSYS), ERESTARTNOINTR_N = BigInt(ERESTARTNOINTR), ERESTART_RESTARTBLOCK_N = BigInt(ERESTART_RESTARTBLOCK);

export function restartFixup(ctx: Ctx, t: Task, handlerRuns: boolean): void {
  const { arch } = ctx;
  const orig = t.regs[arch.origAx]!;
  // Not in a syscall (orig_ax -1, as after every fault, trap and frame): compared, no bigint made.
  if (orig === arch.mask) return;
  if (toSigned(arch, orig) < 0n) return;
  const rax = -toSigned(arch, t.regs[arch.ax]!);
  const restart = rax === ERESTARTNOHAND_N || rax === ERESTARTSYS_N || rax === ERESTARTNOINTR_N || rax === ERESTART_RESTARTBLOCK_N;
  if (!restart) return;
  if (handlerRuns && rax !== ERESTARTNOINTR_N) {
    t.regs[arch.ax] = negErrnoReg(ERRNO.EINTR) & arch.mask;
    return;
  }
  if (rax === ERESTART_RESTARTBLOCK_N) {
    t.regs[arch.ax] = BigInt(syscallNr(arch.name, 'restart_syscall')!);
  } else {
    t.regs[arch.ax] = t.regs[arch.origAx]!;
  }
  t.regs[arch.ip] = t.regs[arch.ip]! - BigInt(INSN_BYTES);
}
