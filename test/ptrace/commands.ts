// fast-check model-based commands: one class per ptrace request family, plus wait4, kill and
// letting the tracees run. `check` never mutates; `run` acts through the public Kernel API,
// asserts what the request must have done, updates the model, then checks every kernel
// invariant (harness.ts checkInvariants). Not a test file itself.
import fc from 'fast-check';
import { regsToBytes } from '../../src/kernel/regs.ts';
import { siginfoToBytes } from '../../src/kernel/siginfo-layout.ts';
import { SIG } from '../../src/kernel/signals.ts';
import { stackTop, textBase } from '../../src/kernel/state.ts';
import type { Task } from '../../src/kernel/task.ts';
import { WCONTINUED, WNOHANG, WUNTRACED, __WALL, __WCLONE } from '../../src/kernel/wait-status.ts';
import { NT, PTRACE, requestName } from '../../src/ptrace/numbers.ts';
import {
  assert, BAD, checkInvariants, checkWaitResult, DATA, isKernelErrno, mustBeEsrch, NONEXISTENT_PID, OUT_FPREGS, OUT_IOV, OUT_REGS,
  OUT_REGSET, OUT_SCINFO, OUT_SIGINFO, OUT_STATUS, OUT_WORD, requestKnown, RO, UNMAPPED, type Model, type Rig,
} from './harness.ts';

export type Cmd = fc.Command<Model, Rig>;

// --- operands, resolved at run time against the model -------------------------------------

export type PidSel = 'c0' | 'c1' | `k${number}` | 'self' | 'init' | 'none' | 'zero' | 'neg';
export const pidSel: fc.Arbitrary<PidSel> = fc.oneof(
  { arbitrary: fc.constantFrom<PidSel>('c0'), weight: 8 },
  { arbitrary: fc.constantFrom<PidSel>('c1'), weight: 2 },
  { arbitrary: fc.nat(5).map((i) => `k${i}` as PidSel), weight: 3 },
  { arbitrary: fc.constantFrom<PidSel>('self', 'init', 'none', 'zero', 'neg'), weight: 1 },
);

export function resolvePid(sel: PidSel, m: Model, r: Rig): number {
  switch (sel) {
    case 'c0': return r.children[0]!;
    case 'c1': return r.children[1] ?? r.children[0]!;
    case 'self': return r.T;
    case 'init': return 1;
    case 'none': return NONEXISTENT_PID;
    case 'zero': return 0;
    case 'neg': return -1;
    default: {
      const others = [...m.seen].filter((p) => p !== 1 && p !== r.T).sort((a, b) => a - b);
      return others.length ? others[Number(sel.slice(1)) % others.length]! : r.children[0]!;
    }
  }
}

/** Tracee-side addresses for PEEK/POKE. */
export type AddrSel = 'text' | 'text+8' | 'stack' | 'data' | 'unmapped' | 'misaligned' | 'kernel' | 'neg';
export const addrSel: fc.Arbitrary<AddrSel> = fc.constantFrom<AddrSel>('text', 'text', 'text+8', 'stack', 'data', 'unmapped', 'misaligned', 'kernel', 'neg');

export function resolveAddr(sel: AddrSel, r: Rig): bigint {
  const base = textBase(r.arch);
  switch (sel) {
    case 'text': return base;
    case 'text+8': return base + 8n;
    case 'stack': return stackTop(r.arch) - 64n;
    case 'data': return DATA;
    case 'unmapped': return UNMAPPED;
    case 'misaligned': return base + 3n;
    case 'kernel': return r.arch.wordBytes === 8 ? 0xffffffff81000000n : 0xc0001000n;
    case 'neg': return -8n;
  }
}

/** Tracer-side result pointers: good, unmapped, read-only, NULL. */
export type PtrSel = 'good' | 'bad' | 'ro' | 'null';
export const ptrSel: fc.Arbitrary<PtrSel> = fc.constantFrom<PtrSel>('good', 'good', 'good', 'good', 'bad', 'ro', 'null');

function ptr(sel: PtrSel, good: bigint): bigint {
  return sel === 'good' ? good : sel === 'bad' ? BAD : sel === 'ro' ? RO : 0n;
}

export const sigSel = fc.constantFrom(0, 0, 0, 0, SIG.SIGUSR1, SIG.SIGSTOP, SIG.SIGTERM, SIG.SIGKILL, SIG.SIGTRAP, SIG.SIGCONT, SIG.SIGCHLD, 64, 65, -1);

// --- the common path of every ptrace command ------------------------------------------------

interface Call {
  readonly req: number;
  readonly pid: number;
  readonly before: Task | undefined;
  readonly ok: boolean;
  readonly ret: bigint;
  readonly errno: string | null;
}

/** Make the call and check what holds for every request: errno shape, the ESRCH rule, EIO for unknown requests. */
function ptraceCall(m: Model, r: Rig, req: number, pid: number, addr: bigint, data: bigint): Call {
  // A copy: the kernel changes its task objects in place (the mutable core).
  const t0 = r.k.task(pid);
  const before = t0 && structuredClone(t0);
  const res = r.ptrace(req, pid, addr, data);
  const call: Call = { req, pid, before, ok: res.errno === null, ret: res.ret, errno: res.errno };
  const what = `${requestName(req)}(${pid}) on ${before ? `${before.run.kind}${before.run.kind === 'ptrace-stop' ? `/${before.run.stop.kind}` : ''} tracer=${before.tracer}` : 'nothing'}`;
  assert(isKernelErrno(res.errno), `${what}: non-kernel errno ${res.errno}`);
  assert(res.errno === null ? res.ret >= 0n : res.ret === -1n, `${what}: ret ${res.ret} with errno ${res.errno}`);
  if (mustBeEsrch(r, req, before)) {
    assert(res.errno === 'ESRCH', `${what}: expected ESRCH (not traced by the caller / not stopped), got ${res.errno ?? res.ret}`);
  } else if (before && before.tracer === r.T && req !== PTRACE.ATTACH && req !== PTRACE.SEIZE && req !== PTRACE.TRACEME) {
    assert(res.errno !== 'ESRCH', `${what}: ESRCH although traced by the caller and stopped (or exempt)`);
    if (!requestKnown(r, req)) assert(res.errno === 'EIO', `${what}: unknown request must be EIO, got ${res.errno ?? res.ret}`);
  }
  // A request that resumes or kills may end the stop wait4 already reported.
  if (call.ok && ([PTRACE.CONT, PTRACE.SYSCALL, PTRACE.SINGLESTEP, PTRACE.SINGLEBLOCK, PTRACE.SYSEMU, PTRACE.SYSEMU_SINGLESTEP, PTRACE.DETACH, PTRACE.KILL, PTRACE.INTERRUPT, PTRACE.LISTEN] as number[]).includes(req)) {
    m.stopReported.delete(pid);
  }
  m.steps.push(`${what} → ${res.errno ?? res.ret}`);
  return call;
}

function stoppedByMe(r: Rig, t: Task | undefined): t is Task {
  return !!t && t.tracer === r.T && t.run.kind === 'ptrace-stop' && !t.listening;
}

abstract class Base implements Cmd {
  check(): boolean {
    return true;
  }
  run(m: Model, r: Rig): void {
    this.act(m, r);
    checkInvariants(m, r);
  }
  abstract act(m: Model, r: Rig): void;
  abstract toString(): string;
}

// --- PEEK/POKE TEXT/DATA ------------------------------------------------------------------

export class PeekPokeData extends Base {
  constructor(readonly req: number, readonly pid: PidSel, readonly addr: AddrSel, readonly out: PtrSel, readonly value: bigint) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const addr = resolveAddr(this.addr, r);
    const poke = this.req === PTRACE.POKEDATA || this.req === PTRACE.POKETEXT;
    const c = ptraceCall(m, r, this.req, pid, addr, poke ? this.value : ptr(this.out, OUT_WORD));
    if (!stoppedByMe(r, c.before)) return;
    const mapped = r.k.readWord(pid, addr) !== null;
    if (!mapped) assert(c.errno === 'EIO', `${this}: unmapped tracee address must be EIO, got ${c.errno}`);
    if (c.ok && poke) assert(r.k.readWord(pid, addr) === BigInt.asUintN(r.arch.wordBytes * 8, this.value), `${this}: POKE did not store the word`);
    if (c.ok && !poke) assert(r.word(OUT_WORD) === r.k.readWord(pid, addr), `${this}: PEEK result differs from tracee memory`);
    if (mapped && !poke && this.out !== 'good') assert(c.errno === 'EFAULT', `${this}: bad result pointer must be EFAULT, got ${c.errno}`);
  }
  toString(): string { return `${requestName(this.req)}(${this.pid}, ${this.addr}, ${this.out}, ${this.value})`; }
}

// --- PEEKUSER/POKEUSER --------------------------------------------------------------------

export class PeekPokeUser extends Base {
  constructor(readonly poke: boolean, readonly pid: PidSel, readonly offset: bigint, readonly value: bigint, readonly out: PtrSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const req = this.poke ? PTRACE.POKEUSER : PTRACE.PEEKUSER;
    const c = ptraceCall(m, r, req, pid, this.offset, this.poke ? this.value : ptr(this.out, OUT_WORD));
    if (!stoppedByMe(r, c.before)) return;
    const w = BigInt(r.arch.wordBytes);
    const off = BigInt.asUintN(64, this.offset); // addr is an unsigned long
    const inRange = off % w === 0n && off < BigInt(r.arch.userAreaBytes);
    if (!inRange) assert(c.errno === 'EIO', `${this}: offset outside struct user must be EIO, got ${c.errno}`);
    const regIdx = inRange && off < BigInt(r.arch.regNames.length) * w ? Number(off / w) : -1;
    const after = r.k.task(pid);
    if (c.ok && !this.poke && regIdx >= 0) assert(r.word(OUT_WORD) === c.before.regs[regIdx], `${this}: PEEKUSER differs from the register`);
    const plain = regIdx >= 0 && !['cs', 'ss', 'ds', 'es', 'fs', 'gs', 'eflags', 'fs_base', 'gs_base'].includes(r.arch.regNames[regIdx]!);
    if (this.poke && plain) {
      assert(c.ok, `${this}: POKEUSER of a plain register failed with ${c.errno}`);
      assert(after?.regs[regIdx] === BigInt.asUintN(r.arch.wordBytes * 8, this.value), `${this}: POKEUSER did not store`);
    }
  }
  toString(): string { return `${this.poke ? 'POKEUSER' : 'PEEKUSER'}(${this.pid}, ${this.offset}, ${this.poke ? this.value : this.out})`; }
}

// --- GETREGS/SETREGS ----------------------------------------------------------------------

export class Regs extends Base {
  /** set: write the current registers with register `field` replaced by `value` (or unchanged if field < 0). */
  constructor(readonly set: boolean, readonly pid: PidSel, readonly field: number, readonly value: bigint, readonly out: PtrSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const t = r.k.task(pid);
    const n = r.arch.regNames.length;
    if (this.set && t) {
      const regs = [...t.regs];
      if (this.field >= 0) regs[this.field % n] = BigInt.asUintN(r.arch.wordBytes * 8, this.value);
      r.k.writeMemory(r.T, OUT_REGS, regsToBytes(r.arch, regs));
    }
    const c = ptraceCall(m, r, this.set ? PTRACE.SETREGS : PTRACE.GETREGS, pid, 0n, ptr(this.out, OUT_REGS));
    if (!stoppedByMe(r, c.before)) return;
    if (this.out !== 'good' && !(this.set && this.out === 'ro')) assert(c.errno === 'EFAULT', `${this}: bad buffer must be EFAULT, got ${c.errno}`);
    if (c.ok && !this.set) assert(eq(r.bytes(OUT_REGS, n * r.arch.wordBytes), regsToBytes(r.arch, c.before.regs)), `${this}: GETREGS bytes differ from the registers`);
    if (c.ok && this.set && this.field < 0) assert(eq(regsToBytes(r.arch, r.k.task(pid)!.regs), regsToBytes(r.arch, c.before.regs)), `${this}: SETREGS of GETREGS changed registers`);
  }
  toString(): string { return `${this.set ? 'SETREGS' : 'GETREGS'}(${this.pid}, field ${this.field}=${this.value}, ${this.out})`; }
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// --- GETFPREGS/SETFPREGS ------------------------------------------------------------------

export class FpRegs extends Base {
  constructor(readonly set: boolean, readonly pid: PidSel, readonly mxcsr: number | null, readonly out: PtrSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const t = r.k.task(pid);
    if (this.set && t) {
      const b = new Uint8Array(t.fpregs);
      if (this.mxcsr !== null && r.arch.name === 'x86_64') new DataView(b.buffer).setUint32(24, this.mxcsr, true);
      r.k.writeMemory(r.T, OUT_FPREGS, b);
    }
    const c = ptraceCall(m, r, this.set ? PTRACE.SETFPREGS : PTRACE.GETFPREGS, pid, 0n, ptr(this.out, OUT_FPREGS));
    if (!stoppedByMe(r, c.before)) return;
    if (c.ok && !this.set) assert(eq(r.bytes(OUT_FPREGS, c.before.fpregs.length), c.before.fpregs), `${this}: GETFPREGS bytes differ`);
    if (c.ok && this.set) assert(eq(r.k.task(pid)!.fpregs, r.bytes(ptr(this.out, OUT_FPREGS), c.before.fpregs.length)), `${this}: SETFPREGS did not store`);
    if (this.set && this.out === 'good' && this.mxcsr !== null && this.mxcsr & ~0xffff && r.arch.name === 'x86_64') assert(c.errno === 'EINVAL', `${this}: reserved MXCSR bits must be EINVAL`);
  }
  toString(): string { return `${this.set ? 'SETFPREGS' : 'GETFPREGS'}(${this.pid}, mxcsr ${this.mxcsr}, ${this.out})`; }
}

// --- GETREGSET/SETREGSET ------------------------------------------------------------------

export class Regset extends Base {
  constructor(readonly set: boolean, readonly pid: PidSel, readonly nt: number, readonly len: number, readonly iov: PtrSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const t = r.k.task(pid);
    const w = BigInt(r.arch.wordBytes);
    r.k.writeWord(r.T, OUT_IOV, OUT_REGSET);
    r.k.writeWord(r.T, OUT_IOV + w, BigInt(this.len));
    if (this.set && t) {
      // Fill the buffer with the tracee's current contents of that regset (a harmless SET).
      const img = this.nt === NT.NT_PRSTATUS ? regsToBytes(r.arch, t.regs) : this.nt === NT.NT_PRFPREG ? t.fpregs : new Uint8Array(0);
      if (img.length) r.k.writeMemory(r.T, OUT_REGSET, img);
    }
    const before = this.nt === NT.NT_PRSTATUS && t ? regsToBytes(r.arch, t.regs) : null;
    const c = ptraceCall(m, r, this.set ? PTRACE.SETREGSET : PTRACE.GETREGSET, pid, BigInt(this.nt), ptr(this.iov, OUT_IOV));
    if (!stoppedByMe(r, c.before) || !requestKnown(r, c.req)) return;
    if (this.iov !== 'good' && !(this.iov === 'ro' && !c.ok)) assert(c.errno === 'EFAULT', `${this}: bad iovec must be EFAULT, got ${c.errno}`);
    if (!c.ok || this.iov !== 'good') return;
    const used = Number(r.word(OUT_IOV + w));
    assert(used <= this.len, `${this}: iov_len grew to ${used}`);
    if (this.nt === NT.NT_PRSTATUS) {
      const full = r.arch.regNames.length * r.arch.wordBytes;
      assert(used === Math.min(this.len, full), `${this}: NT_PRSTATUS iov_len ${used}`);
      if (!this.set) assert(eq(r.bytes(OUT_REGSET, used), before!.subarray(0, used)), `${this}: NT_PRSTATUS bytes differ`);
      else assert(eq(regsToBytes(r.arch, r.k.task(pid)!.regs), before!), `${this}: SETREGSET of current regs changed them`);
    }
  }
  toString(): string { return `${this.set ? 'SETREGSET' : 'GETREGSET'}(${this.pid}, NT 0x${this.nt.toString(16)}, len ${this.len}, ${this.iov})`; }
}

// --- resume requests ------------------------------------------------------------------------

export class Resume extends Base {
  constructor(readonly req: number, readonly pid: PidSel, readonly sig: number) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const c = ptraceCall(m, r, this.req, pid, 0n, BigInt(this.sig));
    if (!stoppedByMe(r, c.before) || !requestKnown(r, this.req)) return;
    const valid = this.sig >= 0 && this.sig <= 64;
    assert(valid ? c.ok : c.errno === 'EIO', `${this}: signal ${this.sig} → ${c.errno ?? c.ret}`);
    const after = r.k.task(pid);
    if (valid) assert(after && after.run.kind !== 'ptrace-stop', `${this}: still in a ptrace-stop after a successful resume`);
    else assert(after?.run.kind === 'ptrace-stop', `${this}: invalid signal resumed the tracee`);
  }
  toString(): string { return `${requestName(this.req)}(${this.pid}, sig ${this.sig})`; }
}

// --- PTRACE_KILL --------------------------------------------------------------------------

export class KillReq extends Base {
  constructor(readonly pid: PidSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const c = ptraceCall(m, r, PTRACE.KILL, pid, 0n, 0n);
    if (!c.before || c.before.tracer !== r.T) return;
    assert(c.ok, `${this}: PTRACE_KILL on own tracee failed with ${c.errno}`);
    const after = r.k.task(pid);
    const dying = !after || after.run.kind === 'zombie' || after.phase === 'exit';
    if (r.generation === '6.18' || c.before.run.kind === 'ptrace-stop') assert(dying || after.run.kind !== 'ptrace-stop', `${this}: tracee neither dying nor resumed`);
    if (r.generation === '2.6.26' && c.before.run.kind !== 'ptrace-stop' && c.before.run.kind !== 'zombie') assert(after && after.phase === c.before.phase && after.run.kind === c.before.run.kind, `${this}: 2.6.26 KILL must not affect a running tracee`);
  }
  toString(): string { return `KILL(${this.pid})`; }
}

// --- DETACH --------------------------------------------------------------------------------

export class Detach extends Base {
  constructor(readonly pid: PidSel, readonly sig: number) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const c = ptraceCall(m, r, PTRACE.DETACH, pid, 0n, BigInt(this.sig));
    if (c.ok) {
      const after = r.k.task(pid);
      assert(!after || after.tracer === null, `${this}: still traced after DETACH`);
    }
  }
  toString(): string { return `DETACH(${this.pid}, sig ${this.sig})`; }
}

// --- ATTACH/SEIZE ---------------------------------------------------------------------------

export class Attach extends Base {
  constructor(readonly seize: boolean, readonly pid: PidSel, readonly options: number, readonly addr: bigint) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const req = this.seize ? PTRACE.SEIZE : PTRACE.ATTACH;
    const c = ptraceCall(m, r, req, pid, this.addr, BigInt(this.options));
    const after = r.k.task(pid);
    if (c.ok) {
      assert(c.before && c.before.tracer === null && after?.tracer === r.T, `${this}: success but tracer is ${after?.tracer}`);
      assert(!this.seize || after.seized, `${this}: SEIZE did not mark the tracee seized`);
    } else if (c.before && c.before.tracer !== null && (!this.seize || r.generation === '6.18') && this.addr === 0n && !(this.options & ~0x3000ff)) {
      assert(c.errno === 'EPERM', `${this}: already traced must be EPERM, got ${c.errno}`);
    }
    if ((pid === r.T || pid === 1) && (!this.seize || r.generation === '6.18')) assert(c.errno === 'EPERM' || (this.seize && c.errno === 'EIO'), `${this}: attach to self/init must fail with EPERM, got ${c.errno}`);
  }
  toString(): string { return `${this.seize ? 'SEIZE' : 'ATTACH'}(${this.pid}, addr ${this.addr}, options 0x${this.options.toString(16)})`; }
}

// --- INTERRUPT / LISTEN ---------------------------------------------------------------------

export class InterruptListen extends Base {
  constructor(readonly listen: boolean, readonly pid: PidSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const c = ptraceCall(m, r, this.listen ? PTRACE.LISTEN : PTRACE.INTERRUPT, pid, 0n, 0n);
    if (r.generation !== '6.18' || !c.before || c.before.tracer !== r.T) return;
    if (!c.before.seized && !mustBeEsrch(r, c.req, c.before)) assert(c.errno === 'EIO', `${this}: non-seized tracee must be EIO, got ${c.errno}`);
    if (c.ok && !this.listen && c.before.run.kind !== 'zombie' && c.before.phase !== 'exit') {
      const after = r.k.task(pid)!;
      assert(after.interruptPending || after.run.kind === 'ptrace-stop', `${this}: no trap pending after INTERRUPT`);
    }
  }
  toString(): string { return `${this.listen ? 'LISTEN' : 'INTERRUPT'}(${this.pid})`; }
}

// --- SETOPTIONS / OLDSETOPTIONS ----------------------------------------------------------------

export class SetOptions extends Base {
  constructor(readonly old: boolean, readonly pid: PidSel, readonly options: number) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const c = ptraceCall(m, r, this.old ? PTRACE.OLDSETOPTIONS : PTRACE.SETOPTIONS, pid, 0n, BigInt(this.options));
    if (!stoppedByMe(r, c.before)) return;
    const mask = r.generation === '6.18' ? 0x3000ff : 0x7f;
    const valid = (this.options & ~mask) === 0;
    assert(valid ? c.ok : c.errno === 'EINVAL', `${this}: options 0x${this.options.toString(16)} → ${c.errno ?? c.ret}`);
    if (valid) assert(r.k.task(pid)!.options === this.options, `${this}: options not stored`);
  }
  toString(): string { return `${this.old ? 'OLDSETOPTIONS' : 'SETOPTIONS'}(${this.pid}, 0x${this.options.toString(16)})`; }
}

// --- GETSIGINFO / SETSIGINFO ----------------------------------------------------------------

export class Siginfo extends Base {
  constructor(readonly set: boolean, readonly pid: PidSel, readonly signo: number | null, readonly out: PtrSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const t = r.k.task(pid);
    const info = t?.run.kind === 'ptrace-stop' ? t.run.stop.siginfo : null;
    if (this.set && info) {
      const b = siginfoToBytes(r.arch, info);
      if (this.signo !== null) new DataView(b.buffer).setInt32(0, this.signo, true);
      r.k.writeMemory(r.T, OUT_SIGINFO, b);
    }
    const c = ptraceCall(m, r, this.set ? PTRACE.SETSIGINFO : PTRACE.GETSIGINFO, pid, 0n, ptr(this.out, OUT_SIGINFO));
    if (!stoppedByMe(r, c.before)) return;
    const bufOk = this.out === 'good' || (this.set && this.out === 'ro');
    // GETSIGINFO: ptrace_getsiginfo (EINVAL) before copy_siginfo_to_user (EFAULT);
    // SETSIGINFO: copy_from_user (EFAULT) before ptrace_setsiginfo (EINVAL).
    if (!info && !(this.set && !bufOk)) assert(c.errno === 'EINVAL', `${this}: stop without siginfo must be EINVAL, got ${c.errno}`);
    else if (!bufOk) assert(c.errno === 'EFAULT', `${this}: bad pointer must be EFAULT, got ${c.errno}`);
    else if (info && !this.set && this.out === 'good') {
      assert(c.ok && eq(r.bytes(OUT_SIGINFO, 128), siginfoToBytes(r.arch, info)), `${this}: GETSIGINFO bytes differ`);
    }
  }
  toString(): string { return `${this.set ? 'SETSIGINFO' : 'GETSIGINFO'}(${this.pid}, signo ${this.signo}, ${this.out})`; }
}

// --- GETEVENTMSG ----------------------------------------------------------------------------

export class EventMsg extends Base {
  constructor(readonly pid: PidSel, readonly out: PtrSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const c = ptraceCall(m, r, PTRACE.GETEVENTMSG, pid, 0n, ptr(this.out, OUT_WORD));
    if (!stoppedByMe(r, c.before)) return;
    assert(this.out === 'good' ? c.ok : c.errno === 'EFAULT', `${this}: → ${c.errno ?? c.ret}`);
    if (c.ok) assert(r.word(OUT_WORD) === BigInt.asUintN(r.arch.wordBytes * 8, c.before.eventMsg), `${this}: message differs`);
  }
  toString(): string { return `GETEVENTMSG(${this.pid}, ${this.out})`; }
}

// --- GET_SYSCALL_INFO ------------------------------------------------------------------------

export class SyscallInfo extends Base {
  constructor(readonly pid: PidSel, readonly size: number, readonly out: PtrSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const c = ptraceCall(m, r, PTRACE.GET_SYSCALL_INFO, pid, BigInt(this.size), ptr(this.out, OUT_SCINFO));
    if (!stoppedByMe(r, c.before) || r.generation !== '6.18') return;
    if (this.out === 'good' || this.size === 0) {
      assert(c.ok && [24n, 33n, 80n].includes(c.ret), `${this}: → ${c.errno ?? c.ret}`);
      const stop = c.before.run.kind === 'ptrace-stop' ? c.before.run.stop : null;
      const sysgood = stop?.siginfo?.code === (SIG.SIGTRAP | 0x80);
      if (!sysgood) assert(c.ret === 24n, `${this}: op NONE expected outside TRACESYSGOOD syscall stops, got size ${c.ret}`);
      if (c.ret === 80n) assert(stop?.kind === 'syscall-enter' || stop?.kind === 'sysemu', `${this}: ENTRY info at a ${stop?.kind} stop`);
      if (c.ret === 33n) assert(stop?.kind === 'syscall-exit', `${this}: EXIT info at a ${stop?.kind} stop`);
    } else {
      assert(c.errno === 'EFAULT', `${this}: bad pointer must be EFAULT, got ${c.errno}`);
    }
  }
  toString(): string { return `GET_SYSCALL_INFO(${this.pid}, size ${this.size}, ${this.out})`; }
}

// --- unknown / absent request numbers ----------------------------------------------------------

export class OtherRequest extends Base {
  constructor(readonly req: number, readonly pid: PidSel) { super(); }
  act(m: Model, r: Rig): void {
    ptraceCall(m, r, this.req, resolvePid(this.pid, m, r), 0n, 0n);
  }
  toString(): string { return `${requestName(this.req)}(${this.pid})`; }
}

// --- wait4 ----------------------------------------------------------------------------------

export class Wait4 extends Base {
  constructor(readonly pid: PidSel | 'any', readonly options: number, readonly status: PtrSel) { super(); }
  act(m: Model, r: Rig): void {
    const pid = this.pid === 'any' ? -1 : resolvePid(this.pid, m, r);
    const addr = ptr(this.status, OUT_STATUS);
    const before = r.k.snapshot().tasks;
    const res = r.wait4(pid, this.options, addr);
    assert(isKernelErrno(res.errno), `wait4: non-kernel errno ${res.errno}`);
    const what = checkWaitResult(m, r, pid, this.options, addr, res, before);
    m.steps.push(`wait4(${pid}, 0x${(this.options >>> 0).toString(16)}) → ${what}`);
  }
  toString(): string { return `wait4(${this.pid}, 0x${(this.options >>> 0).toString(16)}, ${this.status})`; }
}

// --- kill(2) by the tracer ----------------------------------------------------------------------

export class Kill extends Base {
  constructor(readonly pid: PidSel, readonly sig: number) { super(); }
  act(m: Model, r: Rig): void {
    const pid = resolvePid(this.pid, m, r);
    const res = r.kill(pid, this.sig);
    assert(isKernelErrno(res.errno), `kill: non-kernel errno ${res.errno}`);
    if (this.sig < 0 || this.sig > 64) assert(res.errno === 'EINVAL', `kill(sig ${this.sig}) must be EINVAL`);
    // SIGKILL ends any stop; SIGCONT wakes a LISTENing seized tracee. Conservatively forget them all.
    if (res.errno === null && this.sig !== 0) m.stopReported.clear();
    m.steps.push(`kill(${pid}, ${this.sig}) → ${res.errno ?? res.ret}`);
  }
  toString(): string { return `kill(${this.pid}, ${this.sig})`; }
}

// --- letting the tracees run (no host call by the tracer) ----------------------------------------

export class Settle extends Base {
  constructor(readonly insns: number) { super(); }
  act(m: Model, r: Rig): void {
    r.k.settle(this.insns);
    m.steps.push(`settle(${this.insns})`);
  }
  toString(): string { return `settle(${this.insns})`; }
}

// --- arbitraries -------------------------------------------------------------------------------

const word = fc.oneof(fc.constantFrom(0n, 1n, 0xccn, -1n, 0x23n, 0x10n, 0x33n, 0x2bn), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const optionBits = fc.array(fc.constantFrom(0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100000, 0x1, 0x10, 0x40), { maxLength: 4 })
  .map((bits) => bits.reduce((a, b) => a | b, 0));
const options = fc.oneof({ arbitrary: optionBits, weight: 6 }, { arbitrary: fc.constantFrom(0x100, 0x400000, 0x7f | 0x80000), weight: 1 });
const userOffset = fc.oneof(
  fc.nat(120).map((i) => BigInt(i * 8)),
  fc.constantFrom(80n, 120n, 128n, 136n, 144n, 848n, 904n, 912n, 920n, 928n, 44n, 24n, 280n, 284n, 3n, 81n, -8n, 1n << 31n),
);
const waitOptions = fc.oneof(
  { arbitrary: fc.constantFrom(__WALL, __WALL, __WALL, 0, 0, WUNTRACED | __WALL, WNOHANG | __WALL, WNOHANG | __WALL, WNOHANG, WNOHANG | WUNTRACED | WCONTINUED | __WALL), weight: 12 },
  { arbitrary: fc.constantFrom(WNOHANG | __WCLONE, 0x10, WNOHANG | 0x01000000, -1), weight: 1 },
);

export const resumeReqs = [PTRACE.CONT, PTRACE.SYSCALL, PTRACE.SINGLESTEP, PTRACE.SYSEMU, PTRACE.SYSEMU_SINGLESTEP, PTRACE.SINGLEBLOCK] as const;

/** Every command family with a weight; fc.commands takes a flat list, so heavier ones repeat. */
export function commandArbs(): fc.Arbitrary<Cmd>[] {
  const b = fc.boolean();
  const weighted: [number, fc.Arbitrary<Cmd>][] = [
    [2, fc.tuple(fc.constantFrom(PTRACE.PEEKDATA, PTRACE.PEEKTEXT, PTRACE.POKEDATA, PTRACE.POKETEXT), pidSel, addrSel, ptrSel, word).map((a) => new PeekPokeData(...a))],
    [2, fc.tuple(b, pidSel, userOffset, word, ptrSel).map((a) => new PeekPokeUser(...a))],
    [2, fc.tuple(b, pidSel, fc.integer({ min: -3, max: 26 }), word, ptrSel).map((a) => new Regs(...a))],
    [1, fc.tuple(b, pidSel, fc.constantFrom(null, null, 0x1f80, 0x10000), ptrSel).map((a) => new FpRegs(...a))],
    [1, fc.tuple(b, pidSel, fc.constantFrom<number>(NT.NT_PRSTATUS, NT.NT_PRSTATUS, NT.NT_PRFPREG, NT.NT_X86_XSTATE, NT.NT_386_TLS, 0x999), fc.constantFrom(0, 8, 100, 216, 68, 512, 2432, 4096), ptrSel).map((a) => new Regset(...a))],
    [6, fc.tuple(fc.constantFrom(...resumeReqs), pidSel, sigSel).map((a) => new Resume(...a))],
    [1, pidSel.map((p) => new KillReq(p))],
    [1, fc.tuple(pidSel, sigSel).map((a) => new Detach(...a))],
    [1, fc.tuple(b, pidSel, options, fc.constantFrom(0n, 0n, 0n, 1n)).map((a) => new Attach(...a))],
    [1, fc.tuple(b, pidSel).map((a) => new InterruptListen(...a))],
    [2, fc.tuple(b, pidSel, options).map((a) => new SetOptions(...a))],
    [1, fc.tuple(b, pidSel, fc.constantFrom(null, null, SIG.SIGUSR2, 0), ptrSel).map((a) => new Siginfo(...a))],
    [1, fc.tuple(pidSel, ptrSel).map((a) => new EventMsg(...a))],
    [1, fc.tuple(pidSel, fc.constantFrom(0, 8, 24, 33, 80, 200), ptrSel).map((a) => new SyscallInfo(...a))],
    [1, fc.tuple(fc.oneof(fc.constantFrom(0x4300, 999, 10, 11, 20, 22, 25, 0x4209, 0x420c, 0x4212, -1), fc.integer()), pidSel).map((a) => new OtherRequest(...a))],
    [12, fc.tuple(fc.oneof(fc.constant<'any'>('any'), pidSel), waitOptions, fc.constantFrom<PtrSel>('good', 'good', 'good', 'null', 'null', 'bad')).map((a) => new Wait4(...a))],
    [1, fc.tuple(pidSel, fc.constantFrom(0, SIG.SIGKILL, SIG.SIGSTOP, SIG.SIGCONT, SIG.SIGUSR1, SIG.SIGTERM, SIG.SIGTRAP, -1, 65)).map((a) => new Kill(...a))],
    [1, fc.constantFrom(100, 2000).map((n) => new Settle(n))],
  ];
  return weighted.flatMap(([w, a]) => Array.from({ length: w }, () => a));
}

/** Kill everything and wait until nothing is left: every stop and exit must be reported at most once. */
export function drain(m: Model, r: Rig): void {
  for (let i = 0; i < 200; i++) {
    for (const t of Object.values(r.k.state.tasks)) {
      if (t.external || t.run.kind === 'zombie') continue;
      if (t.run.kind === 'ptrace-stop' && t.tracer === r.T && t.phase === 'exit') {
        // A PTRACE_EVENT_EXIT stop: the group is already dying, a second SIGKILL is dropped
        // (prepare_signal, SIGNAL_GROUP_EXIT); the tracer has to let it go on.
        r.ptrace(PTRACE.CONT, t.tid);
      } else {
        r.kill(t.tgid, SIG.SIGKILL);
      }
      m.stopReported.clear();
    }
    checkInvariants(m, r);
    const before = r.k.snapshot().tasks;
    const res = r.wait4(-1, __WALL, OUT_STATUS);
    checkWaitResult(m, r, -1, __WALL, OUT_STATUS, res, before);
    checkInvariants(m, r);
    if (res.errno === 'ECHILD') {
      const left = Object.values(r.k.state.tasks).filter((t) => !t.external);
      // Orphans (the tracees' untraced children) belong to init, which reaps them.
      assert(left.every((t) => t.parent === 1 && t.tracer === null), `after ECHILD, tasks remain: ${left.map((t) => `${t.tid}:${t.run.kind}`).join(' ')}`);
      return;
    }
  }
  throw new Error('invariant violated: wait4 never reached ECHILD while killing everything');
}
