// The public driver of the host model. It holds the KernelState and the ledger, and turns
// each host syscall of an external task (the tracer under test) into one step over the
// state, changed in place (the fast core: no immer on the per-host-syscall path), with the
// ledger entries it appends. Blocking calls (wait4, nanosleep) run the scheduler inside the
// same step. Anything that must not see later steps takes a copy: clone(), snapshot(),
// `new Kernel(state)` (state.ts cloneState, copy-on-write memory). Nothing here reads a clock.
import { archByName, type Arch } from './arch.ts';
import { kernelConfig, type KernelConfig } from './config.ts';
import type { Errno } from './errno.ts';
import type { Ctx, LedgerEntry } from './ledger.ts';
import { Ledger } from './ledger-store.ts';
import { isFault, mmap, readBytes, readWordAt, viewBytes, writeBytes, writeWordAt, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE, type AddressSpace, type Image } from './memory.ts';
import { EMPTY_CHUNKS, memFileBytes, MEMFILE_FD_BASE, writeMemFile, type MemFile } from './memfile.ts';
import { runUntil, type RunResult } from './run.ts';
import { allocMm, cloneState, freshTask, initialState, allocPid, type KernelState, type Program, addTask } from './state.ts';
import { CLONE_VM, doClone } from './syscalls/process.ts';
import { killFrom, sysTgkill } from './syscalls/signal.ts';
import type { SysOutcome } from './syscalls/types.ts';
import { sysMmap, sysMprotect, sysMunmap } from './syscalls/memory.ts';
import type { Task } from './task.ts';
import { putUser32 } from './uaccess.ts';
import { doWait } from './wait.ts';
import { WAIT4_VALID, WNOHANG, describeStatus } from './wait-status.ts';
import { sysPtrace } from '../ptrace/sys-ptrace.ts';
import { requestName, regsetName, PTRACE } from '../ptrace/numbers.ts';
import { resumeMode } from '../ptrace/resume.ts';
import { SIG } from './signals.ts';
import { getItimer, setItimer, type ItimerValue } from './syscalls/itimer.ts';

export interface SysResult {
  /** The raw return value, or -1n with errno set. */
  readonly ret: bigint;
  /** 'ERESTARTSYS': a blocking call cut short by the caller's own timer (wait4 `untilNs`). */
  readonly errno: Errno | 'ERESTARTSYS' | null;
  /** wait4 only: the status word reported (null if none). */
  readonly status?: number | null;
  /** A blocking call that the real kernel would never finish: 'idle' (nothing can run) or 'limit'. */
  readonly hang?: 'idle' | 'limit';
}

const NO_EXTRA: Partial<LedgerEntry> = Object.freeze({});

export class Kernel {
  state: KernelState;
  /** Every host syscall, compact (ledger-store.ts); entries are built on demand. */
  readonly ledger: Ledger;

  /** From a config, or from a state (which is copied: the new kernel never changes it). */
  constructor(configOrState: Partial<KernelConfig> | KernelState = {}, ledger: Ledger = new Ledger()) {
    this.state = 'tasks' in configOrState ? cloneState(configOrState as KernelState) : initialState(kernelConfig(configOrState as Partial<KernelConfig>));
    this.ledger = ledger;
    this.arch = archByName(this.state.config.arch);
  }

  readonly arch: Arch;

  /** An independent copy: its own state (copy-on-write memory), ledger and pricer. */
  clone(): Kernel {
    const k = new Kernel(this.state, this.ledger.clone());
    k.pricer = this.pricer;
    return k;
  }

  /** A deep copy of the current state that later steps do not change. */
  snapshot(): KernelState {
    return cloneState(this.state);
  }

  task(pid: number): Task | undefined {
    return this.state.tasks[pid];
  }

  /** One pure step over the state; entries appended to the ledger in order. */
  /**
   * Optional pricing of host syscalls (the cost model): when set, the simulated clock also
   * advances by the price of every host syscall an external task makes, so host-side costs
   * take simulated time (and shift timer ticks) as they would on a real machine.
   */
  pricer: ((entry: LedgerEntry) => number) | null = null;

  /** The step context kept for the next step (null while a step runs). */
  #ctx: Ctx | null = null;

  step<T>(fn: (ctx: Ctx) => T): T {
    const ctx = this.enterStep();
    const from = this.ledger.length;
    const result = fn(ctx);
    this.leaveStep(ctx, from);
    return result;
  }

  /** A step's start: the ledger drained if due (between host syscalls only, ledger-store.ts setDrain), the reused context. */
  private enterStep(): Ctx {
    this.ledger.maybeDrain();
    const s = this.state;
    // One context reused by every step (its queue is empty between steps, multiSubs reset); a
    // step inside a step (none today) would get its own.
    let ctx = this.#ctx;
    if (ctx === null || ctx.s !== s) ctx = { s, arch: this.arch, ledger: [], multiSubs: undefined };
    this.#ctx = null;
    ctx.multiSubs = undefined;
    return ctx;
  }

  /** A step's end: its queued entries into the ledger, the context kept, and (priced clock) the time of the rows from `from` on. */
  private leaveStep(ctx: Ctx, from: number): void {
    this.flush(ctx);
    this.#ctx = ctx;
    if (this.pricer) {
      const s = ctx.s;
      for (let i = from; i < this.ledger.length; i++) if (s.tasks[this.ledger.pidAt(i)]?.external) s.clockNs += Math.round(this.pricer(this.ledger.at(i)!));
    }
  }

  /** Move the entries a step has queued (tracee syscalls, …) into the ledger, in order. */
  private flush(ctx: Ctx): void {
    const q = ctx.ledger;
    if (q.length === 0) return; // most steps queue nothing (setting an array's length is not free)
    for (const e of q) {
      e.seq = this.ledger.length;
      this.ledger.push(e);
    }
    q.length = 0;
  }

  registerProgram(program: Program): void {
    this.state.programs[program.path] = program;
  }

  /** Create an external task (a tracer driven through this API) with its own address space. */
  spawnExternal(name: string, parent = 1): number {
    return this.step((ctx) => {
      const arch = ctx.arch;
      const mmId = allocMm(ctx.s, initialState(ctx.s.config).mms[0]!);
      const pid = allocPid(ctx.s);
      addTask(ctx.s, freshTask(ctx.s, { tid: pid, parent, mm: mmId, name, external: true, ip: 0n, sp: 0n }));
      void arch;
      return pid;
    });
  }

  /** Map anonymous memory into a task without a syscall entry (set-up of an external task). */
  mapMemory(pid: number, addr: bigint, len: bigint, prot = PROT_READ | PROT_WRITE): void {
    const d = this.state;
    const t = d.tasks[pid]!;
    const r = mmap(d.mms[t.mm]!, addr, len, prot, MAP_FIXED | MAP_PRIVATE);
    if (typeof r === 'string') throw new Error(`mapMemory: ${r}`);
    d.mms[t.mm] = r.mm;
  }

  /** A task's address space (undefined for no such task). */
  private mmOf(pid: number): AddressSpace | undefined {
    const t = this.state.tasks[pid];
    return t && this.state.mms[t.mm];
  }

  readMemory(pid: number, addr: bigint, len: number): Uint8Array | null {
    const mm = this.mmOf(pid);
    if (!mm) return null;
    const r = readBytes(mm, addr, len, 0);
    return isFault(r) ? null : r;
  }

  /** readMemory without the copy (memory.ts viewBytes): valid until that memory next changes. */
  viewMemory(pid: number, addr: bigint, len: number): Uint8Array | null {
    const mm = this.mmOf(pid);
    if (!mm) return null;
    const r = viewBytes(mm, addr, len, 0);
    return isFault(r) ? null : r;
  }

  /** A task writing its own memory (no syscall): only for external tasks' buffers. */
  writeMemory(pid: number, addr: bigint, bytes: Uint8Array): boolean {
    const mm = this.mmOf(pid);
    if (!mm) return false;
    return !isFault(writeBytes(mm, addr, bytes, true));
  }

  readWord(pid: number, addr: bigint): bigint | null {
    const mm = this.mmOf(pid);
    if (!mm) return null;
    const r = readWordAt(mm, addr, this.arch.wordBytes, 0);
    return typeof r === 'bigint' ? r : null;
  }

  writeWord(pid: number, addr: bigint, value: bigint): boolean {
    const mm = this.mmOf(pid);
    if (!mm) return false;
    return writeWordAt(mm, addr, this.arch.wordBytes, value, true) === null; // stored truncated to the word
  }

  // --- mem files (memfile.ts): the owner's own shared mapping, so no syscall entries ----

  /** Create a mem file (UML's physmem: create_mem_file); returns its global descriptor. */
  createMemFile(name: string): number {
    let fd = MEMFILE_FD_BASE;
    const d = this.state;
    d.files ??= {};
    while (d.files[fd]) fd++;
    d.files[fd] = { name, chunks: EMPTY_CHUNKS, images: [] };
    return fd;
  }

  /** Write file bytes through the owner's MAP_SHARED view (no host syscall). */
  writeMemFile(fd: number, offset: bigint, bytes: Uint8Array): void {
    const d = this.state;
    const f = d.files?.[fd];
    if (!f) throw new Error(`writeMemFile: no mem file ${fd}`);
    d.files![fd] = writeMemFile(f as MemFile, offset, bytes);
  }

  readMemFile(fd: number, offset: bigint, len: number): Uint8Array | null {
    const f = this.state.files?.[fd];
    if (!f) return null;
    const page = offset & ~0xfffn;
    const skip = Number(offset - page);
    return memFileBytes(f, page, skip + len).slice(skip);
  }

  /** Attach a program image at a file offset: mapping those pages as text installs its instructions. */
  addMemFileImage(fd: number, image: Image): void {
    const d = this.state;
    const f = d.files?.[fd];
    if (!f) throw new Error(`addMemFileImage: no mem file ${fd}`);
    d.files![fd] = { ...f, images: [...f.images, image] } as MemFile;
  }

  // --- host syscalls of external tasks -------------------------------------------------

  private finish(ctx: Ctx, pid: number, syscall: string, args: readonly bigint[], out: SysOutcome, extra: Partial<LedgerEntry> = NO_EXTRA): SysResult {
    const res = resultOf(out);
    const e: LedgerEntry = { seq: -1, clockNs: ctx.s.clockNs, pid, syscall, args, ret: res.ret, errno: res.errno };
    ctx.ledger.push(extra === NO_EXTRA ? e : Object.assign(e, extra));
    return res;
  }

  private caller(ctx: Ctx, pid: number): Task {
    const t = ctx.s.tasks[pid];
    if (!t) throw new Error(`no task ${pid}: external callers must exist`);
    if (!t.external) throw new Error(`task ${pid} is simulated; only external tasks call the kernel through the driver`);
    return t;
  }

  /** ptrace(request, pid, addr, data) by external task `caller`, raw kernel ABI. */
  ptrace(caller: number, request: number, pid: number, addr: bigint = 0n, data: bigint = 0n): SysResult {
    // step() written out (no closure per call: the most frequent host syscall).
    const ctx = this.enterStep();
    const from = this.ledger.length;
    const t = this.caller(ctx, caller);
    const out = sysPtrace(ctx, t, request, pid, addr, data);
    const res = resultOf(out);
    // The row (request name, target, regset, injected signal, MULTI's sub-requests) goes
    // straight into the ledger's columns, after what the call's tracee side queued.
    this.flush(ctx);
    this.ledger.pushPtrace(ctx.s.clockNs, caller, request, requestName(request), pid, addr, data, res.ret, res.errno, ledgerRegset(request, addr), injectedSignal(request, data), ctx.multiSubs);
    this.leaveStep(ctx, from);
    return res;
  }

  /**
   * fork() by an external task whose child runs `program` (over a copy of the parent's
   * memory), or clone(CLONE_VM | SIGCHLD) sharing it when `shareVm` is set.
   */
  forkChild(caller: number, program: Program, opts: { shareVm?: boolean } = {}): SysResult {
    return this.step((ctx) => {
      const t = this.caller(ctx, caller);
      const flags = BigInt(SIG.SIGCHLD) | (opts.shareVm ? CLONE_VM : 0n);
      const out = doClone(ctx, t, flags, 0n, program);
      return this.finish(ctx, caller, opts.shareVm ? 'clone' : 'fork', opts.shareVm ? [flags] : [], out);
    });
  }

  kill(caller: number, pid: number, sig: number): SysResult {
    return this.step((ctx) => this.finish(ctx, caller, 'kill', [BigInt(pid), BigInt(sig)], killFrom(ctx, this.caller(ctx, caller), pid, sig)));
  }

  tgkill(caller: number, tgid: number, tid: number, sig: number): SysResult {
    const args = [BigInt(tgid), BigInt(tid), BigInt(sig)];
    return this.step((ctx) => this.finish(ctx, caller, 'tgkill', args, sysTgkill(ctx, this.caller(ctx, caller), args)));
  }

  mmap(caller: number, addr: bigint, len: bigint, prot: number, flags: number): SysResult {
    const args = [addr, len, BigInt(prot), BigInt(flags), -1n, 0n];
    return this.step((ctx) => this.finish(ctx, caller, 'mmap', args, sysMmap(ctx, this.caller(ctx, caller), args)));
  }

  munmap(caller: number, addr: bigint, len: bigint): SysResult {
    return this.step((ctx) => this.finish(ctx, caller, 'munmap', [addr, len], sysMunmap(ctx, this.caller(ctx, caller), [addr, len])));
  }

  mprotect(caller: number, addr: bigint, len: bigint, prot: number): SysResult {
    const args = [addr, len, BigInt(prot)];
    return this.step((ctx) => this.finish(ctx, caller, 'mprotect', args, sysMprotect(ctx, this.caller(ctx, caller), args)));
  }

  getpid(caller: number): SysResult {
    return this.step((ctx) => this.finish(ctx, caller, 'getpid', [], { ret: BigInt(this.caller(ctx, caller).tgid) }));
  }

  /**
   * wait4(pid, statusAddr, options, NULL). Without WNOHANG the scheduler runs every
   * simulated task until something reportable happens; if nothing ever can, the result
   * carries `hang` (the real call would block forever).
   *
   * `untilNs`: the caller's own timer expires at that simulated time (UML's host POSIX timer,
   * uml/time.ts). If nothing is reportable by then the call returns errno 'ERESTARTSYS', as
   * strace shows a wait4 a signal handler interrupted (`= ? ERESTARTSYS`); the caller runs
   * its handler and restarts the call.
   */
  wait4(caller: number, pid: number, options = 0, statusAddr = 0n, untilNs?: number): SysResult {
    // step() written out (no closure per call), as ptrace's.
    const ctx = this.enterStep();
    const from = this.ledger.length;
    const res = this.doWait4(ctx, caller, pid, options, statusAddr, untilNs);
    this.leaveStep(ctx, from);
    return res;
  }

  /** wait4's body, inside the step wait4 runs around it. */
  private doWait4(ctx: Ctx, caller: number, pid: number, options: number, statusAddr: bigint, untilNs: number | undefined): SysResult {
    const t = this.caller(ctx, caller);
    if (options & ~WAIT4_VALID) return this.finish(ctx, caller, 'wait4', wait4Args(pid, statusAddr, options), { errno: 'EINVAL' }, { wait: { status: null } });
    let r = doWait(ctx, t, pid, options);
    let hang: RunResult | undefined;
    if (r.kind === 'nothing' && !(options & WNOHANG)) {
      const deadline = untilNs ?? Infinity;
      hang = runUntil(ctx, () => (r = doWait(ctx, t, pid, options)).kind !== 'nothing' || ctx.s.clockNs >= deadline, ctx.s.config.waitInsnLimit, true, deadline);
      if (r.kind === 'nothing' && ctx.s.clockNs >= deadline) {
        ctx.ledger.push({ seq: -1, clockNs: ctx.s.clockNs, pid: caller, syscall: 'wait4', args: wait4Args(pid, statusAddr, options), ret: -1n, errno: 'ERESTARTSYS', wait: { status: null } });
        return { ret: -1n, errno: 'ERESTARTSYS', status: null };
      }
    }
    if (r.kind === 'error') return this.finish(ctx, caller, 'wait4', wait4Args(pid, statusAddr, options), { errno: r.errno }, { wait: { status: null } });
    if (r.kind === 'nothing') {
      const res = this.finish(ctx, caller, 'wait4', wait4Args(pid, statusAddr, options), { ret: 0n }, { wait: { status: null } });
      return hang && hang !== 'done' ? { ...res, hang } : { ...res, status: null };
    }
    if (statusAddr !== 0n && putUser32(ctx, t, statusAddr, r.status) === 'EFAULT') {
      return this.finish(ctx, caller, 'wait4', wait4Args(pid, statusAddr, options), { errno: 'EFAULT' }, { wait: { status: r.status } });
    }
    // The row goes straight into the ledger's columns (as ptrace's), after what the tracees queued.
    this.flush(ctx);
    this.ledger.pushWait(ctx.s.clockNs, caller, pid, statusAddr, options, r.tid, r.status);
    return { ret: BigInt(r.tid), errno: null, status: r.status };
  }

  /** Let simulated tasks run until none is runnable (sleepers stay asleep). No ledger entry. */
  settle(insnLimit = this.state.config.waitInsnLimit): RunResult {
    return this.step((ctx) => runUntil(ctx, () => false, insnLimit, false));
  }

  /** nanosleep by an external task: other tasks run while the simulated clock advances. */
  sleep(caller: number, ns: number): SysResult {
    return this.step((ctx) => {
      const until = ctx.s.clockNs + ns;
      runUntil(ctx, () => ctx.s.clockNs >= until, ctx.s.config.waitInsnLimit, true, until);
      ctx.s.clockNs = Math.max(ctx.s.clockNs, until);
      return this.finish(ctx, caller, 'nanosleep', [BigInt(ns)], { ret: 0n });
    });
  }

  /** getitimer(which) by an external task (syscalls/itimer.ts); the value is returned, not copied out. */
  getitimer(caller: number, which: number): SysResult & { itimer?: ItimerValue } {
    return this.step((ctx) => {
      const v = getItimer(ctx, this.caller(ctx, caller), which);
      const res = this.finish(ctx, caller, 'getitimer', [BigInt(which)], v === 'EINVAL' ? { errno: v } : { ret: 0n });
      return v === 'EINVAL' ? res : { ...res, itimer: v };
    });
  }

  /** setitimer(which, value) by an external task. External tasks retire no instructions, so only ITIMER_REAL ever fires for them. */
  setitimer(caller: number, which: number, value: ItimerValue): SysResult {
    return this.step((ctx) => {
      const old = setItimer(ctx, this.caller(ctx, caller), which, value);
      return this.finish(ctx, caller, 'setitimer', [BigInt(which), BigInt(value.intervalNs), BigInt(value.valueNs)], old === 'EINVAL' ? { errno: old } : { ret: 0n });
    });
  }

  /**
   * timer_settime(timerid, 0, {interval, value}) by an external task: recorded in the ledger
   * only. An external task is not run by the scheduler, so its timer's expiry is handed back
   * by the caller as wait4's `untilNs` (see there) instead of being queued as a signal.
   */
  /**
   * A host file call by an external task (UML's hostfs: access, newfstatat, openat, pread64,
   * close) whose outcome the caller gives: host files are not modelled, so, like
   * timer_settime, the call is recorded in the ledger only.
   */
  recordFileCall(caller: number, syscall: string, args: readonly bigint[], outcome: { ret: bigint } | { errno: Errno }): SysResult {
    return this.step((ctx) => {
      this.caller(ctx, caller);
      return this.finish(ctx, caller, syscall, [...args], outcome);
    });
  }

  timerSettime(caller: number, timerId: number, valueNs: number, intervalNs = 0): SysResult {
    return this.step((ctx) => {
      this.caller(ctx, caller);
      return this.finish(ctx, caller, 'timer_settime', [BigInt(timerId), 0n, BigInt(intervalNs), BigInt(valueNs)], { ret: 0n });
    });
  }
}

const LEDGER_REGSET_NAMES = new Map<number, string>();

/** `NT_X86_XSTATE`, `NT_0x…` for unknown types (interned: one string per regset type). */
function ledgerRegsetName(nt: number): string {
  let name = LEDGER_REGSET_NAMES.get(nt);
  if (name === undefined) LEDGER_REGSET_NAMES.set(nt, (name = `NT_${regsetName(nt).replace(/^NT_/, '')}`));
  return name;
}

/** wait4(pid, statusAddr, options, NULL)'s arguments, for the ledger rows built as entries. */
function wait4Args(pid: number, statusAddr: bigint, options: number): bigint[] {
  return [BigInt(pid), statusAddr, BigInt(options), 0n];
}

/** A syscall outcome as the caller sees it: the return value, or -1 with errno. */
function resultOf(out: SysOutcome): SysResult {
  if ('errno' in out) return { ret: -1n, errno: out.errno };
  const ret = 'ret' in out ? out.ret : 0n;
  return ret === 0n ? RESULT_0 : { ret, errno: null };
}

/** `= 0`, the most common result, one frozen object (results are values: callers copy, never change one). */
const RESULT_0: SysResult = Object.freeze({ ret: 0n, errno: null });

/** The ledger's regset of a ptrace call: GETREGSET/SETREGSET's NT_* type (addr), else none. */
function ledgerRegset(request: number, addr: bigint): string | undefined {
  return request === PTRACE.GETREGSET || request === PTRACE.SETREGSET ? ledgerRegsetName(Number(addr)) : undefined;
}

/** The signal a resume (or DETACH) injects: data when it is a signal number, else none. */
function injectedSignal(request: number, data: bigint): number | undefined {
  return (resumeMode(request) || request === PTRACE.DETACH) && data > 0n && data <= 64n ? Number(data) : undefined;
}

export { describeStatus };
