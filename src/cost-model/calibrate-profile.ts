// Turns the medians printed by calibrate/ptrace-calibrate.c into the two cost profiles
// profiles/calibrated-local.json (tracer and tracee pinned to one CPU) and
// profiles/calibrated-unpinned.json (not pinned: what UML does). Each number's source says
// which medians, of which runs, it came from. Several runs of the calibrator are combined per
// measurement: the median of the runs' medians.
//
// The two profiles differ in exactly one number, crossCpuWakeupNs (host-terms.ts): the
// unpinned round trip minus the pinned one, halved (two wake-ups per round trip: the tracee
// woken on its CPU, then the tracer on its own). Every other number is measured pinned, so
// the term carries the whole pin-mode difference and nothing else does.
//
// usage: tsx src/cost-model/calibrate-profile.ts OUTDIR PINNED.json… [--unpinned RAW.json…]
//          [--host RAW.json…] [--note TEXT]…
//   --host: runs used for the host-work medians only (HOST_KEYS; default: the pinned runs)
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { validateProfile, type CostProfile, type Sourced } from './profile.ts';

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
export const HOST_KEYS = ['physmemFirstTouch', 'stubMmapTouch', 'hostFork', 'hostForkExitWait', 'fileWrite64'] as const;

export interface CalibrationInput {
  pinned: readonly NamedRun[];
  unpinned: readonly NamedRun[];
  /** Runs for HOST_KEYS (default: pinned). */
  host?: readonly NamedRun[];
  notes?: readonly string[];
}

const r1 = (x: number): number => Math.max(0, Math.round(x * 10) / 10);

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
  const loads = [...pinned, ...(unpinned ? input.unpinned : []), ...(input.host ?? [])].map((r) => `${r.name} ${r.raw.loadAverage1m}`);
  const profile: CostProfile = {
    name: unpinned ? 'calibrated-unpinned' : 'calibrated-local',
    description: `measured on this machine (${first.kernel}, ${first.cpus} CPUs) by scripts/calibrate.sh; ${unpinned ? 'not pinned (as UML runs): every round trip wakes a task on the other CPU twice' : 'tracer and tracee pinned to one CPU'}`,
    arch: 'x86_64',
    wordBytes: 8,
    multiEntryBytes: 32,
    notes: [
      `${pinned.length} pinned run(s)${unpinned ? ` and ${input.unpinned.length} unpinned run(s)` : ''} of ${tool}; each measurement is the median of the runs' medians; ${first.batch} calls per sample for single calls, 1 per sample for round trips and host work; timer overhead subtracted`,
      'every number but crossCpuWakeupNs is measured pinned to CPU 0 (as the pinned UML timings); calibrated-local and calibrated-unpinned differ only in crossCpuWakeupNs',
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
      hostPageFaultNs: s(g('physmemFirstTouch') + g('stubMmapTouch'), `${med('physmemFirstTouch')} (the physmem page allocated and zeroed) + ${med('stubMmapTouch')} (the stub's mmap of it and the tracee's retried access)`),
      hostProcessCreateNs: s(g('hostFork'), `${med('hostFork')} (fork() of a small process as its parent sees it: the stub's clone)`),
      hostProcessExitNs: s(g('hostForkExitWait') - g('hostFork'), `${med('hostForkExitWait')} − ${med('hostFork')} (the child's exit, mm teardown and the parent's reap)`),
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
  };
  return validateProfile(profile);
}

/** The pinned profile (calibrated-local) and the unpinned one (calibrated-unpinned). */
export function profilesFromCalibration(input: CalibrationInput): { pinned: CostProfile; unpinned: CostProfile } {
  return { pinned: profileFrom(input, false), unpinned: profileFrom(input, true) };
}

/** A profile file's text: the profile, then the runs it came from (`raw`). */
export function profileFileText(profile: CostProfile, runs: readonly NamedRun[]): string {
  return `${JSON.stringify({ ...profile, raw: Object.fromEntries(runs.map((r) => [r.name, r.raw])) }, null, 2)}\n`;
}

export function parseArgs(argv: readonly string[]): { outDir: string; pinned: string[]; unpinned: string[]; host: string[]; notes: string[] } {
  const [outDir, ...rest] = argv;
  const out = { outDir: outDir ?? '', pinned: [] as string[], unpinned: [] as string[], host: [] as string[], notes: [] as string[] };
  let into: string[] = out.pinned;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--unpinned') into = out.unpinned;
    else if (a === '--host') into = out.host;
    else if (a === '--pinned') into = out.pinned;
    else if (a === '--note') out.notes.push(rest[++i] ?? '');
    else into.push(a);
  }
  return out;
}

export function readRuns(paths: readonly string[]): NamedRun[] {
  return paths.map((p) => ({ name: basename(p, '.json'), raw: JSON.parse(readFileSync(p, 'utf8')) as RawCalibration }));
}

function main(argv: string[]): void {
  const a = parseArgs(argv);
  if (!a.outDir || a.pinned.length === 0) {
    console.error('usage: calibrate-profile OUTDIR PINNED.json… [--unpinned RAW.json…] [--host RAW.json…] [--note TEXT]…');
    process.exit(2);
  }
  const pinned = readRuns(a.pinned);
  const unpinned = readRuns(a.unpinned);
  const host = readRuns(a.host);
  const { pinned: p, unpinned: u } = profilesFromCalibration({ pinned, unpinned, host, notes: a.notes });
  const hostOnly = host.filter((h) => !pinned.some((x) => x.name === h.name));
  writeFileSync(join(a.outDir, 'calibrated-local.json'), profileFileText(p, [...pinned, ...hostOnly]));
  console.log(`wrote ${join(a.outDir, 'calibrated-local.json')}`);
  if (unpinned.length) {
    writeFileSync(join(a.outDir, 'calibrated-unpinned.json'), profileFileText(u, [...pinned, ...unpinned, ...hostOnly]));
    console.log(`wrote ${join(a.outDir, 'calibrated-unpinned.json')}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main(process.argv.slice(2));
