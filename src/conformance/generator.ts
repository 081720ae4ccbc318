// Random conformance scripts whose outcome on the real kernel is deterministic.
//
// fast-check generates plain numbers (a setup, child-op choices and tracer "steps"); a
// deterministic builder turns them into a valid script. The builder replays every tracer
// operation it emits on the simulator (sim-runner.ts SimRun) to know what the tracee is
// doing, and emits only operations whose real result cannot depend on timing:
//
// * After an operation that lets a task run (a resume, DETACH, a signal that wakes it),
//   that task is "in flight": no request, kill or WNOHANG wait touches it until a blocking
//   `wait` has collected its next stop/exit (only emitted when the simulator says one will
//   come) or a `settle` has let everything come to rest.
// * Registers are shown only once the child has left the harness's C prelude (whose
//   registers belong to the compiler) and never the untracked ones (compare.ts).
// * Register writes follow a whitelist, so the child never calls kill/tgkill on another
//   pid, never jumps to a code address, never runs with TF set.
// * An untraced grandchild exits asynchronously and its SIGCHLD reaches the child at an
//   unknown instruction: a resume that runs into such a fork is replaced by
//   `CONT 0 0` + `settle` (the only stop that can follow is that SIGCHLD), and the child's
//   registers count as unknown until its next syscall stop. Every `fork` op is followed by
//   `pause` for the same reason.
//
// Because the builder repairs instead of rejecting, every shrunk input is a valid script too.
import fc from 'fast-check';
import { X86_64 } from '../kernel/arch.ts';
import { INSN_BYTES } from '../kernel/isa.ts';
import type { Task } from '../kernel/task.ts';
import { UNTRACKED_FIELDS } from './compare.ts';
import { parseScript, parseTracerLine, X86_64_REG_NAMES, type Script } from './script.ts';
import { CODE_ADDR, childProgramLayout, startSimulation, type SimRun } from './sim-runner.ts';

export interface GenInput {
  readonly setup: number;
  readonly child: readonly (readonly [number, number, number])[];
  readonly steps: readonly (readonly [number, number, number, number])[];
}

export const genInputArb: fc.Arbitrary<GenInput> = fc.record({
  setup: fc.nat(9),
  child: fc.array(fc.tuple(fc.nat(30), fc.nat(63), fc.nat(63)), { maxLength: 7 }),
  steps: fc.array(fc.tuple(fc.nat(999), fc.nat(63), fc.nat(63), fc.nat(63)), { maxLength: 32 }),
});

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

// ---------------------------------------------------------------- the child program

const SIGNALS = ['SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTRAP', 'SIGSEGV', 'SIGKILL', 'SIGHUP', 'SIGALRM', 'SIGWINCH', '34', '64', '0'];
const IGNORABLE = ['SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGCHLD', 'SIGCONT', 'SIGTSTP', 'SIGTRAP', 'SIGSEGV', 'SIGHUP', 'SIGWINCH', '34'];
const WORDS = ['0', '1', '0xdeadbeef', '-1', '0x123456789abcdef0', '777'];
const CODES = ['0', '1', '3', '42', '255', '256'];
const SPINS = ['0', '1', '2', '5', '1000', '100000'];
const SAFE_SYSCALLS = [
  'syscall 39 1 2 3 4 5 6', 'syscall 102', 'syscall 24', 'syscall 500', 'syscall -1', 'syscall 110', 'syscall 186 0xcaf0bea0 0xcaf1bea1',
  'syscall 11 UNMAPPED 4096', 'syscall 10 PAGE 4096 1', 'syscall 10 PAGE 4096 0', 'syscall 14 0 RO 0 8', 'syscall 14 2 PAGE 0 8',
  'syscall 14 1 RO 0 8', 'syscall 14 0 RO 0 4', 'syscall 101',
];

function childLines(input: GenInput): string[] {
  const out: string[] = [];
  let forked = false;
  for (const [k, a, b] of input.child) {
    switch (k % 19) {
      case 0: out.push('child getpid'); break;
      case 1: out.push('child getppid'); break;
      case 2: out.push('child gettid'); break;
      case 3: case 4: out.push(`child ${pick(SAFE_SYSCALLS, a)}`); break;
      case 5: case 6: out.push(`child raise ${pick(SIGNALS, a)}`); break;
      case 7: out.push(`child kill ${pick(SIGNALS, a)}`); break;
      case 8: out.push(`child store PAGE+${8 * (a % 64)} ${pick(WORDS, b)}`); break;
      case 9: out.push(pick(['child store RO 1', 'child store UNMAPPED 2', 'child load UNMAPPED', 'child load PAGE+16', 'child load 0'], a)); break;
      case 10: out.push('child int3'); break;
      case 11: out.push(`child spin ${pick(SPINS, a)}`); break;
      case 12: case 13: out.push('child pause'); break;
      case 14:
        if (forked) out.push('child getpid');
        else out.push(`child fork ${pick(CODES, a)}`, 'child pause');
        forked = true;
        break;
      case 15: out.push('child exec'); break;
      case 16: out.push(`child ignore ${pick(IGNORABLE, a)}`); break;
      case 17: out.push(`child exit ${pick(CODES, a)}`); break;
      default: out.push('child getpid'); break;
    }
  }
  return out;
}

// ---------------------------------------------------------------- tracer side

type Who = 'child' | 'grandchild';

const TRACKED_REGS = X86_64_REG_NAMES.filter((r) => !(r in UNTRACKED_FIELDS));
const REG_OFF = (r: string) => X86_64_REG_NAMES.indexOf(r) * 8;
const SAFE_ORIG_RAX = ['-1', '39', '102', '110', '186', '500', '24', '231'];
const SAFE_NR_FOR_ARGS = new Set([-1n, 39n, 102n, 110n, 186n, 500n, 24n, 231n, 34n]);
const RAX_VALUES = ['0', '1', '777', '-1', '-4', '-38', '-512', '-513', '-514', '-516'];
const ARG_REGS = ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'];
const FREE_REGS = ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15'];
const OPTIONS = ['0', 'TRACESYSGOOD', 'TRACEEXIT', 'TRACEFORK', 'TRACEEXEC', 'TRACESYSGOOD|TRACEEXIT', 'TRACESYSGOOD|TRACEFORK|TRACEEXEC|TRACEEXIT',
  'TRACEFORK|TRACEEXIT', 'TRACECLONE|TRACEVFORK|TRACEVFORKDONE', 'EXITKILL|TRACESYSGOOD', 'TRACESECCOMP', '0x400', '0x80000000', '0x3000ff', 'TRACESYSGOOD|0x400000'];
const RESUMES = ['CONT', 'SYSCALL', 'SINGLESTEP', 'SINGLEBLOCK', 'SYSEMU', 'SYSEMU_SINGLESTEP'];
const STEPPING = new Set(['SINGLESTEP', 'SINGLEBLOCK', 'SYSEMU_SINGLESTEP']);
/** Requests that end the target's ptrace-stop when they succeed. */
const ENDS_STOP = new Set([...RESUMES, 'DETACH', 'KILL', 'LISTEN', '33', '31', '32', '24', '7', '9', '8', '17']);
/** Requests after which the child may run (or has been woken): they end "this stop". */
const RUNNING_REQS = new Set([...RESUMES, 'DETACH', 'KILL', 'LISTEN', 'INTERRUPT', 'ATTACH', 'SEIZE', '33', '31', '32', '24', '7', '9']);
const INJECT = ['SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGKILL', 'SIGTRAP', 'SIGSEGV', '34', '64', '65', '-1', 'SIGWINCH'];
const WAIT_OPTS = ['0', '__WALL', '__WCLONE', 'WUNTRACED', 'WCONTINUED', 'WUNTRACED|WCONTINUED', '__WNOTHREAD', '__WALL|WUNTRACED'];
const BAD_WAIT_OPTS = ['WNOWAIT', 'WEXITED', '0x100', 'WNOHANG|WEXITED'];
const UNKNOWN_REQS = ['10', '11', '20', '22', '23', '27', '28', '29', '34', '40', '999', '0x4213', '0x4220', '0x4300', '0x4301', '0x4302', '0x4303'];
/** Requests the model answers EIO for but the real kernel implements: only used where check_attach fails first. */
const NOT_MODELLED = ['GET_THREAD_AREA', 'SET_THREAD_AREA', 'PEEKSIGINFO', 'SECCOMP_GET_FILTER', 'SECCOMP_GET_METADATA', 'GET_RSEQ_CONFIGURATION', '0x4210', '0x4211', '0x4212'];
const PEEK_ADDRS = ['PAGE', 'PAGE+8', 'PAGE+3', 'PAGE+4088', 'PAGE+4092', 'RO', 'RO+4092', 'RO+4088', 'UNMAPPED', '0', '1', '-1', '-4', '0xffff800000000000', 'PAGE+2048'];
const USER_OFFSETS = ['216', '224', '600', '840', '848', '856', '880', '888', '896', '904', '912', '920', '928', '936', '1', '7', '-8', '4096'];
const NT_LENS: Record<string, string[]> = {
  NT_PRSTATUS: ['216', '8', '100', '0', '224', '2048', '4'],
  NT_PRFPREG: ['512', '100', '8', '0', '1000'],
  NT_X86_XSTATE: ['2432', '2696', '512', '8', '0', '100'],
  NT_386_IOPERM: ['8', '4', '0', '8192'],
  NT_386_TLS: ['16'],
  NT_PRPSINFO: ['16'],
  '0x204': ['8'],
  '0x46e62b7f': ['512'],
};
const SYSINFO_SIZES = ['0', '1', '8', '24', '32', '33', '40', '80', '88', '1000'];

/** What the builder knows about the tracer buffers (which images are valid to write back). */
interface BufState {
  /** GETREGS image at @buf+256 taken at stop number `stop`. */
  regsImage: number | null;
  /** Content of the iov buffer @buf+2048: its NT type and the stop it was taken at. */
  iov: { nt: string; stop: number } | 'zero' | 'other';
}

class Builder {
  readonly lines: string[] = [];
  readonly sim: SimRun;
  readonly inFlight = new Set<Who>();
  readonly script: Script;
  /** Child position unknown (after an asynchronous SIGCHLD) until its next syscall stop or sleep. */
  posUnknown = false;
  /** Incremented whenever the child may have left its stop. */
  stopId = 0;
  buf: BufState = { regsImage: null, iov: 'zero' };
  readonly opsStartAddr: bigint;
  readonly codeEnd: bigint;
  readonly header: string[];
  done = false;

  constructor(setup: 'traceme' | 'plain', child: string[]) {
    this.header = [`setup ${setup}`, ...child];
    this.script = parseScript(this.header.join('\n'));
    this.sim = startSimulation(this.script);
    const layout = childProgramLayout(this.script, this.sim.child);
    this.opsStartAddr = CODE_ADDR + BigInt((layout.opStart[0] ?? layout.end) * INSN_BYTES);
    this.codeEnd = CODE_ADDR + BigInt(layout.program.insns.length * INSN_BYTES);
    if (setup === 'plain') {
      // The child runs at once: everything starts with a settle.
      this.emit('settle');
      this.posUnknown = this.untracedGrandchild() !== undefined && this.childTask()?.tracer !== null;
    }
  }

  get lineNo(): number {
    return this.header.length + this.lines.length + 1;
  }

  // --- state ---------------------------------------------------------------------------

  task(pid: number | undefined, sim = this.sim): Task | undefined {
    return pid === undefined ? undefined : sim.k.state.tasks[pid];
  }

  childTask(sim = this.sim): Task | undefined {
    return this.task(sim.child, sim);
  }

  gcPid(sim = this.sim): number | undefined {
    return sim.grandchild();
  }

  gcTask(sim = this.sim): Task | undefined {
    return this.task(this.gcPid(sim), sim);
  }

  tracedByUs(t: Task | undefined): boolean {
    return t !== undefined && t.tracer === this.sim.self;
  }

  untracedGrandchild(sim = this.sim): Task | undefined {
    return Object.values(sim.k.state.tasks).find((t) => t.parent === sim.child && t.tracer === null && t.tid === t.tgid && t.tid !== sim.child);
  }

  /** The child sits in a ptrace-stop that our requests can act on. */
  childStopped(): boolean {
    const t = this.childTask();
    return !this.inFlight.has('child') && this.tracedByUs(t) && t!.run.kind === 'ptrace-stop' && !t!.listening;
  }

  regsKnown(): boolean {
    const t = this.childTask();
    if (!t || this.posUnknown || this.inFlight.has('child')) return false;
    const ip = t.regs[X86_64.ip]!;
    const inCode = ip >= this.opsStartAddr && ip < this.codeEnd;
    const execd = t.name !== '/ptsim/harness-child';
    return inCode || execd;
  }

  // --- emitting ------------------------------------------------------------------------

  /** Run `text` on a copy of the simulator; null if the simulator refuses (a wait that would hang). */
  probe(text: string, then: string[] = []): SimRun | null {
    const p = this.sim.clone();
    try {
      p.exec(parseTracerLine(text, this.lineNo));
      for (const t of then) p.exec(parseTracerLine(t, this.lineNo + 1));
      return p;
    } catch {
      return null;
    }
  }

  emit(text: string): void {
    const before = new Set(Object.keys(this.sim.k.state.tasks));
    const op = parseTracerLine(text, this.lineNo);
    this.lines.push(text);
    const out = this.sim.exec(op);
    if (op.op === 'settle') this.inFlight.clear();
    // A blocking wait that collected a task's stop or exit brings it to rest.
    // (Not a job-control report: wait(WUNTRACED) answers from group_exit_code while the task
    // may still be on its way into TASK_STOPPED, e.g. right after DETACH.)
    const childRun = this.childTask()?.run.kind;
    if (op.op === 'wait' && out?.ret === 'child' && childRun !== 'running' && childRun !== 'job-stop' && out.status !== '0xffff') this.inFlight.delete('child');
    if (op.op === 'wait' && out?.ret === 'grandchild' && this.gcTask()?.run.kind !== 'running') this.inFlight.delete('grandchild');
    for (const who of ['child', 'grandchild'] as const) {
      const t = who === 'child' ? this.childTask() : this.gcTask();
      if (t && t.run.kind === 'running') this.inFlight.add(who);
    }
    // A request that ended a stop leaves the target in flight even where the simulator
    // settled it at once: e.g. DETACH from a group-stop re-traps into TASK_STOPPED
    // asynchronously (__ptrace_unlink → ptrace_signal_wake_up), so an ATTACH right after
    // it races with that.
    if (op.op === 'ptrace' && out?.ret === 0 && ENDS_STOP.has(op.reqText) && (op.pid === 'child' || op.pid === 'grandchild')) this.inFlight.add(op.pid);
    // A new task (the grandchild) runs on its own until it stops.
    if (Object.keys(this.sim.k.state.tasks).some((p) => !before.has(p))) this.inFlight.add('grandchild');
    // Anything that may let the child run invalidates register images taken at its stop.
    if (op.op !== 'bufset' && (op.op !== 'ptrace' || RUNNING_REQS.has(op.reqText))) this.stopId++;
    const t = this.childTask();
    if (this.posUnknown && t && !this.inFlight.has('child')) {
      const k = t.run.kind === 'ptrace-stop' ? t.run.stop.kind : t.run.kind;
      if (k === 'syscall-enter' || k === 'syscall-exit' || k === 'sysemu' || k === 'blocked' || k === 'event') this.posUnknown = false;
    }
  }

  /** Emit `text` if the simulator accepts it; a resume that would run into an untraced fork becomes CONT 0 + settle. */
  tryEmit(text: string, mayRun = false): boolean {
    if (/ (@bad|-?\d+|-?0x[0-9a-f]+) show=/.test(text)) text = text.replace(/ show=\S+/, '');
    const p = this.probe(text);
    if (!p) return false;
    if (mayRun && this.runsIntoUntracedFork(text)) {
      if (!this.childStopped()) return false;
      this.emit('ptrace CONT 0 0');
      this.emit('settle');
      this.posUnknown = this.tracedByUs(this.childTask());
      return true;
    }
    this.emit(text);
    return true;
  }

  runsIntoUntracedFork(text: string): boolean {
    if (this.untracedGrandchild()) return false;
    const p = this.probe(text, ['settle']);
    return p !== null && this.untracedGrandchild(p) !== undefined && this.tracedByUs(this.childTask(p));
  }

  // --- one step ------------------------------------------------------------------------

  step([k, a, b, c]: readonly [number, number, number, number]): void {
    if (this.done) return;
    const t = this.childTask();
    const moves: [number, () => void][] = [];
    const add = (w: number, f: () => void) => moves.push([w, f]);

    add(2, () => this.emit('settle'));
    add(1, () => this.otherTarget(a, b));
    if (!t) {
      // The child is gone: a few more operations on what is left, then stop.
      add(2, () => this.waitAny(a, true));
      if (this.lines.length > 4 && k % 3 === 0) this.done = true;
    }
    if (this.inFlight.has('child')) {
      add(12, () => this.blockingWait('child', a));
    } else if (t) {
      this.settledChildMoves(t, add, a, b, c);
    }
    const gc = this.gcTask();
    if (gc && this.tracedByUs(gc)) {
      if (this.inFlight.has('grandchild')) add(3, () => this.blockingWait('grandchild', a));
      else this.grandchildMoves(gc, add, a, b);
    }
    if (this.inFlight.size === 0) add(1, () => this.waitAny(a, (b & 1) === 0));

    const total = moves.reduce((s, [w]) => s + w, 0);
    let r = k % total;
    for (const [w, f] of moves) {
      if (r < w) return f();
      r -= w;
    }
  }

  settledChildMoves(t: Task, add: (w: number, f: () => void) => void, a: number, b: number, c: number): void {
    const traced = this.tracedByUs(t);
    const run = t.run.kind;
    if (run === 'zombie' || !traced) add(3, () => this.tryEmit(`wait ${a & 1 ? 'WNOHANG' : pick(WAIT_OPTS, b)}`));
    add(1, () => this.tryEmit(`wait WNOHANG|${pick(WAIT_OPTS, a)}`));
    add(1, () => this.tryEmit(`wait ${pick(BAD_WAIT_OPTS, a)}`));
    if (!traced) {
      if (run !== 'zombie') {
        add(5, () => this.tryEmit('ptrace ATTACH 0 0', true));
        add(4, () => this.tryEmit(`ptrace SEIZE ${a % 7 === 0 ? '1' : '0'} ${pick(OPTIONS, b)}`, true));
        add(3, () => this.tryEmit(`kill ${pick(INJECT.filter((s) => !['65', '-1'].includes(s)), a)}`, true));
        add(1, () => this.tryEmit(`ptrace ${pick(['GETREGS', 'PEEKDATA', 'CONT', 'KILL', 'INTERRUPT', 'DETACH', ...UNKNOWN_REQS], a)} 0 @buf+128`));
      }
      return;
    }
    if (run === 'blocked' || (run === 'ptrace-stop' && t.listening)) {
      add(4, () => this.tryEmit(`kill ${pick(INJECT.filter((s) => !['65', '-1'].includes(s)), a)}`, true));
      add(3, () => this.tryEmit('ptrace INTERRUPT 0 0', true));
      add(1, () => this.tryEmit('ptrace KILL 0 0', true));
      add(2, () => this.tryEmit(`ptrace ${pick(['GETREGS', 'PEEKDATA', 'CONT', 'SYSCALL', 'LISTEN', 'DETACH', 'SETOPTIONS', 'GETSIGINFO', ...UNKNOWN_REQS, ...NOT_MODELLED], a)} 0 @buf+128`));
      return;
    }
    if (run !== 'ptrace-stop') return;
    // The child is in a ptrace-stop: every request.
    add(10, () => this.infoRequest(a, b, c));
    add(6, () => this.writeRequest(a, b, c));
    add(14, () => this.resume(a, b, c));
    add(2, () => this.tryEmit(`kill ${pick(INJECT.filter((s) => !['65', '-1'].includes(s)), a)}`, true));
    // (more often at the first stop, so fork/exec/exit events happen)
    add(this.stopId < 3 ? 8 : 3, () => this.tryEmit(`ptrace ${pick(['SETOPTIONS', 'OLDSETOPTIONS'], b)} 0 ${pick(OPTIONS, a)}`));
    add(1, () => this.tryEmit(`ptrace ${pick(['INTERRUPT', 'LISTEN'], a)} 0 0`, true));
    add(1, () => this.tryEmit(`ptrace ${pick(['ATTACH', 'SEIZE'], a)} 0 0`));
    add(1, () => this.tryEmit(`ptrace ${pick(UNKNOWN_REQS, a)} ${pick(['0', '8', 'PAGE'], b)} @buf+128`));
    add(1, () => this.tryEmit(`ptrace KILL 0 0`, true));
  }

  grandchildMoves(gc: Task, add: (w: number, f: () => void) => void, a: number, b: number): void {
    const childQuiet = !this.inFlight.has('child');
    if (gc.run.kind === 'ptrace-stop') {
      add(2, () => this.tryEmit(`ptrace ${pick(['GETSIGINFO 0 @buf show=signo,code,pid,status', 'GETEVENTMSG 0 @buf+136 show=value', 'PEEKDATA PAGE @buf+128 show=value', 'GET_SYSCALL_INFO 80 @buf+144 show=op,nr,args,rval,is_error', 'PEEKUSER 80 @buf+128', 'GETREGS 0 @buf+256 show=rbx,r12', 'SETOPTIONS 0 TRACEEXIT'], a)} pid=grandchild`));
      add(3, () => this.tryEmit(`ptrace ${pick(['CONT', 'SYSCALL', 'SINGLESTEP', 'SYSEMU', 'CONT', 'KILL'], a)} 0 ${b % 3 ? '0' : pick(INJECT, b)} pid=grandchild`));
    }
    if (gc.run.kind === 'zombie' && !childQuiet) return;
    add(1, () => this.tryEmit(`wait pid=grandchild ${b & 1 ? 'WNOHANG' : pick(WAIT_OPTS, a)}`));
    if (childQuiet) add(1, () => this.tryEmit(`kill ${pick(['SIGKILL', 'SIGUSR1', 'SIGCONT', '0'], a)} pid=grandchild`));
  }

  // --- operation families --------------------------------------------------------------

  blockingWait(who: Who, a: number): void {
    if (who === 'grandchild' && this.inFlight.has('child')) {
      // Reaping a traced grandchild sends SIGCHLD to the child: not while the child runs.
      const p = this.probe(`wait pid=grandchild ${pick(WAIT_OPTS, a)}`);
      if (p && this.gcTask(p)?.run.kind !== 'ptrace-stop') return;
    }
    const opts = pick(WAIT_OPTS, a);
    // A report the task already has (e.g. WCONTINUED) competes with the one its run will
    // produce (the zombie is reported first if it has died by then): settle first.
    if (this.reportsNow(who, opts)) return void this.emit('settle');
    if (!this.tryEmit(`wait pid=${who} ${opts}`) && !this.tryEmit(`wait pid=${who} __WALL`)) this.emit('settle');
  }

  /** Would `wait pid=who WNOHANG|opts` report something right now (without running anything)? */
  reportsNow(who: Who, opts: string): boolean {
    const p = this.sim.clone();
    try {
      const out = p.exec(parseTracerLine(`wait pid=${who} WNOHANG|${opts}`, this.lineNo));
      return out !== null && typeof out.ret === 'string';
    } catch {
      return false;
    }
  }

  waitAny(a: number, hang: boolean): void {
    if (this.inFlight.size > 0) return;
    const opts = hang ? pick(WAIT_OPTS, a) : `WNOHANG|${pick(WAIT_OPTS, a)}`;
    const p = this.probe(`wait any ${opts}`);
    // A wait that reaps the grandchild signals the child: fine, nothing is in flight.
    if (p) this.emit(`wait any ${opts}`);
  }

  otherTarget(a: number, b: number): void {
    const target = pick(['self', 'init', 'nonexistent'], b);
    switch (a % 4) {
      case 0: return void this.tryEmit(`wait pid=${target} ${pick(WAIT_OPTS, b)}`);
      case 1: return void this.tryEmit(`kill ${target === 'nonexistent' ? pick(['SIGKILL', 'SIGUSR1', '0'], a) : '0'} pid=${target}`);
      default: {
        const req = pick(['GETREGS', 'PEEKDATA', 'CONT', 'KILL', 'DETACH', 'SETOPTIONS', 'INTERRUPT', 'GETSIGINFO', 'SYSEMU', 'LISTEN', ...UNKNOWN_REQS, ...NOT_MODELLED,
          ...(target === 'init' ? [] : ['ATTACH', 'SEIZE'])], a >> 2);
        return void this.tryEmit(`ptrace ${req} 0 0 pid=${target}`);
      }
    }
  }

  infoRequest(a: number, b: number, c: number): void {
    const known = this.regsKnown();
    const regs = () => {
      const n = 1 + (b % 4);
      const fields = Array.from({ length: n }, (_, i) => pick(TRACKED_REGS, a + i * 7 + c));
      return [...new Set(fields)].join(',');
    };
    switch (a % 12) {
      case 0: case 1: {
        const ok = this.tryEmit(`ptrace GETREGS 0 @buf+256${known ? ` show=${regs()}` : ''}`);
        if (ok) this.buf.regsImage = this.stopId;
        return;
      }
      case 2: {
        if (c % 5 === 0) return void this.tryEmit(`ptrace GETREGS 0 ${pick(['@bad', '1', '-1', '-4'], b)}`);
        const r = pick(X86_64_REG_NAMES, b + c);
        const show = known && TRACKED_REGS.includes(r) ? ' show=value' : '';
        return void this.tryEmit(`ptrace PEEKUSER ${REG_OFF(r)} @buf+128${show}`);
      }
      case 3: return void this.tryEmit(`ptrace PEEKUSER ${pick(USER_OFFSETS, b)} ${c % 7 === 0 ? '@bad' : '@buf+128'} show=value`);
      case 4: return void this.tryEmit(`ptrace ${pick(['PEEKDATA', 'PEEKTEXT'], c)} ${pick(PEEK_ADDRS, b)} ${c % 9 === 0 ? '@bad' : '@buf+128'} show=value`);
      case 5: {
        const t = this.childTask()!;
        // si_addr is shown raw: only where it is a data address or 0 (a kill-like siginfo
        // holds si_pid there, and a trap's si_addr is a code address)
        const si = t.run.kind === 'ptrace-stop' ? t.run.stop.siginfo : null;
        const ipLike = si !== null && ((si.addr >= CODE_ADDR && si.addr < this.codeEnd) || (si.addr >= 0x401000n && si.addr < 0x402000n));
        const addrOk = si !== null && !ipLike && si.pid === 0 && si.uid === 0;
        // (si_pid/si_uid are the two halves of si_addr in a fault siginfo)
        const fields = ['signo', 'errno', 'code', ...(ipLike ? [] : ['pid', 'uid']), 'status', ...(addrOk ? ['addr'] : [])];
        return void this.tryEmit(c % 11 === 0 ? 'ptrace GETSIGINFO 0 @bad' : `ptrace GETSIGINFO 0 @buf show=${fields.join(',')}`);
      }
      case 6: return void this.tryEmit(`ptrace GETEVENTMSG 0 ${c % 11 === 0 ? '@bad' : '@buf+136'} show=value`);
      case 7: {
        const fields = ['op', 'arch', ...(known ? ['nr', 'args', 'rval', 'is_error'] : [])];
        return void this.tryEmit(`ptrace GET_SYSCALL_INFO ${pick(SYSINFO_SIZES, b)} ${c % 13 === 0 ? '@bad' : '@buf+144'} show=${fields.join(',')}`);
      }
      case 8: {
        const nt = pick(Object.keys(NT_LENS), b);
        const len = pick(NT_LENS[nt]!, c);
        const ok = this.tryEmit(`ptrace GETREGSET ${nt} @iov:${len}`);
        if (ok) this.buf.iov = { nt, stop: this.stopId };
        return;
      }
      case 9: return void this.tryEmit(`ptrace ${pick(['GETFPREGS', 'GETFPXREGS'], b)} 0 ${c % 7 === 0 ? '@bad' : '@buf+512'}`);
      case 10: return void this.tryEmit(`ptrace GETSIGMASK ${pick(['8', '8', '4', '16', '0'], b)} ${c % 7 === 0 ? '@bad' : '@buf+232'}`);
      case 11: return void this.tryEmit(`ptrace ARCH_PRCTL ${c % 7 === 0 ? '@bad' : '@buf+240'} ${pick(['0x1003', '0x1004', '0x1005', '0'], b)}`);
    }
  }

  writeRequest(a: number, b: number, c: number): void {
    const known = this.regsKnown();
    const t = this.childTask()!;
    switch (a % 10) {
      case 0: case 1: {
        if (!known) return;
        const [reg, value] = this.safeRegWrite(t, b, c);
        if (reg) this.tryEmit(`ptrace POKEUSER ${reg} ${value}`);
        return;
      }
      case 2: {
        // debug registers: DR0-3 only ever hold addresses the child never touches, so a
        // breakpoint that DR7 enables can never fire (hardware breakpoints are not modelled)
        const off = pick(['848', '856', '864', '872', '880', '888', '896', '904', '904', '904'], b);
        const value = off === '904'
          ? pick(['0', '0x400', '0x1', '0x30001', '0xd0005', '0x20001', '0x10001', '0x50001', '0xf0055', '0xdeadbeef', '0x2', '0x303'], c)
          : pick(['0', '1', '2', '8', '3', '0x7ffffffff000', '0x7fffffffeff8', '0xffff800000000000', '-1'], c);
        return void this.tryEmit(`ptrace POKEUSER ${off} ${value}`);
      }
      case 3: return void this.tryEmit(`ptrace POKEUSER ${pick(USER_OFFSETS, b)} ${pick(WORDS, c)}`);
      case 4: return void this.tryEmit(`ptrace ${pick(['POKEDATA', 'POKETEXT'], c)} ${pick(PEEK_ADDRS, b)} ${pick(WORDS, a >> 2)}`);
      case 5: {
        // SETREGS writes back the image taken at this stop, maybe with whitelisted changes
        if (this.buf.regsImage !== this.stopId) return void this.tryEmit(`ptrace SETREGS 0 ${pick(['@bad', '1', '-1'], b)}`);
        if (known && c % 3 !== 0) {
          const [reg, value] = this.safeRegWrite(t, b, c >> 2);
          if (reg) this.emit(`bufset @buf+${256 + Number(reg)} ${value}`);
        }
        this.buf.regsImage = null;
        return void this.tryEmit('ptrace SETREGS 0 @buf+256');
      }
      case 6: {
        if (c % 4 === 0) this.emit(`bufset @buf+${512 + 24} ${pick(['0x1f80', '0xffff1f80', '0x1f80', '0x10000'], b)}`);
        return void this.tryEmit(`ptrace ${pick(['SETFPREGS', 'SETFPREGS', 'SETFPXREGS'], b)} 0 ${c % 9 === 1 ? '@bad' : '@buf+512'}`);
      }
      case 7: {
        const iov = this.buf.iov;
        if (iov !== 'zero' && iov !== 'other' && iov.nt === 'NT_PRSTATUS' && iov.stop === this.stopId) {
          if (known && c % 3 === 1) {
            const [reg, value] = this.safeRegWrite(t, b, c >> 2);
            if (reg) this.emit(`bufset @buf+${2048 + Number(reg)} ${value}`);
          }
          return void this.tryEmit(`ptrace SETREGSET NT_PRSTATUS @iov:${pick(['216', '216', '8', '100', '0', '224'], b)}`);
        }
        if (iov === 'zero' || (iov !== 'other' && iov.nt !== 'NT_PRSTATUS')) {
          const nt = pick(['NT_PRFPREG', 'NT_X86_XSTATE', 'NT_386_IOPERM', 'NT_386_TLS'], b);
          return void this.tryEmit(`ptrace SETREGSET ${nt} @iov:${pick(NT_LENS[nt]!, c)}`);
        }
        return;
      }
      case 8: {
        // SETSIGINFO writes back (a possibly edited) GETSIGINFO image from @buf
        if (c % 3 === 0) this.emit(`bufset @buf ${pick(['10', '12', '5', '19', '17'], b)}`);
        if (c % 5 === 1) this.emit(`bufset @buf+8 ${pick(['0', '-6', '0x80', '0x85', '5', '1'], b)}`);
        return void this.tryEmit(`ptrace SETSIGINFO 0 ${c % 11 === 2 ? '@bad' : '@buf'}`);
      }
      case 9: {
        if (b % 4 === 0) {
          // ARCH_SET_FS/GS: only once the child runs our code (the C prelude uses its TLS)
          if (known) this.tryEmit(`ptrace ARCH_PRCTL ${pick(['0x1000', '0x7ffffffff000', '0xffff800000000000'], c)} ${pick(['0x1002', '0x1001'], b >> 2)}`);
          return;
        }
        this.emit(`bufset @buf+232 ${pick(['0', '0x200', '0x800', '0x10000', '-1', '0x40100'], c)}`);
        return void this.tryEmit(`ptrace SETSIGMASK ${pick(['8', '8', '8', '4'], b)} ${b % 9 === 5 ? '@bad' : '@buf+232'}`, true);
      }
    }
  }

  /** A register write that cannot make the child harm the machine or become non-deterministic. */
  safeRegWrite(t: Task, b: number, c: number): [string | null, string] {
    const atEntry = t.run.kind === 'ptrace-stop' && (t.run.stop.kind === 'syscall-enter' || t.run.stop.kind === 'sysemu');
    const nr = BigInt.asIntN(64, t.regs[X86_64.origAx]!);
    switch (b % 6) {
      case 0: return [String(REG_OFF('rax')), pick(RAX_VALUES, c)];
      case 1: return [String(REG_OFF('orig_rax')), pick(SAFE_ORIG_RAX, c)];
      case 2: return [String(REG_OFF(pick(FREE_REGS, c))), pick(WORDS, c >> 2)];
      case 3:
        if (!atEntry || !SAFE_NR_FOR_ARGS.has(nr)) return [null, ''];
        return [String(REG_OFF(pick(ARG_REGS, c))), pick(['0', '1', '7', '0x100', '-1'], c >> 2)];
      case 4: {
        // only selectors the kernel refuses (EIO) or the ones already there: a valid other
        // selector (0x2b in cs, 0x23 = 32-bit mode) would change how the CPU runs the child
        const seg = pick(['cs', 'ss', 'ds', 'es', 'fs', 'gs'], c);
        const same = seg === 'cs' ? '0x33' : seg === 'ss' ? '0x2b' : '0';
        return [String(REG_OFF(seg)), pick(['0x10', '0x8', same, '0x1'], c >> 2)];
      }
      default: return [String(REG_OFF(pick(['fs_base', 'gs_base'], c))), pick(['0x7ffffffff000', '0x8000000000000000', '0xffff800000000000'], c >> 1)];
    }
  }

  resume(a: number, b: number, c: number): void {
    const t = this.childTask()!;
    let req = pick([...RESUMES, 'CONT', 'SYSCALL', 'CONT', 'DETACH', 'KILL', '33'], a);
    if ((STEPPING.has(req) || req === '33') && !this.regsKnown()) req = 'CONT';
    const stopSig = t.run.kind === 'ptrace-stop' ? t.run.stop.siginfo?.signo ?? t.run.stop.statusSig : 0;
    const data = b % 3 === 0 ? pick(INJECT, c) : b % 3 === 1 && stopSig ? String(stopSig) : '0';
    const addr = c % 9 === 0 ? pick(['2', '6', '0x80000000', '1'], b) : '0';
    this.tryEmit(`ptrace ${req} ${req === 'KILL' ? '0' : addr} ${req === 'KILL' ? '0' : data}`, true);
  }
}

/** Turn fast-check's numbers into a script (text). Deterministic. */
export function buildScript(input: GenInput): string {
  const setup = input.setup < 8 ? 'traceme' : 'plain';
  const b = new Builder(setup, childLines(input));
  for (const s of input.steps) b.step(s);
  if (b.lines.length === 0) b.emit('wait WNOHANG|__WALL'); // never an empty script
  return [...b.header, ...b.lines].join('\n') + '\n';
}
