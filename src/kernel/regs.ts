// The register file of a task and the kernel's rules for reading and writing it
// through ptrace (arch/x86/kernel/ptrace.c: getreg/putreg, set_segment_reg, set_flags,
// ptrace_get_debugreg/ptrace_set_debugreg). ptrace.md §8.
import type { Arch } from './arch.ts';
import type { Errno } from './errno.ts';
import { LastKeyWeakMap } from './last-key-map.ts';

/** General registers in user_regs_struct order, unsigned, arch width. */
export type GpRegs = readonly bigint[];

/** x86_64 TASK_SIZE_MAX with 4-level paging: fs_base/gs_base at or above it → EIO. */
export const TASK_SIZE_MAX = 0x7ffffffff000n;

/** Flag bits a tracer may change (FLAG_MASK, arch/x86/kernel/ptrace.c): CF PF AF ZF SF TF DF OF NT RF AC. */
export const FLAG_MASK = 0x54dd5n;

/** Initial eflags of a user task: IF set, reserved bit 1 set. */
export const EFLAGS_INIT = 0x202n;
export const EFLAGS_TF = 0x100n;

/** DR6 bits that read as 1 (arch/x86/include/asm/debugreg.h DR6_RESERVED). */
export const DR6_RESERVED = 0xffff0ff0n;

export function initialRegs(arch: Arch, ip: bigint, sp: bigint): bigint[] {
  const r = arch.regNames.map(() => 0n);
  r[arch.ip] = ip;
  r[arch.sp] = sp;
  r[arch.cs] = arch.userCs[0]!;
  r[arch.ss] = arch.userDs;
  r[arch.flags] = EFLAGS_INIT;
  if (arch.name === 'i386') {
    for (const n of ['ds', 'es']) r[arch.regNames.indexOf(n)] = arch.userDs;
  }
  return r;
}

/** Typed-array element order is the host's: user_regs_struct is little-endian, so use it only there. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function regsToBytes(arch: Arch, regs: GpRegs): Uint8Array {
  if (arch.wordBytes === 8 && LITTLE_ENDIAN) {
    // BigUint64Array stores each value modulo 2^64 (ToBigUint64), as asUintN would.
    const out = new BigUint64Array(regs.length);
    for (let i = 0; i < regs.length; i++) out[i] = regs[i]!;
    return new Uint8Array(out.buffer);
  }
  const w = arch.wordBytes;
  const out = new Uint8Array(regs.length * w);
  const view = new DataView(out.buffer);
  if (w === 8) for (let i = 0; i < regs.length; i++) view.setBigUint64(i * 8, regs[i]!, true);
  else for (let i = 0; i < regs.length; i++) view.setUint32(i * 4, Number(regs[i]! & 0xffffffffn), true);
  return out;
}

/** Per arch, one reused user_regs_struct image (regsScratch). */
const SCRATCH = new LastKeyWeakMap<Arch, { words: BigUint64Array | null; bytes: Uint8Array }>();

/**
 * regsToBytes into one buffer reused by every call (no allocation): valid until the next call,
 * for callers that copy it at once (GETREGS's copy_to_user, UML writing its register buffer).
 */
export function regsScratch(arch: Arch, regs: GpRegs): Uint8Array {
  let s = SCRATCH.get(arch);
  if (!s) {
    const bytes = new Uint8Array(arch.regNames.length * arch.wordBytes);
    s = { words: arch.wordBytes === 8 && LITTLE_ENDIAN ? new BigUint64Array(bytes.buffer) : null, bytes };
    SCRATCH.set(arch, s);
  }
  if (s.words === null || regs.length !== s.words.length) return regsToBytes(arch, regs);
  const words = s.words;
  for (let i = 0; i < regs.length; i++) words[i] = regs[i]!;
  return s.bytes;
}

export function regsFromBytes(arch: Arch, bytes: Uint8Array): bigint[] {
  const n = arch.regNames.length;
  const out = new Array<bigint>(n);
  if (arch.wordBytes === 8 && LITTLE_ENDIAN && bytes.byteOffset % 8 === 0) {
    const words = wholeBuffer64(bytes.buffer);
    for (let i = 0, at = bytes.byteOffset >>> 3; i < n; i++) out[i] = words[at + i]!;
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (arch.wordBytes === 8) for (let i = 0; i < n; i++) out[i] = view.getBigUint64(i * 8, true);
  else for (let i = 0; i < n; i++) out[i] = BigInt(view.getUint32(i * 4, true));
  return out;
}

/** What regsFromBytesReusing read last: the image's 32-bit words and the values made from them. */
export interface RegsRead {
  readonly image: Uint32Array;
  readonly values: bigint[];
}

/**
 * regsFromBytes for a reader that reads one buffer again and again (UML after every GETREGS):
 * a word equal to the one `last` read keeps its bigint, only changed words make new ones (a
 * guest syscall changes a few). `last` is updated; the array returned is the caller's.
 */
export function regsFromBytesReusing(arch: Arch, bytes: Uint8Array, last: RegsRead | null): { values: bigint[]; read: RegsRead } {
  const n = arch.regNames.length;
  const aligned = arch.wordBytes === 8 && LITTLE_ENDIAN && bytes.byteOffset % 8 === 0;
  const in32 = aligned ? wholeBuffer32(bytes.buffer) : null;
  const at32 = bytes.byteOffset >>> 2;
  if (in32 === null || last === null || last.image.length !== 2 * n) {
    // Nothing to reuse (a first read, or an image the word views cannot read): read it whole.
    const values = regsFromBytes(arch, bytes);
    return { values, read: { image: in32 === null ? new Uint32Array(0) : in32.slice(at32, at32 + 2 * n), values: values.slice() } };
  }
  const words = wholeBuffer64(bytes.buffer);
  const read = last;
  const out = new Array<bigint>(n);
  for (let i = 0; i < n; i++) {
    const lo = in32[at32 + 2 * i]!, hi = in32[at32 + 2 * i + 1]!;
    if (lo !== read.image[2 * i] || hi !== read.image[2 * i + 1]) {
      read.image[2 * i] = lo;
      read.image[2 * i + 1] = hi;
      read.values[i] = words[(bytes.byteOffset >>> 3) + i]!;
    }
    out[i] = read.values[i]!;
  }
  return { values: out, read };
}

export function readWord(view: DataView, off: number, arch: Arch): bigint {
  return arch.wordBytes === 8 ? view.getBigUint64(off, true) : BigInt(view.getUint32(off, true));
}

export function writeWord(view: DataView, off: number, arch: Arch, v: bigint): void {
  if (arch.wordBytes === 8) view.setBigUint64(off, BigInt.asUintN(64, v), true);
  else view.setUint32(off, Number(BigInt.asUintN(32, v)), true);
}

const SEGMENTS = new Set(['cs', 'ss', 'ds', 'es', 'fs', 'gs']);

/** What putreg() checks for each register index of an arch (computed once per arch). */
type RegKind = 'segment' | 'cs-ss' | 'flags' | 'base' | 'plain';
const REG_KINDS = new LastKeyWeakMap<Arch, readonly RegKind[]>();

function regKinds(arch: Arch): readonly RegKind[] {
  let k = REG_KINDS.get(arch);
  if (!k) {
    k = arch.regNames.map((name): RegKind => (name === 'cs' || name === 'ss' ? 'cs-ss' : SEGMENTS.has(name) ? 'segment' : name === 'eflags' ? 'flags' : name === 'fs_base' || name === 'gs_base' ? 'base' : 'plain'));
    REG_KINDS.set(arch, k);
  }
  return k;
}

/**
 * putreg(): one general register written by SETREGS or POKEUSER, with the kernel's checks,
 * in place; an errno leaves `regs` unchanged.
 */
export function putRegInPlace(arch: Arch, regs: bigint[], index: number, raw: bigint, kinds: readonly RegKind[] = regKinds(arch)): Errno | null {
  const kind = kinds[index]!;
  const value = raw >= 0n && raw <= arch.mask ? raw : BigInt.asUintN(arch.wordBytes * 8, raw);
  if (kind === 'segment' || kind === 'cs-ss') {
    // set_segment_reg(): value truncated to u16; invalid_selector() = non-zero with RPL != 3;
    // cs and ss may not be 0.
    const sel = value & 0xffffn;
    if (sel !== 0n && (sel & 3n) !== 3n) return 'EIO';
    if (kind === 'cs-ss' && sel === 0n) return 'EIO';
    regs[index] = sel;
    return null;
  }
  if (kind === 'flags') {
    // set_flags(): only FLAG_MASK bits are taken from the tracer.
    regs[index] = (regs[index]! & ~FLAG_MASK) | (value & FLAG_MASK);
    return null;
  }
  // putreg(): "if (value >= TASK_SIZE_MAX) return -EIO;"
  if (kind === 'base' && value >= TASK_SIZE_MAX) return 'EIO';
  regs[index] = value;
  return null;
}

/** putreg() on a copy: the new register array or an errno. */
export function putReg(arch: Arch, regs: GpRegs, index: number, raw: bigint): bigint[] | Errno {
  const next = regs.slice();
  return putRegInPlace(arch, next, index, raw) ?? next;
}

/**
 * SETREGS = genregs_set(): putreg() for each field in order, stopping at the first failure.
 * Fields before the failing one stay written (the kernel does not roll back).
 */
export function putRegs(arch: Arch, regs: GpRegs, values: readonly bigint[], first = 0): { regs: bigint[]; errno: Errno | null } {
  const cur = regs.slice();
  for (let i = first; i < first + values.length && i < arch.regNames.length; i++) {
    const e = putRegInPlace(arch, cur, i, values[i - first]!);
    if (e) return { regs: cur, errno: e };
  }
  return { regs: cur, errno: null };
}

/**
 * Does putreg() of the value a register already holds (lo, hi: its 32-bit halves) leave it as
 * it is, without an error? A plain store and set_flags() always do; a segment register only
 * when the value is a selector it accepts (at most 16 bits: set_segment_reg() stores value &
 * 0xffff; RPL 3 or null, and cs/ss not null); fs_base/gs_base only below TASK_SIZE_MAX.
 */
function heldStays(kind: RegKind, lo: number, hi: number): boolean {
  if (kind === 'plain' || kind === 'flags') return true;
  if (kind === 'base') return hi < 0x7fff || (hi === 0x7fff && lo < 0xfffff000); // TASK_SIZE_MAX = 0x7ffffffff000
  if (hi !== 0 || lo > 0xffff) return false;
  return lo === 0 ? kind === 'segment' : (lo & 3) === 3;
}

/**
 * Views of a whole buffer (a page of tracer memory), made once per buffer: a register image is
 * read at its offset in them instead of through a new typed array per SETREGS or register read
 * (both need an 8-aligned image; the buffers are page-sized, so whole views fit).
 */
const WHOLE32 = new LastKeyWeakMap<ArrayBufferLike, Uint32Array>();
const WHOLE64 = new LastKeyWeakMap<ArrayBufferLike, BigUint64Array>();

export function wholeBuffer32(b: ArrayBufferLike): Uint32Array {
  let v = WHOLE32.get(b);
  if (v === undefined) WHOLE32.set(b, (v = new Uint32Array(b, 0, b.byteLength >>> 2)));
  return v;
}

function wholeBuffer64(b: ArrayBufferLike): BigUint64Array {
  let v = WHOLE64.get(b);
  if (v === undefined) WHOLE64.set(b, (v = new BigUint64Array(b, 0, b.byteLength >>> 3)));
  return v;
}

/** Per arch, a Uint32 view of regsScratch's image: the current registers as 32-bit halves. */
const SCRATCH32 = new LastKeyWeakMap<Arch, Uint32Array>();

/**
 * SETREGS into `regs` in place: putreg() for each field in order, stopping at the first failure
 * (fields before it stay written, as genregs_set() leaves them). A field whose value equals the
 * register's is skipped when putreg() of it would store that same value without an error
 * (heldStays): a held value putreg() refuses or truncates is still put, and refused.
 */
export function putRegsFromBytesInPlace(arch: Arch, regs: bigint[], bytes: Uint8Array): Errno | null {
  const n = arch.regNames.length;
  const kinds = regKinds(arch);
  if (arch.wordBytes !== 8 || !LITTLE_ENDIAN || bytes.byteOffset % 8 !== 0) {
    const values = regsFromBytes(arch, bytes);
    for (let i = 0; i < n; i++) {
      const e = putRegInPlace(arch, regs, i, values[i]!, kinds);
      if (e) return e;
    }
    return null;
  }
  const held = regsScratch(arch, regs); // the current values as an image, compared 32 bits at a time
  let held32 = SCRATCH32.get(arch);
  if (held32 === undefined || held32.buffer !== held.buffer) SCRATCH32.set(arch, (held32 = new Uint32Array(held.buffer, held.byteOffset, 2 * n)));
  const in32 = wholeBuffer32(bytes.buffer);
  const at32 = bytes.byteOffset >>> 2;
  for (let i = 0; i < n; i++) {
    const lo = in32[at32 + 2 * i]!, hi = in32[at32 + 2 * i + 1]!;
    if (lo === held32[2 * i] && hi === held32[2 * i + 1] && heldStays(kinds[i]!, lo, hi)) continue;
    const e = putRegInPlace(arch, regs, i, wholeBuffer64(bytes.buffer)[(bytes.byteOffset >>> 3) + i]!, kinds);
    if (e) return e;
  }
  return null;
}

export type UserAreaSlot =
  | { kind: 'reg'; index: number }
  | { kind: 'debugreg'; index: number }
  | { kind: 'other' };

/**
 * Classify a PEEKUSER/POKEUSER offset (arch_ptrace PTRACE_PEEKUSR: "if ((addr & (sizeof(data) - 1))
 * || addr >= sizeof(struct user)) break;" → EIO).
 */
export function userAreaSlot(arch: Arch, offset: bigint): UserAreaSlot | Errno {
  const w = BigInt(arch.wordBytes);
  if (offset < 0n || offset % w !== 0n || offset >= BigInt(arch.userAreaBytes)) return 'EIO';
  const off = Number(offset);
  if (off < arch.regNames.length * arch.wordBytes) return { kind: 'reg', index: off / arch.wordBytes };
  const dr = off - arch.debugRegOffset;
  if (dr >= 0 && dr < 8 * arch.wordBytes) return { kind: 'debugreg', index: dr / arch.wordBytes };
  return { kind: 'other' };
}

/** ptrace_get_debugreg(): DR6 is stored flipped against DR6_RESERVED. */
export function readDebugReg(debugRegs: readonly bigint[], n: number): bigint {
  if (n === 6) return debugRegs[6]! ^ DR6_RESERVED;
  if (n === 4 || n === 5) return 0n;
  return debugRegs[n]!;
}

/**
 * ptrace_set_debugreg(): "There are no DR4 or DR5 registers" → EIO; DR6 is stored flipped;
 * DR0-3 and DR7 go through perf breakpoints (arch/x86/kernel/ptrace.c). `bps` is the
 * task's Task.ptraceBps (which slots have a breakpoint registered, and whether its
 * length/type come from DR7 or are the LEN_1/WRITE stub an address write registers).
 * x86_64 only; i386 keeps the plain store.
 */
export function writeDebugReg(arch: Arch, debugRegs: readonly bigint[], n: number, v: bigint, bps = 0): { regs: bigint[]; bps: number; errno?: Errno } | Errno {
  const next = [...debugRegs];
  if (n === 4 || n === 5) return 'EIO';
  if (n === 6) {
    next[6] = v ^ DR6_RESERVED;
    return { regs: next, bps };
  }
  if (arch.name !== 'x86_64') {
    next[n] = v;
    return { regs: next, bps };
  }
  if (n < 4) {
    // ptrace_set_breakpoint_addr(): register a disabled LEN_1/WRITE stub, or modify the
    // slot's breakpoint keeping its length: a kernel address or one misaligned for the
    // length is refused (arch_check_bp_in_kernelspace, hw_breakpoint_arch_parse).
    const registered = (bps >> n) & 1;
    const len = registered && (bps >> (4 + n)) & 1 ? dr7Slot(debugRegs[7]!, n).len : 1n;
    if (badBpAddress(v, len)) return 'EINVAL';
    next[n] = v;
    return { regs: next, bps: registered ? bps : bps | (1 << n) };
  }
  // ptrace_write_dr7(): every slot that is enabled or already has a breakpoint is
  // (re)registered with the length/type DR7 gives it, disabled or not; the first invalid
  // one → EINVAL, and a second pass restores the old DR7 on every registered slot, so a
  // slot the failed write newly registered stays registered (with DR0-3 = 0).
  let reg = bps & 0xf;
  for (let i = 0; i < 4; i++) {
    const s = dr7Slot(v, i);
    if (!((reg >> i) & 1) && !s.enabled) continue;
    if (!s.valid || badBpAddress(debugRegs[i]!, s.len)) return { regs: [...debugRegs], bps: reg | (reg << 4), errno: 'EINVAL' };
    reg |= 1 << i;
  }
  next[7] = v;
  return { regs: next, bps: reg | (reg << 4) };
}

function badBpAddress(addr: bigint, len: bigint): boolean {
  return (addr & (len - 1n)) !== 0n || addr + len - 1n >= TASK_SIZE_MAX;
}

/**
 * decode_dr7() + arch_bp_generic_fields(): slot i's enable bits (L or G) and whether its
 * R/W and LEN fields make a valid breakpoint: R/W 10 (I/O) is invalid and an execute
 * breakpoint (R/W 00) must have LEN 00. LEN 00/01/11/10 = 1/2/4/8 bytes (execute: 1).
 */
function dr7Slot(dr7: bigint, i: number): { enabled: boolean; valid: boolean; len: bigint } {
  const info = (dr7 >> BigInt(16 + 4 * i)) & 0xfn;
  const rw = info & 3n;
  const lenBits = info >> 2n;
  return {
    enabled: ((dr7 >> BigInt(2 * i)) & 3n) !== 0n,
    valid: rw !== 2n && !(rw === 0n && lenBits !== 0n),
    len: [1n, 2n, 8n, 4n][Number(lenBits)]!,
  };
}
