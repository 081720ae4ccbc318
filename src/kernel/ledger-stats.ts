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

/** Counts in a Map (a few names, bumped per row: a hash probe, not a dictionary-mode object's keyed store). */
function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function sorted(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One counted call: who made it, the syscall, and for ptrace the request and MULTI's sub-requests. */
interface Counted {
  pid: number;
  syscall: string;
  request: string | null;
  subs: readonly string[];
}

/** A running count (one per caller set): add calls or ledger rows in any order, read counts() at the end. */
export class LedgerTally {
  private readonly bySyscall = new Map<string, number>();
  private readonly byPtraceRequest = new Map<string, number>();
  private readonly bySubRequest = new Map<string, number>();
  private hostSyscalls = 0;

  /** Emulated (skipped) tracee calls are host syscall entries too. */
  add(c: Counted): void {
    this.hostSyscalls++;
    bump(this.bySyscall, c.syscall);
    if (c.request !== null) {
      bump(this.byPtraceRequest, c.request);
      for (const s of c.subs) bump(this.bySubRequest, s);
    }
  }

  /** Row i of a compact ledger, from its columns (no entry object). */
  addRow(ledger: Ledger, i: number): void {
    this.hostSyscalls++;
    bump(this.bySyscall, ledger.syscallAt(i));
    const request = ledger.requestNameAt(i);
    if (request === null) return;
    bump(this.byPtraceRequest, request);
    const subs = ledger.subRequestNamesAt(i);
    for (let k = 0; k < subs.length; k++) bump(this.bySubRequest, subs[k]!);
  }

  counts(): LedgerCounts {
    return { hostSyscalls: this.hostSyscalls, bySyscall: sorted(this.bySyscall), byPtraceRequest: sorted(this.byPtraceRequest), bySubRequest: sorted(this.bySubRequest) };
  }
}

/** Count the entries made by `pids` (all callers when omitted). */
export function countLedger(ledger: readonly LedgerEntry[], pids?: ReadonlySet<number>): LedgerCounts {
  const t = new LedgerTally();
  for (const e of ledger) {
    if (pids && !pids.has(e.pid)) continue;
    t.add({ pid: e.pid, syscall: e.syscall, request: e.ptrace?.requestName ?? null, subs: e.ptrace?.sub?.map((s) => s.requestName) ?? [] });
  }
  return t.counts();
}
