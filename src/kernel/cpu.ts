// Executing one user instruction of the ISA (isa.ts) on a task, with x86's trap rules:
// faults leave rip at the faulting instruction and raise SIGSEGV/SIGILL with orig_ax = -1
// (arch/x86/entry: "no syscall to restart"); int3 raises SIGTRAP (si_code SI_KERNEL, do_int3_user);
// a single-step trap follows a completed instruction (SIGTRAP, TRAP_TRACE, si_addr = new rip).
import type { Ctx } from './ledger.ts';
import { INSN_BYTES, INT3_BYTE, type Insn } from './isa.ts';
import { ADDR_EXACT, byteAt, PAGE_SIZE, PROT_EXEC, PROT_READ, readWordAt, writeWordAt, type AddressSpace, type Fault, type Image } from './memory.ts';
import { makeSiginfo, SI, SIG } from './signals.ts';
import { sendSignal } from './signal.ts';
import { syscallEntry } from './syscall-entry.ts';
import type { Task } from './task.ts';

const NOP_BYTE = 0x90;
/** DR6.BS, the single-step bit (arch/x86/include/uapi/asm/debugreg.h DR_STEP). */
const DR_STEP = 0x4000n;

/** log2(INSN_BYTES) (a power of two): an offset's instruction index by a shift. */
const INSN_SHIFT = Math.log2(INSN_BYTES);
if (!Number.isInteger(INSN_SHIFT)) throw new Error('simulator bug: INSN_BYTES must be a power of two');

/** Operand slot of a register the instruction does not name / that the arch does not have. */
const NONE = -1, UNKNOWN = -2;

/**
 * A program's instructions predecoded, per arch, into one monomorphic form (typed arrays and
 * one bigint array indexed by instruction): the opcode, the register slots a (dst, a store's
 * src, jnz's reg) and b (src, a load/store's base; NONE if absent), the immediate (mov's
 * already masked to the arch width, add's, a load/store's displacement) and the branch target.
 * execute() then reads no Insn object: the Insn variants have different shapes, and reading
 * them made every property access in the interpreter megamorphic (UML guests run all of
 * them). Computed once per instruction list (rebased images share theirs); a pure function of
 * the program.
 */
export const OP = { nop: 0, mov: 1, movr: 2, add: 3, addr: 4, subr: 5, load: 6, store: 7, syscall: 8, int3: 9, ud2: 10, jmp: 11, jnz: 12 } as const satisfies Record<Insn['op'], number>;

class Decoded {
  readonly op: Uint8Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly imm: bigint[];
  /** The immediate as a double where it is an integer of magnitude below 2^53 (cpu-burst.ts), else NaN. */
  readonly immNum: Float64Array;
  /** 1 where the instruction is a register-only one (nop, mov, movr, add, addr, subr, jmp, jnz) or a load or store, on known registers other than the ip: cpu-burst.ts runs it. */
  readonly plain: Uint8Array;
  readonly target: Int32Array;
  constructor(readonly insns: readonly Insn[]) {
    const n = insns.length;
    this.op = new Uint8Array(n);
    this.a = new Int32Array(n);
    this.b = new Int32Array(n);
    this.imm = new Array<bigint>(n).fill(0n);
    this.immNum = new Float64Array(n);
    this.plain = new Uint8Array(n);
    this.target = new Int32Array(n);
  }
}

/** 2^53: integers of smaller magnitude are exact doubles. */
const NUM_EXACT = 2n ** 53n;

const REG_INDEX = new WeakMap<Ctx['arch'], Map<string, number>>();
const DECODED = new WeakMap<Ctx['arch'], WeakMap<readonly Insn[], Decoded>>();

function decode(arch: Ctx['arch'], insns: readonly Insn[]): Decoded {
  let byArch = DECODED.get(arch);
  if (!byArch) DECODED.set(arch, (byArch = new WeakMap()));
  let d = byArch.get(insns);
  if (d) return d;
  let index = REG_INDEX.get(arch);
  if (!index) REG_INDEX.set(arch, (index = new Map(arch.regNames.map((n, i) => [n, i]))));
  const slot = (name: string | undefined) => (name === undefined ? NONE : index.get(name) ?? UNKNOWN);
  const out = new Decoded(insns);
  insns.forEach((insn, i) => {
    out.op[i] = OP[insn.op];
    const [a, b] = insn.op === 'mov' || insn.op === 'add' ? [insn.dst, undefined]
      : insn.op === 'movr' || insn.op === 'addr' || insn.op === 'subr' ? [insn.dst, insn.src]
      : insn.op === 'load' ? [insn.dst, insn.base]
      : insn.op === 'store' ? [insn.src, insn.base]
      : insn.op === 'jnz' ? [insn.reg, undefined]
      : [undefined, undefined];
    out.a[i] = slot(a);
    out.b[i] = slot(b);
    if (insn.op === 'mov') out.imm[i] = insn.imm & arch.mask;
    else if (insn.op === 'add') out.imm[i] = insn.imm;
    else if (insn.op === 'load' || insn.op === 'store') out.imm[i] = insn.disp;
    if (insn.op === 'jmp' || insn.op === 'jnz') out.target[i] = insn.target;
    const imm = out.imm[i]!;
    out.immNum[i] = imm > -NUM_EXACT && imm < NUM_EXACT ? Number(imm) : NaN;
    const regOnly = out.op[i]! <= OP.subr || out.op[i] === OP.jmp || out.op[i] === OP.jnz;
    const memory = out.op[i] === OP.load || out.op[i] === OP.store;
    const known = (x: number) => x === NONE || (x >= 0 && x !== arch.ip);
    out.plain[i] = (regOnly || memory) && known(out.a[i]!) && known(out.b[i]!) ? 1 : 0;
  });
  byArch.set(insns, out);
  return out;
}

/** A register slot instruction n uses; an unknown name in a program is a simulator bug. */
function reg(slot: number, d: Decoded, n: number): number {
  if (slot < 0) throw new Error(`simulator bug: program uses unknown register in ${JSON.stringify(d.insns[n], (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
  return slot;
}

export function faultSignal(ctx: Ctx, t: Task, sig: number, code: number, addr: bigint): void {
  t.regs[ctx.arch.origAx] = ctx.arch.mask; // -1
  sendSignal(ctx, t.tid, makeSiginfo(sig, code, { addr }), { force: true });
  t.phase = 'signals';
}

/**
 * A user page fault (arch/x86/mm/fault.c): the kernel keeps cr2, the error code (bit 0 P =
 * protection violation, 1 W = write, 2 U = user mode, 4 I = instruction fetch) and trap 14 in
 * the thread; a signal frame's sigcontext reports them (UML's stub SIGSEGV handler reads them).
 */
function segv(ctx: Ctx, t: Task, f: Fault, access: 'read' | 'write' | 'exec' = 'read'): void {
  const err = 4n | (f.fault === 'SEGV_ACCERR' ? 1n : 0n) | (access === 'write' ? 2n : 0n) | (access === 'exec' ? 16n : 0n);
  t.faultInfo = { cr2: f.addr, err, trapno: 14n };
  faultSignal(ctx, t, SIG.SIGSEGV, f.fault === 'SEGV_MAPERR' ? SI.SEGV_MAPERR : SI.SEGV_ACCERR, f.addr);
}

/** The program image whose text holds ip (images are few: the program, the stub, maybe one more). */
function imageAt(images: readonly Image[], ip: bigint): Image | undefined {
  // In doubles: user text lies far below 2^53, and an ip above it cannot round into it.
  const at = Number(ip);
  for (let i = 0; i < images.length; i++) {
    const im = images[i]!;
    const base = Number(im.base);
    if (at >= base && at < base + im.insns.length * INSN_BYTES) return im;
  }
  return undefined;
}

/**
 * The instruction-fetch window: the last text page and program image an instruction came
 * from, so the next fetch in them skips the page and image lookups. Valid while it names the
 * same address space, whose `layout` has not moved (the same Page object for that page number:
 * its bytes are read live, so a POKETEXT int3 is seen) and whose `images` list is the same
 * array. A cache of lookups, never of results: a miss does what every fetch did before.
 */
interface FetchWindow {
  mm: AddressSpace | null;
  layout: number;
  /** The text page's addresses [pageLo, pageLo + PAGE_SIZE) as doubles and its bytes; exec: does its protection allow a fetch. */
  pageLo: number;
  bytes: Uint8Array;
  exec: boolean;
  images: readonly Image[] | null;
  image: Image | null;
  /** The image's text as doubles [start, end), its decoded operands and each instruction's address (n = 0..length). */
  start: number;
  end: number;
  decoded: Decoded | null;
  ips: (bigint | undefined)[];
  /**
   * The ip the last instruction run through the window left (its successor or branch target,
   * an address of the window's image) and that address as a double: the next fetch from it
   * needs no bigint-to-double conversion. A value, valid for any task and address space.
   */
  nextIp: bigint;
  nextAt: number;
}

export const win: FetchWindow = { mm: null, layout: -1, pageLo: -1, bytes: new Uint8Array(0), exec: false, images: null, image: null, start: 0, end: 0, decoded: null, ips: [], nextIp: -1n, nextAt: -1 };

/**
 * Addresses base + n * INSN_BYTES of an image (n = 0..insns.length), filled as instructions
 * run: one bigint per instruction address instead of one per executed instruction. Per
 * program and base, since a mem-file mapping makes new (rebased) image objects at every mmap
 * (memfile.ts) while the program and the address repeat.
 */
const IPS = new WeakMap<readonly Insn[], Map<number, (bigint | undefined)[]>>();

function imageIps(im: Image): (bigint | undefined)[] {
  let byBase = IPS.get(im.insns);
  if (!byBase) IPS.set(im.insns, (byBase = new Map()));
  const base = Number(im.base); // exact: text lies below 2^53 (stepUser's window)
  let ips = byBase.get(base);
  if (!ips) byBase.set(base, (ips = new Array<bigint | undefined>(im.insns.length + 1)));
  return ips;
}

/** base + n * INSN_BYTES, from (or into) the image's table while n lies in it (or just past it). */
export function ipAt(base: bigint, n: number, ips: (bigint | undefined)[], length: number): bigint {
  if (n < 0 || n > length) return base + BigInt(n * INSN_BYTES);
  return ips[n] ?? (ips[n] = base + BigInt(n * INSN_BYTES));
}

/** Fetch, decode and execute one instruction. */
export function stepUser(ctx: Ctx, t: Task): void {
  const { arch } = ctx;
  const mm = ctx.s.mms[t.mm]!;
  const ip = t.regs[arch.ip]!;
  const at = ip === win.nextIp ? win.nextAt : Number(ip); // exact below ADDR_EXACT (memory.ts)
  // In the window's page (a range test: no page number per fetch), else look the page up.
  if (mm !== win.mm || mm.layout !== win.layout || !(at >= win.pageLo && at < win.pageLo + PAGE_SIZE)) {
    if (!(at >= 0 && at < ADDR_EXACT)) return stepUserSlow(ctx, t, mm, ip);
    const pn = Math.floor(at / PAGE_SIZE);
    const page = mm.pages.get(pn);
    if (!page) return stepUserSlow(ctx, t, mm, ip);
    win.mm = mm;
    win.layout = mm.layout;
    win.pageLo = pn * PAGE_SIZE;
    win.bytes = page.bytes;
    win.exec = (page.prot & PROT_EXEC) !== 0;
  }
  if (!win.exec) return stepUserSlow(ctx, t, mm, ip);
  const byte = win.bytes[at - win.pageLo]!;
  if (byte === INT3_BYTE) {
    // int3 traps with rip after the one-byte instruction.
    t.regs[arch.ip] = ip + 1n;
    return faultSignal(ctx, t, SIG.SIGTRAP, SI.SI_KERNEL, 0n);
  }
  if (mm.images !== win.images || win.image === null || at < win.start || at >= win.end) {
    const image = imageAt(mm.images, ip);
    win.images = mm.images;
    win.image = image ?? null;
    if (!image) return stepUserSlow(ctx, t, mm, ip);
    win.start = Number(image.base);
    win.end = win.start + image.insns.length * INSN_BYTES;
    win.decoded = decode(arch, image.insns);
    win.ips = imageIps(image);
  }
  // Within the image, so a small integer: int32 bit operations, not a double's % and /.
  const offset = at - win.start;
  if ((offset & (INSN_BYTES - 1)) !== 0) return stepUserSlow(ctx, t, mm, ip);
  const image = win.image!; // set by the refill above, or the refill returned
  execute(ctx, t, win.decoded!, offset >> INSN_SHIFT, ip, image.base, win.ips);
}

/** Every fetch the window does not serve (a fault, padding, no image, ip beyond 2^53): the full lookups. */
function stepUserSlow(ctx: Ctx, t: Task, mm: AddressSpace, ip: bigint): void {
  const { arch } = ctx;
  const byte = byteAt(mm, ip, PROT_EXEC);
  if (typeof byte !== 'number') return segv(ctx, t, byte, 'exec');
  if (byte === INT3_BYTE) {
    // int3 traps with rip after the one-byte instruction.
    t.regs[arch.ip] = ip + 1n;
    return faultSignal(ctx, t, SIG.SIGTRAP, SI.SI_KERNEL, 0n);
  }
  const image = imageAt(mm.images, ip);
  const offset = image ? Number(ip - image.base) : -1;
  if (!image || offset % INSN_BYTES !== 0) {
    if (byte === NOP_BYTE) return advance(ctx, t, ip + 1n); // instruction padding
    return faultSignal(ctx, t, SIG.SIGILL, SI.ILL_ILLOPC, ip);
  }
  execute(ctx, t, decode(arch, image.insns), offset / INSN_BYTES, ip, image.base, imageIps(image));
}

/** The window's image's instruction `n` is where the ip goes next (win.nextIp); ips: whose addresses execute() used. */
export function noteNext(ips: (bigint | undefined)[], n: number, ip: bigint): void {
  if (ips !== win.ips) return; // another image's (stepUserSlow): win.start is not its base
  win.nextIp = ip;
  win.nextAt = win.start + n * INSN_BYTES;
}

/** Instruction n of a decoded program (decode()); ips: the image's addresses (imageIps). */
function execute(ctx: Ctx, t: Task, d: Decoded, n: number, ip: bigint, base: bigint, ips: (bigint | undefined)[]): void {
  const { arch } = ctx;
  const length = d.op.length;
  const next = ipAt(base, n + 1, ips, length);
  const regs = t.regs;
  const op = d.op[n];
  if (op === OP.jmp || (op === OP.jnz && regs[reg(d.a[n]!, d, n)]! !== 0n)) {
    const to = d.target[n]!;
    const target = ipAt(base, to, ips, length);
    noteNext(ips, to, target);
    return advance(ctx, t, target, true);
  }
  noteNext(ips, n + 1, next);
  switch (op) {
    case OP.nop:
      return advance(ctx, t, next);
    case OP.mov:
      regs[reg(d.a[n]!, d, n)] = d.imm[n]!; // masked when decoded
      return advance(ctx, t, next);
    case OP.movr:
      regs[reg(d.a[n]!, d, n)] = regs[reg(d.b[n]!, d, n)]!;
      return advance(ctx, t, next);
    case OP.add: {
      const i = reg(d.a[n]!, d, n);
      regs[i] = wrap(arch, regs[i]! + d.imm[n]!);
      return advance(ctx, t, next);
    }
    case OP.load: {
      const v = readWordAt(ctx.s.mms[t.mm]!, effectiveAddress(arch, regs, d, n), arch.wordBytes, PROT_READ);
      if (typeof v !== 'bigint') return segv(ctx, t, v);
      regs[reg(d.a[n]!, d, n)] = v;
      return advance(ctx, t, next);
    }
    case OP.store: {
      const f = writeWordAt(ctx.s.mms[t.mm]!, effectiveAddress(arch, regs, d, n), arch.wordBytes, regs[reg(d.a[n]!, d, n)]!, false);
      if (f) return segv(ctx, t, f, 'write');
      return advance(ctx, t, next);
    }
    case OP.addr:
    case OP.subr: {
      const i = reg(d.a[n]!, d, n);
      const v = regs[reg(d.b[n]!, d, n)]!;
      regs[i] = wrap(arch, d.op[n] === OP.addr ? regs[i]! + v : regs[i]! - v);
      return advance(ctx, t, next);
    }
    case OP.syscall:
      regs[arch.ip] = next;
      return syscallEntry(ctx, t);
    case OP.int3:
      regs[arch.ip] = ip + 1n;
      return faultSignal(ctx, t, SIG.SIGTRAP, SI.SI_KERNEL, 0n);
    case OP.ud2:
      // do_error_trap(X86_TRAP_UD) → SIGILL, ILL_ILLOPN, si_addr = rip.
      return faultSignal(ctx, t, SIG.SIGILL, 2, ip);
    case OP.jnz: // not taken (a taken branch and jmp went above)
      return advance(ctx, t, next, false);
  }
}

/** v mod 2^width: the mask (an allocation) only where v leaves [0, mask]. */
function wrap(arch: Ctx['arch'], v: bigint): bigint {
  return v < 0n || v > arch.mask ? v & arch.mask : v;
}

/** (base + disp) mod 2^width of load/store n; the mask (an allocation) only where the sum leaves the range. */
function effectiveAddress(arch: Ctx['arch'], regs: readonly bigint[], d: Decoded, n: number): bigint {
  const b = d.b[n]!;
  const addr = b !== NONE ? regs[reg(b, d, n)]! + d.imm[n]! : d.imm[n]!;
  return addr < 0n || addr > arch.mask ? addr & arch.mask : addr;
}

/** Retire an instruction; single-step (TF) and block-step (BTF, taken branches) trap after it. */
function advance(ctx: Ctx, t: Task, next: bigint, branch = false): void {
  t.regs[ctx.arch.ip] = next;
  if (t.singleStep || (t.blockStep && (branch || !ctx.s.config.blockStepBranchOnly))) {
    // exc_debug_user(): "Start the virtual/ptrace DR6 value with just the DR_STEP mask of
    // the real DR6" — PEEKUSER of DR6 then reads BS (differential conformance run).
    t.debugRegs[6] = DR_STEP;
    faultSignal(ctx, t, SIG.SIGTRAP, SI.TRAP_TRACE, next);
  }
}
