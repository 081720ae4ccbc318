// Shared test rig for the property and model-based suites: a tracer driven through the public
// Kernel API, random tracee programs (Asm), a record of every host call the tracer made (the
// ledger must match it), kernel-wide invariants, and a stable serialisation for determinism.
// Not a test file itself (no `.test.ts`).
import fc from 'fast-check';
import { archByName, type Arch } from '../../src/kernel/arch.ts';
import { Asm } from '../../src/kernel/asm.ts';
import type { KernelConfig } from '../../src/kernel/config.ts';
import { ERRNO } from '../../src/kernel/errno.ts';
import { Kernel, type SysResult } from '../../src/kernel/kernel.ts';
import { Ledger } from '../../src/kernel/ledger-store.ts';
import { AddressSpace, PROT_READ, PROT_WRITE } from '../../src/kernel/memory.ts';
import { SIG } from '../../src/kernel/signals.ts';
import { textBase, type Program } from '../../src/kernel/state.ts';
import { syscallNr } from '../../src/kernel/syscall-table.ts';
import type { Task } from '../../src/kernel/task.ts';
import { stoppedStatus, WIFCONTINUED, WIFEXITED, WIFSIGNALED, WIFSTOPPED, WNOHANG, WUNTRACED, WCONTINUED, __WALL, __WCLONE } from '../../src/kernel/wait-status.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';
import { lookupRequest } from '../../src/ptrace/request-table.ts';

export type ProfileName = '6.18' | '2.6.26';

/** Small scheduler budgets so a blocking wait on a spinning tracee gives up quickly. */
export function profileConfig(p: ProfileName, seed: number): Partial<KernelConfig> {
  return { generation: p, seed, waitInsnLimit: 20_000, quantumInsns: 300 };
}

// --- tracer memory layout --------------------------------------------------------------
export const BUF = 0x10000000n; //     0x3000 bytes rw: ptrace result buffers
export const OUT_WORD = BUF; //          PEEK*, GETEVENTMSG
export const OUT_SIGINFO = BUF + 0x100n;
export const OUT_SCINFO = BUF + 0x200n;
export const OUT_REGS = BUF + 0x400n;
export const OUT_FPREGS = BUF + 0x800n;
export const OUT_REGSET = BUF + 0x1000n; // up to 4096 bytes
export const OUT_IOV = BUF + 0x2000n;
export const OUT_STATUS = BUF + 0x2100n;
export const DATA = 0x20000000n; //    0x1000 bytes rw, inherited by forked tracees
export const DATA_PATH = DATA; //        "/ptsim/next"
export const DATA_BADPATH = DATA + 0x80n; // "/ptsim/missing"
export const DATA_TIMESPEC = DATA + 0x100n;
export const DATA_SIGACT = DATA + 0x200n; // sa_handler = SIG_IGN
export const RO = 0x30000000n; //      0x1000 bytes read-only (EFAULT for writes)
export const BAD = 8n; //               never mapped
export const UNMAPPED = 0x1000n;
export const NONEXISTENT_PID = 4194300;
export const NEXT_PATH = '/ptsim/next';

// --- tracee programs ---------------------------------------------------------------------
export type TraceeOp =
  | { op: 'getpid' }
  | { op: 'spin'; n: number }
  | { op: 'fault' }
  | { op: 'int3' }
  | { op: 'ud2' }
  | { op: 'fork'; child: 'exit' | 'spin' | 'getpid'; code: number }
  | { op: 'exec'; ok: boolean }
  | { op: 'raise'; sig: number }
  | { op: 'nanosleep' }
  | { op: 'pause' }
  | { op: 'ignore'; sig: number }
  | { op: 'exit'; code: number };

export interface TraceeSpec {
  readonly loop: number;
  readonly body: readonly TraceeOp[];
  readonly end: 'exit' | 'spin' | 'ud2';
  readonly code: number;
}

export type TraceMode = 'traceme' | 'attach' | 'seize' | 'none';

export interface Scenario {
  readonly profile: ProfileName;
  readonly seed: number;
  readonly tracees: readonly { readonly spec: TraceeSpec; readonly mode: TraceMode }[];
  readonly seizeOptions: number;
}

const selfSig = fc.constantFrom(SIG.SIGUSR1, SIG.SIGSTOP, SIG.SIGCHLD, SIG.SIGTERM, SIG.SIGCONT, SIG.SIGTRAP, SIG.SIGUSR2);

export const traceeOpArb: fc.Arbitrary<TraceeOp> = fc.oneof(
  { arbitrary: fc.constant({ op: 'getpid' } as const), weight: 6 },
  { arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => ({ op: 'spin', n }) as const), weight: 3 },
  { arbitrary: fc.constant({ op: 'fault' } as const), weight: 1 },
  { arbitrary: fc.constant({ op: 'int3' } as const), weight: 1 },
  { arbitrary: fc.constant({ op: 'ud2' } as const), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('fork' as const), child: fc.constantFrom('exit' as const, 'spin' as const, 'getpid' as const), code: fc.integer({ min: 0, max: 255 }) }), weight: 2 },
  { arbitrary: fc.boolean().map((ok) => ({ op: 'exec', ok }) as const), weight: 1 },
  { arbitrary: selfSig.map((sig) => ({ op: 'raise', sig }) as const), weight: 3 },
  { arbitrary: fc.constant({ op: 'nanosleep' } as const), weight: 1 },
  { arbitrary: fc.constant({ op: 'pause' } as const), weight: 1 },
  { arbitrary: selfSig.map((sig) => ({ op: 'ignore', sig }) as const), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 255 }).map((code) => ({ op: 'exit', code }) as const), weight: 1 },
);

export const traceeSpecArb: fc.Arbitrary<TraceeSpec> = fc.record({
  loop: fc.integer({ min: 1, max: 4 }),
  body: fc.array(traceeOpArb, { minLength: 1, maxLength: 8 }),
  end: fc.constantFrom('exit' as const, 'spin' as const, 'ud2' as const),
  code: fc.integer({ min: 0, max: 255 }),
});

export function scenarioArb(profile: ProfileName): fc.Arbitrary<Scenario> {
  return fc.record({
    profile: fc.constant(profile),
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    tracees: fc.array(
      fc.record({ spec: traceeSpecArb, mode: fc.constantFrom<TraceMode>('traceme', 'traceme', 'attach', 'seize', 'none') }),
      { minLength: 1, maxLength: 2 },
    ),
    seizeOptions: fc.constantFrom(0, 0x1, 0x3, 0x13, 0x41, 0x5f),
  });
}

function reg(arch: Arch, i: number): string {
  return arch.regNames[i]!;
}

/** Compile a tracee: optional TRACEME + raise(SIGSTOP) prologue, a loop over the body, an ending. */
export function compileTracee(arch: Arch, spec: TraceeSpec, traceme: boolean, path: string): Program {
  const a = new Asm(arch);
  const ax = reg(arch, arch.ax);
  const a0 = reg(arch, arch.argRegs[0]!);
  const a1 = reg(arch, arch.argRegs[1]!);
  const raise = (sig: number) => {
    a.sys('gettid');
    a.emit({ op: 'movr', dst: a0, src: ax });
    a.mov(a1, sig).mov(ax, syscallNr(arch.name, 'tkill')!).emit({ op: 'syscall' });
  };
  if (traceme) {
    a.sys('ptrace', PTRACE.TRACEME);
    raise(SIG.SIGSTOP);
  }
  const loop = arch.name === 'x86_64' && spec.loop > 1;
  if (loop) a.mov('r12', spec.loop);
  const top = a.here;
  for (const op of spec.body) {
    switch (op.op) {
      case 'getpid': a.sys('getpid'); break;
      case 'spin': a.spin(op.n); break;
      case 'fault': a.load(UNMAPPED); break;
      case 'int3': a.int3(); break;
      case 'ud2': a.emit({ op: 'ud2' }); break;
      case 'fork': {
        a.sys('fork');
        const jump = a.here;
        a.emit({ op: 'jnz', reg: ax, target: 0 });
        if (op.child === 'spin') a.spin(30);
        if (op.child === 'getpid') a.sys('getpid');
        a.exit(op.code);
        a.insns[jump] = { op: 'jnz', reg: ax, target: a.here };
        break;
      }
      case 'exec': a.sys('execve', op.ok ? DATA_PATH : DATA_BADPATH, 0, 0); break;
      case 'raise': raise(op.sig); break;
      case 'nanosleep': a.sys('nanosleep', DATA_TIMESPEC, 0); break;
      case 'pause': a.sys('pause'); break;
      case 'ignore': a.sys('rt_sigaction', op.sig, DATA_SIGACT, 0, 8); break;
      case 'exit': a.exit(op.code); break;
    }
  }
  if (loop) a.emit({ op: 'add', dst: 'r12', imm: -1n }, { op: 'jnz', reg: 'r12', target: top });
  if (spec.end === 'exit') a.exit(spec.code);
  else if (spec.end === 'spin') a.spinForever();
  else a.emit({ op: 'ud2' });
  return a.build(path);
}

export function nextProgram(arch: Arch): Program {
  return new Asm(arch).sys('getpid').spin(20).exit(3).build(NEXT_PATH, textBase(arch));
}

// --- the rig -------------------------------------------------------------------------------

/** One host call the tracer made, as the ledger must show it. */
export interface Expected {
  readonly syscall: string;
  readonly args: readonly bigint[];
  readonly ret: bigint;
  readonly errno: string | null;
  /** wait4: the reported status (undefined: not known from the result, e.g. EFAULT). */
  readonly status?: number | null;
}

export class Rig {
  constructor(
    readonly k: Kernel,
    readonly T: number,
    readonly children: number[],
    readonly expected: Expected[],
  ) {}

  get arch(): Arch {
    return this.k.arch;
  }

  get generation(): ProfileName {
    return this.k.state.config.generation;
  }

  static create(sc: Scenario): Rig {
    const k = new Kernel(profileConfig(sc.profile, sc.seed));
    const arch = k.arch;
    k.registerProgram(nextProgram(arch));
    const T = k.spawnExternal('tracer');
    k.mapMemory(T, BUF, 0x3000n, PROT_READ | PROT_WRITE);
    k.mapMemory(T, DATA, 0x1000n, PROT_READ | PROT_WRITE);
    k.mapMemory(T, RO, 0x1000n, PROT_READ);
    const data = new Uint8Array(0x1000);
    const enc = new TextEncoder();
    data.set(enc.encode(NEXT_PATH), 0);
    data.set(enc.encode('/ptsim/missing'), 0x80);
    const v = new DataView(data.buffer);
    if (arch.wordBytes === 8) v.setBigUint64(0x108, 5000n, true); // { tv_sec 0, tv_nsec 5000 }
    else v.setUint32(0x104, 5000, true);
    v.setUint32(0x200, 1, true); // SIG_IGN
    k.writeMemory(T, DATA, data);
    const r = new Rig(k, T, [], []);
    sc.tracees.forEach(({ spec, mode }, i) => {
      const res = r.fork(compileTracee(arch, spec, mode === 'traceme', `/ptsim/tracee${i}`));
      const pid = Number(res.ret);
      r.children.push(pid);
      const seize = mode === 'seize' && sc.profile === '6.18';
      if (mode === 'attach' || (mode === 'seize' && !seize)) r.ptrace(PTRACE.ATTACH, pid);
      if (seize) r.ptrace(PTRACE.SEIZE, pid, 0n, BigInt(sc.seizeOptions));
    });
    return r;
  }

  clone(): Rig {
    return new Rig(this.k.clone(), this.T, [...this.children], [...this.expected]);
  }

  ptrace(req: number, pid: number, addr = 0n, data = 0n): SysResult {
    const res = this.k.ptrace(this.T, req, pid, addr, data);
    this.expected.push({ syscall: 'ptrace', args: [BigInt(req), BigInt(pid), addr, data], ret: res.ret, errno: res.errno });
    return res;
  }

  wait4(pid: number, options: number, statusAddr = 0n): SysResult {
    const res = this.k.wait4(this.T, pid, options, statusAddr);
    this.expected.push({ syscall: 'wait4', args: [BigInt(pid), statusAddr, BigInt(options), 0n], ret: res.ret, errno: res.errno, status: res.errno === 'EFAULT' ? undefined : res.status ?? null });
    return res;
  }

  kill(pid: number, sig: number): SysResult {
    const res = this.k.kill(this.T, pid, sig);
    this.expected.push({ syscall: 'kill', args: [BigInt(pid), BigInt(sig)], ret: res.ret, errno: res.errno });
    return res;
  }

  fork(program: Program): SysResult {
    const res = this.k.forkChild(this.T, program);
    this.expected.push({ syscall: 'fork', args: [], ret: res.ret, errno: res.errno });
    return res;
  }

  word(addr: bigint): bigint {
    const w = this.k.readWord(this.T, addr);
    if (w === null) throw new Error(`tracer word at 0x${addr.toString(16)} unreadable`);
    return w;
  }

  bytes(addr: bigint, len: number): Uint8Array {
    const b = this.k.readMemory(this.T, addr, len);
    if (!b) throw new Error(`tracer bytes at 0x${addr.toString(16)} unreadable`);
    return b;
  }
}

// --- the model: what the run has shown so far ----------------------------------------------

export interface Model {
  /** Every pid ever present in the task table. */
  seen: Set<number>;
  /** Pids that were present and disappeared: they must never come back. */
  gone: Set<number>;
  /** Tracees whose current ptrace-stop wait4 has already reported (until something may end it). */
  stopReported: Set<number>;
  /** Pids whose exit wait4 has reported to the tracer. */
  exitReported: Set<number>;
  /** insnCount of each zombie when first seen as one. */
  zombieInsns: Map<number, number>;
  /** Human-readable log of the steps (printed with a failure). */
  steps: string[];
}

export function newModel(r: Rig): Model {
  const m: Model = { seen: new Set(), gone: new Set(), stopReported: new Set(), exitReported: new Set(), zombieInsns: new Map(), steps: [] };
  checkInvariants(m, r);
  return m;
}

export function cloneModel(m: Model): Model {
  return { seen: new Set(m.seen), gone: new Set(m.gone), stopReported: new Set(m.stopReported), exitReported: new Set(m.exitReported), zombieInsns: new Map(m.zombieInsns), steps: [...m.steps] };
}

export function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`invariant violated: ${msg}`);
}

function sameArgs(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Kernel-wide invariants, checked after every step of every run. */
export function checkInvariants(m: Model, r: Rig): void {
  const s = r.k.state;
  const ledger = r.k.ledger;
  // Ledger: seq numbers are 0..n-1; the tracer's entries are exactly its calls, in order.
  for (let i = 0; i < ledger.length; i++) assert(ledger.at(i)!.seq === i, `ledger[${i}].seq = ${ledger.at(i)!.seq}`);
  const mine = ledger.filter((e) => e.pid === r.T);
  assert(mine.length === r.expected.length, `tracer ledger has ${mine.length} entries, tracer made ${r.expected.length} calls`);
  mine.forEach((e, i) => {
    const x = r.expected[i]!;
    const where = `tracer call #${i} (${x.syscall})`;
    assert(e.syscall === x.syscall && sameArgs(e.args, x.args), `${where}: ledger shows ${e.syscall}(${e.args.join(', ')})`);
    assert(e.ret === x.ret && e.errno === x.errno, `${where}: ledger ret ${e.ret}/${e.errno}, call returned ${x.ret}/${x.errno}`);
    if (x.syscall === 'wait4' && x.status !== undefined) assert((e.wait?.status ?? null) === x.status, `${where}: ledger status ${e.wait?.status}, call ${x.status}`);
  });
  // Pids: never reused within a run, always below nextPid.
  for (const key of Object.keys(s.tasks)) {
    const pid = Number(key);
    assert(!m.gone.has(pid), `pid ${pid} reappeared after it was reaped`);
    assert(pid === 1 || pid < s.nextPid, `pid ${pid} >= nextPid ${s.nextPid}`);
    m.seen.add(pid);
  }
  for (const pid of m.seen) if (!(pid in s.tasks)) m.gone.add(pid);
  // Tasks.
  for (const t of Object.values(s.tasks)) {
    assert(s.tasks[t.tid] === t, `task table key mismatch for ${t.tid}`);
    if (t.tracer !== null) {
      const tracer = s.tasks[t.tracer];
      assert(tracer !== undefined, `task ${t.tid} traced by missing task ${t.tracer}`);
      assert(tracer.run.kind !== 'zombie', `task ${t.tid} traced by zombie ${t.tracer}`);
      assert(t.tracer !== t.tid && tracer.tgid !== t.tgid, `task ${t.tid} traces itself`);
    }
    if (t.run.kind === 'ptrace-stop') {
      assert(t.tracer !== null, `task ${t.tid} is in a ${t.run.stop.kind} ptrace-stop without a tracer`);
    }
    const bad = t.regs.findIndex((v) => v < 0n || v > r.arch.mask);
    assert(bad < 0, `task ${t.tid}: ${r.arch.regNames[bad]} = 0x${t.regs[bad]?.toString(16)} does not fit a ${r.arch.wordBytes * 8}-bit register`);
    if (t.listening) assert(t.run.kind === 'ptrace-stop' && t.seized && t.tracer !== null, `task ${t.tid} listening outside a seized ptrace-stop`);
    if (t.run.kind === 'zombie') {
      assert(t.pending.length === 0, `zombie ${t.tid} has pending signals`);
      const first = m.zombieInsns.get(t.tid);
      if (first === undefined) m.zombieInsns.set(t.tid, t.insnCount);
      else assert(first === t.insnCount, `zombie ${t.tid} ran instructions (${first} → ${t.insnCount})`);
    } else {
      assert(!m.zombieInsns.has(t.tid), `zombie ${t.tid} came back to life as ${t.run.kind}`);
    }
  }
  // A stop wait4 reported stays a reported stop until a request or signal can end it.
  for (const pid of m.stopReported) {
    const t = s.tasks[pid];
    assert(t && t.run.kind === 'ptrace-stop' && t.run.stop.reported, `task ${pid}: its reported stop ended without a resume (now ${t?.run.kind ?? 'gone'})`);
  }
}

/**
 * Bookkeeping and checks for one wait4 result. `before` is the task table before the call.
 * Returns a one-line description.
 */
export function checkWaitResult(m: Model, r: Rig, pid: number, options: number, statusAddr: bigint, res: SysResult, before: Record<number, Task>): string {
  const s = r.k.state;
  if (res.errno === 'EFAULT') {
    // The status was collected but could not be stored: whatever stop it was is consumed.
    for (const t of Object.values(s.tasks)) if (t.tracer === r.T && t.run.kind === 'ptrace-stop' && t.run.stop.reported) m.stopReported.add(t.tid);
    return 'EFAULT';
  }
  if (res.errno !== null) {
    assert(res.ret === -1n, 'wait4 error with ret != -1');
    if (res.errno === 'ECHILD' && pid === -1 && allEligible(options)) {
      const any = Object.values(s.tasks).some((t) => t.tracer === r.T || (t.parent === r.T && t.tid === t.tgid));
      assert(!any, 'wait4(-1, __WALL) → ECHILD while the tracer has children or tracees');
    }
    return res.errno;
  }
  if (res.ret === 0n) {
    assert(options & WNOHANG || res.hang, 'wait4 returned 0 without WNOHANG and without hanging');
    if (pid === -1 && options & WNOHANG && allEligible(options)) {
      for (const t of Object.values(s.tasks)) {
        if (t.tracer === r.T && t.run.kind === 'ptrace-stop') assert(t.run.stop.reported, `wait4(-1, WNOHANG) → 0 but task ${t.tid} has an unreported ${t.run.stop.kind} stop`);
        if (t.run.kind === 'zombie' && (t.tracer === r.T || (t.parent === r.T && t.tracer === null)) && !(t.run.kind === 'zombie' && t.run.reportedToTracer)) {
          throw new Error(`invariant violated: wait4(-1, WNOHANG) → 0 but zombie ${t.tid} is unreported`);
        }
      }
    }
    return res.hang ? `0 (${res.hang})` : '0';
  }
  const P = Number(res.ret);
  const status = res.status!;
  assert(!m.gone.has(P) || P in before, `wait4 reported pid ${P}, reaped earlier`);
  if (statusAddr === OUT_STATUS) assert(Number(BigInt.asIntN(32, r.word(OUT_STATUS) & 0xffffffffn)) === (status | 0), 'status word in tracer memory differs from the result');
  const t = s.tasks[P];
  if (WIFSTOPPED(status)) {
    if (t && t.run.kind === 'ptrace-stop' && t.tracer === r.T) {
      assert(!m.stopReported.has(P), `stop of ${P} (${t.run.stop.kind}) reported twice`);
      assert(t.run.stop.reported, `reported stop of ${P} not marked reported`);
      assert(stoppedStatus(t.run.stop.statusSig, t.run.stop.event) === status, `status 0x${status.toString(16)} does not encode the ${t.run.stop.kind} stop of ${P}`);
      m.stopReported.add(P);
    } else {
      assert(t && t.run.kind === 'job-stop' && t.run.reported && options & WUNTRACED, `stopped status 0x${status.toString(16)} for ${P}, which is ${t?.run.kind ?? 'gone'}`);
      assert(status === stoppedStatus(t.run.sig), 'job-stop status mismatch');
    }
  } else if (WIFCONTINUED(status)) {
    assert(options & WCONTINUED, 'continued status without WCONTINUED');
  } else {
    assert(WIFEXITED(status) || WIFSIGNALED(status), `undecodable status 0x${status.toString(16)}`);
    assert(!m.exitReported.has(P), `exit of ${P} reported twice`);
    m.exitReported.add(P);
    m.stopReported.delete(P);
    assert(!t || (t.run.kind === 'zombie' && t.run.reportedToTracer), `task ${P} still present after its exit was reported`);
  }
  return `${P} 0x${(status >>> 0).toString(16)}`;
}

/** Every child and tracee of the rig's tracer passes eligible_child() (they are all SIGCHLD children). */
function allEligible(options: number): boolean {
  return (options & __WALL) !== 0 || (options & __WCLONE) === 0;
}

/** ESRCH rule (ptrace.md §6): must this call fail with ESRCH whatever the request does? */
export function mustBeEsrch(r: Rig, req: number, target: Task | undefined): boolean {
  if (req === PTRACE.TRACEME) return false;
  const modern = r.generation === '6.18';
  if (!target) return true;
  if (req === PTRACE.ATTACH || (req === PTRACE.SEIZE && modern)) return false;
  if (target.tracer !== r.T) return true;
  const exempt = req === PTRACE.KILL || (req === PTRACE.INTERRUPT && modern);
  if (exempt) return false;
  if (!modern && target.run.kind === 'job-stop') return false; // 2.6.26 ptrace_check_attach converts it
  return !(target.run.kind === 'ptrace-stop' && !target.listening);
}

/** Does the request number exist in this kernel (else EIO once the attach check passed)? */
export function requestKnown(r: Rig, req: number): boolean {
  const e = lookupRequest(req);
  if (!e || !e.handler) return false;
  const cfg = r.k.state.config;
  if (!e.generations.includes(cfg.generation) || !e.arches.includes(cfg.arch)) return false;
  if ((req === PTRACE.SYSEMU || req === PTRACE.SYSEMU_SINGLESTEP) && !cfg.sysemu) return false;
  return true;
}

export function isKernelErrno(e: unknown): boolean {
  return e === null || (typeof e === 'string' && e in ERRNO);
}

// --- stable serialisation ---------------------------------------------------------------

/** JSON with sorted keys; bigint, Uint8Array, Map, Set, AddressSpace and Ledger rendered as data. */
export function stableJson(v: unknown): string {
  return JSON.stringify(normalise(v));
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function normalise(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return '<undefined>';
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return `bytes:${hex(v)}`;
  if (Array.isArray(v)) return v.map(normalise);
  if (v instanceof Map) return { '<map>': [...v.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, x]) => [normalise(k), normalise(x)]) };
  if (v instanceof Set) return { '<set>': [...v].map(normalise) };
  if (v instanceof AddressSpace) return { pages: normalise(v.pages), images: normalise(v.images), mmapBase: normalise(v.mmapBase) };
  if (v instanceof Ledger) return normalise([...v]);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = normalise((v as Record<string, unknown>)[k]);
  return out;
}

export { archByName };
