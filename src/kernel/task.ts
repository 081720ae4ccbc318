// A host task (thread) and everything the model tracks about it, grouped by who may
// touch it (xv6 proc.c style). Mirrors struct task_struct's ptrace-relevant parts.
import type { Siginfo } from './signals.ts';

/** What a ptrace-stop is (ptrace(2) "Stopped states"; ptrace.md §3). */
export type StopKind =
  | 'signal-delivery'
  | 'group-stop'
  | 'syscall-enter'
  | 'syscall-exit'
  | 'sysemu'
  | 'event'
  | 'listen';

export interface PtraceStop {
  readonly kind: StopKind;
  /** The signal number in the wait status (SIGTRAP|0x80 for TRACESYSGOOD syscall stops). */
  readonly statusSig: number;
  /** PTRACE_EVENT_* in status bits 16+ (0x80 = PTRACE_EVENT_STOP). */
  readonly event: number;
  /** last_siginfo: what GETSIGINFO reads; null means EINVAL (non-seized group-stop). */
  readonly siginfo: Siginfo | null;
  /** Has a wait4 collected this stop? Every stop is reported exactly once. */
  readonly reported: boolean;
  /**
   * group-stop only: has the real parent's wait(WUNTRACED) consumed the group stop's
   * group_exit_code? A tracer's wait for the ptrace-stop does not, so after DETACH the
   * job-control stop is still reportable unless this is set (differential conformance run).
   */
  readonly jobReported?: boolean;
}

/** Why a task sleeps inside a syscall (interruptible sleeps only). */
export type BlockReason =
  | { readonly kind: 'pause' }
  | { readonly kind: 'nanosleep'; readonly untilNs: number }
  | { readonly kind: 'wait4'; readonly pid: number; readonly options: number; readonly statusAddr: bigint }
  | { readonly kind: 'vfork'; readonly child: number };

/** The kernel path a task resumes on when it next runs (what follows its last stop). */
export type Phase =
  | 'user' //                 fetch and execute the next instruction
  | 'syscall-perform' //      run the syscall whose number is in orig_ax
  | 'syscall-exit' //         syscall exit work: exit stop if traced with PTRACE_SYSCALL
  | 'signals' //              get_signal(): group stop, pending signals, then restart fix-up
  | 'exit'; //                do_exit(): PTRACE_EVENT_EXIT, then zombie

export type RunState =
  | { readonly kind: 'running' }
  | { readonly kind: 'blocked'; readonly on: BlockReason }
  | { readonly kind: 'ptrace-stop'; readonly stop: PtraceStop }
  | { readonly kind: 'job-stop'; readonly sig: number; readonly reported: boolean }
  | { readonly kind: 'zombie'; readonly status: number; readonly reportedToTracer: boolean };

/** sa_flags, sa_restorer and sa_mask are kept when rt_sigaction sets them (SA_SIGINFO frames use them). */
export type SigAction = 'default' | 'ignore' | { readonly handler: bigint; readonly flags?: number; readonly restorer?: bigint; readonly mask?: bigint };

export interface Task {
  // --- identity (fixed at creation) ---
  readonly tid: number;
  tgid: number;
  /** The real parent's tgid. Reparented to 1 when the parent exits. */
  parent: number;
  /** Signal sent to the parent at exit (SIGCHLD, or another/0 for "clone children"). */
  exitSignal: number;
  pgid: number;
  /** Driven from outside (the tracer under test, init): never run by the scheduler. */
  readonly external: boolean;
  name: string;

  // --- scheduling state (kernel only) ---
  run: RunState;
  phase: Phase;
  /** The syscall in progress was emulated (SYSEMU at entry): skip the call itself. */
  syscallEmulated: boolean;
  /** No syscall-exit stop for the syscall in progress (2.6.26 SYSEMU→SYSCALL; PTRACE_VM skip-exit). */
  suppressExitStop: boolean;
  /** Davoli's PTRACE_VM skip bits stored by the last resume: 1 = skip the call, 2 = skip the exit stop. */
  vmSkip: number;
  /** Return value a syscall delivers after its event stop (fork/exec: rax is still -ENOSYS at the stop). */
  pendingRet: bigint | null;
  /** Pending status for do_exit (wait format). */
  exitStatus: number;
  /** The tracer's decision at the last signal-delivery-stop: null = none pending, 0 = suppress. */
  deliverSig: number | null;
  deliverInfo: Siginfo | null;
  /** PTRACE_EVENT_EXIT has been reported for the exit in progress. */
  exitEventDone: boolean;
  /** The exit in progress was caused by SIGKILL (no PTRACE_EVENT_EXIT stop on modern kernels). */
  exitKilled: boolean;
  /** nanosleep's deadline, kept for restart_syscall (struct restart_block). */
  restartUntilNs: number | null;
  /** Cleared by a vfork child's exec or exit; the vfork parent sleeps until then. */
  vforkParent: number | null;

  // --- ptrace link: valid while tracer !== null; only the tracer's requests change it ---
  tracer: number | null;
  seized: boolean;
  /** PTRACE_O_* options. */
  options: number;
  /** Per-task tracing mode set by the last resume request (ptrace_resume). */
  traceSyscall: boolean;
  sysemu: boolean;
  singleStep: boolean;
  blockStep: boolean;
  /** GETEVENTMSG value (last event's message). */
  eventMsg: bigint;
  /** A PTRACE_INTERRUPT / LISTEN request is pending (seized tracees only). */
  interruptPending: boolean;
  listening: boolean;

  // --- signals ---
  pending: Siginfo[];
  blocked: bigint;
  actions: Record<number, SigAction>;
  /** Job control: a group stop has been requested for this thread, by this signal. */
  groupStopPending: boolean;
  groupStopSig: number;
  /**
   * JOBCTL_STOP_DEQUEUED: a stop signal was dequeued and no SIGCONT or completed group stop
   * has cleared it since. do_signal_stop() refuses to start a group stop without it, so a
   * SIGCONT sent while a SIGSTOP sits in its delivery-stop cancels that SIGSTOP.
   */
  stopDequeued?: boolean;
  /**
   * SIGNAL_STOP_STOPPED: the group stop is in effect (until SIGCONT), even while a tracer has
   * the task running; do_jobctl_trap() then reports the stop signal, not SIGTRAP.
   */
  groupStopped?: boolean;
  /** The group was continued by SIGCONT and no wait4(WCONTINUED) has reported it yet. */
  continued: boolean;
  /** Saved user contexts of running signal handlers (rt_sigreturn pops one). */
  sigFrames: { regs: bigint[]; blocked: bigint; altstack?: boolean }[];
  /** sigaltstack(2): current->sas_ss_sp / sas_ss_size (absent = never set = SS_DISABLE). */
  altStack?: { sp: bigint; size: bigint };
  /** thread.cr2 / error_code / trap_nr of the last user page fault (arch/x86/mm/fault.c). */
  faultInfo?: { cr2: bigint; err: bigint; trapno: bigint };

  // --- CPU state ---
  regs: bigint[];
  /** u_debugreg[8] (DR6 stored flipped, like thread->virtual_dr6). */
  debugRegs: bigint[];
  /**
   * thread.ptrace_bps[0..3]: bit i = slot i has a (perf) breakpoint registered; bit 4+i =
   * its length/type were last set from DR7 (else the LEN_1/WRITE stub). See writeDebugReg.
   */
  ptraceBps?: number;
  /** FXSAVE image (x86_64: 512 bytes; i386: user_fpregs_struct 108 bytes). */
  fpregs: Uint8Array;
  /** XSAVE bytes after the legacy area (x86_64 only): total XSTATE = 512 + xstateExtra.length. */
  xstateExtra: Uint8Array;
  /** Address space id (shared by CLONE_VM). */
  mm: number;
  /** Instructions retired (for deterministic accounting). */
  insnCount: number;

  // --- interval timers (signal_struct->real_timer, it[]): group leader only; syscalls/itimer.ts ---
  itimers?: { real?: ItimerSlot; virtual?: ItimerSlot; prof?: ItimerSlot };
}

/**
 * One armed interval timer: ITIMER_REAL an absolute clock deadline, CPU timers the user time
 * left (counted down in place after every instruction: the task owns its slots, cloneTask
 * copies them).
 */
export interface ItimerSlot {
  untilNs: number;
  readonly intervalNs: number;
}

/** PTRACE_O_* (include/uapi/linux/ptrace.h). */
export const PTRACE_O = {
  TRACESYSGOOD: 0x1,
  TRACEFORK: 0x2,
  TRACEVFORK: 0x4,
  TRACECLONE: 0x8,
  TRACEEXEC: 0x10,
  TRACEVFORKDONE: 0x20,
  TRACEEXIT: 0x40,
  TRACESECCOMP: 0x80,
  EXITKILL: 0x100000,
  SUSPEND_SECCOMP: 0x200000,
} as const;

/** PTRACE_O_MASK: every valid option bit (kernel/ptrace.c ptrace_setoptions). */
export const PTRACE_O_MASK = 0x3000ff;

export const PTRACE_EVENT = {
  FORK: 1,
  VFORK: 2,
  CLONE: 3,
  EXEC: 4,
  VFORK_DONE: 5,
  EXIT: 6,
  SECCOMP: 7,
  STOP: 0x80,
} as const;

export function isTraced(t: Task): boolean {
  return t.tracer !== null;
}

export function isPtraceStopped(t: Task): boolean {
  return t.run.kind === 'ptrace-stop';
}

export function isAlive(t: Task): boolean {
  return t.run.kind !== 'zombie';
}
