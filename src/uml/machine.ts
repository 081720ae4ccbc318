// One UML run: a host kernel (stock, or patched with PTRACE_MULTI for multi mode), the UML
// process, its start-up probes, start_userspace for the guest init, and the userspace() loop
// until init exits. Returns counts from the ledger and a digest of everything guest-visible.
import { Kernel } from '../kernel/kernel.ts';
import type { LedgerCounts } from '../kernel/ledger-stats.ts';
import { RunLedger } from './run-ledger.ts';
import type { LedgerEntry } from '../kernel/ledger.ts';
import { parseBoot, type BootOptions } from './boot.ts';
import { GuestKernel, syscallEvent, type GuestProcess } from './guest.ts';
import { HostTracer, type Mode } from './host.ts';
import { FULL_POLICY, SEED_POLICY, type Policy } from './policy.ts';
import type { UmlProfile } from './profile.ts';
import { runStartupProbes } from './start-up.ts';
import { handleSegv } from './fault.ts';
import { boundaryRecord } from './guest-digest.ts';
import { installMemorySyscalls, UmlMemory } from './guest-mm.ts';
import { mapStubScratch, startUserspace as startGuestUserspace } from './start-userspace.ts';
import { kernelConfig } from '../kernel/config.ts';
import { installGuestSyscalls } from './guest-syscalls.ts';
import { UmlPanic } from './panic.ts';
import { UmlSwitches } from './proc-sysemu.ts';
import { HZ_DEFAULT, setIntervalInsns, UmlTimer } from './time.ts';
import { UmlFatal, userspace } from './userspace.ts';
import { GUEST_DATA, guestImage, guestMessage, type Workload } from './workload.ts';
import { GuestScheduler } from './sched.ts';
import { installProcessSyscalls } from './guest-process-syscalls.ts';
import { defaultGuestPrograms } from './guest-programs.ts';
import { Hostfs } from './hostfs.ts';
import { runUsermodeHelpers } from './usermode-helper.ts';
import { bootedHost, type Booted } from './boot-cache.ts';

export interface RunOptions {
  profile: UmlProfile;
  mode: Mode;
  policy: Policy;
  workload: Workload;
  boot?: string;
  seed?: number;
  /** Guest timer ticks per second (CONFIG_HZ; default 100 for both profiles). See time.ts. */
  hz?: number;
  /** Simulated time per guest instruction (the kernel's insnNs; default 1 ns). */
  insnNs?: number;
  /**
   * Price of each host syscall (the cost model). When given, the simulated clock advances by
   * it too ("priced clock"), so UML's host-side costs take simulated time and move timer
   * ticks. Single and multi runs then differ in timing, so the single ≡ multi law is stated
   * for the instruction clock (no pricer).
   */
  pricer?: (entry: LedgerEntry) => number;
  /** Keep the guest trace's records (RunResult.guest.trace.records) for inspection; off = flat memory. */
  keepTrace?: boolean;
  /**
   * 'keep' (default): the whole ledger stays in RunResult.kernel (trace, reports, laws).
   * 'stream': rows are counted and passed to onRunEntry as they are made, then dropped, so a
   * run of millions of host calls keeps flat memory (`ptsim run`); RunResult's numbers are the same.
   */
  ledger?: 'keep' | 'stream';
  /** Rows a streaming run holds before draining them (default run-ledger.ts STREAM_ROWS_MAX; tests use tiny values). */
  streamRowsMax?: number;
  /** Every UML host call from the end of start-up on, in order (run-ledger.ts): the CLI prices them. */
  onRunEntry?: (entry: LedgerEntry) => void;
}

export interface RunResult {
  profile: string;
  mode: Mode;
  policy: string;
  workload: string;
  boot: string;
  /** Host syscalls made by the UML process while running the workload (after start-up). */
  hostSyscalls: number;
  bySyscall: Record<string, number>;
  byPtraceRequest: Record<string, number>;
  bySubRequest: Record<string, number>;
  startup: { hostSyscalls: number; messages: string[] };
  guestEvents: Record<string, number>;
  guestDigest: string;
  console: string;
  exit: string;
  /** Guest timer ticks UML handled (jiffies). */
  ticks: number;
  /** UML's own messages on the way to a panic (ptrace_dump_regs, the error, the panic line). */
  kernelLog: string[];
  /** Internal: the kernel clock at UML's first host call after start-up (null: none); not in JSON. */
  readonly runStartClockNs?: number | null;
  /** Internal: the kernel and tracer, for `trace` and tests (not in JSON). */
  readonly kernel?: Kernel;
  readonly host?: HostTracer;
  /** Internal: the guest kernel (trace, processes), for tests (not in JSON). */
  readonly guest?: GuestKernel;
}

export function policyByName(name: string): Policy | undefined {
  return name === 'seed' ? SEED_POLICY : name === 'full' ? FULL_POLICY : undefined;
}

/**
 * start_userspace() for init (start-userspace.ts): the guest image goes to UML's physmem and
 * is paged in by stub runs; the first user instruction faults.
 */
function startUserspace(host: HostTracer, mem: UmlMemory, workload: Workload, profile: UmlProfile, hz: number, hostfs: Hostfs): GuestProcess {
  const arch = host.kernel.arch;
  host.event = 'guest';
  // 2.6.26 userspace_tramp: set_interval() (ITIMER_VIRTUAL, 1/HZ) between TRACEME and SIGSTOP.
  const trampExtra = profile.tickSignal === 'SIGVTALRM' ? setIntervalInsns(arch, hz) : [];
  const image = guestImage(arch, workload, { hz });
  return startGuestUserspace(mem, image, trampExtra, hostfs).proc;
}

export function runUml(opts: RunOptions): RunResult {
  const boot: BootOptions = parseBoot(opts.boot ?? '');
  const multiKernel = opts.mode === 'multi';
  const hz = opts.hz ?? HZ_DEFAULT;
  const insnNs = opts.insnNs ?? kernelConfig(opts.profile.kernel).insnNs;
  // A blocking wait must outlast a tick period of guest instructions.
  const waitInsnLimit = Math.max(kernelConfig({}).waitInsnLimit, Math.ceil((4e9 / hz) / insnNs));
  const startUp = (beforeProbes?: (host: HostTracer) => void): Booted => {
    const kernel = new Kernel({ ...opts.profile.kernel, ptraceMulti: multiKernel ? '2008' : false, seed: opts.seed ?? 1, insnNs, waitInsnLimit });
    kernel.pricer = opts.pricer ?? null;
    const uml = kernel.spawnExternal('linux.uml');
    kernel.mapMemory(uml, GUEST_DATA, 0x1000n);
    kernel.writeMemory(uml, GUEST_DATA, guestMessage());
    const host = new HostTracer(kernel, uml, 'single', opts.policy);
    beforeProbes?.(host);
    const probe = runStartupProbes(host, opts.profile, boot, multiKernel);
    // UML's physmem and guest page tables (guest-mm.ts); guest memory is read through them.
    const mem = new UmlMemory({ host, profile: opts.profile });
    mapStubScratch(mem);
    // Boot: the usermode helpers' host processes (usermode-helper.ts), before the timer is armed.
    const tramp = opts.profile.tickSignal === 'SIGVTALRM' ? setIntervalInsns(kernel.arch, hz) : [];
    runUsermodeHelpers(mem, boot.umh ?? opts.profile.usermodeHelpersAtBoot, tramp);
    return { kernel, host, probe, mem };
  };
  // A streaming or priced run, or one handing rows out, boots itself (its ledger is drained or
  // its clock moves during start-up); any other forks the booted state of an earlier run with
  // the same start-up (boot-cache.ts), which is the state its own start-up would reach.
  let runLedger: RunLedger | undefined;
  const own = opts.ledger === 'stream' || opts.pricer !== undefined || opts.onRunEntry !== undefined;
  const booted = own
    ? startUp((host) => {
      runLedger = new RunLedger(host.kernel.ledger, host.uml, opts.onRunEntry);
      if (opts.ledger === 'stream') {
        host.labels = false; // event labels are for trace/report, which keep the ledger
        runLedger.stream(opts.streamRowsMax);
      }
    })
    : bootedHost({ profile: opts.profile, multiKernel, boot, seed: opts.seed ?? 1, insnNs, waitInsnLimit, hz }, opts.policy, () => startUp());
  const { kernel, host, probe, mem } = booted;
  runLedger ??= new RunLedger(kernel.ledger, host.uml, opts.onRunEntry);
  const guest = new GuestKernel(kernel.arch, (pid, addr, len) => {
    const mm = mem.mms.get(pid);
    return mm ? mem.readGuest(mm, addr, len) : kernel.readMemory(pid, addr, len);
  }, { keepTrace: opts.keepTrace ?? false });
  // Boot: UML's timer (6.1: timer_settime; time.ts).
  const timer = new UmlTimer(host, opts.profile, guest, hz);
  timer.arm();
  host.markEvent('boot');
  runLedger.endStartup();
  // The seed: set_using_sysptmulti(1) when supported unless nosysptmulti.
  host.mode = multiKernel && probe.ptmultiSupported && !boot.nosysptmulti ? 'multi' : 'single';
  const switches = new UmlSwitches(host, probe.sysemuSupported, multiKernel && probe.ptmultiSupported, boot.nosysemu);
  installGuestSyscalls(guest, timer, switches, (pid, addr, bytes) => kernel.writeMemory(pid, addr, bytes));
  installMemorySyscalls(guest, mem);
  // Several guest processes: fork/exec/wait4 and the run queue (fork.ts, exec.ts, sched.ts).
  const sched = new GuestScheduler(host, mem, guest, opts.profile);
  timer.onTick = (current) => sched.schedulerTick(current); // a tick may preempt (sched.ts)
  const hostfs = new Hostfs(host);
  installProcessSyscalls(guest, { mem, guest, sched, hz, nextGpid: 2, hostfs }, defaultGuestPrograms(kernel.arch));
  runLedger.startRun();
  let exit = 'exited(0)';
  let kernelLog: string[] = [];
  try {
    const init = startUserspace(host, mem, opts.workload, opts.profile, hz, hostfs);
    guest.procs.set(init.gpid, init);
    host.markEvent('start_userspace');
    host.timer = timer;
    runLoop(host, guest, opts, init, () => switches.usingSysemu, mem, sched);
    sched.haltOthers();
    exit = `exited(${init.exitCode})`;
  } catch (e) {
    if (!(e instanceof UmlFatal)) throw e;
    exit = `panic: ${e.message}`;
    if (e instanceof UmlPanic) kernelLog = [...e.log];
  }
  host.timer = null;
  const counts: LedgerCounts = runLedger.finish();
  const guestEvents = guest.events.toRecord();
  const result: RunResult = {
    profile: opts.profile.name,
    mode: host.mode,
    policy: opts.policy.name,
    workload: opts.workload.spec,
    boot: opts.boot ?? '',
    hostSyscalls: counts.hostSyscalls,
    bySyscall: counts.bySyscall,
    byPtraceRequest: counts.byPtraceRequest,
    bySubRequest: counts.bySubRequest,
    startup: { hostSyscalls: runLedger.startupCalls, messages: probe.lines },
    guestEvents,
    guestDigest: guest.trace.digest([`console:${guest.console.join('')}`, `exit:${exit}`]),
    console: guest.console.join(''),
    exit,
    ticks: timer.jiffies,
    kernelLog,
  };
  Object.defineProperty(result, 'runStartClockNs', { value: runLedger.runStartClockNs, enumerable: false });
  Object.defineProperty(result, 'kernel', { value: kernel, enumerable: false });
  Object.defineProperty(result, 'host', { value: host, enumerable: false });
  Object.defineProperty(result, 'guest', { value: guest, enumerable: false });
  return result;
}

function runLoop(host: HostTracer, guest: GuestKernel, opts: RunOptions, p: GuestProcess, usingSysemu: () => number, mem: UmlMemory, sched: GuestScheduler): void {
  // Every guest syscall boundary: record the guest-visible state (guest-digest.ts), and label
  // UML's host calls: those that trapped the call, then those the call itself made.
  guest.onSyscall({
    before: (proc, name) => {
      guest.trace.push(boundaryRecord(guest, mem, proc));
      host.markEvent(syscallEvent(name));
    },
    after: (_proc, out) => host.markEvent(syscallEvent(out.name)),
  });
  userspace(host, guest, opts.profile, p, usingSysemu, (proc) => {
    handleSegv(mem, guest, proc, mem.mms.get(proc.hostPid)!);
    host.markEvent('fault:SIGSEGV');
  }, sched);
}

/** Ledger entries of the run phase made by UML, with the guest event each served. */
export function umlLedgerView(result: RunResult): { entry: LedgerEntry; event: string }[] {
  const host = result.host!;
  const k = result.kernel!;
  const out: { entry: LedgerEntry; event: string }[] = [];
  forEachUmlEntry(result, (entry, event) => void out.push({ entry, event }));
  return out;
}

/**
 * The same entries one at a time, skipping UML's first `skip` (start-up: `startup.hostSyscalls`):
 * each entry object is garbage right after `fn`, so pricing a run of millions keeps flat memory.
 */
export function forEachUmlEntry(result: RunResult, fn: (entry: LedgerEntry, event: string) => void, skip = 0): void {
  const host = result.host!;
  const ledger = result.kernel!.ledger;
  forEachUmlRow(result, (i) => fn(ledger.at(i)!, host.events.get(i) ?? ''), skip);
}

/** The ledger seqs of those entries, for readers of the ledger's columns (no entry objects); labels as forEachUmlEntry leaves them. */
export function forEachUmlRow(result: RunResult, fn: (seq: number) => void, skip = 0): void {
  const host = result.host!;
  const ledger = result.kernel!.ledger;
  host.markEvent('other');
  let seen = 0;
  for (let i = 0; i < ledger.length; i++) {
    if (ledger.pidAt(i) !== host.uml || seen++ < skip) continue;
    fn(i);
  }
}
