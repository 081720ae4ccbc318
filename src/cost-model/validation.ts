// The cost model against reality, and Davoli's 2008 claim re-run. Two generated tables for
// docs/cost-model.md (`npm run docs:cost` writes them; test/cost-model/validation.test.ts
// recomputes them and checks the doc holds exactly this text, so any change in the model, the
// profiles or the UML simulation shows up as a reviewed diff of the doc).
//
// 1. Time per guest operation on uml-6.1 with the calibrated-local profile, predicted from a
//    simulated run: (price of the UML host calls of a workload with N + k operations − with
//    N) / k, plus the kernel's instruction clock over the same difference (the guest's and the
//    stub's user-mode instructions at insnNs each) — against the medians a guest init measured
//    on real UML 6.1 with no strace attached (test/fixtures/uml/timed-6.1.json, summary_pinned,
//    net of the one clock_gettime each sample contains).
// 2. A mixed workload in single and multi mode: host syscalls saved and speed-up of the priced
//    host-call time, for uml-2.6.26 + seed + i386-2008 (the seed's setting) and for uml-6.1 +
//    calibrated-local with the seed and the full policy. Host syscalls are counted as Davoli
//    counted them: every syscall the UML process makes in the run phase (ptrace, wait4 — also
//    the restarted ones —, kill, timer_settime, getitimer, nanosleep, fork …).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { priceRun, runLedgerLaw, type PricedRun } from '../cli/uml-commands.ts';
import { policyByName, runUml, umlLedgerView, type RunResult } from '../uml/machine.ts';
import { PROFILES } from '../uml/profile.ts';
import { parseWorkload, workloadParses } from '../uml/workload.ts';
import { kernelClockNs } from './clock.ts';
import { loadProfile } from './profile.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TIMED_FIXTURE = 'test/fixtures/uml/timed-6.1.json';

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

export interface OperationSpec {
  id: string;
  label: string;
  /** Workload with N operations, and with N + k. */
  base: string;
  more: string;
  k: number;
  /** summary_pinned key of timed-6.1.json (net of one clock read). */
  measuredKey: string;
  /** Host calls (ptrace + wait4) real UML 6.1 made for one such operation under strace (uml/README.md). */
  realCalls: number;
}

export const OPERATIONS: readonly OperationSpec[] = [
  { id: 'getpid', label: 'getpid', base: 'getpid:10', more: 'getpid:30', k: 20, measuredKey: 'getpid_net_ns', realCalls: 6 },
  { id: 'fault', label: 'first-touch page fault', base: 'touch:40960', more: 'touch:122880', k: 20, measuredKey: 'page_fault_first_touch_net_ns', realCalls: 14 },
  { id: 'fork', label: 'fork + _exit + waitpid', base: 'fork:1', more: 'fork:3', k: 2, measuredKey: 'fork_exit_wait_net_ns', realCalls: 191 },
];

export interface OperationRow {
  id: string;
  label: string;
  modelled: boolean;
  hostCallsPerOp: number;
  hostCallNsPerOp: number;
  split: { entryExitNs: number; requestNs: number; transferNs: number; roundTripNs: number };
  roundTripsPerOp: number;
  instructionNsPerOp: number;
  predictedNs: number;
  measuredNs: number;
  measuredKey: string;
  realCalls: number;
  /** (predicted − measured) / measured, in %, one decimal. */
  errorPct: number;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

function roundTrips(p: PricedRun): number {
  return umlLedgerView(p as unknown as RunResult)
    .slice(p.startup.hostSyscalls)
    .filter(({ entry }) => entry.wait?.status !== undefined && entry.wait.status !== null && entry.errno === null).length;
}

export function loadTimed(): Record<string, number> {
  const j = JSON.parse(readFileSync(join(REPO_ROOT, TIMED_FIXTURE), 'utf8')) as { summary_pinned: Record<string, number> };
  return j.summary_pinned;
}

export function validationRows(ops: readonly OperationSpec[] = OPERATIONS): OperationRow[] {
  const measured = loadTimed();
  return ops.map((o) => {
    const row: OperationRow = {
      id: o.id, label: o.label, modelled: false, hostCallsPerOp: 0, hostCallNsPerOp: 0,
      split: { entryExitNs: 0, requestNs: 0, transferNs: 0, roundTripNs: 0 }, roundTripsPerOp: 0,
      instructionNsPerOp: 0, predictedNs: 0, measuredNs: measured[o.measuredKey]!, measuredKey: o.measuredKey, realCalls: o.realCalls, errorPct: 0,
    };
    if (!workloadParses(o.base) || !workloadParses(o.more)) return row;
    const spec = { profile: 'uml-6.1', mode: 'single', policy: 'seed', cost: 'calibrated-local' } as const;
    const a = timedRun({ ...spec, workload: o.base });
    const b = timedRun({ ...spec, workload: o.more });
    const per = (x: number, y: number) => (y - x) / o.k;
    row.modelled = true;
    row.hostCallsPerOp = r1(per(a.priced.hostSyscalls, b.priced.hostSyscalls));
    row.hostCallNsPerOp = Math.round(per(a.priced.simulatedNs, b.priced.simulatedNs));
    for (const key of Object.keys(row.split) as (keyof OperationRow['split'])[]) row.split[key] = Math.round(per(a.priced.timeSplitNs[key], b.priced.timeSplitNs[key]));
    row.roundTripsPerOp = r1(per(roundTrips(a.priced), roundTrips(b.priced)));
    row.instructionNsPerOp = Math.round(per(a.kernelClockNs, b.kernelClockNs));
    row.predictedNs = row.hostCallNsPerOp + row.instructionNsPerOp;
    row.errorPct = r1(((row.predictedNs - row.measuredNs) / row.measuredNs) * 100);
    return row;
  });
}

const us = (ns: number): string => (ns / 1000).toFixed(1);
const signed = (x: number): string => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(1)}`;

export function validationMarkdown(rows: readonly OperationRow[]): string {
  const out = [
    '| guest operation (uml-6.1) | host calls / op (real, strace) | round trips / op | entry/exit | request work | transfer | round trips | instructions | **predicted** | **measured** (net, pinned) | **error** |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    const meas = `${us(r.measuredNs)} µs (\`${r.measuredKey}\`)`;
    if (!r.modelled) {
      out.push(`| ${r.label} | — (${r.realCalls}) | — | — | — | — | — | — | not modelled yet | ${meas} | — |`);
      continue;
    }
    out.push(`| ${r.label} | ${r.hostCallsPerOp} (${r.realCalls}) | ${r.roundTripsPerOp} | ${us(r.split.entryExitNs)} | ${us(r.split.requestNs)} | ${us(r.split.transferNs)} | ${us(r.split.roundTripNs)} | ${r.instructionNsPerOp} ns | **${us(r.predictedNs)} µs** | ${meas} | **${signed(r.errorPct)} %** |`);
  }
  out.push('', 'Per operation; µs unless marked. The four middle columns split the priced UML host calls (`price()`); "instructions" is the simulated kernel\'s own clock over the same difference (guest and stub instructions at insnNs = 1 ns). Predicted = host calls + instructions. "host calls / op" counts every UML host syscall of the operation; the real count in parentheses is ptrace + wait4 under strace (uml/README.md). Error = (predicted − measured) / measured.');
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
  const v = validationMarkdown(rows);
  const c = claimMarkdown(claims);
  const parts = partsMarkdown();
  return [BEGIN, '', '### Predicted vs measured time per guest operation', '', v, '', "### Davoli's claim, re-run", '', c, '', parts, '', END].join('\n');
}

/** The doc with its generated section replaced (or appended if the markers are missing). */
export function withSection(doc: string, section: string): string {
  const i = doc.indexOf(BEGIN);
  const j = doc.indexOf(END);
  if (i < 0 || j < i) return `${doc.replace(/\n*$/, '\n\n')}${section}\n`;
  return doc.slice(0, i) + section + doc.slice(j + END.length);
}
