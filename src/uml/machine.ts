// One UML run: a host kernel (stock, or patched with PTRACE_MULTI for multi mode), the UML
// process, its start-up probes, start_userspace for the guest init, and the userspace() loop
// until init exits. Returns counts from the ledger and a digest of everything guest-visible.
import { createHash } from 'node:crypto';
import { Kernel } from '../kernel/kernel.ts';
import { countLedger, type LedgerCounts } from '../kernel/ledger-stats.ts';
import type { LedgerEntry } from '../kernel/ledger.ts';
import { initialRegs } from '../kernel/regs.ts';
import { SIG } from '../kernel/signals.ts';
import { stackTop, textBase } from '../kernel/state.ts';
import { PTRACE_O } from '../kernel/task.ts';
import { WSTOPSIG, WUNTRACED, __WALL } from '../kernel/wait-status.ts';
import { Asm } from '../kernel/asm.ts';
import { INSN_BYTES } from '../kernel/isa.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { parseBoot, type BootOptions } from './boot.ts';
import { GuestKernel, type GuestProcess } from './guest.ts';
import { HostTracer, type Mode } from './host.ts';
import { FULL_POLICY, SEED_POLICY, type Policy } from './policy.ts';
import type { UmlProfile } from './profile.ts';
import { runStartupProbes } from './start-up.ts';
import { UmlFatal, userspace } from './userspace.ts';
import { GUEST_DATA, guestMessage, guestProgram, type Workload } from './workload.ts';

export interface RunOptions {
  profile: UmlProfile;
  mode: Mode;
  policy: Policy;
  workload: Workload;
  boot?: string;
  seed?: number;
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
  /** Internal: the kernel and tracer, for `trace` and tests (not in JSON). */
  readonly kernel?: Kernel;
  readonly host?: HostTracer;
}

export function policyByName(name: string): Policy | undefined {
  return name === 'seed' ? SEED_POLICY : name === 'full' ? FULL_POLICY : undefined;
}

/** start_userspace(): a host process that TRACEMEs and stops itself; UML sets TRACESYSGOOD. */
function startUserspace(host: HostTracer, workload: Workload): GuestProcess {
  const k = host.kernel;
  const arch = k.arch;
  host.event = 'guest';
  const self = k.state.nextPid;
  const prelude = new Asm(arch).sys('ptrace', PTRACE.TRACEME, 0, 0, 0).sys('kill', self, SIG.SIGSTOP).insns;
  const insns = guestProgram(arch, workload, prelude);
  const base = textBase(arch);
  const pid = Number(k.forkChild(host.uml, { path: '/uml/userspace_tramp', insns, base }).ret);
  const w = host.wait4(pid, WUNTRACED | __WALL);
  if (w.status === null || w.status === undefined || WSTOPSIG(w.status) !== SIG.SIGSTOP) throw new UmlFatal(`start_userspace : expected SIGSTOP, got status = ${w.status}`);
  host.ptrace(PTRACE.OLDSETOPTIONS, pid, 0n, BigInt(PTRACE_O.TRACESYSGOOD));
  const regs = initialRegs(arch, base + BigInt(prelude.length * INSN_BYTES), stackTop(arch) - 8n);
  regs[arch.origAx] = arch.mask;
  return { gpid: 1, parent: 0, hostPid: pid, regs, state: 'runnable', exitCode: 0 };
}

function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

export function runUml(opts: RunOptions): RunResult {
  const boot: BootOptions = parseBoot(opts.boot ?? '');
  const multiKernel = opts.mode === 'multi';
  const kernel = new Kernel({ ...opts.profile.kernel, ptraceMulti: multiKernel ? '2008' : false, seed: opts.seed ?? 1 });
  const uml = kernel.spawnExternal('linux.uml');
  kernel.mapMemory(uml, GUEST_DATA, 0x1000n);
  kernel.writeMemory(uml, GUEST_DATA, guestMessage());
  const host = new HostTracer(kernel, uml, 'single', opts.policy);
  const probe = runStartupProbes(host, opts.profile, boot, multiKernel);
  const startupCalls = kernel.ledger.filter((e) => e.pid === uml).length;
  // The seed: set_using_sysptmulti(1) when supported unless nosysptmulti.
  host.mode = multiKernel && probe.ptmultiSupported && !boot.nosysptmulti ? 'multi' : 'single';
  const usingSysemu = boot.nosysemu ? 0 : probe.sysemuSupported;
  const from = kernel.ledger.length;
  const guest = new GuestKernel(kernel.arch, (pid, addr, len) => kernel.readMemory(pid, addr, len));
  let exit = 'exited(0)';
  try {
    const init = startUserspace(host, opts.workload);
    guest.procs.set(init.gpid, init);
    host.markEvent('start_userspace');
    runLoop(host, guest, opts, init, () => usingSysemu);
    exit = `exited(${init.exitCode})`;
  } catch (e) {
    if (!(e instanceof UmlFatal)) throw e;
    exit = `panic: ${e.message}`;
  }
  const run = kernel.ledger.slice(from);
  const counts: LedgerCounts = countLedger(run, new Set([uml]));
  const guestEvents: Record<string, number> = {};
  for (const ev of guest.events) guestEvents[ev] = (guestEvents[ev] ?? 0) + 1;
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
    startup: { hostSyscalls: startupCalls, messages: probe.lines },
    guestEvents,
    guestDigest: digest([...guest.trace, `console:${guest.console.join('')}`, `exit:${exit}`]),
    console: guest.console.join(''),
    exit,
  };
  Object.defineProperty(result, 'kernel', { value: kernel, enumerable: false });
  Object.defineProperty(result, 'host', { value: host, enumerable: false });
  return result;
}

function runLoop(host: HostTracer, guest: GuestKernel, opts: RunOptions, p: GuestProcess, usingSysemu: () => number): void {
  const origSyscall = guest.syscall.bind(guest);
  guest.syscall = (proc) => {
    const out = origSyscall(proc);
    host.markEvent(`syscall:${out.name}`);
    return out;
  };
  userspace(host, guest, opts.profile, p, usingSysemu);
}

/** Ledger entries of the run phase made by UML, with the guest event each served. */
export function umlLedgerView(result: RunResult): { entry: LedgerEntry; event: string }[] {
  const host = result.host!;
  const k = result.kernel!;
  host.markEvent('other');
  return k.ledger.filter((e) => e.pid === host.uml).map((entry) => ({ entry, event: host.events.get(entry.seq) ?? '' }));
}
