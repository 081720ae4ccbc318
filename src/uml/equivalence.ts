// The single ≡ multi law, in one place: used by `ptsim compare`, `ptsim check` and
// test/uml/laws.test.ts. Multi mode must give the guest exactly the run single mode gives:
//  * the guest sees the identical run: exit status, console, guestDigest (every guest
//    process's registers and touched memory at each guest syscall boundary, in scheduling
//    order: guest-digest.ts), timer ticks and guest events;
//  * the multi ledger equals the reference ledger with runs merged (runLedgerLaw), and
//    saved host syscalls = Σ (k − 1) over the PTRACE_MULTI calls of k sub-requests.
//
// The reference. /proc/sysptmulti exists only on a host with PTRACE_MULTI (ptrace-multi.md
// §6: "created only if supported"), so on the stock host of single mode a guest that writes it
// sees open() fail: a real guest-visible difference, not a batching one. For such workloads
// the reference is UML on the same PTRACE_MULTI host with a policy that merges nothing (every
// request one host call: single mode's ledger; the switch file exists and the toggles are
// accepted): "multi-host-no-merge". Otherwise it is the stock single run: "stock-single".
import type { Ledger } from '../kernel/ledger-store.ts';
import { describeStatus } from '../kernel/wait-status.ts';
import { PTRACE, requestName } from '../ptrace/numbers.ts';
import { forEachUmlRow, runUml, type RunOptions, type RunResult } from './machine.ts';
import type { Policy } from './policy.ts';
import type { Workload } from './workload.ts';

export type Reference = 'stock-single' | 'multi-host-no-merge';

/** Every request its own host call: single mode's ledger, on a PTRACE_MULTI host. */
export const NO_MERGE: Policy = { name: 'none', rules: [] };

/** 10 µs per guest instruction: a 100 Hz tick every 1000 instructions, so spins see ticks (law suites). */
export const LAW_INSN_NS = 10_000;
/**
 * The boot the law suite and `ptsim check` use: no usermode helpers. They run before UML picks
 * single or multi mode, so they are the same calls in every run of a case
 * (test/uml/boot-helpers.test.ts checks this), and they would make every run ~10× slower.
 */
export const LAW_BOOT = 'noumh';

/** Does the workload write /proc/sysptmulti (which the stock host does not have)? */
export function togglesSysptmulti(w: Workload): boolean {
  return w.parts.some((p) => p.kind === 'proc' && p.path === '/proc/sysptmulti');
}

export function referenceFor(w: Workload): Reference {
  return togglesSysptmulti(w) ? 'multi-host-no-merge' : 'stock-single';
}

export const REFERENCE_WHY: Record<Reference, string> = {
  'stock-single': 'the workload does not write /proc/sysptmulti: multi is compared with the stock single-mode run',
  'multi-host-no-merge': 'the workload writes /proc/sysptmulti, which only a PTRACE_MULTI host has: multi is compared with UML on that host merging nothing',
};

/** The reference run's options: single mode on the stock host, or multi mode with NO_MERGE. */
export function referenceOptions(opts: Omit<RunOptions, 'mode'>, ref: Reference): RunOptions {
  return ref === 'stock-single' ? { ...opts, mode: 'single' } : { ...opts, mode: 'multi', policy: NO_MERGE };
}

/** Σ (k − 1) over the run phase's PTRACE_MULTI calls of k sub-requests. */
export function mergedCalls(r: RunResult): number {
  const ledger = r.kernel!.ledger;
  let n = 0;
  forEachUmlRow(r, (i) => {
    if (ledger.requestNameAt(i) === MULTI_NAME) n += ledger.subRequestNamesAt(i).length - 1;
  }, r.startup.hostSyscalls);
  return n;
}

const MULTI_NAME = requestName(PTRACE.MULTI);

/** Ledger row i without pid values (the two runs' probes create different numbers of processes), from the ledger's columns. */
function normalized(ledger: Ledger, i: number): string {
  const syscall = ledger.syscallAt(i);
  if (syscall === 'wait4') {
    const status = ledger.waitStatusAt(i);
    return `wait4 ${status !== undefined && status !== null ? describeStatus(status) : ledger.errnoAt(i)}`;
  }
  if (syscall === 'fork' || syscall === 'clone') return syscall;
  const request = ledger.requestNameAt(i);
  return `${syscall}${request !== null ? ` ${request}` : ''} ${ledger.retAt(i)}`;
}

/** A PTRACE_MULTI row's sub-requests, one normalized line each. */
function expandedLines(ledger: Ledger, i: number, lines: string[]): void {
  const names = ledger.subRequestNamesAt(i);
  const rets = ledger.subRetsAt(i);
  for (let k = 0; k < names.length; k++) lines.push(`ptrace ${names[k]} ${rets[k]}`);
}

/** runPhase's text per run and `expand` (a case compares each run with two others: computed once). */
const RUN_PHASES = new WeakMap<RunResult, Map<boolean, string>>();

/**
 * The run phase (after start-up) of a ledger, normalized, one line per call, PTRACE_MULTI calls
 * expanded when `expand`. Read from the ledger's columns (forEachUmlRow: no entry objects).
 */
function runPhase(r: RunResult, expand: boolean): string {
  let byExpand = RUN_PHASES.get(r);
  if (!byExpand) RUN_PHASES.set(r, (byExpand = new Map()));
  let text = byExpand.get(expand);
  if (text === undefined) {
    const lines: string[] = [];
    const ledger = r.kernel!.ledger;
    forEachUmlRow(r, (i) => {
      if (expand && ledger.requestNameAt(i) === MULTI_NAME) expandedLines(ledger, i, lines);
      else lines.push(normalized(ledger, i));
    }, r.startup.hostSyscalls);
    byExpand.set(expand, (text = lines.join('\n')));
  }
  return text;
}

/** Compare the run phases (after start-up) of both ledgers, MULTI calls expanded. */
export function runLedgerLaw(single: RunResult, multi: RunResult): boolean {
  return runPhase(single, false) === runPhase(multi, true);
}

/** One clause of the law: null when it holds, else what differs. */
export interface Clause {
  readonly name: string;
  readonly broken: (ref: RunResult, multi: RunResult) => string | null;
}

const differs = (a: unknown, b: unknown): string | null => {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  return x === y ? null : `${x.length > 80 ? `${x.slice(0, 77)}...` : x} ≠ ${y.length > 80 ? `${y.slice(0, 77)}...` : y}`;
};

/** The law's clauses, in the order they are checked (the first broken one is reported). */
export const CLAUSES: readonly Clause[] = [
  { name: 'reference merges nothing', broken: (ref) => (ref.byPtraceRequest.PTRACE_MULTI ? `the reference made ${ref.byPtraceRequest.PTRACE_MULTI} PTRACE_MULTI calls` : null) },
  { name: 'exit', broken: (ref, m) => differs(ref.exit, m.exit) },
  { name: 'console', broken: (ref, m) => differs(ref.console, m.console) },
  { name: 'guestDigest', broken: (ref, m) => differs(ref.guestDigest, m.guestDigest) },
  { name: 'ticks', broken: (ref, m) => differs(ref.ticks, m.ticks) },
  { name: 'guestEvents', broken: (ref, m) => differs(ref.guestEvents, m.guestEvents) },
  { name: 'runLedgerLaw', broken: (ref, m) => (runLedgerLaw(ref, m) ? null : 'the multi ledger with PTRACE_MULTI expanded is not the reference ledger') },
  { name: 'saved = Σ(k−1)', broken: (ref, m) => differs(ref.hostSyscalls - m.hostSyscalls, mergedCalls(m)) },
];

export interface LawBreak {
  readonly clause: string;
  readonly detail: string;
}

/** The first clause of the law that `multi` breaks against `ref`, or null when it holds. */
export function lawBreak(ref: RunResult, multi: RunResult, clauses: readonly Clause[] = CLAUSES): LawBreak | null {
  for (const c of clauses) {
    const detail = c.broken(ref, multi);
    if (detail !== null) return { clause: c.name, detail };
  }
  return null;
}

export interface EquivalenceCase {
  readonly workload: Workload;
  readonly profile: RunOptions['profile'];
  readonly policy: Policy;
  readonly seed: number;
  readonly insnNs?: number;
  readonly hz?: number;
  readonly boot?: string;
}

export interface EquivalenceVerdict {
  readonly reference: Reference;
  /** The first broken clause; for a stock-single case also checked: stock single ≡ no-merge reference ("stock ≡ no-merge: …"). */
  readonly broken: LawBreak | null;
}

/**
 * Check one case with every clause: multi against its reference; for a workload without
 * toggles also the no-merge run against the stock single run (they must be the same run).
 */
export function checkEquivalence(c: EquivalenceCase, clauses: readonly Clause[] = CLAUSES): EquivalenceVerdict {
  const base = { profile: c.profile, policy: c.policy, workload: c.workload, seed: c.seed, insnNs: c.insnNs, hz: c.hz, boot: c.boot };
  const reference = referenceFor(c.workload);
  const noMerge = runUml(referenceOptions(base, 'multi-host-no-merge'));
  const multi = runUml({ ...base, mode: 'multi' });
  const broken = lawBreak(noMerge, multi, clauses);
  if (broken || reference === 'multi-host-no-merge') return { reference, broken };
  const stock = runUml(referenceOptions(base, 'stock-single'));
  const stockBreak = lawBreak(stock, multi, clauses) ?? lawBreak(stock, noMerge, clauses);
  return { reference, broken: stockBreak ? { clause: `stock single: ${stockBreak.clause}`, detail: stockBreak.detail } : null };
}
