// The cost model against reality, and Davoli's 2008 claim re-run. Generated tables for
// docs/cost-model.md (`npm run docs:cost` writes them; test/cost-model/validation.test.ts
// recomputes them and checks the doc holds exactly this text, so any change in the model, the
// profiles or the UML simulation shows up as a reviewed diff of the doc).
//
// 1. Time per guest operation (getpid, a 64-byte console write, a first-touch fault,
//    fork + exit + wait, fork + exec + wait), in both pin modes: pinned priced with
//    calibrated-local, unpinned with calibrated-unpinned. Two predictions each:
//    * the REAL host-call sequence of the operation, cut from the strace fixtures of real UML 6.1
//      (strace-ops.ts) and priced call by call, host terms included: independent of how faithful
//      the simulated UML is;
//    * a simulated uml-6.1 run: (price of the UML host calls of a workload with N + k operations
//      − with N) / k, plus the kernel's instruction clock over the same difference.
//    Measured: real UML 6.1 in-guest medians with no strace attached, net of the clock read each
//    sample holds (timed-fixtures.ts): the late session of 2026-12-03 (16:40 UTC), whose calibrator
//    runs, cross-CPU counts, host-process times and CPU split the profiles come from, and the
//    afternoon, evening, noon and morning sessions (idle; busy for the morning's write) as
//    held-out checks.
// 2. A mixed workload in single and multi mode: host syscalls saved and speed-up of the priced
//    host-call time, for uml-2.6.26 + seed + i386-2008 (the seed's setting) and for uml-6.1 +
//    calibrated-local with the seed and the full policy. Host syscalls are counted as Davoli
//    counted them: every syscall the UML process makes in the run phase (ptrace, wait4 — also
//    the restarted ones —, kill, timer_settime, getitimer, nanosleep, fork …).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { priceRun, runLedgerLaw, type PricedRun } from '../cli/uml-commands.ts';
import { policyByName, runUml } from '../uml/machine.ts';
import { PROFILES } from '../uml/profile.ts';
import { parseWorkload, workloadParses } from '../uml/workload.ts';
import { kernelClockNs } from './clock.ts';
import { loadProfile } from './profile.ts';
import { SEQUENCES, type PricedSequence } from './strace-ops.ts';
import { loadTimedRuns, measured, TIMED_DIR, type Measured, type PinMode, type Session } from './timed-fixtures.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunSpec {
  profile: 'uml-6.1' | 'uml-2.6.26';
  mode: 'single' | 'multi';
  policy: 'seed' | 'full';
  workload: string;
  cost: string;
}

export interface TimedRun {
  priced: PricedRun;
  /** The simulated kernel's own clock over the run phase (guest/stub instructions at insnNs, sleeps). */
  kernelClockNs: number;
}

export { kernelClockNs };

export function timedRun(s: RunSpec): TimedRun {
  const r = runUml({ profile: PROFILES[s.profile], mode: s.mode, policy: policyByName(s.policy)!, workload: parseWorkload(s.workload) });
  return { priced: priceRun(r, loadProfile(s.cost)), kernelClockNs: kernelClockNs(r) };
}

/** Does this build's UML model run `spec`? (shared with the random generator: workload.ts) */
export { workloadParses };

// ---------------------------------------------------------------- 1. per-operation validation

export const PIN_PROFILES: Readonly<Record<PinMode, string>> = { pinned: 'calibrated-local', unpinned: 'calibrated-unpinned' };

export interface OperationSpec {
  id: string;
  label: string;
  /** The guest's JSON key in the timed runs (timed-fixtures.ts). */
  timedKey: string;
  /** Which sessions' runs measure it: the profiles' own session first, then held-out ones. */
  sessions: readonly Session[];
  /** Simulated run: workload with N operations, with N + k. */
  base: string;
  more: string;
  k: number;
}

export const OPERATIONS: readonly OperationSpec[] = [
  { id: 'getpid', label: 'getpid', timedKey: 'getpid', sessions: ['late', 'afternoon', 'evening', 'noon', 'idle'], base: 'getpid:10', more: 'getpid:30', k: 20 },
  { id: 'write', label: 'write(1, 64 B) to the console', timedKey: 'write_console_64', sessions: ['late', 'afternoon', 'evening', 'noon', 'busy'], base: 'write:10x64', more: 'write:30x64', k: 20 },
  { id: 'fault', label: 'first-touch page fault', timedKey: 'page_fault_first_touch', sessions: ['late', 'afternoon', 'evening', 'noon', 'idle'], base: 'touch:40960', more: 'touch:122880', k: 20 },
  { id: 'fork', label: 'fork + _exit + waitpid', timedKey: 'fork_exit_wait', sessions: ['late', 'afternoon', 'evening', 'noon', 'idle'], base: 'fork:1', more: 'fork:3', k: 2 },
  { id: 'exec', label: 'fork + execve + exit + waitpid', timedKey: 'fork_exec_wait', sessions: ['late', 'afternoon', 'evening', 'noon', 'idle'], base: 'exec:1', more: 'exec:3', k: 2 },
];

export interface ModelPerOp {
  hostCallsPerOp: number;
  /** Priced host calls + the instruction clock, per operation. */
  predictedNs: number;
}

export interface OperationRow {
  id: string;
  label: string;
  mode: PinMode;
  cost: string;
  /** The real sequence, priced (per operation). */
  real: PricedSequence;
  realSource: string;
  /** The simulated run, or null when this build's model does not run the workload. */
  model: ModelPerOp | null;
  measured: Measured;
  session: Session;
  timedKey: string;
  /** (predicted − measured) / measured, in %, one decimal. */
  errorPct: number;
  modelErrorPct: number | null;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const errPct = (predicted: number, measuredNs: number): number => r1(((predicted - measuredNs) / measuredNs) * 100);

/** Per operation of a simulated uml-6.1 run, priced with each profile. */
function modelPerOp(o: OperationSpec, costs: readonly string[]): (ModelPerOp | null)[] {
  if (!workloadParses(o.base) || !workloadParses(o.more)) return costs.map(() => null);
  const run = (w: string) => runUml({ profile: PROFILES['uml-6.1'], mode: 'single', policy: policyByName('seed')!, workload: parseWorkload(w) });
  const a = run(o.base);
  const b = run(o.more);
  const clock = (kernelClockNs(b) - kernelClockNs(a)) / o.k;
  return costs.map((c) => {
    const pa = priceRun(a, loadProfile(c));
    const pb = priceRun(b, loadProfile(c));
    return { hostCallsPerOp: r1((pb.hostSyscalls - pa.hostSyscalls) / o.k), predictedNs: Math.round((pb.simulatedNs - pa.simulatedNs) / o.k + clock) };
  });
}

/** The session the committed profiles were calibrated in (test/fixtures/calibrate/2026-12-03/README.md). */
export const PROFILE_SESSION: Session = 'late';

/** Rows per operation, session (OperationSpec.sessions order) and pin mode. */
export function validationRows(ops: readonly OperationSpec[] = OPERATIONS): OperationRow[] {
  const runs = loadTimedRuns(REPO_ROOT);
  const modes: PinMode[] = ['pinned', 'unpinned'];
  return ops.flatMap((o) => {
    const models = modelPerOp(o, modes.map((m) => PIN_PROFILES[m]));
    const seq = SEQUENCES[o.id]!;
    const reals = modes.map((m) => seq.price(loadProfile(PIN_PROFILES[m]), REPO_ROOT));
    return o.sessions.flatMap((session) => modes.map((mode, i): OperationRow => {
      const cost = PIN_PROFILES[mode];
      const real = reals[i]!;
      const meas = measured(runs, o.timedKey, session, mode);
      const model = models[i]!;
      return {
        id: o.id, label: o.label, mode, cost, real, realSource: seq.source, model, measured: meas, session, timedKey: o.timedKey,
        errorPct: errPct(real.totalNs, meas.netNs), modelErrorPct: model ? errPct(model.predictedNs, meas.netNs) : null,
      };
    }));
  });
}

const us = (ns: number): string => (ns / 1000).toFixed(1);
const signed = (x: number): string => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(1)}`;
const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));

export function eventsMarkdown(rows: readonly OperationRow[]): string {
  const out = [
    '| guest operation (uml-6.1) | real host-call sequence | host calls / op: real (model) | round trips (first / parent / created) | syscall stops | stub runs | SIGSEGV stops | host processes created / reaped |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows.filter((x) => x.mode === 'pinned' && x.session === PROFILE_SESSION)) {
    const e = r.real.events;
    out.push(`| ${r.label} | ${r.realSource} | ${num(e.hostCalls)} (${r.model ? num(r.model.hostCallsPerOp) : '—'}) | ${num(e.roundTrips)} (${num(e.roundTripsFirst)} / ${num(e.roundTripsParent)} / ${num(e.roundTripsCreated)}) | ${num(e.syscallStops)} | ${num(e.stubRuns)} | ${num(e.segvStops)} | ${num(e.processesCreated)} / ${num(e.processesReaped)} |`);
  }
  out.push('', 'From the real strace fixtures (`test/fixtures/uml/`), per operation; the marker writes are left out (`src/cost-model/strace-ops.ts`). "model" is the simulated uml-6.1 run\'s host calls per operation. Round trips by the class of the host process resumed (`src/cost-model/cross-cpu.ts`), in the timed init\'s order: getpid, write and the fault before any fork, fork and exec as one of their loops (init\'s host process has forked before).');
  return out.join('\n');
}

/** The validation table of one session's measurements (the profiles' own, or a held-out one). */
export function validationMarkdown(rows: readonly OperationRow[]): string {
  const out = [
    '| guest operation (uml-6.1) | pin mode (profile) | host calls and round trips | cross-CPU wake-ups | host work | **predicted** (real sequence) | predicted (simulated run) | **measured** (net, median) | **error** (real sequence) | error (simulated run) |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    const s = r.real.split;
    const calls = s.entryExitNs + s.requestNs + s.transferNs + s.roundTripNs;
    const model = r.model ? `${us(r.model.predictedNs)} µs` : 'not modelled yet';
    const runs = `${r.measured.runs.length} ${r.session} run${r.measured.runs.length === 1 ? '' : 's'}`;
    const mErr = r.modelErrorPct === null ? '—' : `${signed(r.modelErrorPct)} %`;
    out.push(`| ${r.label} | ${r.mode} (${r.cost}) | ${us(calls)} | ${us(s.wakeupNs)} | ${us(s.hostWorkNs)} | **${us(r.real.totalNs)} µs** | ${model} | ${us(r.measured.netNs)} µs (${runs}) | **${signed(r.errorPct)} %** | ${mErr} |`);
  }
  out.push('', 'Per operation; µs unless marked. "host calls and round trips": entry/exit, request work, transfer and the same-CPU round trips of the priced calls (`price()`); the next two columns are the host terms (`src/cost-model/host-terms.ts`). Predicted (real sequence) = the three; predicted (simulated run) = (time with N + k operations − with N) / k of a simulated uml-6.1 run priced the same way, plus its instruction clock. Measured: the median over the runs of each run\'s median net of its clock pair (`src/cost-model/timed-fixtures.ts`; unpinned: the cross-CPU runs). Error = (predicted − measured) / measured.');
  return out.join('\n');
}

export function sourcesMarkdown(rows: readonly OperationRow[]): string {
  const out = [`Measured runs (\`${TIMED_DIR}/\`; net µs per run):`, ''];
  for (const r of rows) {
    const used = r.measured.runs.map((x) => `${x.file.replace(/\.json$/, '')} ${us(x.netNs)}`).join(', ');
    const left = r.measured.sameCpuRuns.length ? `; left out (one CPU): ${r.measured.sameCpuRuns.map((f) => f.replace(/\.json$/, '')).join(', ')}` : '';
    out.push(`* ${r.label}, ${r.mode} (\`${r.timedKey}\`): ${used}${left}`);
  }
  return out.join('\n');
}

/** The host terms of the two calibrated profiles, with their sources (profiles/*.json). */
export function termsMarkdown(): string {
  const p = loadProfile(PIN_PROFILES.pinned);
  const u = loadProfile(PIN_PROFILES.unpinned);
  const charged: Record<string, string> = {
    crossCpuWakeupNs: '× 2 × P(cross | class of the host process resumed) per successful resume (a round trip; crossCpuRates below)',
    hostPageFaultNs: 'per wait4 reporting a SIGSEGV stop',
    hostProcessCreateNs: 'per successful (OLD)SETOPTIONS (a new host process)',
    hostProcessExitNs: 'per reaping wait4 (exited, killed, or NULL status with a pid)',
    umlSyscallStopUserNs: 'per wait4 reporting a syscall stop (SIGTRAP with bit 0x80)',
    umlStubRunUserNs: 'per successful PTRACE_CONT with no signal (a stub run)',
    stubRunHostCallsNs: 'per successful PTRACE_CONT with no signal (a stub run)',
    stubRemapFaultNs: 'per successful PTRACE_CONT with no signal (a stub run)',
  };
  const out = ['| term | calibrated-local (pinned) | calibrated-unpinned | charged | source (calibrated-unpinned) |', '|---|--:|--:|---|---|'];
  for (const k of ['crossCpuWakeupNs', 'hostPageFaultNs', 'hostProcessCreateNs', 'hostProcessExitNs', 'umlSyscallStopUserNs', 'umlStubRunUserNs', 'stubRunHostCallsNs', 'stubRemapFaultNs'] as const) {
    out.push(`| \`${k}\` | ${us(p.costs[k].ns)} µs | ${us(u.costs[k].ns)} µs | ${charged[k]} | ${u.costs[k].source} |`);
  }
  return out.join('\n');
}

/** How many of an operation's round trips crossed CPUs, if the measured pin-mode difference were wake-ups alone. */
export function impliedMarkdown(rows: readonly OperationRow[]): string {
  const u0 = loadProfile(PIN_PROFILES.unpinned);
  const wake = u0.costs.crossCpuWakeupNs.ns;
  const out = ['| guest operation | round trips (real sequence) | crossing round trips, the model (Σ P(cross \\| class)) | measured unpinned − pinned | implied crossing round trips |', '|---|--:|--:|--:|--:|'];
  for (const id of [...new Set(rows.map((r) => r.id))]) {
    const p = rows.find((r) => r.id === id && r.mode === 'pinned' && r.session === PROFILE_SESSION)!;
    const u = rows.find((r) => r.id === id && r.mode === 'unpinned' && r.session === PROFILE_SESSION)!;
    const diff = u.measured.netNs - p.measured.netNs;
    const modelled = u.real.split.wakeupNs / (2 * wake);
    out.push(`| ${p.label} | ${num(p.real.events.roundTrips)} | ${modelled.toFixed(1)} | ${us(diff)} µs | ${(diff / (2 * wake)).toFixed(1)} |`);
  }
  out.push('', `The model's crossing round trips = the real sequence's wake-ups / (2 × crossCpuWakeupNs = ${us(2 * wake)} µs), i.e. Σ over its round trips of P(cross | class) (\`crossCpuRates\`, below). Implied = (measured unpinned − measured pinned) / the same 2 × crossCpuWakeupNs: a diagnostic, not a term of the model.`);
  return out.join('\n');
}

/** The unpinned profile's crossCpuRates (cross-cpu.ts), with their sources. */
export function ratesMarkdown(): string {
  const u = loadProfile(PIN_PROFILES.unpinned);
  const r = u.crossCpuRates;
  if (!r) return 'The unpinned profile has no `crossCpuRates`: every round trip crosses.';
  const meaning: Record<string, string> = {
    first: 'a host process that has not created one in the ledger and was not created by another one\'s stub in it',
    parent: 'a host process whose stub created one in the ledger (the target of the resume before a new pid\'s (OLD)SETOPTIONS)',
    created: 'a host process created in the ledger by another one\'s stub (a fork child, exec\'s new process)',
  };
  const out = ['| class (host process resumed) | decided from the ledger | P(cross) | wake-ups per round trip | source |', '|---|---|--:|--:|---|'];
  for (const k of ['first', 'parent', 'created'] as const) out.push(`| \`${k}\` | ${meaning[k]} | ${r[k].fraction.toFixed(3)} | ${(2 * r[k].fraction).toFixed(2)} | ${r[k].source} |`);
  return out.join('\n');
}

// ---------------------------------------------------------------- 2. Davoli's claim

/** The mixed workload: syscalls, console writes, first-touch faults, idle timer ticks (+ forks once modelled). */
export const MIX_BASE = 'getpid:200+write:50x64+touch:81920+sleep:2';
export const MIX_FORK = '+fork:2';

export function mixWorkload(): string {
  return workloadParses(MIX_BASE + MIX_FORK) ? MIX_BASE + MIX_FORK : MIX_BASE;
}

export interface ClaimRow {
  setting: string;
  profile: RunSpec['profile'];
  policy: RunSpec['policy'];
  cost: string;
  single: { hostSyscalls: number; simulatedNs: number; kernelClockNs: number };
  multi: { hostSyscalls: number; simulatedNs: number; kernelClockNs: number };
  savedFraction: number;
  speedup: number;
  /** Guest-visible runs identical and multi ledger = single minus the merged calls. */
  equivalent: boolean;
}

export const CLAIM_SETTINGS: readonly Pick<ClaimRow, 'setting' | 'profile' | 'policy' | 'cost'>[] = [
  { setting: 'Davoli 2008 (the seed)', profile: 'uml-2.6.26', policy: 'seed', cost: 'i386-2008' },
  { setting: 'UML 6.1 today, seed policy', profile: 'uml-6.1', policy: 'seed', cost: 'calibrated-local' },
  { setting: 'UML 6.1 today, full policy', profile: 'uml-6.1', policy: 'full', cost: 'calibrated-local' },
  { setting: 'UML 6.1 today, full policy, unpinned', profile: 'uml-6.1', policy: 'full', cost: 'calibrated-unpinned' },
];

export function claimRows(workload = mixWorkload()): ClaimRow[] {
  return claimRowsFor(CLAIM_SETTINGS, workload);
}

function claimRowsFor(settings: readonly Pick<ClaimRow, 'setting' | 'profile' | 'policy' | 'cost'>[], workload: string): ClaimRow[] {
  return settings.map((s) => {
    const single = timedRun({ profile: s.profile, mode: 'single', policy: s.policy, workload, cost: s.cost });
    const multi = timedRun({ profile: s.profile, mode: 'multi', policy: s.policy, workload, cost: s.cost });
    const side = (t: TimedRun) => ({ hostSyscalls: t.priced.hostSyscalls, simulatedNs: t.priced.simulatedNs, kernelClockNs: t.kernelClockNs });
    const saved = single.priced.hostSyscalls - multi.priced.hostSyscalls;
    return {
      ...s,
      single: side(single),
      multi: side(multi),
      savedFraction: single.priced.hostSyscalls ? saved / single.priced.hostSyscalls : 0,
      speedup: multi.priced.simulatedNs ? single.priced.simulatedNs / multi.priced.simulatedNs : 1,
      equivalent: single.priced.guestDigest === multi.priced.guestDigest && runLedgerLaw(single.priced, multi.priced),
    };
  });
}

export function claimMarkdown(rows: readonly ClaimRow[], workload = mixWorkload()): string {
  const out = [
    `Workload \`${workload}\`; time = the priced host calls of the run phase (cost model), single → multi.`,
    '',
    '| setting | UML | policy | cost profile | host syscalls single → multi | **fewer** | host-call time single → multi | **speed-up** | time saved | same guest run |',
    '|---|---|---|---|--:|--:|--:|--:|--:|---|',
  ];
  for (const r of rows) {
    const saved = 1 - r.multi.simulatedNs / r.single.simulatedNs;
    out.push(`| ${r.setting} | ${r.profile} | ${r.policy} | ${r.cost} | ${r.single.hostSyscalls} → ${r.multi.hostSyscalls} | **${(r.savedFraction * 100).toFixed(1)} %** | ${us(r.single.simulatedNs)} → ${us(r.multi.simulatedNs)} µs | **${r.speedup.toFixed(3)}×** | ${(saved * 100).toFixed(1)} % | ${r.equivalent ? 'yes' : 'NO'} |`);
  }
  const clocks = rows.map((r) => (r.single.kernelClockNs === r.multi.kernelClockNs ? `${r.profile}/${r.policy} ${us(r.single.kernelClockNs)} µs in both modes` : `${r.profile}/${r.policy} ${us(r.single.kernelClockNs)} → ${us(r.multi.kernelClockNs)} µs`));
  out.push('', `The simulated kernel's own clock over the run phase (guest and stub instructions at 1 ns each, and the guest's sleeps, which the idle timer ticks end): ${clocks.join('; ')}. It is not part of the host-call time above.`);
  return out.join('\n');
}

/** Each part of the mix alone, in Davoli's setting: why the fraction saved depends on the mix. */
export function mixParts(workload = mixWorkload()): string[] {
  return workload.split('+');
}

export function partsMarkdown(workload = mixWorkload()): string {
  const s = CLAIM_SETTINGS[0]!;
  const out = [
    `Each part of the mix alone (${s.profile}, ${s.policy}, ${s.cost}):`,
    '',
    '| part | host syscalls single → multi | fewer | speed-up |',
    '|---|--:|--:|--:|',
  ];
  for (const part of mixParts(workload)) {
    const [r] = claimRowsFor([s], part);
    out.push(`| \`${part}\` | ${r!.single.hostSyscalls} → ${r!.multi.hostSyscalls} | ${(r!.savedFraction * 100).toFixed(1)} % | ${r!.speedup.toFixed(3)}× |`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------- the doc section

export const BEGIN = '<!-- BEGIN generated by `npm run docs:cost` (src/cost-model/docs.ts): do not edit by hand -->';
export const END = '<!-- END generated -->';

export function generatedSection(rows: readonly OperationRow[] = validationRows(), claims: readonly ClaimRow[] = claimRows()): string {
  const c = claimMarkdown(claims);
  const parts = partsMarkdown();
  // Each session's table and its runs: the profiles' own first, then the held-out ones.
  const sessions: readonly { title: string; of: readonly Session[] }[] = [
    { title: "Predicted vs measured time per guest operation, both pin modes (the profiles' own session: late, 16:40 UTC)", of: [PROFILE_SESSION] },
    { title: "Held out: the same predictions against this afternoon's runs (13:11 UTC, the previous profiles' session)", of: ['afternoon'] },
    { title: "Held out: the same predictions against this evening's runs (15:03 UTC)", of: ['evening'] },
    { title: 'Held out: the same predictions against the noon runs', of: ['noon'] },
    { title: "Held out: the same predictions against this morning's runs", of: ['idle', 'busy'] },
  ];
  const sessionParts = sessions.flatMap(({ title, of }) => {
    const these = rows.filter((r) => of.includes(r.session));
    return [`### ${title}`, '', validationMarkdown(these), '', sourcesMarkdown(these), ''];
  });
  return [
    BEGIN, '',
    '### Host events per guest operation (real UML 6.1)', '', eventsMarkdown(rows), '',
    ...sessionParts,
    '### Host terms', '', termsMarkdown(), '',
    '### Which round trips cross CPUs: the rates', '', ratesMarkdown(), '',
    '### Cross-CPU round trips, the model against the measurements', '', impliedMarkdown(rows), '',
    "### Davoli's claim, re-run", '', c, '', parts, '', END,
  ].join('\n');
}

/** The doc with its generated section replaced (or appended if the markers are missing). */
export function withSection(doc: string, section: string): string {
  const i = doc.indexOf(BEGIN);
  const j = doc.indexOf(END);
  if (i < 0 || j < i) return `${doc.replace(/\n*$/, '\n\n')}${section}\n`;
  return doc.slice(0, i) + section + doc.slice(j + END.length);
}
