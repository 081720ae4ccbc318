// price(entry, profile): what one host syscall of the ledger costs, split into
//   entryExitNs  – the syscall trap in and out (every host call pays it once)
//   requestNs    – the work of the call: ptrace dispatch (lookup + ptrace_check_attach, once
//                  per call, once per PTRACE_MULTI) plus each request's own work; inside a
//                  MULTI, each sub-request also pays the loop's dispatch and the copy-in of
//                  its struct ptrace_multi entry
//   transferNs   – data moved: PEEK/POKE TEXT/DATA per word, regsets and process_vm_* per byte
//   roundTripNs  – a successful resume's stop/resume round trip: the tracee runs to its next
//                  stop and the waiting tracer is woken (two context switches). Batching
//                  cannot remove it: a MULTI ending in a resume pays it exactly once, as the
//                  resume alone did.
//   wakeupNs     – the round trip's cross-CPU wake-ups (host-terms.ts; 0 in a pinned profile):
//                  2 × P(cross | class of the host process resumed) × crossCpuWakeupNs, the
//                  class from the ledger's history (cross-cpu.ts; `cls`, taken by the caller's
//                  HostProcessHistory, LedgerPricer below); like roundTripNs not removable by
//                  batching
//   hostWorkNs   – work the call's event causes outside any priced call of the tracer: a page
//                  fault's physmem work (a wait4 reporting SIGSEGV), a new host process
//                  ((OLD)SETOPTIONS), a process exit and reap (a reaping wait4), UML's own user
//                  time for a syscall trap (a wait4 reporting a syscall stop) and for a stub run
//                  with the stub's host calls (a CONT with no signal) (host-terms.ts)
// So merging k calls into one MULTI saves (k − 1) × (entryExitNs + ptraceDispatchNs) and adds
// k × (multiSubDispatchNs + multiEntryCopyInNs); requestNs of the requests themselves,
// transferNs, roundTripNs, wakeupNs and hostWorkNs are unchanged.
import type { LedgerEntry } from '../kernel/ledger.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { requestHostNs, waitHostNs, wakeupNs } from './host-terms.ts';
import type { CostProfile } from './profile.ts';
import { HostProcessHistory, type CrossClassIndex } from './cross-cpu.ts';

export interface PriceBreakdown {
  entryExitNs: number;
  requestNs: number;
  transferNs: number;
  roundTripNs: number;
  wakeupNs: number;
  hostWorkNs: number;
}

export const ZERO: Readonly<PriceBreakdown> = { entryExitNs: 0, requestNs: 0, transferNs: 0, roundTripNs: 0, wakeupNs: 0, hostWorkNs: 0 };

/** The parts of a breakdown, in the order every sum adds them. */
export const PARTS = ['entryExitNs', 'requestNs', 'transferNs', 'roundTripNs', 'wakeupNs', 'hostWorkNs'] as const;

export function zeroBreakdown(): PriceBreakdown {
  return { entryExitNs: 0, requestNs: 0, transferNs: 0, roundTripNs: 0, wakeupNs: 0, hostWorkNs: 0 };
}

export function totalNs(b: PriceBreakdown): number {
  return b.entryExitNs + b.requestNs + b.transferNs + b.roundTripNs + b.wakeupNs + b.hostWorkNs;
}

export function addInto(acc: PriceBreakdown, b: PriceBreakdown): void {
  acc.entryExitNs += b.entryExitNs;
  acc.requestNs += b.requestNs;
  acc.transferNs += b.transferNs;
  acc.roundTripNs += b.roundTripNs;
  acc.wakeupNs += b.wakeupNs;
  acc.hostWorkNs += b.hostWorkNs;
}

const WORD_MEMORY = new Set<number>([PTRACE.PEEKTEXT, PTRACE.PEEKDATA, PTRACE.POKETEXT, PTRACE.POKEDATA]);
const SYSCALL_STOP = new Set<number>([PTRACE.SYSCALL, PTRACE.SYSEMU]);
const SIGNAL_STOP = new Set<number>([PTRACE.CONT, PTRACE.SINGLESTEP, PTRACE.SINGLEBLOCK, PTRACE.SYSEMU_SINGLESTEP]);

interface Req {
  readonly request: number;
  readonly requestName: string;
  readonly ok: boolean;
}

function work(r: Req, p: CostProfile): number {
  return (p.requestNs[r.requestName] ?? p.requestNs.default!).ns;
}

function transfer(r: Req, bytes: number | undefined, p: CostProfile): number {
  if (!r.ok) return 0;
  if (WORD_MEMORY.has(r.request)) return p.costs.transferNsPerWord.ns;
  return (bytes ?? 0) * p.costs.transferNsPerByte.ns;
}

function roundTrip(r: Req, p: CostProfile): number {
  if (!r.ok) return 0;
  if (SYSCALL_STOP.has(r.request)) return p.costs.roundTripSyscallStopNs.ns;
  if (SIGNAL_STOP.has(r.request)) return p.costs.roundTripSignalStopNs.ns;
  return 0;
}

/**
 * Price one ledger entry. `bytes[i]` is what the i-th request moved (a single call: bytes[0];
 * a PTRACE_MULTI: one per sub-request); `cls` the class of the host process a resume wakes
 * (cross-cpu.ts; null: no history, two wake-ups). Never negative; deterministic.
 */
export function price(entry: LedgerEntry, profile: CostProfile, bytes: readonly (number | undefined)[] = [], cls: CrossClassIndex | null = null): PriceBreakdown {
  const c = profile.costs;
  const b: PriceBreakdown = { entryExitNs: c.syscallEntryExitNs.ns, requestNs: 0, transferNs: 0, roundTripNs: 0, wakeupNs: 0, hostWorkNs: 0 };
  const p = entry.ptrace;
  if (!p) {
    b.requestNs = profile.requestNs[entry.syscall]?.ns ?? 0;
    b.transferNs = entry.errno === null ? (bytes[0] ?? 0) * c.transferNsPerByte.ns : 0;
    if (entry.wait && entry.errno === null) b.hostWorkNs = waitHostNs(entry.wait.status, Number(entry.ret), profile);
    return b;
  }
  b.requestNs = c.ptraceDispatchNs.ns;
  if (p.request === PTRACE.MULTI && p.sub) {
    p.sub.forEach((s, i) => {
      const r = { request: s.request, requestName: s.requestName, ok: s.errno === null };
      b.requestNs += c.multiSubDispatchNs.ns + c.multiEntryCopyInNs.ns + work(r, profile);
      b.transferNs += transfer(r, bytes[i], profile);
      if (r.ok) b.hostWorkNs += requestHostNs(r.request, profile, Number(s.data));
      if (i === p.sub!.length - 1) {
        b.roundTripNs = roundTrip(r, profile);
        b.wakeupNs = wakeupNs(b.roundTripNs, profile, cls);
      }
    });
    return b;
  }
  const r = { request: p.request, requestName: p.requestName, ok: entry.errno === null };
  b.requestNs += work(r, profile);
  b.transferNs = transfer(r, bytes[0], profile);
  b.roundTripNs = roundTrip(r, profile);
  b.wakeupNs = wakeupNs(b.roundTripNs, profile, cls);
  if (r.ok) b.hostWorkNs = requestHostNs(r.request, profile, p.signal ?? 0);
  return b;
}

/**
 * Prices a ledger's calls in order, each resume's wake-ups by the class of the host process it
 * wakes (cross-cpu.ts): what `run`, `compare`, `report`, the validation's real sequences and the
 * reference whatif use, so every path charges the same wake-ups for the same ledger.
 */
export class LedgerPricer {
  readonly history = new HostProcessHistory();
  constructor(readonly profile: CostProfile) {}

  price(entry: LedgerEntry, bytes: readonly (number | undefined)[] = []): PriceBreakdown {
    return price(entry, this.profile, bytes, this.history.take(entry));
  }
}
