// Turns the medians printed by calibrate/ptrace-calibrate.c into the two cost profiles
// profiles/calibrated-local.json (tracer and tracee pinned to one CPU) and
// profiles/calibrated-unpinned.json (not pinned: what UML does). Each number's source says
// which medians, of which runs, it came from. Several runs of the calibrator are combined per
// measurement: the median of the runs' medians.
//
// The two profiles differ in one number, crossCpuWakeupNs (host-terms.ts): the unpinned round
// trip minus the pinned one, halved (two wake-ups per round trip: the tracee woken on its CPU,
// then the tracer on its own), and in the unpinned profile's crossCpuRates (cross-cpu.ts: which
// of UML's round trips cross, by the class of the host process resumed, measured on real UML).
// Every other number is measured pinned, so these carry the whole pin-mode difference.
//
// usage: tsx src/cost-model/calibrate-profile.ts OUTDIR PINNED.json… [--unpinned RAW.json…]
//          [--host RAW.json…] [--uml CPU-SPLIT.jsonl HOST-SYSCALLS.jsonl [HOST-PROCESS-TIMES.jsonl]] [--note TEXT]…
//   --host: runs used for the host-work medians only (HOST_KEYS; default: the pinned runs)
//   --uml:  real-UML measurements (test/fixtures/uml/host-6.1-*/, README there) for UML's own user
//           time and the stub's calls per stub run (host-terms.ts); without them those terms are 0;
//           a third file, scripts/uml-host-process-times.sh lines, for the host faults per stub run
//           (stubRemapFaultNs; without it 0)
//   --cross: scripts/uml-cross-cpu.sh --timed lines (JSON lines, unpinned boots) for the unpinned
//           profile's crossCpuRates (cross-cpu.ts); without them it has none (every round trip
//           crosses). The pinned profile never has rates (no wake-up crosses a CPU there).
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadProfile, validateProfile, type CostProfile, type Sourced } from './profile.ts';
import { SEQUENCES } from './strace-ops.ts';
import type { CrossCpuRates, SourcedFraction } from './cross-cpu.ts';

export interface RawCalibration {
  tool: string;
  kernel: string;
  cpus: number;
  pinnedToCpu0: boolean;
  reps: number;
  batch: number;
  loadAverage1m: number;
  timerOverheadNs: number;
  xstateBytes: number;
  regsBytes: number;
  medianNs: Record<string, number>;
}

/** A calibrator run and the name it is cited by (its file name). */
export interface NamedRun {
  name: string;
  raw: RawCalibration;
}

/** Host work timed without a tracee (calibrate/ptrace-calibrate.c header): may come from other runs. */
export const HOST_KEYS = ['physmemFirstTouch', 'stubMmapTouch', 'stubMmapFixed', 'stubMprotect', 'stubMunmap', 'hostFork', 'hostForkExitWait', 'fileWrite64'] as const;

/**
 * A UML-shaped host process's life (calibrate/ptrace-calibrate.c umlProc*: a traced parent holding
 * physmem pieces, the stub's clone, the child's re-maps and unmaps, PTRACE_KILL and the reap). When
 * every pinned run has them, the host-process terms and the stub's call prices come from them
 * (hostProcessTerms below); older runs fall back to the small plain process (hostFork,
 * hostForkExitWait) and the stub calls timed in the calibrator itself (stubMmapFixed, stubMunmap).
 */
export const UML_PROCESS_KEYS = ['umlProcCreate', 'umlProcMmap', 'umlProcMunmap', 'umlProcKill'] as const;

/** One line of scripts/uml-cpu-split.sh: a real UML phase's CPU time per operation. */
export interface CpuSplitLine {
  phase: string;
  ops: number;
  load1m: number;
  umlUserUsPerOp: number;
  umlSystemUsPerOp: number;
  reapedProcessesUsPerOp: number;
}

/** One line of scripts/uml-host-syscalls.sh: host syscalls per operation of a real UML phase. */
export interface HostSyscallsLine {
  phase: string;
  ops: number;
  load1m: number;
  umlSyscalls: Record<string, number>;
  hostProcessSyscalls: Record<string, number>;
  umlStubRuns: number;
}

/** One line of scripts/uml-host-process-times.sh: a real UML phase's host-process intervals and faults per operation. */
export interface HostProcessTimesLine {
  phase: string;
  ops: number;
  load1m: number;
  /** Host page faults (exceptions:page_fault_user) of UML's host processes per operation. */
  hostFaultsPerFork: number;
  /** UML's PTRACE_CONT(P, 0, 0) per operation: stub runs. */
  stubRunsPerFork: number;
}

/** Real-UML measurements behind UML's own user time and the stub's calls (host-terms.ts). */
export interface UmlMeasurements {
  /** How they are cited (their directory). */
  source: string;
  cpuSplit: readonly CpuSplitLine[];
  hostSyscalls: readonly HostSyscallsLine[];
  /** scripts/uml-host-process-times.sh lines (the host faults per stub run), if given. */
  hostProcessTimes?: readonly HostProcessTimesLine[];
  /** Syscall stops, stub runs and SIGSEGV stops per operation of the real host-call sequences (strace-ops.ts). */
  events: Readonly<Record<'getpid' | 'fork', { syscallStops: number; stubRuns: number; segvStops: number }>>;
}

/** x86_64 syscall numbers of the stub's host calls (arch/x86/entry/syscalls/syscall_64.tbl). */
const NR = { mmap: '9', mprotect: '10', munmap: '11' } as const;

export interface CalibrationInput {
  pinned: readonly NamedRun[];
  unpinned: readonly NamedRun[];
  /** Runs for HOST_KEYS (default: pinned). */
  host?: readonly NamedRun[];
  uml?: UmlMeasurements;
  /** scripts/uml-cross-cpu.sh --timed boots, for crossCpuRates (the unpinned profile only). */
  cross?: CrossCpuBoots;
  notes?: readonly string[];
}

/** One line of scripts/uml-cross-cpu.sh --timed: per phase and host process, [wake-ups, crossed]. */
export type CrossCpuLine = { variant: string; cpus: string; load1m: number } & Record<string, unknown>;

export interface CrossCpuBoots {
  /** How they are cited (the file). */
  source: string;
  lines: readonly CrossCpuLine[];
}

/**
 * uml-cross-cpu.sh --timed's divisors (its OPS): before-fork counts are totals; fork and exec
 * counts are per operation of the timed init's loops (uml/guest/init.c TIMED: reps 1000 forks,
 * reps / 10 = 100 execs).
 */
const CROSS_OPS: Readonly<Record<string, number>> = { 'before-fork': 1, fork: 1000, exec: 100 };

/** Which (phase, host process) keys of a --timed line measure each class (cross-cpu.ts). */
const CROSS_KEYS: Readonly<Record<keyof CrossCpuRates, readonly string[]>> = {
  first: ['before-fork.resume.init', 'before-fork.stop.init'],
  parent: ['fork.resume.init', 'fork.stop.init', 'exec.resume.init', 'exec.stop.init'],
  created: ['fork.resume.new:1', 'fork.stop.new:1', 'exec.resume.new:1', 'exec.stop.new:1', 'exec.resume.new:2', 'exec.stop.new:2'],
};

const CROSS_MEANING: Readonly<Record<keyof CrossCpuRates, string>> = {
  first: "init's host process before its first fork (getpid, write, faults of the timed init)",
  parent: "init's host process in the fork and exec loops (after its first fork)",
  created: "the fork children and exec's new processes (created by a host process's stub)",
};

/**
 * P(cross | class) per boot = the class's crossed wake-ups ÷ its wake-ups (resumes and stops,
 * all operations of the boot), then the median over the unpinned boots.
 */
export function crossCpuRates(boots: CrossCpuBoots): CrossCpuRates {
  const unpinned = boots.lines.filter((l) => l.variant === 'timed' && l.cpus === 'none');
  if (unpinned.length === 0) throw new Error('calibration: --cross has no unpinned timed boot');
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const rate = (cls: keyof CrossCpuRates): SourcedFraction => {
    const perBoot = unpinned.map((l) => {
      let all = 0;
      let crossed = 0;
      for (const k of CROSS_KEYS[cls]) {
        const v = l[k] as [number, number] | undefined;
        if (!v) continue;
        const n = CROSS_OPS[k.split('.')[0]!]!;
        all += v[0] * n;
        crossed += v[1] * n;
      }
      if (all === 0) throw new Error(`calibration: a --cross line has no ${CROSS_KEYS[cls].join('/')} counts`);
      return r3(crossed / all);
    });
    const f = r3(medianOf(perBoot));
    return {
      fraction: f,
      source: `real UML 6.1 (${boots.source}, scripts/uml-cross-cpu.sh --timed, unpinned, ftrace sched_waking/sched_wakeup): crossed ÷ all wake-ups (resumes and stops) of ${CROSS_MEANING[cls]}, per boot ${perBoot.join(', ')} (load ${unpinned.map((l) => l.load1m).join(', ')}); median of ${perBoot.length} boots`,
    };
  };
  return { first: rate('first'), parent: rate('parent'), created: rate('created') };
}

const r1 = (x: number): number => Math.max(0, Math.round(x * 10) / 10);
/** Counts per operation, two decimals (as cited). */
const r2 = (x: number): number => Math.round(x * 100) / 100;

function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** The median over `runs` of measurement `key`, and how to cite it. */
function combined(runs: readonly NamedRun[], key: string): { ns: number; cite: string } {
  const have = runs.filter((r) => typeof r.raw.medianNs[key] === 'number');
  if (have.length === 0) throw new Error(`calibration: no run has the median "${key}"`);
  const ns = r1(medianOf(have.map((r) => r.raw.medianNs[key]!)));
  const each = have.map((r) => `${r.name} ${r.raw.medianNs[key]}`).join(', ');
  return { ns, cite: have.length === 1 ? `${key} ${ns} ns (${each})` : `${key} ${ns} ns (median of ${have.length} runs: ${each})` };
}

function profileFrom(input: CalibrationInput, unpinned: boolean): CostProfile {
  const pinned = input.pinned;
  if (pinned.length === 0) throw new Error('calibration: no pinned run');
  const host = input.host?.length ? input.host : pinned;
  const first = pinned[0]!.raw;
  const tool = first.tool;
  const reps = Math.min(...pinned.map((r) => r.raw.reps));
  const tag = `calibrated (${tool}, pinned to CPU 0, medians of ≥ ${reps} samples)`;
  const m = (k: string) => ((HOST_KEYS as readonly string[]).includes(k) ? combined(host, k) : combined(pinned, k));
  const g = (k: string): number => m(k).ns;
  const med = (k: string): string => m(k).cite;
  const s = (ns: number, how: string): Sourced => ({ ns: r1(ns), source: `${tag}: ${how}` });
  const entryExit = g('nullSyscall');
  const dispatch = g('nullPtrace') - entryExit;
  const perByte = (g('processVmReadv65536') - g('processVmReadv64')) / (65536 - 64);
  const xs = first.xstateBytes;
  const ptraceWork = (k: string, bytes = 0): Sourced =>
    s(g(k) - g('nullPtrace') - bytes * perByte, `${med(k)} − ${med('nullPtrace')}${bytes ? ` − ${bytes} B × transferNsPerByte` : ''}`);
  let wakeup: Sourced = { ns: 0, source: 'pinned: tracer and tracee share CPU 0, so no round trip wakes a task on another CPU' };
  if (unpinned) {
    if (input.unpinned.length === 0) throw new Error('calibration: the unpinned profile needs unpinned runs');
    const u = combined(input.unpinned, 'sysemuWait4RoundTrip');
    const p = m('sysemuWait4RoundTrip');
    wakeup = {
      ns: r1((u.ns - p.ns) / 2),
      source: `calibrated (${tool}): (unpinned ${u.cite} − pinned ${p.cite}) / 2 wake-ups per round trip (the tracee woken on the other CPU by the resume, the tracer woken back by its stop)`,
    };
  }
  const umlProcess = hasUmlProcess(pinned);
  const umlTerms = umlUserTerms(input.uml, m, tag, umlProcess);
  const loads = [...pinned, ...(unpinned ? input.unpinned : []), ...(input.host ?? [])].map((r) => `${r.name} ${r.raw.loadAverage1m}`);
  const profile: CostProfile = {
    name: unpinned ? 'calibrated-unpinned' : 'calibrated-local',
    description: `measured on this machine (${first.kernel}, ${first.cpus} CPUs) by scripts/calibrate.sh; ${unpinned ? `not pinned (as UML runs): a round trip wakes a task on the other CPU twice${input.cross ? ', with the measured probability of its host process\'s class (crossCpuRates)' : ''}` : 'tracer and tracee pinned to one CPU'}`,
    arch: 'x86_64',
    wordBytes: 8,
    multiEntryBytes: 32,
    notes: [
      `${pinned.length} pinned run(s)${unpinned ? ` and ${input.unpinned.length} unpinned run(s)` : ''} of ${tool}; each measurement is the median of the runs' medians; ${first.batch} calls per sample for single calls, 1 per sample for round trips and host work; timer overhead subtracted`,
      `every number but crossCpuWakeupNs is measured pinned to CPU 0 (as the pinned UML timings); calibrated-local and calibrated-unpinned differ only in crossCpuWakeupNs${input.cross ? ' and the unpinned crossCpuRates' : ''}`,
      `load average (1 min) per run: ${loads.join('; ')}`,
      `NT_X86_XSTATE is ${xs} bytes on this CPU; user_regs_struct ${first.regsBytes} bytes`,
      'the null ptrace is PTRACE_MULTI (0x4300) on a stopped tracee: a stock kernel runs the lookup and ptrace_check_attach, then answers EIO',
      'no PTRACE_MULTI on this kernel: multiSubDispatchNs and multiEntryCopyInNs are estimates, not measurements',
      ...(input.notes ?? []),
    ],
    costs: {
      syscallEntryExitNs: s(entryExit, `${med('nullSyscall')} (syscall(SYS_getppid))`),
      ptraceDispatchNs: s(dispatch, `${med('nullPtrace')} − ${med('nullSyscall')}`),
      transferNsPerByte: { ns: Math.round(perByte * 10000) / 10000, source: `${tag}: (${med('processVmReadv65536')} − ${med('processVmReadv64')}) / 65472 B` },
      transferNsPerWord: s(g('peekdataWord') - g('nullPtrace'), `PTRACE_PEEKDATA: ${med('peekdataWord')} − ${med('nullPtrace')}`),
      multiSubDispatchNs: { ns: 10, source: 'estimate: one switch case and call in multi_ptrace()\'s loop (patch-linux-2.6.26-rc6-ptrace_multi); not measurable on a stock kernel' },
      multiEntryCopyInNs: { ns: r1(20 + 32 * perByte), source: `estimate: 20 ns copy_from_user setup (access_ok, STAC/CLAC) + 32 B × transferNsPerByte (${tag})` },
      roundTripSyscallStopNs: s(g('sysemuWait4RoundTrip') - 2 * entryExit - dispatch, `${med('sysemuWait4RoundTrip')} (PTRACE_SYSEMU + wait4 until the next syscall stop) − 2 × syscallEntryExitNs − ptraceDispatchNs`),
      roundTripSignalStopNs: s(g('setregsContInt3RoundTrip') - g('setregs') - 2 * entryExit - dispatch, `${med('setregsContInt3RoundTrip')} (SETREGS rip=int3 + CONT + wait4 SIGTRAP) − ${med('setregs')} − 2 × syscallEntryExitNs − ptraceDispatchNs`),
      crossCpuWakeupNs: wakeup,
      hostPageFaultNs: s(g('physmemFirstTouch') + g('stubMmapTouch') - g('stubMmapFixed'), `${med('physmemFirstTouch')} (the physmem page allocated and zeroed) + ${med('stubMmapTouch')} − ${med('stubMmapFixed')} (the tracee's retried access after the stub's mmap: a minor fault; the mmap itself is its stub run's, stubRunHostCallsNs)`),
      ...hostProcessTerms(umlProcess, m, s),
      ...umlTerms,
    },
    requestNs: {
      default: s(g('peekuserWord') - g('nullPtrace'), `unlisted requests priced as PEEKUSER: ${med('peekuserWord')} − ${med('nullPtrace')}`),
      PTRACE_GETREGS: ptraceWork('getregs'),
      PTRACE_SETREGS: ptraceWork('setregs'),
      PTRACE_GETREGSET: ptraceWork('getregsetXstate', xs),
      PTRACE_SETREGSET: ptraceWork('setregsetXstate', xs),
      PTRACE_GETSIGINFO: ptraceWork('getsiginfo'),
      PTRACE_PEEKUSER: ptraceWork('peekuserWord'),
      PTRACE_POKEUSER: s(g('peekuserWord') - g('nullPtrace'), `estimate: as PEEKUSER (${med('peekuserWord')} − ${med('nullPtrace')})`),
      PTRACE_PEEKDATA: { ns: 0, source: 'the word is priced by transferNsPerWord' },
      PTRACE_POKEDATA: { ns: 0, source: 'the word is priced by transferNsPerWord' },
      PTRACE_CONT: { ns: 0, source: 'folded into roundTripSignalStopNs (measured together)' },
      PTRACE_SYSEMU: { ns: 0, source: 'folded into roundTripSyscallStopNs (measured together)' },
      PTRACE_SYSCALL: { ns: 0, source: 'folded into roundTripSyscallStopNs (as SYSEMU)' },
      wait4: { ns: 0, source: 'folded into the round trips (wait4 was timed inside them)' },
      process_vm_readv: s(g('processVmReadv64') - entryExit - 64 * perByte, `${med('processVmReadv64')} − syscallEntryExitNs − 64 B × transferNsPerByte`),
      write: s(g('fileWrite64') - entryExit - 64 * perByte, `${med('fileWrite64')} (write(fd, 64 B) to a file, as UML's console write to its file) − syscallEntryExitNs − 64 B × transferNsPerByte`),
    },
    registerMoves: null,
    ...(unpinned && input.cross ? { crossCpuRates: crossCpuRates(input.cross) } : {}),
  };
  return validateProfile(profile);
}

const median = (xs: readonly number[]): number => medianOf(xs);

/** Whether every run has the UML-shaped host process's measurements (UML_PROCESS_KEYS). */
export function hasUmlProcess(runs: readonly NamedRun[]): boolean {
  return runs.length > 0 && runs.every((r) => UML_PROCESS_KEYS.every((k) => typeof r.raw.medianNs[k] === 'number'));
}

type Median = (k: string) => { ns: number; cite: string };

/**
 * The host-process terms (host-terms.ts). From a UML-shaped host process when the pinned runs
 * have it, each net of the ledger rows inside its interval that price() already charges, so that
 * a real UML sequence (uml-skas.md §6, §7) pays the measured interval once:
 *   hostProcessCreateNs = umlProcCreate (the clone stub run − a plain stub run of the same parent:
 *                         the clone, the child's TRACEME, stub-data mmap and stop, the child's
 *                         wait4 and OLDSETOPTIONS) − nullSyscall (that wait4, priced as a call)
 *                         − peekuserWord (OLDSETOPTIONS, priced as an unlisted request: entry/exit,
 *                         dispatch, default work) − umlProcMmap (the child's stub-data mmap, one
 *                         of the stub's mmaps per fork that stubRunHostCallsNs prices)
 *   hostProcessExitNs   = umlProcKill (kill + PTRACE_KILL + PTRACE_CONT + wait4(NULL)) − 2 ×
 *                         nullSyscall (kill, wait4) − peekuserWord (PTRACE_KILL) − nullPtrace (the
 *                         PTRACE_CONT that fails with ESRCH: entry/exit and dispatch)
 * Otherwise, from a small plain process: hostFork, hostForkExitWait − hostFork.
 */
function hostProcessTerms(umlProcess: boolean, m: Median, s: (ns: number, how: string) => Sourced): Pick<CostProfile['costs'], 'hostProcessCreateNs' | 'hostProcessExitNs'> {
  const g = (k: string) => m(k).ns;
  const med = (k: string) => m(k).cite;
  if (!umlProcess) {
    return {
      hostProcessCreateNs: s(g('hostFork'), `${med('hostFork')} (fork() of a small process as its parent sees it: the stub's clone)`),
      hostProcessExitNs: s(g('hostForkExitWait') - g('hostFork'), `${med('hostForkExitWait')} − ${med('hostFork')} (the child's exit, mm teardown and the parent's reap)`),
    };
  }
  return {
    hostProcessCreateNs: s(
      g('umlProcCreate') - g('nullSyscall') - g('peekuserWord') - g('umlProcMmap'),
      `${med('umlProcCreate')} (a UML-shaped host process: its parent's stub clone run − a plain stub run of that parent; calibrate/ptrace-calibrate.c) − ${med('nullSyscall')} (the child's wait4) − ${med('peekuserWord')} (OLDSETOPTIONS as priced) − ${med('umlProcMmap')} (the child's stub-data mmap, priced in stubRunHostCallsNs)`,
    ),
    hostProcessExitNs: s(
      g('umlProcKill') - 2 * g('nullSyscall') - g('peekuserWord') - g('nullPtrace'),
      `${med('umlProcKill')} (kill(SIGKILL) + PTRACE_KILL + PTRACE_CONT + wait4(P, NULL, __WALL) of the UML-shaped host process, as UML's destroy_context) − 2 × ${med('nullSyscall')} (kill, wait4) − ${med('peekuserWord')} (PTRACE_KILL as priced) − ${med('nullPtrace')} (PTRACE_CONT failing with ESRCH)`,
    ),
  };
}

/**
 * UML's own user time per syscall stop and per stub run, and the stub's host calls per stub run
 * (host-terms.ts), from real-UML measurements: the same in both pin modes (measured pinned).
 *   umlSyscallStopUserNs = UML user time per getpid ÷ its syscall stops (1)
 *   umlStubRunUserNs     = (UML user time per fork − its syscall stops × umlSyscallStopUserNs) ÷ its stub runs
 *                          (the fork's faults' handling in UML is in this number: no separate measurement)
 *   stubRunHostCallsNs   = (mmaps × umlProcMmap + munmaps × umlProcMunmap + mprotects × stubMprotect) per fork
 *                          (runs without the UML-shaped process: stubMmapFixed, stubMunmap)
 *                          ÷ stub runs per fork, all counted by perf in the same loop
 */
function umlUserTerms(uml: UmlMeasurements | undefined, m: Median, tag: string, umlProcess: boolean): Pick<CostProfile['costs'], 'umlSyscallStopUserNs' | 'umlStubRunUserNs' | 'stubRunHostCallsNs' | 'stubRemapFaultNs'> {
  if (!uml) {
    const none = { ns: 0, source: 'not measured: made without real-UML measurements (calibrate-profile --uml)' };
    return { umlSyscallStopUserNs: none, umlStubRunUserNs: none, stubRunHostCallsNs: none, stubRemapFaultNs: none };
  }
  const user = (phase: string) => {
    const xs = uml.cpuSplit.filter((l) => l.phase === phase).map((l) => l.umlUserUsPerOp);
    if (xs.length === 0) throw new Error(`calibration: no uml-cpu-split line for phase ${phase}`);
    return { ns: median(xs) * 1000, cite: `UML user time per ${phase} ${r1(median(xs))} µs (median of ${xs.length} uml-cpu-split.sh boot pairs: ${xs.join(', ')})` };
  };
  const fork = uml.hostSyscalls.filter((l) => l.phase === 'fork');
  if (fork.length === 0) throw new Error('calibration: no uml-host-syscalls line for phase fork');
  const perFork = (nr: string) => r2(median(fork.map((l) => l.hostProcessSyscalls[nr] ?? 0)));
  const runs = r2(median(fork.map((l) => l.umlStubRuns)));
  const gp = user('getpid');
  const fk = user('fork');
  const ev = uml.events;
  const stop = gp.ns / ev.getpid.syscallStops;
  const stubUser = (fk.ns - ev.fork.syscallStops * stop) / ev.fork.stubRuns;
  // the stub's mmap and munmap priced as timed inside a UML-shaped host process when the runs have it
  const [mmapKey, munmapKey] = umlProcess ? ['umlProcMmap', 'umlProcMunmap'] : ['stubMmapFixed', 'stubMunmap'];
  const calls = perFork(NR.mmap) * m(mmapKey).ns + perFork(NR.munmap) * m(munmapKey).ns + perFork(NR.mprotect) * m('stubMprotect').ns;
  const src = `real UML 6.1 (${uml.source})`;
  return {
    umlSyscallStopUserNs: { ns: r1(stop), source: `${src}: ${gp.cite} ÷ ${ev.getpid.syscallStops} syscall stop per getpid (guest-syscall.strace)` },
    umlStubRunUserNs: {
      ns: r1(stubUser),
      source: `${src}: (${fk.cite} − ${ev.fork.syscallStops} syscall stops × umlSyscallStopUserNs) ÷ ${ev.fork.stubRuns} stub runs per fork (glibc-fork-exit.strace; its 6 faults' handling in UML is included)`,
    },
    stubRunHostCallsNs: {
      ns: r1(calls / runs),
      source: `${src} and ${tag}: the stub's host calls per fork (uml-host-syscalls.sh, median of ${fork.length} boots: mmap ${perFork(NR.mmap)}, munmap ${perFork(NR.munmap)}, mprotect ${perFork(NR.mprotect)}) ÷ ${runs} stub runs per fork (its PTRACE_CONT with no signal, same count), priced ${m(mmapKey).cite}, ${m(munmapKey).cite}, ${m('stubMprotect').cite}`,
    },
    stubRemapFaultNs: remapFaults(uml, m, tag, umlProcess),
  };
}

/**
 * stubRemapFaultNs = (host faults of the host processes per fork − 2 per SIGSEGV stop of the fork:
 * the faulting access and the retried one, which hostPageFaultNs prices) ÷ stub runs per fork,
 * both counted in the same boots (uml-host-process-times.sh), × umlProcTouch (a first read of a
 * re-mapped page in the UML-shaped host process). 0, saying why, without those measurements.
 */
function remapFaults(uml: UmlMeasurements, m: Median, tag: string, umlProcess: boolean): Sourced {
  const lines = (uml.hostProcessTimes ?? []).filter((l) => l.phase === 'fork' && typeof l.hostFaultsPerFork === 'number');
  if (lines.length === 0) return { ns: 0, source: 'not measured: made without scripts/uml-host-process-times.sh fork lines (calibrate-profile --uml, third file)' };
  if (!umlProcess) return { ns: 0, source: 'not measured: the calibrator runs lack the UML-shaped host process (umlProcTouch)' };
  const segv = uml.events.fork.segvStops;
  const faults = r2(median(lines.map((l) => l.hostFaultsPerFork)));
  const runs = r2(median(lines.map((l) => l.stubRunsPerFork)));
  const perRun = Math.max(0, faults - 2 * segv) / runs;
  return {
    ns: r1(perRun * m('umlProcTouch').ns),
    source: `real UML 6.1 (${uml.source}, uml-host-process-times.sh, exceptions:page_fault_user, median of ${lines.length} boots: ${lines.map((l) => l.hostFaultsPerFork).join(', ')} host faults per fork, load ${lines.map((l) => l.load1m).join(', ')}) and ${tag}: (${faults} − 2 × ${segv} SIGSEGV stops per fork, glibc-fork-exit.strace) ÷ ${runs} stub runs per fork = ${r2(perRun)} faults per stub run, priced ${m('umlProcTouch').cite} (a first read of a re-mapped page of the UML-shaped host process)`,
  };
}

/** Read --uml's files (JSON lines: the CPU split, the host syscalls, optionally the host-process times) and the real sequences' event counts. */
export function readUml(cpuSplitPath: string, hostSyscallsPath: string, repoRoot: string, hostProcessTimesPath?: string): UmlMeasurements {
  const lines = <T>(p: string): T[] => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
  // Event counts do not depend on the prices: any valid profile counts them.
  const counter = loadProfile('i386-2008');
  const ev = (id: 'getpid' | 'fork') => {
    const e = SEQUENCES[id]!.price(counter, repoRoot).events;
    return { syscallStops: e.syscallStops, stubRuns: e.stubRuns, segvStops: e.segvStops };
  };
  const dir = cpuSplitPath.split('/').slice(-2, -1)[0] ?? cpuSplitPath;
  return {
    source: `test/fixtures/uml/${dir}/`, cpuSplit: lines<CpuSplitLine>(cpuSplitPath), hostSyscalls: lines<HostSyscallsLine>(hostSyscallsPath),
    ...(hostProcessTimesPath ? { hostProcessTimes: lines<HostProcessTimesLine>(hostProcessTimesPath) } : {}),
    events: { getpid: ev('getpid'), fork: ev('fork') },
  };
}

/** The pinned profile (calibrated-local) and the unpinned one (calibrated-unpinned). */
export function profilesFromCalibration(input: CalibrationInput): { pinned: CostProfile; unpinned: CostProfile } {
  return { pinned: profileFrom(input, false), unpinned: profileFrom(input, true) };
}

/** A profile file's text: the profile, then the runs it came from (`raw`). */
export function profileFileText(profile: CostProfile, runs: readonly NamedRun[]): string {
  return `${JSON.stringify({ ...profile, raw: Object.fromEntries(runs.map((r) => [r.name, r.raw])) }, null, 2)}\n`;
}

export function parseArgs(argv: readonly string[]): { outDir: string; pinned: string[]; unpinned: string[]; host: string[]; uml: string[]; cross: string[]; notes: string[] } {
  const [outDir, ...rest] = argv;
  const out = { outDir: outDir ?? '', pinned: [] as string[], unpinned: [] as string[], host: [] as string[], uml: [] as string[], cross: [] as string[], notes: [] as string[] };
  let into: string[] = out.pinned;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--unpinned') into = out.unpinned;
    else if (a === '--host') into = out.host;
    else if (a === '--uml') into = out.uml;
    else if (a === '--cross') into = out.cross;
    else if (a === '--pinned') into = out.pinned;
    else if (a === '--note') out.notes.push(rest[++i] ?? '');
    else into.push(a);
  }
  return out;
}

/** Read --cross's files (JSON lines of scripts/uml-cross-cpu.sh --timed), cited by their paths under test/fixtures. */
export function readCross(paths: readonly string[]): CrossCpuBoots {
  const lines = paths.flatMap((p) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as CrossCpuLine));
  const cite = paths.map((p) => p.slice(Math.max(0, p.indexOf('test/fixtures/')))).join(', ');
  return { source: cite, lines };
}

export function readRuns(paths: readonly string[]): NamedRun[] {
  return paths.map((p) => ({ name: basename(p, '.json'), raw: JSON.parse(readFileSync(p, 'utf8')) as RawCalibration }));
}

function main(argv: string[]): void {
  const a = parseArgs(argv);
  if (!a.outDir || a.pinned.length === 0) {
    console.error('usage: calibrate-profile OUTDIR PINNED.json… [--unpinned RAW.json…] [--host RAW.json…] [--uml CPU-SPLIT.jsonl HOST-SYSCALLS.jsonl [HOST-PROCESS-TIMES.jsonl]] [--cross CROSS-CPU-TIMED.jsonl…] [--note TEXT]…');
    process.exit(2);
  }
  const pinned = readRuns(a.pinned);
  const unpinned = readRuns(a.unpinned);
  const host = readRuns(a.host);
  if (a.uml.length !== 0 && a.uml.length !== 2 && a.uml.length !== 3) {
    console.error('calibrate-profile: --uml takes two or three files: CPU-SPLIT.jsonl HOST-SYSCALLS.jsonl [HOST-PROCESS-TIMES.jsonl]');
    process.exit(2);
  }
  const uml = a.uml.length ? readUml(a.uml[0]!, a.uml[1]!, process.cwd(), a.uml[2]) : undefined;
  const cross = a.cross.length ? readCross(a.cross) : undefined;
  const { pinned: p, unpinned: u } = profilesFromCalibration({ pinned, unpinned, host, notes: a.notes, ...(uml ? { uml } : {}), ...(cross ? { cross } : {}) });
  const hostOnly = host.filter((h) => !pinned.some((x) => x.name === h.name));
  writeFileSync(join(a.outDir, 'calibrated-local.json'), profileFileText(p, [...pinned, ...hostOnly]));
  console.log(`wrote ${join(a.outDir, 'calibrated-local.json')}`);
  if (unpinned.length) {
    writeFileSync(join(a.outDir, 'calibrated-unpinned.json'), profileFileText(u, [...pinned, ...unpinned, ...hostOnly]));
    console.log(`wrote ${join(a.outDir, 'calibrated-unpinned.json')}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main(process.argv.slice(2));
