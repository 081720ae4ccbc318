// UML's host interface: every host syscall UML makes goes through here, so UML's code does
// not know whether it runs in single mode (one ptrace call per request) or multi mode
// (runs merged into PTRACE_MULTI calls as the batching policy says). STYLE.md §5.
import type { Kernel, SysResult } from '../kernel/kernel.ts';
import { PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { encodeBatch, writeBatchBytes } from '../batch/batch.ts';
import { EventLabels } from './event-labels.ts';
import { groupRun, type Policy, type Site } from './policy.ts';
import type { GuestProcess } from './guest.ts';

export type Mode = 'single' | 'multi';

/** UML's own memory (its address space in the host model): register buffers, iovecs, batches. */
export const UML_SCRATCH = 0x60000000n;
export const UML_REGS = UML_SCRATCH;
export const UML_XSTATE = UML_SCRATCH + 0x1000n;
export const UML_XSTATE_IOV = UML_SCRATCH + 0x2000n;
export const UML_SIGINFO = UML_SCRATCH + 0x2100n;
export const UML_WORD = UML_SCRATCH + 0x2200n;
export const UML_MULTI_ARRAY = UML_SCRATCH + 0x3000n;
export const UML_SCRATCH_BYTES = 0x4000n;

export interface Call {
  readonly request: number;
  readonly addr: bigint;
  readonly data: bigint;
}

/**
 * UML's timer on the host side (time.ts). Once set on the tracer, every UML wait4 goes
 * through it, so a tick can interrupt any wait (main loop, stub runs, faults).
 */
export interface HostTimer {
  wait4(host: HostTracer, pid: number, options: number, statusAddr: bigint): SysResult;
  /** userspace() entry: the process it runs becomes the tick's target. */
  enterUserspace(p: GuestProcess): void;
  /** The loop's case for the profile's timer signal. */
  loopStop(p: GuestProcess, sig: number): void;
}

export interface HostTrace {
  /** For `ptsim trace`: which guest event each host call served (ledger seq → label). */
  readonly events: EventLabels;
}

const OK: SysResult = { ret: 0n, errno: null };

/** One group of a planned run (HostTracer.plan): its calls and their encoded struct ptrace_multi[] (null: a lone call). */
interface PlannedGroup {
  readonly calls: readonly Call[];
  readonly image: Uint8Array | null;
}

export class HostTracer {
  /** Label for host calls made from now on that no later markEvent claims (probes, boot). */
  event = 'boot';
  /** Ledger seq → the guest event a UML host call served. */
  events = new EventLabels();
  /** Off in a streaming run (machine.ts RunOptions.ledger): no labels, rows may be gone. */
  labels = true;
  private unlabeledFrom = 0;

  constructor(
    readonly kernel: Kernel,
    readonly uml: number,
    public mode: Mode,
    readonly policy: Policy,
    /** false: `kernel` already maps UML's scratch (a forked simulation, forkOnto). */
    mapScratch = true,
  ) {
    if (mapScratch) kernel.mapMemory(uml, UML_SCRATCH, UML_SCRATCH_BYTES, PROT_READ | PROT_WRITE);
  }

  /**
   * This tracer over `kernel`, a clone of its kernel (boot-cache.ts): the same mode, current
   * event and labels, for a run with `policy`. Only between host calls, with no timer yet.
   */
  forkOnto(kernel: Kernel, policy: Policy): HostTracer {
    if (this.timer !== null) throw new Error('simulator bug: HostTracer.forkOnto with a timer armed');
    const h = new HostTracer(kernel, this.uml, this.mode, policy, false);
    h.event = this.event;
    h.events = this.events.copy();
    h.labels = this.labels;
    h.unlabeledFrom = this.unlabeledFrom;
    return h;
  }

  /** Label every UML host call since the last mark with `name` (the guest event they served). */
  markEvent(name: string): void {
    if (!this.labels) return;
    const ledger = this.kernel.ledger;
    for (let i = this.unlabeledFrom; i < ledger.length; i++) if (ledger.pidAt(i) === this.uml && !this.events.has(i)) this.events.set(i, name);
    this.unlabeledFrom = ledger.length;
  }

  /** Outside the guest loop (probes, boot) a host call is labelled at once with `event`. */
  private label(): void {
    if (this.event !== 'guest') this.markEvent(this.event);
  }

  ptrace(request: number, pid: number, addr = 0n, data = 0n): SysResult {
    const r = this.kernel.ptrace(this.uml, request, pid, addr, data);
    this.label();
    return r;
  }

  /** UML's timer (time.ts), once the guest runs; null during start-up. */
  timer: HostTimer | null = null;

  wait4(pid: number, options: number, statusAddr = 0n): SysResult {
    if (this.timer) return this.timer.wait4(this, pid, options, statusAddr);
    return this.rawWait4(pid, options, statusAddr);
  }

  /** One wait4 host call; with `untilNs` it returns ERESTARTSYS when UML's own timer expires first. */
  rawWait4(pid: number, options: number, statusAddr = 0n, untilNs?: number): SysResult {
    const r = this.kernel.wait4(this.uml, pid, options, statusAddr, untilNs);
    this.label();
    return r;
  }

  kill(pid: number, sig: number): SysResult {
    const r = this.kernel.kill(this.uml, pid, sig);
    this.label();
    return r;
  }

  /** A hostfs file call (hostfs.ts): recorded only, the host file system is not modelled. */
  fileCall(syscall: string, args: readonly bigint[], ret: bigint): SysResult {
    const r = this.kernel.recordFileCall(this.uml, syscall, args, { ret });
    this.label();
    return r;
  }

  /**
   * A run of ptrace requests on one tracee from call site `site`. Single mode: one call
   * each, stopping at the first failure. Multi mode: groups chosen by the policy become one
   * PTRACE_MULTI each. Returns the first failure, or success.
   */
  run(site: Site, pid: number, calls: readonly Call[]): SysResult {
    if (this.mode === 'single') {
      for (let k = 0; k < calls.length; k++) {
        const c = calls[k]!;
        const r = this.ptrace(c.request, pid, c.addr, c.data);
        if (r.errno !== null || r.ret !== 0n) return r;
      }
      return OK;
    }
    const plan = this.plan(site, calls);
    for (let k = 0; k < plan.length; k++) {
      const g = plan[k]!;
      const r = g.image === null ? this.ptrace(g.calls[0]!.request, pid, g.calls[0]!.addr, g.calls[0]!.data) : this.multi(pid, g.image, g.calls.length);
      if (r.errno !== null || r.ret !== 0n) return r;
    }
    return OK;
  }

  /**
   * Multi mode's groups of a run (groupRun: a pure function of the policy, the site and the
   * requests), each with its encoded struct ptrace_multi[] (null: a lone call). Cached per
   * calls array and site: the userspace loop's runs are the same arrays every time (userspace.ts).
   */
  private readonly plans = new WeakMap<readonly Call[], Map<Site, readonly PlannedGroup[]>>();

  /** The last two plans looked up (the userspace loop alternates its resume and fetch runs): no hash lookups then. */
  private lastPlanA: { calls: readonly Call[]; site: Site; plan: readonly PlannedGroup[] } | null = null;
  private lastPlanB: { calls: readonly Call[]; site: Site; plan: readonly PlannedGroup[] } | null = null;

  private plan(site: Site, calls: readonly Call[]): readonly PlannedGroup[] {
    const a = this.lastPlanA;
    if (a !== null && a.calls === calls && a.site === site) return a.plan;
    const b = this.lastPlanB;
    this.lastPlanB = a;
    if (b !== null && b.calls === calls && b.site === site) return (this.lastPlanA = b).plan;
    const plan = this.plannedRun(site, calls);
    this.lastPlanA = { calls, site, plan };
    return plan;
  }

  private plannedRun(site: Site, calls: readonly Call[]): readonly PlannedGroup[] {
    let bySite = this.plans.get(calls);
    if (!bySite) this.plans.set(calls, (bySite = new Map()));
    let plan = bySite.get(site);
    if (!plan) {
      const out: PlannedGroup[] = [];
      let i = 0;
      for (const n of groupRun(this.policy, site, calls.map((c) => c.request))) {
        const group = calls.slice(i, i + n);
        i += n;
        out.push({ calls: group, image: n === 1 ? null : encodeBatch(this.kernel.arch, group.map((c) => ({ request: c.request, addr: c.addr, localaddr: c.data, length: 0n }))) });
      }
      bySite.set(site, (plan = out));
    }
    return plan;
  }

  private multi(pid: number, image: Uint8Array, count: number): SysResult {
    writeBatchBytes(this.kernel, this.uml, image, UML_MULTI_ARRAY); // UML's own memcpy into its buffer (no host call)
    return this.ptrace(PTRACE.MULTI, pid, UML_MULTI_ARRAY, BigInt(count));
  }
}
