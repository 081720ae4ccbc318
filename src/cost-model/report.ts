// Reports of a what-if run: `strace -c`-style tables (per process, then all processes, with
// before / after / difference columns) and the same content as JSON. Deterministic: keys
// and rows are sorted, numbers rounded, nothing depends on the clock or the environment.
import { addInto, totalNs, zeroBreakdown, type PriceBreakdown } from './price.ts';
import type { Policy } from './policy.ts';
import type { CostProfile } from './profile.ts';
import type { ProcessTally, Row, Side, WhatIfResult } from './whatif.ts';

export interface ReportMeta {
  file: string;
  lines: number;
  skippedLines: number;
  skipped: readonly { line: number; message: string }[];
  policy: Policy;
  profile: CostProfile;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const frac = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 1e6) / 1e6);

function sortedKeys<T>(m: Record<string, T>): string[] {
  return Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function counts(m: Record<string, Row>): Record<string, number> {
  return Object.fromEntries(sortedKeys(m).map((k) => [k, m[k]!.calls]));
}

function breakdownJson(b: PriceBreakdown): Record<string, number> {
  return { entryExitNs: r1(b.entryExitNs), requestNs: r1(b.requestNs), transferNs: r1(b.transferNs), roundTripNs: r1(b.roundTripNs), wakeupNs: r1(b.wakeupNs), hostWorkNs: r1(b.hostWorkNs) };
}

function sideJson(s: Side, withSubs: boolean): Record<string, unknown> {
  return {
    hostSyscalls: s.hostSyscalls,
    bySyscall: counts(s.bySyscall),
    byPtraceRequest: counts(s.byPtraceRequest),
    ...(withSubs ? { bySubRequest: Object.fromEntries(sortedKeys(s.bySubRequest).map((k) => [k, s.bySubRequest[k]!])) } : {}),
    simulatedNs: r1(totalNs(s.breakdown)),
    breakdown: breakdownJson(s.breakdown),
  };
}

function mergeSides(sides: readonly Side[]): Side {
  const out: Side = { hostSyscalls: 0, bySyscall: {}, byPtraceRequest: {}, bySubRequest: {}, breakdown: zeroBreakdown() };
  const addRows = (dst: Record<string, Row>, src: Record<string, Row>): void => {
    for (const [k, r] of Object.entries(src)) {
      const d = (dst[k] ??= { calls: 0, errors: 0, ns: 0 });
      d.calls += r.calls;
      d.errors += r.errors;
      d.ns += r.ns;
    }
  };
  for (const s of sides) {
    out.hostSyscalls += s.hostSyscalls;
    addRows(out.bySyscall, s.bySyscall);
    addRows(out.byPtraceRequest, s.byPtraceRequest);
    for (const [k, n] of Object.entries(s.bySubRequest)) out.bySubRequest[k] = (out.bySubRequest[k] ?? 0) + n;
    addInto(out.breakdown, s.breakdown);
  }
  return out;
}

function saved(before: Side, after: Side): Record<string, number> {
  const nsB = totalNs(before.breakdown);
  const nsA = totalNs(after.breakdown);
  return {
    hostSyscalls: before.hostSyscalls - after.hostSyscalls,
    fraction: frac(before.hostSyscalls - after.hostSyscalls, before.hostSyscalls),
    simulatedNs: r1(nsB - nsA),
    simulatedFraction: frac(nsB - nsA, nsB),
  };
}

interface TableRow {
  name: string;
  kind: 'syscall' | 'request';
  before: Row;
  after: Row;
}

function tableRows(before: Side, after: Side): TableRow[] {
  const zero: Row = { calls: 0, errors: 0, ns: 0 };
  const out: TableRow[] = [];
  const names = sortedKeys({ ...before.bySyscall, ...after.bySyscall });
  for (const n of names) {
    out.push({ name: n, kind: 'syscall', before: before.bySyscall[n] ?? zero, after: after.bySyscall[n] ?? zero });
    if (n !== 'ptrace') continue;
    for (const r of sortedKeys({ ...before.byPtraceRequest, ...after.byPtraceRequest })) {
      out.push({ name: r, kind: 'request', before: before.byPtraceRequest[r] ?? zero, after: after.byPtraceRequest[r] ?? zero });
    }
  }
  return out;
}

function rowJson(t: TableRow): Record<string, unknown> {
  const row = (r: Row): Record<string, number> => ({ calls: r.calls, errors: r.errors, ns: r1(r.ns) });
  return { name: t.name, kind: t.kind, before: row(t.before), after: row(t.after), diff: { calls: t.after.calls - t.before.calls, ns: r1(t.after.ns - t.before.ns) } };
}

export const CAVEATS = [
  'legality is judged from the syscalls in the log only: a log filtered with -e trace= hides syscalls that would end a run, so "after" is a lower bound on host calls',
  'round trips (resume → stop → wait4) are not removable by batching; they are priced once per successful resume, before and after',
  'host terms (cross-CPU wake-ups of round trips, a SIGSEGV stop\'s host page-fault work, a host process created by (OLD)SETOPTIONS or reaped by wait4) are priced per event of the log, before and after alike',
  'a MULTI of k calls saves k − 1 syscall entry/exits and k − 1 ptrace dispatches, and adds k sub-request dispatches and k struct ptrace_multi copy-ins',
];

export function reportJson(res: WhatIfResult, meta: ReportMeta): Record<string, unknown> {
  const procs = [...res.processes.values()].sort((a, b) => a.pid - b.pid);
  const before = mergeSides(procs.map((p) => p.before));
  const after = mergeSides(procs.map((p) => p.after));
  return {
    input: { file: meta.file, lines: meta.lines, skippedLines: meta.skippedLines, skipped: meta.skipped },
    policy: { name: meta.policy.data.name, merge: meta.policy.data.merge, description: meta.policy.data.description },
    profile: { name: meta.profile.name, arch: meta.profile.arch },
    before: sideJson(before, false),
    after: sideJson(after, true),
    saved: saved(before, after),
    batches: { count: res.batches.count, requests: res.batches.requests, byLength: Object.fromEntries(sortedKeys(res.batches.byLength).sort((a, b) => Number(a) - Number(b)).map((k) => [k, res.batches.byLength[k]!])) },
    runsEndedBy: Object.fromEntries(sortedKeys(res.runsEndedBy).map((k) => [k, res.runsEndedBy[k]!])),
    processes: procs.map((p: ProcessTally) => ({ pid: p.pid, before: sideJson(p.before, false), after: sideJson(p.after, true), saved: saved(p.before, p.after), rows: tableRows(p.before, p.after).map(rowJson) })),
    caveats: CAVEATS,
  };
}

const us = (ns: number): string => (ns / 1000).toFixed(1);
const signed = (n: number, f: (x: number) => string = String): string => {
  const t = f(Math.abs(n));
  return Number(t) === 0 ? t : n > 0 ? `+${t}` : `-${t}`;
};
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

function table(title: string, before: Side, after: Side): string[] {
  const s = saved(before, after);
  const nsB = totalNs(before.breakdown);
  const out = [
    `${title}: host syscalls ${before.hostSyscalls} → ${after.hostSyscalls} (${signed(-s.hostSyscalls!)}, ${pct(s.fraction!)} fewer); est. time ${us(nsB)} → ${us(totalNs(after.breakdown))} usecs (${pct(s.simulatedFraction!)} less)`,
    ' % time   usecs before   usecs after    usecs diff   calls before  calls after     diff   errors  syscall / ptrace request',
    ' ------  -------------  ------------  ------------  ------------  -----------  -------  -------  ------------------------',
  ];
  for (const t of tableRows(before, after)) {
    const share = nsB === 0 ? 0 : (t.before.ns / nsB) * 100;
    out.push([
      share.toFixed(2).padStart(7), us(t.before.ns).padStart(14), us(t.after.ns).padStart(13), signed(t.after.ns - t.before.ns, us).padStart(13),
      String(t.before.calls).padStart(13), String(t.after.calls).padStart(12), signed(t.after.calls - t.before.calls).padStart(8),
      String(t.before.errors).padStart(8), `  ${t.kind === 'request' ? '  ' : ''}${t.name}`,
    ].join(' '));
  }
  out.push(' ------  -------------  ------------  ------------  ------------  -----------  -------  -------  ------------------------');
  out.push([ '100.00', us(nsB).padStart(14), us(totalNs(after.breakdown)).padStart(13), signed(totalNs(after.breakdown) - nsB, us).padStart(13), String(before.hostSyscalls).padStart(13), String(after.hostSyscalls).padStart(12), signed(after.hostSyscalls - before.hostSyscalls).padStart(8), ''.padStart(8), '  total'].join(' '));
  return out;
}

function breakdownTable(before: Side, after: Side): string[] {
  const rows: [string, keyof PriceBreakdown][] = [
    ['syscall entry/exit', 'entryExitNs'], ['request work (dispatch, sub-requests)', 'requestNs'],
    ['data transfer', 'transferNs'], ['round trips (not removable)', 'roundTripNs'],
    ['cross-CPU wake-ups of the round trips (not removable)', 'wakeupNs'], ['host work: page faults, host processes (not removable)', 'hostWorkNs'],
  ];
  const out = ['cost by mode:  one call per request (before)  vs  batched (after), usecs', '   before      after       diff  component'];
  for (const [label, k] of rows) out.push(`${us(before.breakdown[k]).padStart(9)} ${us(after.breakdown[k]).padStart(10)} ${signed(after.breakdown[k] - before.breakdown[k], us).padStart(10)}  ${label}`);
  return out;
}

export function reportText(res: WhatIfResult, meta: ReportMeta): string {
  const procs = [...res.processes.values()].sort((a, b) => a.pid - b.pid);
  const before = mergeSides(procs.map((p) => p.before));
  const after = mergeSides(procs.map((p) => p.after));
  const out = [
    `whatif ${meta.file}: ${meta.lines} lines${meta.skippedLines ? `, ${meta.skippedLines} malformed lines skipped` : ''}; policy ${meta.policy.data.name} (${meta.policy.data.merge}); cost profile ${meta.profile.name} (${meta.profile.arch})`,
    '',
  ];
  for (const p of procs) out.push(...table(p.pid === 0 && procs.length === 1 ? 'traced process' : `process ${p.pid}`, p.before, p.after), '');
  if (procs.length > 1) out.push(...table('all processes', before, after), '');
  out.push(...breakdownTable(before, after), '');
  const lens = Object.entries(res.batches.byLength).sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, n]) => `${n}×${k}`).join(', ');
  out.push(`batches: ${res.batches.count} PTRACE_MULTI calls carrying ${res.batches.requests} requests${lens ? ` (by length: ${lens})` : ''}`);
  out.push(`legal runs ended by: ${sortedKeys(res.runsEndedBy).map((k) => `${k} ${res.runsEndedBy[k]}`).join(', ')}`);
  for (const c of CAVEATS) out.push(`note: ${c}`);
  return out.join('\n');
}
