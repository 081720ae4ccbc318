// `ptsim run | compare | trace | probe`: the UML host side on the simulated kernel.
// A stable contract (README "Tour"): JSON field names below do not change silently.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kernel } from '../kernel/kernel.ts';
import { kernelConfig, type KernelConfig } from '../kernel/config.ts';
import type { LedgerEntry } from '../kernel/ledger.ts';
import { signalName } from '../kernel/signals.ts';
import { describeStatus } from '../kernel/wait-status.ts';
import { regsetName } from '../ptrace/numbers.ts';
import { BootError, parseBoot } from '../uml/boot.ts';
import { HostTracer } from '../uml/host.ts';
import { forEachUmlEntry, policyByName, runUml, umlLedgerView, type RunOptions, type RunResult } from '../uml/machine.ts';
import { parsePolicy, PolicyError, SEED_POLICY, type Policy } from '../uml/policy.ts';
import { profileByName, PROFILES, type UmlProfile } from '../uml/profile.ts';
import { runStartupProbes } from '../uml/start-up.ts';
import { parseWorkload, WorkloadError, type Workload } from '../uml/workload.ts';
import { parseWorkloadJson } from '../uml/workload-file.ts';
import { addInto, LedgerPricer, totalNs, zeroBreakdown } from '../cost-model/price.ts';
import { loadProfile, ProfileError, type CostProfile } from '../cost-model/profile.ts';
import { ledgerBytes } from '../cost-model/ledger-bytes.ts';
import { kernelClockNs } from '../cost-model/clock.ts';
import { lawBreak, NO_MERGE, REFERENCE_WHY, referenceFor, runLedgerLaw, type LawBreak, type Reference } from '../uml/equivalence.ts';

export { runLedgerLaw };

export class CliError extends Error {}

const RUN_OPTIONS = {
  help: { type: 'boolean' },
  json: { type: 'boolean' },
  workload: { type: 'string' },
  profile: { type: 'string' },
  mode: { type: 'string' },
  policy: { type: 'string' },
  boot: { type: 'string' },
  seed: { type: 'string' },
  hz: { type: 'string' },
  clock: { type: 'string' },
  limit: { type: 'string' },
  cost: { type: 'string' },
} as const;

const COMMON = `  --workload SPEC     getpid:N, write:NxBYTES, touch:BYTES, spin:N, sleep:N, fork:N, exec:N, background:N,
                      sysemu:V, sysptmulti:V, random:SEED:EVENTS, sums like getpid:1000+write:10x64, or @FILE.json / FILE.json
                      (a workload file); see docs/workloads.md (required)
  --profile P         uml-2.6.26 | uml-6.1 (default uml-6.1)
  --policy P          seed | full | FILE.json (default seed; see src/uml/policy.ts)
  --boot "ARGS"       UML boot switches: nosysemu, nosysptvm, usesysemu, nosysptmulti; umh=N: N usermode-helper
                      host processes at boot (uml-6.1 default 556, uml-2.6.26 0), noumh = umh=0
  --seed N            the host kernel's scheduler seed (default 1); its scheduler is round-robin and
                      draws nothing from it today, so every seed gives the same run
  --hz N              guest timer ticks per second, 1..10000 (CONFIG_HZ; default 100). The simulated
                      clock runs 1 ns per guest instruction, so a tick every 10^9/N instructions
  --cost C            cost profile for simulated time: calibrated-local (default, pinned), calibrated-unpinned, i386-2008, ppc32, or FILE.json
  --clock K           instructions (default): the kernel clock counts guest instructions and sleeps;
                      priced: it also advances by every host syscall's price (ticks then land where
                      host-side costs put them, so single and multi may see ticks at different points)
  --json              machine-readable output`;

export const RUN_HELP = `usage: ptsim run --workload SPEC [--profile P] [--mode single|multi] [--policy P] [--boot "ARGS"] [--seed N] [--json]

Boots the UML host side on a simulated host kernel (stock in single mode; with PTRACE_MULTI
in multi mode) and runs the guest workload. Prints host syscalls by syscall and by request.
${COMMON}
  --mode M            single (one ptrace call per request) | multi (PTRACE_MULTI per the policy)

JSON: { profile, mode, policy, workload, boot, hostSyscalls, bySyscall, byPtraceRequest, bySubRequest,
        startup, guestEvents, guestDigest, console, exit, ticks, kernelLog, costProfile, simulatedNs,
        timeSplitNs, kernelClockNs }
  guestDigest hashes every guest process's registers and touched memory at each guest syscall
  boundary (in scheduling order), the console and the exit status: equal digests = the guest saw
  the same run. guestEvents counts syscall:NAME, fault:SIGSEGV, signal:SIGALRM, …`;

export const COMPARE_HELP = `usage: ptsim compare --workload SPEC [--profile P] [--policy P] [--boot "ARGS"] [--seed N] [--json]

Runs the workload in single and in multi mode and compares them: host syscalls saved, and
whether multi obeys the single ≡ multi law (src/uml/equivalence.ts): the guest saw exactly the
same run (exit, console, guestDigest, ticks, guest events) and the multi ledger is the reference
ledger minus exactly the merged calls (saved = Σ(k−1) over PTRACE_MULTI calls of k requests).
The reference is the stock single run, except for workloads that write /proc/sysptmulti: that
file exists only on a PTRACE_MULTI host, so there the reference is UML on the PTRACE_MULTI host
with a policy that merges nothing (reference multi-host-no-merge; the output says which).
${COMMON}

JSON: { single, multi, saved: { hostSyscalls, fraction, simulatedNs, speedup }, equivalent,
        reference, referenceReason, referenceRun?, broken? }
  reference       stock-single | multi-host-no-merge; saved and equivalent are against it
  referenceRun    the no-merge run (a run object), only for multi-host-no-merge
  broken          { clause, detail }: the first law clause multi breaks, only when not equivalent`;

export const TRACE_HELP = `usage: ptsim trace --workload SPEC [run options] [--limit N] [--json]

The UML process's host syscalls as an annotated strace-like transcript: arguments, result,
what wait4 saw, and the guest event each call served.
${COMMON}
  --mode M            single | multi
  --limit N           print at most N host syscalls

JSON: one object per line per host syscall: { seq, pid, syscall, request, target, regset, signal,
       result, errno, stop, guestEvent, sub? }
  request     the ptrace request, spelled like PTRACE_GETREGS (PTRACE_MULTI for a batch), else null
  target      the tracee of a ptrace call, the pid of a wait4 or kill, else null
  regset      the regset of PTRACE_GETREGSET/SETREGSET, spelled like NT_X86_XSTATE, else null
  signal      the signal a resume injects (like SIGSEGV), or the one kill sends, else null
  result      the return value (a decimal string); errno like ESRCH, else null
  stop        what a wait4 reported: SIGTRAP|0x80, SIGSEGV, SIGALRM, …, exited(0) / killed(SIGKILL) for a reap
  guestEvent  the guest event the call served: boot, probe, start_userspace, syscall:getpid,
              fault:SIGSEGV, signal:SIGALRM (uml-2.6.26: signal:SIGVTALRM), exit:1, panic, …
  sub         PTRACE_MULTI only: its sub-requests [{ request, result, errno }]`;

export const PROBE_HELP = `usage: ptsim probe [--kernel stock|multi|vm|multi+vm] [--profile P] [--boot "ARGS"] [--json]

UML's start-up probes against a host kernel: check_ptrace, (seed) the ptrace_vm + PTRACE_MULTI
probe, check_sysemu. Prints UML's own messages.
  --kernel K          stock (default), multi (PTRACE_MULTI), vm (2008 PTRACE_VM skip flags), multi+vm
  --profile P         uml-2.6.26 (default: the seed's code) | uml-6.1`;

function profileOf(v: string | undefined): UmlProfile {
  const p = profileByName(v ?? 'uml-6.1');
  if (!p) throw new CliError(`--profile: unknown profile '${v}' (uml-2.6.26, uml-6.1)`);
  return p;
}

function policyOf(v: string | undefined): Policy {
  if (!v) return SEED_POLICY;
  const builtin = policyByName(v);
  if (builtin) return builtin;
  let text: string;
  try {
    text = readFileSync(v, 'utf8');
  } catch (e) {
    throw new CliError(`--policy: '${v}' is neither seed, full nor a readable file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  try {
    return parsePolicy(text, v);
  } catch (e) {
    if (e instanceof PolicyError) throw new CliError(e.message);
    throw e;
  }
}

function workloadOf(v: string | undefined): Workload {
  if (!v) throw new CliError('--workload SPEC is required (e.g. --workload getpid:1000)');
  try {
    if (v.startsWith('@') || v.endsWith('.json')) return parseWorkloadJson(readWorkloadFile(v.replace(/^@/, '')), v.replace(/^@/, ''));
    return parseWorkload(v);
  } catch (e) {
    if (e instanceof WorkloadError) throw new CliError(e.message);
    throw e;
  }
}

function readWorkloadFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--workload: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

function seedOf(v: string | undefined): number {
  if (v === undefined) return 1;
  if (!/^\d+$/.test(v)) throw new CliError(`--seed: expected a whole number, got '${v}'`);
  return Number(v);
}

function hzOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 10_000) throw new CliError(`--hz: expected a whole number 1..10000, got '${v}'`);
  return Number(v);
}

function bootOf(v: string | undefined): string {
  try {
    parseBoot(v ?? '');
  } catch (e) {
    if (e instanceof BootError) throw new CliError(e.message);
    throw e;
  }
  return v ?? '';
}

function modeOf(v: string | undefined): 'single' | 'multi' {
  if (v === undefined || v === 'single' || v === 'multi') return v ?? 'single';
  throw new CliError(`--mode: expected single or multi, got '${v}'`);
}

export interface PricedRun extends RunResult {
  costProfile: string;
  /** Σ price of the UML process's host calls in the run phase (src/cost-model/price.ts). */
  simulatedNs: number;
  /** The parts of simulatedNs (price.ts PriceBreakdown; wakeupNs and hostWorkNs are the host terms, host-terms.ts). */
  timeSplitNs: { entryExitNs: number; requestNs: number; transferNs: number; roundTripNs: number; wakeupNs: number; hostWorkNs: number };
  /** The simulated kernel's own clock over the run phase (instructions at insnNs, sleeps); host calls do not advance it. */
  kernelClockNs: number;
}

function costOf(v: string | undefined): CostProfile {
  try {
    return loadProfile(v ?? 'calibrated-local');
  } catch (e) {
    if (e instanceof ProfileError) throw new CliError(`--cost: ${e.message}`);
    throw e;
  }
}

/** Sums the prices of UML host calls handed to add(), in the order given (RunOptions.onRunEntry). */
class RunPricing {
  readonly split = zeroBreakdown();
  /** In ledger order: each resume's wake-ups by its host process's class (cross-cpu.ts). */
  private readonly pricer: LedgerPricer;
  constructor(
    private readonly profile: CostProfile,
    private readonly cfg: Pick<KernelConfig, 'arch' | 'xstateBytes'>,
  ) {
    this.pricer = new LedgerPricer(profile);
  }
  readonly add = (entry: LedgerEntry): void => addInto(this.split, this.pricer.price(entry, ledgerBytes(entry, this.cfg)));

  /** The run with its prices. The kernel clock itself still advances per instruction only. */
  priced(r: RunResult): PricedRun {
    const split = this.split;
    const round = (x: number) => Math.round(x);
    const timeSplitNs = {
      entryExitNs: round(split.entryExitNs), requestNs: round(split.requestNs), transferNs: round(split.transferNs), roundTripNs: round(split.roundTripNs),
      wakeupNs: round(split.wakeupNs), hostWorkNs: round(split.hostWorkNs),
    };
    const out = Object.assign(Object.create(null) as object, r, { costProfile: this.profile.name, simulatedNs: round(totalNs(split)), timeSplitNs, kernelClockNs: kernelClockNs(r) }) as PricedRun;
    Object.defineProperty(out, 'kernel', { value: r.kernel, enumerable: false });
    Object.defineProperty(out, 'host', { value: r.host, enumerable: false });
    return out;
  }
}

/** Price the run phase's UML host calls of a finished run (its ledger kept). */
export function priceRun(r: RunResult, profile: CostProfile): PricedRun {
  const pricing = new RunPricing(profile, r.kernel!.state.config);
  forEachUmlEntry(r, pricing.add, r.startup.hostSyscalls);
  return pricing.priced(r);
}

/**
 * Run and price as the run goes (every UML call after start-up). `ledger: 'stream'` drops
 * rows once counted and priced (`ptsim run`: flat memory); compare/trace/report keep them.
 */
export function runFrom(values: Record<string, string | boolean | undefined>, mode: 'single' | 'multi', policy?: Policy, ledger: Pick<RunOptions, 'ledger' | 'streamRowsMax'> = {}): PricedRun {
  const profile = costOf(values.cost as string | undefined);
  const uml = profileOf(values.profile as string | undefined);
  const pricing = new RunPricing(profile, kernelConfig(uml.kernel));
  const r = runUmlFrom(values, mode, clockPricer(values.clock as string | undefined, profile, uml), policy, { ...ledger, onRunEntry: pricing.add });
  return pricing.priced(r);
}

/** --clock priced: the kernel clock advances by each host syscall's price as well as by instructions. */
function clockPricer(v: string | undefined, cost: CostProfile, uml: UmlProfile): ((e: LedgerEntry) => number) | undefined {
  if (v === undefined || v === 'instructions') return undefined;
  if (v !== 'priced') throw new CliError(`--clock: expected instructions or priced, got '${v}'`);
  const cfg = kernelConfig(uml.kernel);
  const pricer = new LedgerPricer(cost); // the host calls in ledger order (cross-cpu.ts)
  return (e) => totalNs(pricer.price(e, ledgerBytes(e, cfg)));
}

function runUmlFrom(values: Record<string, string | boolean | undefined>, mode: 'single' | 'multi', pricer?: (e: LedgerEntry) => number, policy?: Policy, extra: Pick<RunOptions, 'ledger' | 'streamRowsMax' | 'onRunEntry'> = {}): RunResult {
  return runUml({
    ...extra,
    pricer,
    profile: profileOf(values.profile as string | undefined),
    mode,
    policy: policy ?? policyOf(values.policy as string | undefined),
    workload: workloadOf(values.workload as string | undefined),
    boot: bootOf(values.boot as string | undefined),
    seed: seedOf(values.seed as string | undefined),
    hz: hzOf(values.hz as string | undefined),
  });
}

function table(counts: Record<string, number>, other?: Record<string, number>, width = 8): string {
  const keys = [...new Set([...Object.keys(counts), ...Object.keys(other ?? {})])].sort();
  const w = Math.max(width, ...keys.map((k) => k.length));
  return keys.map((k) => {
    const a = counts[k] ?? 0;
    if (!other) return `  ${k.padEnd(w)} ${String(a).padStart(8)}`;
    const b = other[k] ?? 0;
    return `  ${k.padEnd(w)} ${String(a).padStart(8)} ${String(b).padStart(8)} ${String(b - a).padStart(8)}`;
  }).join('\n');
}

export function commandRun(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: RUN_OPTIONS });
  if (values.help) return void console.log(RUN_HELP);
  const r = runFrom(values, modeOf(values.mode), undefined, { ledger: 'stream' });
  if (values.json) return void console.log(JSON.stringify(r, null, 2));
  console.log(`${r.profile}, ${r.mode} mode, policy ${r.policy}, workload ${r.workload}: ${r.exit}`);
  console.log(`start-up: ${r.startup.hostSyscalls} host syscalls`);
  for (const m of r.startup.messages) console.log(`  | ${m}`);
  console.log(`run: ${r.hostSyscalls} host syscalls by the UML process`);
  console.log(table(r.bySyscall));
  console.log('by ptrace request:');
  console.log(table(r.byPtraceRequest));
  if (Object.keys(r.bySubRequest).length) {
    console.log('inside PTRACE_MULTI:');
    console.log(table(r.bySubRequest));
  }
  console.log('guest events:');
  console.log(table(r.guestEvents));
  console.log(`guest digest ${r.guestDigest}`);
  console.log(`simulated time ${(r.simulatedNs / 1000).toFixed(1)} us (cost profile ${r.costProfile}; round trips ${(r.timeSplitNs.roundTripNs / 1000).toFixed(1)} us, cross-CPU wake-ups ${(r.timeSplitNs.wakeupNs / 1000).toFixed(1)} us, host work ${(r.timeSplitNs.hostWorkNs / 1000).toFixed(1)} us); kernel clock ${(r.kernelClockNs / 1000).toFixed(1)} us (${values.clock === 'priced' ? 'instructions, sleeps and priced host calls' : 'instructions, sleeps'})`);
}

export interface Comparison {
  single: PricedRun;
  multi: PricedRun;
  saved: { hostSyscalls: number; fraction: number; simulatedNs: number; speedup: number };
  equivalent: boolean;
  /** What multi was compared with (src/uml/equivalence.ts): the stock single run, or UML on the PTRACE_MULTI host merging nothing. */
  reference: Reference;
  /** Why that reference (one sentence). */
  referenceReason: string;
  /** The no-merge reference run (only when reference is multi-host-no-merge; saved and equivalent are against it). */
  referenceRun?: PricedRun;
  /** The first law clause multi breaks, when not equivalent. */
  broken?: LawBreak;
}

export function compareRuns(values: Record<string, string | boolean | undefined>): Comparison {
  const single = runFrom(values, 'single');
  const multi = runFrom(values, 'multi');
  const reference = referenceFor(workloadOf(values.workload as string | undefined));
  const ref = reference === 'stock-single' ? single : runFrom(values, 'multi', NO_MERGE);
  const saved = ref.hostSyscalls - multi.hostSyscalls;
  const broken = lawBreak(ref, multi);
  const savedNs = ref.simulatedNs - multi.simulatedNs;
  const speedup = multi.simulatedNs ? Math.round((ref.simulatedNs / multi.simulatedNs) * 10000) / 10000 : 1;
  return {
    single, multi,
    saved: { hostSyscalls: saved, fraction: ref.hostSyscalls ? Math.round((saved / ref.hostSyscalls) * 10000) / 10000 : 0, simulatedNs: savedNs, speedup },
    equivalent: broken === null,
    reference, referenceReason: REFERENCE_WHY[reference],
    ...(reference === 'stock-single' ? {} : { referenceRun: ref }),
    ...(broken ? { broken } : {}),
  };
}

export function commandCompare(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: RUN_OPTIONS });
  if (values.help) return void console.log(COMPARE_HELP);
  if (values.mode) throw new CliError('compare: --mode is not an option here (it runs both)');
  const c = compareRuns(values);
  if (values.json) return void console.log(JSON.stringify(c, null, 2));
  console.log(formatComparison(c));
}

/** The text table of `ptsim compare` (also `npm start`). */
export function formatComparison(c: Comparison): string {
  const ref = c.referenceRun ?? c.single;
  const refName = c.referenceRun ? 'no-merge' : 'single';
  const out: string[] = [];
  out.push(`${c.single.profile}, policy ${c.single.policy}, workload ${c.single.workload}`);
  // Every host syscall of the run phase: ptrace by request, the others (wait4, kill, …) by name, so the rows sum to the total.
  const rows = (r: PricedRun) => ({ ...r.byPtraceRequest, ...Object.fromEntries(Object.entries(r.bySyscall).filter(([k]) => k !== 'ptrace')) });
  const w = 22;
  out.push(`  ${'host syscalls'.padEnd(w)} ${refName.padStart(8)} ${'multi'.padStart(8)} ${'diff'.padStart(8)}`);
  out.push(table(rows(ref), rows(c.multi), w));
  out.push(`  ${'total'.padEnd(w)} ${String(ref.hostSyscalls).padStart(8)} ${String(c.multi.hostSyscalls).padStart(8)} ${String(-c.saved.hostSyscalls).padStart(8)}`);
  out.push(`reference: ${c.reference} (${c.referenceReason})`);
  if (c.referenceRun) out.push(`  (the stock single run, where the guest's open() of /proc/sysptmulti fails: ${c.single.hostSyscalls} host syscalls, ${c.single.exit})`);
  out.push(`saved ${c.saved.hostSyscalls} host syscalls (${(c.saved.fraction * 100).toFixed(1)}%); guest-visible runs ${c.equivalent ? 'identical' : 'DIFFER'} (digest ${ref.guestDigest} / ${c.multi.guestDigest})`);
  if (c.broken) out.push(`law broken: ${c.broken.clause}: ${c.broken.detail}`);
  out.push(`simulated time ${(ref.simulatedNs / 1000).toFixed(1)} → ${(c.multi.simulatedNs / 1000).toFixed(1)} us, speed-up ${c.saved.speedup.toFixed(3)}× (cost profile ${c.single.costProfile})`);
  return out.join('\n');
}

export interface TraceLine {
  seq: number;
  pid: number;
  syscall: string;
  request: string | null;
  target: number | null;
  regset: string | null;
  signal: string | null;
  result: string;
  errno: string | null;
  stop: string | null;
  guestEvent: string;
  sub?: { request: string; result: string; errno: string | null }[];
}

export function traceLines(r: RunResult): TraceLine[] {
  return umlLedgerView(r).map(({ entry, event }) => toTraceLine(entry, event));
}

function toTraceLine(e: LedgerEntry, event: string): TraceLine {
  const p = e.ptrace;
  const line: TraceLine = {
    seq: e.seq,
    pid: e.pid,
    syscall: e.syscall,
    request: p?.requestName ?? null,
    target: p?.target ?? (e.syscall === 'wait4' || e.syscall === 'kill' ? Number(BigInt.asIntN(32, e.args[0] ?? 0n)) : null),
    regset: p?.regset ?? null,
    signal: p?.signal ? signalName(p.signal) : e.syscall === 'kill' ? signalName(Number(e.args[1] ?? 0n)) : null,
    result: e.ret.toString(),
    errno: e.errno,
    stop: e.wait?.status !== undefined && e.wait.status !== null ? describeStatus(e.wait.status) : null,
    guestEvent: event,
  };
  if (p?.sub) line.sub = p.sub.map((s) => ({ request: s.requestName, result: s.ret.toString(), errno: s.errno }));
  return line;
}

function strace(l: TraceLine): string {
  let call: string;
  if (l.request) {
    const extra = l.regset ? `, ${l.regset}` : l.signal ? `, ${l.signal}` : '';
    const sub = l.sub ? ` {${l.sub.map((s) => s.request.replace('PTRACE_', '')).join(', ')}}` : '';
    call = `ptrace(${l.request}, ${l.target}${extra})${sub}`;
  } else if (l.syscall === 'wait4') {
    call = `wait4(${l.target}) [${l.stop ?? ''}]`;
  } else {
    call = `${l.syscall}(${l.target ?? ''}${l.signal ? `, ${l.signal}` : ''})`;
  }
  const res = l.errno ? `-1 ${l.errno}` : l.result;
  return `${String(l.seq).padStart(6)}  ${call.padEnd(60)} = ${res.padEnd(6)} # ${l.guestEvent}`;
}

export function commandTrace(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: RUN_OPTIONS });
  if (values.help) return void console.log(TRACE_HELP);
  let limit = Infinity;
  if (values.limit !== undefined) {
    if (!/^\d+$/.test(values.limit)) throw new CliError(`--limit: expected a whole number, got '${values.limit}'`);
    limit = Number(values.limit);
  }
  const r = runFrom(values, modeOf(values.mode));
  const lines = traceLines(r).slice(0, limit);
  for (const l of lines) console.log(values.json ? JSON.stringify(l) : strace(l));
}

export function commandProbe(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean' }, json: { type: 'boolean' }, kernel: { type: 'string' }, profile: { type: 'string' }, boot: { type: 'string' } } });
  if (values.help) return void console.log(PROBE_HELP);
  const kind = values.kernel ?? 'stock';
  const kernels: Record<string, { ptraceMulti: false | '2008'; ptraceVm: false | '2008' }> = {
    stock: { ptraceMulti: false, ptraceVm: false },
    multi: { ptraceMulti: '2008', ptraceVm: false },
    vm: { ptraceMulti: false, ptraceVm: '2008' },
    'multi+vm': { ptraceMulti: '2008', ptraceVm: '2008' },
  };
  const cfg = kernels[kind];
  if (!cfg) throw new CliError(`--kernel: expected stock, multi, vm or multi+vm, got '${kind}'`);
  const profile = values.profile ? profileOf(values.profile) : PROFILES['uml-2.6.26'];
  const boot = parseBootOrThrow(values.boot);
  const k = new Kernel({ ...profile.kernel, ...cfg });
  const uml = k.spawnExternal('linux.uml');
  const host = new HostTracer(k, uml, 'single', SEED_POLICY);
  const out = runStartupProbes(host, profile, boot, true);
  if (values.json) return void console.log(JSON.stringify({ profile: profile.name, kernel: kind, boot: values.boot ?? '', messages: out.lines, sysemuSupported: out.sysemuSupported, sysptvmSupported: out.sysptvmSupported, ptmultiSupported: out.ptmultiSupported, hostSyscalls: k.ledger.countPid(uml) }, null, 2));
  for (const l of out.lines) console.log(l);
}

function parseBootOrThrow(v: string | undefined) {
  try {
    return parseBoot(v ?? '');
  } catch (e) {
    if (e instanceof BootError) throw new CliError(e.message);
    throw e;
  }
}

export { regsetName };
