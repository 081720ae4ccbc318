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

/** One counted call: who made it, the syscall, and for ptrace the request and MULTI's sub-requests. */
interface Counted {
  pid: number;
  syscall: string;
  request: string | null;
  subs: readonly string[];
}

/** Count the calls made by `pids` (all callers when omitted). Emulated (skipped) tracee calls are host syscall entries too. */
function tally(calls: Iterable<Counted>, pids?: ReadonlySet<number>): LedgerCounts {
  const bySyscall: Record<string, number> = {};
  const byPtraceRequest: Record<string, number> = {};
  const bySubRequest: Record<string, number> = {};
  let hostSyscalls = 0;
  for (const c of calls) {
    if (pids && !pids.has(c.pid)) continue;
    hostSyscalls++;
    bump(bySyscall, c.syscall);
    if (c.request !== null) {
      bump(byPtraceRequest, c.request);
      for (const s of c.subs) bump(bySubRequest, s);
    }
  }
  return { hostSyscalls, bySyscall: sorted(bySyscall), byPtraceRequest: sorted(byPtraceRequest), bySubRequest: sorted(bySubRequest) };
}

/** Count the entries made by `pids` (all callers when omitted). */
export function countLedger(ledger: readonly LedgerEntry[], pids?: ReadonlySet<number>): LedgerCounts {
  return tally(ledger.map((e) => ({ pid: e.pid, syscall: e.syscall, request: e.ptrace?.requestName ?? null, subs: e.ptrace?.sub?.map((s) => s.requestName) ?? [] })), pids);
}

/** countLedger over rows [from, end) of a compact ledger, from its columns (no entry objects). */
export function countLedgerRows(ledger: Ledger, from: number, pids?: ReadonlySet<number>): LedgerCounts {
  const NONE: readonly string[] = [];
  function* rows(): Generator<Counted> {
    const row: Counted = { pid: 0, syscall: '', request: null, subs: NONE }; // one object, refilled per row
    for (let i = from; i < ledger.length; i++) {
      row.pid = ledger.pidAt(i);
      if (pids && !pids.has(row.pid)) continue;
      row.syscall = ledger.syscallAt(i);
      row.request = ledger.requestNameAt(i);
      row.subs = row.request === null ? NONE : ledger.subRequestNamesAt(i);
      yield row;
    }
  }
  return tally(rows());
}
