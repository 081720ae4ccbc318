// Counting a ledger the way `strace -c` would, and the way the cost model needs it: host
// syscalls by name, ptrace calls by request, and PTRACE_MULTI's sub-requests separately.
// A PTRACE_MULTI call is ONE host syscall (one `ptrace`, one PTRACE_MULTI) whatever it runs.
import type { LedgerEntry } from './ledger.ts';
import type { Ledger } from './ledger-store.ts';

export interface LedgerCounts {
  hostSyscalls: number;
  bySyscall: Record<string, number>;
  byPtraceRequest: Record<string, number>;
  /** Requests executed inside PTRACE_MULTI batches (not host syscalls of their own). */
  bySubRequest: Record<string, number>;
}

function bump(m: Record<string, number>, k: string): void {
  m[k] = (m[k] ?? 0) + 1;
}

function sorted(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Count the entries made by `pids` (all callers when omitted). Emulated (skipped) tracee calls are host syscall entries too. */
export function countLedger(ledger: readonly LedgerEntry[], pids?: ReadonlySet<number>): LedgerCounts {
  const bySyscall: Record<string, number> = {};
  const byPtraceRequest: Record<string, number> = {};
  const bySubRequest: Record<string, number> = {};
  let hostSyscalls = 0;
  for (const e of ledger) {
    if (pids && !pids.has(e.pid)) continue;
    hostSyscalls++;
    bump(bySyscall, e.syscall);
    if (e.ptrace) {
      bump(byPtraceRequest, e.ptrace.requestName);
      for (const s of e.ptrace.sub ?? []) bump(bySubRequest, s.requestName);
    }
  }
  return { hostSyscalls, bySyscall: sorted(bySyscall), byPtraceRequest: sorted(byPtraceRequest), bySubRequest: sorted(bySubRequest) };
}

/** countLedger over rows [from, end) of a compact ledger, from its columns (no entry objects). */
export function countLedgerRows(ledger: Ledger, from: number, pids?: ReadonlySet<number>): LedgerCounts {
  const bySyscall: Record<string, number> = {};
  const byPtraceRequest: Record<string, number> = {};
  const bySubRequest: Record<string, number> = {};
  let hostSyscalls = 0;
  for (let i = from; i < ledger.length; i++) {
    if (pids && !pids.has(ledger.pidAt(i))) continue;
    hostSyscalls++;
    bump(bySyscall, ledger.syscallAt(i));
    const request = ledger.requestNameAt(i);
    if (request !== null) {
      bump(byPtraceRequest, request);
      for (const s of ledger.subRequestNamesAt(i)) bump(bySubRequest, s);
    }
  }
  return { hostSyscalls, bySyscall: sorted(bySyscall), byPtraceRequest: sorted(byPtraceRequest), bySubRequest: sorted(bySubRequest) };
}
