// The real host-call sequence of one guest operation, cut from the strace fixtures of real UML
// 6.1 (test/fixtures/uml/*.strace, uml/README.md "Fixtures"), read with the project's strace
// reader (ledger-from-strace.ts) and priced call by call (price.ts, host terms included). This
// prices what real UML does, whatever the simulated UML model does, so the terms' calibration
// does not depend on the model's fidelity (docs/cost-model.md "Validation").
//
// A marked segment holds the tail of the begin-marker write, the operation(s), and the 6 calls
// that trap the end-marker write (uml/README.md "Re-capture"). The marker's own host writes
// (`write(1, "MARK …")` and the `"\r\n"` after it) are not part of the operation and are
// dropped; other host writes (the exec child's console line) are kept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventsFromText } from './ledger-from-strace.ts';
import { addInto, LedgerPricer, PARTS, totalNs, zeroBreakdown, type PriceBreakdown } from './price.ts';
import type { CostProfile } from './profile.ts';
import { CREATED, FIRST, PARENT } from './cross-cpu.ts';

export const UML_FIXTURES = 'test/fixtures/uml';

/** Event counts of a priced sequence: how the host terms enter. */
export interface SequenceEvents {
  hostCalls: number;
  /** Successful resumes (SYSEMU, SYSCALL, CONT, …): round trips. */
  roundTrips: number;
  /** wait4 reporting a SIGSEGV stop. */
  segvStops: number;
  /** Successful (OLD)SETOPTIONS: new host processes. */
  processesCreated: number;
  /** Reaping wait4s. */
  processesReaped: number;
  /** wait4 reporting a syscall stop (SIGTRAP | 0x80): a guest syscall trap. */
  syscallStops: number;
  /** Successful PTRACE_CONT with no signal: stub runs (host-terms.ts). */
  stubRuns: number;
  /** Round trips by the class of the host process resumed (cross-cpu.ts). */
  roundTripsFirst: number;
  roundTripsParent: number;
  roundTripsCreated: number;
}

/**
 * Where in the timed init an operation runs (uml/guest/init.c TIMED: getpid, write and the faults
 * before the fork loop; each fork or exec of a loop after the loop's first fork): `fork-loop`
 * prices the log with its first resumed host process (init's) as one that has forked before.
 */
export type SequenceContext = 'before-first-fork' | 'fork-loop';

export interface PricedSequence {
  split: PriceBreakdown;
  totalNs: number;
  events: SequenceEvents;
}

/** The log's lines without the marker writes (uml/README.md: MARK + its separate "\r\n"). */
export function withoutMarkers(text: string): string {
  const out: string[] = [];
  let afterMark = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('write(1, "MARK ')) {
      afterMark = true;
      continue;
    }
    if (afterMark && line.startsWith('write(1, "\\r\\n", 2)')) {
      afterMark = false;
      continue;
    }
    if (!line.startsWith('---')) afterMark = false;
    out.push(line);
  }
  return out.join('\n');
}

const RESUMES = new Set(['PTRACE_SYSEMU', 'PTRACE_SYSCALL', 'PTRACE_CONT', 'PTRACE_SINGLESTEP', 'PTRACE_SYSEMU_SINGLESTEP']);

/** Price every call of a log text in order (price.ts LedgerPricer), counting the events the host terms are charged on. */
export function priceLogText(text: string, profile: CostProfile, context: SequenceContext = 'before-first-fork'): PricedSequence {
  const split = zeroBreakdown();
  const events: SequenceEvents = { hostCalls: 0, roundTrips: 0, segvStops: 0, processesCreated: 0, processesReaped: 0, syscallStops: 0, stubRuns: 0, roundTripsFirst: 0, roundTripsParent: 0, roundTripsCreated: 0 };
  const pricer = new LedgerPricer(profile);
  let seeded = context === 'before-first-fork';
  for (const ev of eventsFromText(text)) {
    if (ev.kind !== 'call') continue;
    const e = ev.call.entry;
    if (!seeded && e.ptrace) {
      pricer.history.markParent(e.pid, e.ptrace.target);
      seeded = true;
    }
    const cls = pricer.history.classOf(e.pid, e.ptrace?.target ?? -1);
    addInto(split, pricer.price(e, [ev.call.transferBytes]));
    events.hostCalls++;
    if (e.errno !== null) continue;
    const req = e.ptrace?.requestName;
    if (req && RESUMES.has(req)) {
      events.roundTrips++;
      if (cls === FIRST) events.roundTripsFirst++;
      else if (cls === PARENT) events.roundTripsParent++;
      else if (cls === CREATED) events.roundTripsCreated++;
    }
    if (req === 'PTRACE_CONT' && (e.ptrace!.signal ?? 0) === 0) events.stubRuns++;
    if (req === 'PTRACE_OLDSETOPTIONS' || req === 'PTRACE_SETOPTIONS') events.processesCreated++;
    if (e.wait && e.ret > 0n) {
      const st = e.wait.status;
      if (st !== null && (st & 0x7f) === 0x7f) {
        if (((st >> 8) & 0xff) === 11) events.segvStops++;
        if (((st >> 8) & 0xff) === (5 | 0x80)) events.syscallStops++;
      } else events.processesReaped++;
    }
  }
  return { split, totalNs: totalNs(split), events };
}

/** (a − b) / k, part by part and for the event counts. */
export function perOperation(a: PricedSequence, b: PricedSequence | null, k: number): PricedSequence {
  const split = zeroBreakdown();
  for (const key of PARTS) split[key] = (a.split[key] - (b ? b.split[key] : 0)) / k;
  const events = { ...a.events };
  for (const key of Object.keys(events) as (keyof SequenceEvents)[]) events[key] = (a.events[key] - (b ? b.events[key] : 0)) / k;
  return { split, totalNs: totalNs(split), events };
}

/** One operation's real sequence: which fixture, and how the operation is cut from it. */
export interface SequenceSpec {
  /** The fixture and what the sequence is, for the doc. */
  source: string;
  price(profile: CostProfile, repoRoot: string): PricedSequence;
}

function fixture(repoRoot: string, name: string): string {
  return withoutMarkers(readFileSync(join(repoRoot, UML_FIXTURES, name), 'utf8'));
}

/** One guest syscall trap: guest-syscall.strace holds 2 getpid + the end-marker write's trap, 6 calls each. */
function oneTrap(profile: CostProfile, root: string, context: SequenceContext = 'before-first-fork'): PricedSequence {
  return perOperation(priceLogText(fixture(root, 'guest-syscall.strace'), profile, context), null, 3);
}

/** The host write UML makes for a console write: the end marker's `write(1, …)` in guest-syscall.strace. */
function consoleWrite(profile: CostProfile, root: string): PricedSequence {
  const text = readFileSync(join(root, UML_FIXTURES, 'guest-syscall.strace'), 'utf8');
  const line = text.split('\n').filter((l) => l.startsWith('write(1, "MARK ')).pop()!;
  return priceLogText(line, profile);
}

function sum(a: PricedSequence, b: PricedSequence): PricedSequence {
  const split = zeroBreakdown();
  for (const key of PARTS) split[key] = a.split[key] + b.split[key];
  const events = { ...a.events };
  for (const key of Object.keys(events) as (keyof SequenceEvents)[]) events[key] = a.events[key] + b.events[key];
  return { split, totalNs: totalNs(split), events };
}

export const SEQUENCES: Readonly<Record<string, SequenceSpec>> = {
  getpid: {
    source: 'guest-syscall.strace ÷ 3 (2 getpid + the end-marker trap, 6 calls each)',
    price: oneTrap,
  },
  write: {
    source: 'one syscall trap (guest-syscall.strace ÷ 3) + the host `write(1, …)` UML makes for the console (the end marker\'s, guest-syscall.strace)',
    price: (p, root) => sum(oneTrap(p, root), consoleWrite(p, root)),
  },
  fault: {
    source: '(page-fault.strace − one syscall trap) ÷ 2 (2 first-touch faults + the end-marker trap)',
    price: (p, root) => perOperation(priceLogText(fixture(root, 'page-fault.strace'), p), oneTrap(p, root), 2),
  },
  // The glibc-* captures are of the init build the timings were taken with (uml/README.md
  // "Guest address space"), traced with every syscall (--trace all: kill, hostfs calls), tick-free.
  // Both are priced as a fork of the timed init's loops (SequenceContext 'fork-loop'): init's host
  // process has forked before, and so has the end-marker trap subtracted.
  fork: {
    source: 'glibc-fork-exit.strace − one syscall trap (every UML syscall, tick-free: fork, child _exit, parent waitpid)',
    price: (p, root) => perOperation(priceLogText(fixture(root, 'glibc-fork-exit.strace'), p, 'fork-loop'), oneTrap(p, root, 'fork-loop'), 1),
  },
  exec: {
    source: 'glibc-fork-exec.strace − one syscall trap (every UML syscall, tick-free: fork, execve of /exec-child with its hostfs calls, its console line, exit, waitpid)',
    price: (p, root) => perOperation(priceLogText(fixture(root, 'glibc-fork-exec.strace'), p, 'fork-loop'), oneTrap(p, root, 'fork-loop'), 1),
  },
};
