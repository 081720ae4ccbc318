// Process syscalls: getpid family, fork/vfork/clone (kernel/fork.c kernel_clone,
// copy_process), execve (fs/exec.c), exit/exit_group (kernel/exit.c).
import { makeSiginfo, SI, SIG } from '../signals.ts';
import { hasDeliverable, sendSignal } from '../signal.ts';
import { ERESTARTNOINTR, negErrnoReg } from '../errno.ts';
import { allocMm, allocPid, archOf, loadProgram, loadProgramOnto, stackTop, threadGroup, type Program, allTasks, removeTask, addTask } from '../state.ts';
import { enterStop } from '../stop.ts';
import { beginGroupExit, wakeVforkParent } from '../exit.ts';
import { initialRegs } from '../regs.ts';
import { stringFromUser } from '../uaccess.ts';
import { exitedStatus } from '../wait-status.ts';
import { PTRACE_EVENT, PTRACE_O, type Task } from '../task.ts';
import type { Ctx } from '../ledger.ts';
import { DONE, fail, ok, type SysOutcome } from './types.ts';

export const CLONE_VM = 0x100n;
export const CLONE_SIGHAND = 0x800n;
export const CLONE_PTRACE = 0x2000n;
export const CLONE_VFORK = 0x4000n;
export const CLONE_PARENT = 0x8000n;
export const CLONE_THREAD = 0x10000n;
export const CLONE_UNTRACED = 0x800000n;

export function sysGetpid(_ctx: Ctx, t: Task): SysOutcome { return ok(t.tgid); }
export function sysGettid(_ctx: Ctx, t: Task): SysOutcome { return ok(t.tid); }
export function sysGetuid(): SysOutcome { return ok(0); }
/** getppid(): the real parent, not the tracer (since 2.6.x ptrace no longer reparents). */
export function sysGetppid(ctx: Ctx, t: Task): SysOutcome {
  const leader = ctx.s.tasks[t.tgid] ?? t;
  return ok(leader.parent);
}

export function sysFork(ctx: Ctx, t: Task): SysOutcome {
  return doClone(ctx, t, BigInt(SIG.SIGCHLD), 0n);
}

/** vfork: the model runs it as fork; the parent does not sleep until the child execs (request table: partial). */
export function sysVfork(ctx: Ctx, t: Task): SysOutcome {
  return doClone(ctx, t, CLONE_VFORK | CLONE_VM | BigInt(SIG.SIGCHLD), 0n);
}

export function sysClone(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  return doClone(ctx, t, args[0]!, args[1]!);
}

/**
 * kernel_clone(). `program`, when given, replaces the child's text (the driver's way of
 * spawning a child that runs other code, like fork followed by the child's own path).
 */
export function doClone(ctx: Ctx, t: Task, flags: bigint, newSp: bigint, program?: Program): SysOutcome {
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return fail('EINVAL');
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return fail('EINVAL');
  // copy_process(): "Restart if a signal comes in before we add the new process": with a
  // signal pending (e.g. one a tracer queued at the syscall-entry stop) fork fails with
  // -ERESTARTNOINTR and is restarted after the signal (differential conformance run;
  // fixture fork-with-signal-pending).
  if (!t.external && hasDeliverable(t)) return ok(negErrnoReg(ERESTARTNOINTR));
  const arch = archOf(ctx.s);
  const tid = allocPid(ctx.s);
  const thread = (flags & CLONE_THREAD) !== 0n;
  const exitSignal = thread ? -1 : Number(flags & 0xffn);
  let mm: number;
  if (program && flags & CLONE_VM) {
    // A CLONE_VM child running its own code: its text and stack go into the shared space.
    ctx.s.mms[t.mm] = loadProgramOnto(arch, ctx.s.mms[t.mm]!, program);
    mm = t.mm;
  } else if (program) {
    mm = allocMm(ctx.s, loadProgramOnto(arch, ctx.s.mms[t.mm]!.fork(), program));
  } else {
    mm = flags & CLONE_VM ? t.mm : allocMm(ctx.s, ctx.s.mms[t.mm]!.fork()); // dup_mmap: copy-on-write
  }
  const regs = program ? initialRegs(arch, program.base, stackTop(arch) - 8n) : [...t.regs];
  regs[arch.ax] = 0n;
  if (newSp !== 0n && !program) regs[arch.sp] = newSp;
  // One copy of t (structuredCloneTask), then the child's own fields, assigned in this order:
  // any t lacks are added in it, as an object literal after the spread would add them.
  const child: Mutable<Task> = structuredCloneTask(t);
  child.tid = tid;
  child.tgid = thread ? t.tgid : tid;
  child.parent = thread || flags & CLONE_PARENT ? t.parent : t.tgid;
  child.exitSignal = exitSignal;
  child.pgid = t.pgid;
  child.external = false;
  child.name = program ? program.path : t.name;
  child.run = { kind: 'running' };
  child.phase = 'syscall-exit';
  child.regs = regs;
  child.mm = mm;
  child.tracer = null;
  child.seized = false;
  child.options = 0;
  child.traceSyscall = false;
  child.sysemu = false;
  child.singleStep = false;
  child.blockStep = false;
  child.eventMsg = 0n;
  child.pending = [];
  child.insnCount = 0;
  child.vforkParent = flags & CLONE_VFORK ? t.tid : null;
  child.stopDequeued = false; // ptrace_init_task(): child->jobctl = 0
  child.groupStopped = false; // a new signal_struct
  if (program) child.actions = {};
  addTask(ctx.s, child);
  const event = flags & CLONE_VFORK ? PTRACE_EVENT.VFORK : exitSignal !== SIG.SIGCHLD ? PTRACE_EVENT.CLONE : PTRACE_EVENT.FORK;
  const optionBit = event === PTRACE_EVENT.VFORK ? PTRACE_O.TRACEVFORK : event === PTRACE_EVENT.CLONE ? PTRACE_O.TRACECLONE : PTRACE_O.TRACEFORK;
  const traced = t.tracer !== null && !(flags & CLONE_UNTRACED) && ((t.options & optionBit) !== 0 || (flags & CLONE_PTRACE) !== 0n);
  if (traced) {
    // ptrace_init_task(): the child is traced by the same tracer with the same options,
    // and starts with SIGSTOP pending (or, seized, a PTRACE_EVENT_STOP trap).
    child.tracer = t.tracer;
    child.seized = t.seized;
    child.options = t.options;
    if (t.seized) child.interruptPending = true;
    else child.pending = [makeSiginfo(SIG.SIGSTOP, SI.SI_USER)];
  }
  if (traced && (t.options & optionBit) !== 0) {
    t.pendingRet = BigInt(tid);
    // ptrace_event_pid(): the parent stops with the new pid as the event message.
    const code = SIG.SIGTRAP | (event << 8);
    t.phase = 'syscall-exit';
    enterStop(ctx, t, { kind: 'event', statusSig: SIG.SIGTRAP, event, siginfo: makeSiginfo(SIG.SIGTRAP, code, { pid: t.tid }) }, BigInt(tid));
    return DONE;
  }
  return ok(tid);
}

/** A task whose readonly fields its creator may still set. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function structuredCloneTask(t: Task): Task {
  return {
    ...t,
    regs: [...t.regs],
    // copy_thread(): ptrace_bps zeroed (DR0-3 read 0); virtual_dr6 and ptrace_dr7 are copied
    debugRegs: [0n, 0n, 0n, 0n, 0n, 0n, t.debugRegs[6]!, t.debugRegs[7]!],
    ptraceBps: 0,
    pending: [...t.pending],
    actions: { ...t.actions },
    sigFrames: t.sigFrames.map((f) => ({ regs: [...f.regs], blocked: f.blocked })),
  };
}

/** execve(path, argv, envp): path must name a program registered with the kernel. */
export function sysExecve(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  const path = stringFromUser(ctx, t, args[0]!);
  if (path === 'EFAULT') return fail('EFAULT');
  const program = ctx.s.programs[path];
  if (!program) return fail('ENOENT');
  return execProgram(ctx, t, program);
}

export function execProgram(ctx: Ctx, t: Task, program: Program): SysOutcome {
  const arch = archOf(ctx.s);
  // de_thread(): other threads of the group die.
  for (const th of threadGroup(ctx.s, t.tgid)) {
    if (th.tid !== t.tid && th.run.kind !== 'zombie') removeTask(ctx.s, th.tid);
  }
  const oldMm = t.mm;
  t.mm = allocMm(ctx.s, loadProgram(arch, program));
  if (!allTasks(ctx.s).some((o) => o.mm === oldMm && o.tid !== t.tid)) delete ctx.s.mms[oldMm];
  const origAx = t.regs[arch.origAx]!;
  const ax = t.regs[arch.ax]!;
  t.regs = initialRegs(arch, program.base, stackTop(arch) - 8n);
  t.regs[arch.origAx] = origAx;
  t.regs[arch.ax] = ax; // still -ENOSYS until the syscall returns 0
  t.name = program.path;
  // flush_signal_handlers(): handlers reset to default, SIG_IGN stays.
  t.actions = Object.fromEntries(Object.entries(t.actions).filter(([, a]) => a === 'ignore'));
  t.sigFrames = [];
  // flush_thread() → flush_ptrace_hw_breakpoint(): breakpoints gone, virtual_dr6 = ptrace_dr7 = 0.
  t.debugRegs = t.debugRegs.map(() => 0n);
  t.ptraceBps = 0;
  wakeVforkParent(ctx, t);
  if (t.tracer !== null) {
    if (t.options & PTRACE_O.TRACEEXEC) {
      t.pendingRet = 0n;
      // ptrace_event(PTRACE_EVENT_EXEC, old_vpid)
      t.phase = 'syscall-exit';
      const code = SIG.SIGTRAP | (PTRACE_EVENT.EXEC << 8);
      enterStop(ctx, t, { kind: 'event', statusSig: SIG.SIGTRAP, event: PTRACE_EVENT.EXEC, siginfo: makeSiginfo(SIG.SIGTRAP, code, { pid: t.tid }) }, BigInt(t.tid));
      return DONE;
    }
    // "else if (event == PTRACE_EVENT_EXEC) if PT_PTRACED and not PT_SEIZED: send_sig(SIGTRAP, current, 0)".
    if (!t.seized) sendSignal(ctx, t.tid, makeSiginfo(SIG.SIGTRAP, SI.SI_USER, { pid: t.tgid }));
  }
  return ok(0);
}

export function sysExit(_ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  t.exitStatus = exitedStatus(Number(args[0]! & 0xffn));
  t.exitKilled = false;
  t.phase = 'exit';
  return DONE;
}

export function sysExitGroup(ctx: Ctx, t: Task, args: readonly bigint[]): SysOutcome {
  beginGroupExit(ctx, t.tgid, exitedStatus(Number(args[0]! & 0xffn)), { killed: false, caller: t.tid });
  return DONE;
}
