// The ledger: every host syscall any task makes, in order. It is the raw material of the
// cost model, so entries are small, complete and appended once (never rewritten).
import type { Arch } from './arch.ts';
import type { Errno } from './errno.ts';
import type { KernelState } from './state.ts';

export interface PtraceSub {
  readonly request: number;
  readonly requestName: string;
  readonly addr: bigint;
  readonly data: bigint;
  readonly ret: bigint;
  readonly errno: Errno | null;
}

export interface LedgerEntry {
  /** Position in the ledger (0-based), assigned when appended. */
  seq: number;
  readonly clockNs: number;
  /** The calling task (thread id). */
  readonly pid: number;
  readonly syscall: string;
  readonly args: readonly bigint[];
  readonly ret: bigint;
  /** errno name, or the kernel-internal ERESTART* code a sleeping syscall was interrupted with. */
  readonly errno: Errno | 'ERESTARTSYS' | 'ERESTARTNOHAND' | 'ERESTART_RESTARTBLOCK' | null;
  /** ptrace only: the request, its target pid, and for PTRACE_MULTI the sub-requests that ran. */
  readonly ptrace?: {
    readonly request: number;
    readonly requestName: string;
    readonly target: number;
    readonly regset?: string;
    readonly signal?: number;
    readonly sub?: readonly PtraceSub[];
  };
  /** wait4 only: the status it reported (null if none). */
  readonly wait?: { readonly status: number | null };
  /** A tracee syscall that did not run because SYSEMU (or orig_ax = -1) skipped it. */
  readonly emulated?: boolean;
}

/** Mutable context of one kernel step: the drafted state and the entries it appends. */
export interface Ctx {
  readonly s: KernelState;
  readonly arch: Arch;
  readonly ledger: LedgerEntry[];
  /** Filled by PTRACE_MULTI with the sub-requests it executed (for the caller's ledger entry). */
  multiSubs?: PtraceSub[];
}

export function record(ctx: Ctx, entry: Omit<LedgerEntry, 'seq' | 'clockNs'>): void {
  ctx.ledger.push({ seq: -1, clockNs: ctx.s.clockNs, ...entry });
}
