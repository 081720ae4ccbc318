// Runs a conformance script on the simulator and prints what the C harness prints on the
// real kernel (docs/script-format.md "Precise behaviour"): the same child machine-code
// path (instruction for instruction, so single-step counts match), the same memory
// layout, the same output fields and pid names.
import { X86_64 } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import type { Insn } from '../kernel/isa.ts';
import { Kernel } from '../kernel/kernel.ts';
import { PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import type { Program } from '../kernel/state.ts';
import { SIG } from '../kernel/signals.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { PAGE_ADDR, RO_ADDR, X86_64_REG_NAMES, type ChildOp, type Operand, type Script, type Target, type TracerOp } from './script.ts';
import type { KernelConfig } from '../kernel/config.ts';

export const CODE_ADDR = 0x70100000n;
export const DATA_ADDR = 0x70110000n;
export const DATA_PATH = DATA_ADDR + 0x100n;
// as harness/ptrace-harness.c: argv { path, NULL } at +0x10, envp { NULL } at +0x20
export const DATA_ARGV = DATA_ADDR + 0x10n;
export const DATA_ENVP = DATA_ADDR + 0x20n;
export const DATA_SIGACT = DATA_ADDR + 0x40n;
export const STACK_TOP = 0x70130000n;
export const EXIT0_PATH = '/ptsim/build/ptsim-exit0';
export const BUF_ADDR = 0x10000000n;
const BAD_ADDR = 8n;
const NONEXISTENT_PID = 4194300;

export type OutputLine = Record<string, unknown>;

const GPRS_BUT_RSP = ['rax', 'rcx', 'rdx', 'rbx', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/** The child's machine code, instruction for instruction as the harness emits it. */
export function childProgram(script: Script, pid: number): Program {
  return childProgramLayout(script, pid).program;
}

/**
 * The child's program plus where each part starts (instruction indexes): `opStart[i]` is the
 * first instruction of child op i, `end` the final exit_group(0). The conformance generator
 * uses this to know when the child has left the C prelude (registers are then defined).
 */
export function childProgramLayout(script: Script, pid: number): { program: Program; opStart: number[]; end: number } {
  const a = new Asm(X86_64);
  const sys = (nr: number, args: bigint[] = []) => {
    ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'].forEach((r, i) => a.mov(r, args[i] ?? 0n));
    a.mov('rax', nr).emit({ op: 'syscall' });
  };
  // C prelude (raw syscalls before the tracer starts): getpid, then TRACEME + tgkill(SIGSTOP).
  a.mov('rax', 39).emit({ op: 'syscall' });
  if (script.setup === 'traceme') {
    a.mov('rdi', 0).mov('rax', 101).emit({ op: 'syscall' });
    a.mov('rax', 186).emit({ op: 'syscall' });
    a.emit({ op: 'movr', dst: 'rsi', src: 'rax' }).mov('rdi', pid).mov('rdx', SIG.SIGSTOP).mov('rax', 234).emit({ op: 'syscall' });
  }
  // Prologue: movabs rsp; push 0x202; popfq; zero the other 15 GPRs.
  a.mov('rsp', STACK_TOP).emit({ op: 'nop' }, { op: 'nop' });
  for (const r of GPRS_BUT_RSP) a.mov(r, 0);
  const P = BigInt(pid);
  const opStart: number[] = [];
  for (const op of script.child) {
    opStart.push(a.here);
    emitChildOp(a, op, P, sys);
  }
  const end = a.here;
  sys(231, [0n]);
  a.emit({ op: 'ud2' } as Insn);
  return { program: a.build('/ptsim/harness-child', CODE_ADDR), opStart, end };
}

function emitChildOp(a: Asm, op: ChildOp, pid: bigint, sys: (nr: number, args?: bigint[]) => void): void {
  switch (op.op) {
    case 'getpid': return sys(39);
    case 'getppid': return sys(110);
    case 'gettid': return sys(186);
    case 'pause': return sys(34);
    case 'syscall': return sys(Number(op.nr), op.args);
    case 'raise': return sys(234, [pid, pid, BigInt(op.sig)]);
    case 'kill': return sys(62, [pid, BigInt(op.sig)]);
    case 'ignore': return sys(13, [BigInt(op.sig), DATA_SIGACT, 0n, 8n]);
    case 'exec': return sys(59, [DATA_PATH, DATA_ARGV, DATA_ENVP]);
    case 'exit': return sys(231, [op.code]);
    case 'store':
      a.mov('rax', op.addr).mov('rdx', op.value).emit({ op: 'store', src: 'rdx', base: 'rax', disp: 0n });
      return;
    case 'load':
      a.mov('rax', op.addr).emit({ op: 'load', dst: 'rax', base: 'rax', disp: 0n });
      return;
    case 'int3':
      a.int3();
      return;
    case 'spin':
      if (op.n === 'forever') {
        a.emit({ op: 'jmp', target: a.here });
      } else if (op.n > 0n) {
        a.mov('rcx', op.n);
        const top = a.here;
        a.emit({ op: 'add', dst: 'rcx', imm: -1n }, { op: 'jnz', reg: 'rcx', target: top });
      }
      return;
    case 'fork': {
      sys(57);
      const skipTo = a.here + 2 + 8;
      a.emit({ op: 'nop' }, { op: 'jnz', reg: 'rax', target: skipTo });
      sys(231, [op.code]);
      return;
    }
  }
}

const EXIT0: Program = { path: EXIT0_PATH, base: 0x401000n, insns: [
  { op: 'mov', dst: 'rax', imm: 231n }, { op: 'mov', dst: 'rdi', imm: 0n }, { op: 'syscall' },
] };

function hex(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}

export function runScriptOnSimulator(script: Script): OutputLine[] {
  const r = startSimulation(script);
  const out: OutputLine[] = [];
  for (const op of script.ops) {
    const line = r.exec(op);
    if (line) out.push(line);
  }
  return out;
}

/** The harness's start-up on the simulator: memory, the forked child, and (traceme) its first stop. */
export function startSimulation(script: Script, cfg: Partial<KernelConfig> = {}): SimRun {
  const k = new Kernel(cfg);
  k.registerProgram(EXIT0);
  const self = k.spawnExternal('ptrace-harness');
  setupMemory(k, self);
  const childPid = k.state.nextPid;
  const child = Number(k.forkChild(self, childProgram(script, childPid)).ret);
  if (script.setup === 'traceme') k.settle(); // the harness starts once the child sits in its SIGSTOP stop
  return new SimRun(k, self, child);
}

function setupMemory(k: Kernel, self: number): void {
  k.mapMemory(self, BUF_ADDR, 0x3000n, PROT_READ | PROT_WRITE);
  const page = new Uint8Array(4096).map((_, j) => (j * 7 + 1) & 0xff);
  k.mapMemory(self, PAGE_ADDR, 4096n, PROT_READ | PROT_WRITE);
  k.writeMemory(self, PAGE_ADDR, page);
  k.mapMemory(self, RO_ADDR, 4096n, PROT_READ | PROT_WRITE);
  k.writeMemory(self, RO_ADDR, new Uint8Array(4096).fill(0xa5));
  k.mprotect(self, RO_ADDR, 4096n, PROT_READ);
  k.mapMemory(self, DATA_ADDR, 0x1000n, PROT_READ | PROT_WRITE);
  const data = new Uint8Array(0x1000);
  const v = new DataView(data.buffer);
  v.setBigUint64(Number(DATA_ARGV - DATA_ADDR), DATA_PATH, true);
  v.setBigUint64(Number(DATA_SIGACT - DATA_ADDR), 1n, true);
  data.set(new TextEncoder().encode(EXIT0_PATH), Number(DATA_PATH - DATA_ADDR));
  k.writeMemory(self, DATA_ADDR, data);
  k.mapMemory(self, STACK_TOP - 0x10000n, 0x10000n, PROT_READ | PROT_WRITE);
}

/** What a `wait` reported, with the kind of stop the simulator was in (conformance coverage). */
export interface StopEvent {
  readonly line: number;
  readonly pid: number;
  readonly kind: string;
}

/** A simulated harness run, one tracer operation at a time (clone() for look-ahead). */
export class SimRun {
  readonly events: StopEvent[] = [];

  constructor(readonly k: Kernel, readonly self: number, readonly child: number) {}

  clone(): SimRun {
    const c = new SimRun(this.k.clone(), this.self, this.child);
    c.seenGrandchild = this.seenGrandchild;
    return c;
  }

  grandchild(): number | undefined {
    const tasks = Object.values(this.k.state.tasks).filter((t) => t.parent === this.child && t.tid === t.tgid);
    return tasks.sort((a, b) => a.tid - b.tid)[0]?.tid ?? this.seenGrandchild;
  }

  seenGrandchild: number | undefined;

  pid(t: Target | 'any'): number {
    switch (t) {
      case 'any': return -1;
      case 'child': return this.child;
      case 'self': return this.self;
      case 'init': return 1;
      case 'nonexistent': return NONEXISTENT_PID;
      case 'grandchild': {
        const g = this.grandchild();
        if (g === undefined) throw new Error('pid=grandchild before any grandchild exists');
        this.seenGrandchild = g;
        return g;
      }
    }
  }

  name(pid: bigint): string | undefined {
    if (pid === BigInt(this.child)) return 'child';
    if (pid === BigInt(this.self)) return 'self';
    const g = this.grandchild();
    if (g !== undefined && pid === BigInt(g)) {
      this.seenGrandchild = g;
      return 'grandchild';
    }
    return undefined;
  }

  hexOrName(v: bigint): string {
    return this.name(v) ?? hex(v);
  }

  operand(o: Operand): bigint {
    switch (o.kind) {
      case 'num': return o.value;
      case 'buf': return BUF_ADDR + BigInt(o.offset);
      case 'bad': return BAD_ADDR;
      case 'iov':
        this.k.writeWord(this.self, BUF_ADDR + 1024n, BUF_ADDR + 2048n);
        this.k.writeWord(this.self, BUF_ADDR + 1032n, BigInt(o.len));
        return BUF_ADDR + 1024n;
    }
  }

  exec(op: TracerOp): OutputLine | null {
    switch (op.op) {
      case 'settle':
        this.k.settle();
        return null;
      case 'bufset':
        this.k.writeWord(this.self, this.operand(op.addr), op.value);
        return null;
      case 'kill': {
        const r = this.k.kill(this.self, this.pid(op.pid), op.sig);
        return { line: op.line, op: 'kill', ret: Number(r.ret), errno: r.errno };
      }
      case 'wait': {
        const r = this.k.wait4(this.self, this.pid(op.pid), op.options);
        if (r.hang) throw new Error(`line ${op.line}: wait would block forever on the real kernel (${r.hang})`);
        const ret = r.ret > 0n ? this.name(r.ret) ?? Number(r.ret) : Number(r.ret);
        const line: OutputLine = { line: op.line, op: 'wait', ret, errno: r.errno };
        if (r.ret > 0n) {
          line.status = `0x${(r.status! >>> 0).toString(16)}`;
          this.events.push({ line: op.line, pid: Number(r.ret), kind: stopKind(this.k, Number(r.ret), r.status!) });
        }
        return line;
      }
      case 'ptrace':
        return this.ptrace(op);
    }
  }

  ptrace(op: Extract<TracerOp, { op: 'ptrace' }>): OutputLine {
    const addr = this.operand(op.addr);
    const data = this.operand(op.data);
    const r = this.k.ptrace(this.self, op.req, this.pid(op.pid), addr, data);
    const line: OutputLine = { line: op.line, op: 'ptrace', req: op.reqText, ret: Number(r.ret), errno: r.errno };
    if (op.addr.kind === 'iov' || op.data.kind === 'iov') line.iov_len = Number(this.k.readWord(this.self, BUF_ADDR + 1032n));
    if (r.ret < 0n || op.show.length === 0) return line;
    for (const f of op.show) line[f === 'errno' ? 'si_errno' : f === 'op' ? 'sc_op' : f] = this.field(op.req, f, data, Number(r.ret), Number(addr));
    return line;
  }

  field(req: number, f: string, data: bigint, ret: number, size: number): unknown {
    const word = (off: number) => this.k.readWord(this.self, data + BigInt(off)) ?? 0n;
    const i32 = (off: number) => Number(BigInt.asIntN(32, word(off) & 0xffffffffn));
    switch (req) {
      case PTRACE.GETREGS: return this.hexOrName(word(X86_64_REG_NAMES.indexOf(f) * 8));
      case PTRACE.PEEKTEXT: case PTRACE.PEEKDATA: case PTRACE.PEEKUSER: case PTRACE.GETEVENTMSG:
        return this.hexOrName(word(0));
      case PTRACE.GETSIGINFO:
        switch (f) {
          case 'signo': return i32(0);
          case 'errno': return i32(4);
          case 'code': return i32(8);
          case 'addr': return hex(word(16)); // the harness never names si_addr (a kill-like siginfo holds pid | uid << 32 there)
          case 'pid': { const p = BigInt(i32(16)); return this.name(p) ?? Number(p); }
          case 'uid': return Number(word(20) & 0xffffffffn);
          case 'status': return i32(24);
        }
        break;
      case PTRACE.GET_SYSCALL_INFO: {
        const avail = Math.min(ret, size);
        const within = (lo: number, hi: number) => hi <= avail;
        switch (f) {
          case 'op': return within(0, 1) ? Number(word(0) & 0xffn) : null;
          case 'arch': return within(4, 8) ? hex((word(0) >> 32n) & 0xffffffffn) : null;
          case 'instruction_pointer': return within(8, 16) ? hex(word(8)) : null;
          case 'stack_pointer': return within(16, 24) ? hex(word(16)) : null;
          case 'nr': return within(24, 32) ? Number(BigInt.asIntN(64, word(24))) : null;
          case 'rval': return within(24, 32) ? this.hexOrName(word(24)) : null;
          case 'is_error': return within(32, 33) ? Number(word(32) & 0xffn) : null;
          case 'args': return within(32, 80) ? [0, 1, 2, 3, 4, 5].map((i) => this.hexOrName(word(32 + 8 * i))) : null;
        }
      }
    }
    return null;
  }
}

/** A label for what a wait reported: the stop's kind (from the simulator's state) or the exit. */
export function stopKind(k: Kernel, pid: number, status: number): string {
  if ((status & 0x7f) === 0) return 'exited';
  if (status === 0xffff) return 'continued';
  if ((status & 0xff) !== 0x7f) return 'killed';
  const t = k.state.tasks[pid];
  if (!t || t.run.kind !== 'ptrace-stop') return t?.run.kind === 'job-stop' ? 'job-stop' : 'stopped';
  const stop = t.run.stop;
  if (stop.kind === 'event') {
    const names: Record<number, string> = { 1: 'fork', 2: 'vfork', 3: 'clone', 4: 'exec', 5: 'vfork-done', 6: 'exit', 7: 'seccomp', 0x80: 'stop' };
    return `event-${names[stop.event] ?? stop.event}`;
  }
  if (stop.kind === 'signal-delivery' && stop.siginfo?.signo === SIG.SIGTRAP && (stop.siginfo.code === 1 || stop.siginfo.code === 2)) return 'single-step';
  return stop.kind;
}
