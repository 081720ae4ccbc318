// Turns the medians printed by calibrate/ptrace-calibrate.c into the cost profile
// profiles/calibrated-local.json. Each number's source says which medians it came from.
// usage: tsx src/cost-model/calibrate-profile.ts RAW.json OUT.json [NOTE…]
import { readFileSync, writeFileSync } from 'node:fs';
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

const r1 = (x: number): number => Math.max(0, Math.round(x * 10) / 10);

export function profileFromCalibration(raw: RawCalibration, extraNotes: readonly string[] = []): CostProfile {
  const m = raw.medianNs;
  const g = (k: string): number => {
    const v = m[k];
    if (typeof v !== 'number') throw new Error(`calibration: missing median "${k}"`);
    return v;
  };
  const med = (k: string): string => `${k} ${g(k)} ns`;
  const tag = `calibrated (${raw.tool}, median of ${raw.reps} samples)`;
  const s = (ns: number, how: string): Sourced => ({ ns: r1(ns), source: `${tag}: ${how}` });
  const entryExit = g('nullSyscall');
  const dispatch = g('nullPtrace') - entryExit;
  const perByte = (g('processVmReadv65536') - g('processVmReadv64')) / (65536 - 64);
  const xs = raw.xstateBytes;
  const ptraceWork = (k: string, bytes = 0): Sourced =>
    s(g(k) - g('nullPtrace') - bytes * perByte, `${med(k)} − ${med('nullPtrace')}${bytes ? ` − ${bytes} B × transferNsPerByte` : ''}`);
  const profile: CostProfile = {
    name: 'calibrated-local',
    description: `measured on this machine (${raw.kernel}, ${raw.cpus} CPUs) by scripts/calibrate.sh`,
    arch: 'x86_64',
    wordBytes: 8,
    multiEntryBytes: 32,
    notes: [
      `${raw.reps} samples per median, ${raw.batch} calls per sample for single calls, 1 per sample for round trips; timer overhead ${raw.timerOverheadNs} ns subtracted`,
      raw.pinnedToCpu0 ? 'tracer and tracee pinned to CPU 0 (as the pinned UML timings in uml/README.md)' : 'not pinned: tracer and tracee may sit on different CPUs (cross-CPU wake-ups)',
      `load average (1 min) when measured: ${raw.loadAverage1m}; other processes were running, so medians can be high`,
      `NT_X86_XSTATE is ${xs} bytes on this CPU; user_regs_struct ${raw.regsBytes} bytes`,
      'the null ptrace is PTRACE_MULTI (0x4300) on a stopped tracee: a stock kernel runs the lookup and ptrace_check_attach, then answers EIO',
      'no PTRACE_MULTI on this kernel: multiSubDispatchNs and multiEntryCopyInNs are estimates, not measurements',
      ...extraNotes,
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
    },
    registerMoves: null,
  };
  return validateProfile(profile);
}

function main(argv: string[]): void {
  const [rawPath, outPath, ...notes] = argv;
  if (!rawPath || !outPath) {
    console.error('usage: calibrate-profile RAW.json OUT.json [NOTE…]');
    process.exit(2);
  }
  const raw = JSON.parse(readFileSync(rawPath, 'utf8')) as RawCalibration;
  const profile = profileFromCalibration(raw, notes);
  writeFileSync(outPath, `${JSON.stringify({ ...profile, raw }, null, 2)}\n`);
  console.log(`wrote ${outPath}`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main(process.argv.slice(2));
