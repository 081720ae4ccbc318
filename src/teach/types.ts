// The teaching view's data: a recorded simulator run as a list of immutable step snapshots.
// Plain data only (strings, numbers, arrays, records) so a step can be rendered, compared
// and kept for step-back; bigints are copied out as hex strings. Built by record.ts.

/** What a task is doing after a host syscall (ptrace(2) "Stopped states"; ptrace.md §2–§3). */
export type TaskStateLabel =
  | 'tracer'
  | 'running'
  | 'blocked'
  | 'signal-delivery-stop'
  | 'group-stop'
  | 'syscall-enter-stop'
  | 'syscall-exit-stop'
  | 'sysemu-stop'
  | 'event-stop'
  | 'listen'
  | 'job-stop'
  | 'zombie'
  | 'reaped';

export interface SiginfoView {
  readonly signo: string;
  readonly code: string;
  /** The si_code's name (`SI_TKILL`, `TRAP_TRACE`, `SIGTRAP|0x80: syscall stop`…), or '' if unnamed. */
  readonly codeName: string;
  readonly errno: number;
  readonly pid: number;
  readonly addr: string;
  readonly status: number;
}

export interface TaskView {
  readonly pid: number;
  readonly name: string;
  readonly state: TaskStateLabel;
  /** One line: the state with its detail (`syscall-enter-stop (SIGTRAP|0x80)`, `blocked in wait4`). */
  readonly detail: string;
  readonly tracer: number | null;
  /** Register name → 64-bit hex value (empty for external tasks, whose registers the model does not run). */
  readonly regs: Readonly<Record<string, string>>;
  readonly pending: readonly string[];
  readonly blocked: readonly string[];
  /** last_siginfo while in a ptrace-stop (what PTRACE_GETSIGINFO reads); null otherwise. */
  readonly siginfo: SiginfoView | null;
}

/** One ledger entry as shown: the call, its result, its price. */
export interface LedgerRow {
  readonly seq: number;
  readonly pid: number;
  readonly text: string;
  readonly result: string;
  /** Caller is an external task (the tracer / UML): the calls the cost model prices. */
  readonly external: boolean;
  readonly request: string | null;
  readonly status: number | null;
  /** PTRACE_MULTI: the sub-requests it ran (a merged call). */
  readonly sub: readonly string[] | null;
  readonly priceNs: number;
}

export interface WaitBitField {
  readonly bits: string;
  readonly name: string;
  readonly value: string;
  readonly meaning: string;
}

export interface WaitDecode {
  readonly status: number;
  readonly hex: string;
  /** 32 characters, bit 31 first. */
  readonly binary: string;
  readonly fields: readonly WaitBitField[];
  /** The glibc macros and what they return for this status (`WIFSTOPPED` → `true`). */
  readonly macros: readonly { readonly name: string; readonly value: string }[];
  /** strace's spelling: `SIGTRAP|0x80`, `exited(0)`, `killed(SIGKILL)`. */
  readonly summary: string;
}

export interface Explanation {
  readonly title: string;
  readonly text: string;
  /** The reference section it is drawn from (`ptrace.md §7`). */
  readonly cite: string;
}

export interface Step {
  readonly index: number;
  /** The caller's own ledger entry for this host syscall. */
  readonly call: LedgerRow;
  /** Syscalls the simulated tasks made while the call ran (the scheduler runs inside wait4). */
  readonly during: readonly LedgerRow[];
  readonly target: number | null;
  readonly wait: WaitDecode | null;
  /** Kernel source the request follows (src/ptrace/request-table.ts `source`). */
  readonly source: string | null;
  readonly support: string | null;
  readonly explanation: Explanation | null;
  /** Every task after the call, by pid (unchanged tasks are the previous step's objects). */
  readonly tasks: Readonly<Record<number, TaskView>>;
  /** Priced calls so far (the caller's entries) and their total under the cost profile. */
  readonly callsSoFar: number;
  readonly totalNs: number;
  /** UML runs: the guest event this host call serves (`syscall:getpid`, `fault:SIGSEGV`). */
  readonly event: string | null;
  /** PTRACE_MULTI scenarios: the batch-check verdict for this call. */
  readonly verdict: BatchVerdictView | null;
}

export interface BatchVerdictView {
  readonly batch: string;
  readonly equivalent: boolean;
  readonly divergences: readonly string[];
  readonly saved: number;
}

export interface Recording {
  readonly id: string;
  readonly title: string;
  readonly steps: readonly Step[];
  readonly costProfile: string;
  /** UML scenarios: the other mode's recording, for the single vs multi panel. */
  readonly mode?: 'single' | 'multi';
}
