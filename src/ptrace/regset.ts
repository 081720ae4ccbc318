// PTRACE_GETREGSET / PTRACE_SETREGSET (kernel/ptrace.c ptrace_regset; arch/x86/kernel/ptrace.c
// x86_64_regsets). addr = NT_* type, data = struct iovec *. Unknown type → EINVAL; iov_len
// not a multiple of the element size → EINVAL; the kernel copies min(iov_len, regset size)
// and writes the used length back into iov_len. NT_X86_XSTATE SET needs the whole buffer
// (xstateregs_set: else EFAULT) and a valid XSAVE header (else EINVAL).
import type { Ctx } from '../kernel/ledger.ts';
import { putRegs, regsFromBytes, regsScratch } from '../kernel/regs.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { copyFromUser, copyToUser, getUserWord, putUserWord } from '../kernel/uaccess.ts';
import { NT } from './numbers.ts';
import { bytesEqualAt, PAGE_SIZE, PROT_READ, type AddressSpace } from '../kernel/memory.ts';
import { checkFxsave } from './regs.ts';
import { LastKeyWeakMap } from '../kernel/last-key-map.ts';

interface Regset {
  readonly elemBytes: number;
  readonly totalBytes: number;
  get(child: Task): Uint8Array | 'ENXIO';
  /** Apply `bytes` (a prefix of the regset); returns an errno or null. */
  set(ctx: Ctx, child: Task, bytes: Uint8Array): 'EINVAL' | 'EFAULT' | 'EIO' | 'EOPNOTSUPP' | null;
}

/**
 * The XSAVE image (FXSAVE area + the rest), never written through (callers copy out of it).
 * Cached per task while fpregs and xstateExtra are the same arrays: a SETREGSET stores the
 * image it was given (xstateSet), so UML's SET-then-GET round trip allocates nothing.
 */
const XSTATE_IMAGES = new LastKeyWeakMap<Task, { fp: Uint8Array; extra: Uint8Array; image: Uint8Array }>();

function xstateBytes(child: Task): Uint8Array {
  const c = XSTATE_IMAGES.get(child);
  if (c && c.fp === child.fpregs && c.extra === child.xstateExtra) return c.image;
  const image = new Uint8Array(512 + child.xstateExtra.length);
  image.set(child.fpregs.subarray(0, 512));
  image.set(child.xstateExtra, 512);
  XSTATE_IMAGES.set(child, { fp: child.fpregs, extra: child.xstateExtra, image });
  return image;
}

/** Store a whole XSAVE image (a private copy: copyFromUser's result) as the task's FPU state. */
function xstateSet(child: Task, image: Uint8Array): void {
  const c = XSTATE_IMAGES.get(child);
  if (c && c.image === image && c.fp === child.fpregs && c.extra === child.xstateExtra) return; // already the state
  child.fpregs = image.subarray(0, 512);
  child.xstateExtra = image.subarray(512);
  XSTATE_IMAGES.set(child, { fp: child.fpregs, extra: child.xstateExtra, image });
}

/** XSAVE images whose header and MXCSR passed xstateregs_set's checks (the set then need not re-check them). */
const CHECKED_IMAGES = new WeakSet<Uint8Array>();

/**
 * Where GETREGSET(NT_X86_XSTATE) last copied a task's whole image (or SETREGSET took it from):
 * the tracer's address space, the buffer's address and the watch version of that range
 * (AddressSpace.watch). While no change has touched the range since and the task's image is the same object, the buffer
 * still holds exactly those bytes, so a SETREGSET of it is the image itself (no compare) and
 * another GETREGSET need not copy it again: UML's GET-then-SET around every stop, priced as
 * the kernel does it (the ledger is the same), simulated without moving 2.4 KiB twice.
 */
const XSTATE_OUT = new LastKeyWeakMap<Task, { mm: AddressSpace; addr: bigint; pn: number; off: number; version: number; image: Uint8Array }>();

function xstateStillInBuffer(ctx: Ctx, tracer: Task, child: Task, addr: bigint): boolean {
  const o = XSTATE_OUT.get(child);
  if (o === undefined || o.addr !== addr || o.mm !== ctx.s.mms[tracer.mm] || o.version !== o.mm.watchVersion || o.image !== xstateBytes(child)) return false;
  return o.mm.watching(o.pn, o.off, o.image.length); // o.pn, o.off: addr's page and offset (o.addr === addr)
}

/** The buffer at addr holds the child's whole image now: watch it (AddressSpace.watch) and remember. */
function noteXstateOut(ctx: Ctx, tracer: Task, child: Task, addr: bigint, n: number): void {
  const mm = ctx.s.mms[tracer.mm];
  const o = XSTATE_OUT.get(child);
  const again = o !== undefined && o.addr === addr; // the same buffer: its page and offset as computed before (no bigint ops)
  const off = again ? o.off : Number(addr & 0xfffn);
  if (!mm || addr < 0n || off + n > PAGE_SIZE) return void XSTATE_OUT.delete(child);
  const pn = again ? o.pn : Number(addr >> 12n);
  mm.watch(pn, off, n);
  const image = xstateBytes(child);
  if (o) {
    o.mm = mm; o.addr = addr; o.pn = pn; o.off = off; o.version = mm.watchVersion; o.image = image;
  } else XSTATE_OUT.set(child, { mm, addr, pn, off, version: mm.watchVersion, image });
}

/** Built once per arch and XSTATE size (they depend on nothing else). */
const REGSETS = new WeakMap<Ctx['arch'], Map<number, Map<number, Regset>>>();

/** The last answer of regsets() and what it was for (a run asks for one arch and size throughout). */
let lastRegsets: { arch: Ctx['arch']; xstateBytes: number; map: Map<number, Regset> } | null = null;

function regsets(ctx: Ctx): Map<number, Regset> {
  const last = lastRegsets;
  if (last !== null && last.arch === ctx.arch && last.xstateBytes === ctx.s.config.xstateBytes) return last.map;
  let byArch = REGSETS.get(ctx.arch);
  if (!byArch) REGSETS.set(ctx.arch, (byArch = new Map()));
  const x = ctx.s.config.xstateBytes;
  let m = byArch.get(x);
  if (!m) byArch.set(x, (m = buildRegsets(ctx.arch, x)));
  lastRegsets = { arch: ctx.arch, xstateBytes: x, map: m };
  return m;
}

function buildRegsets(arch: Ctx['arch'], xstateTotalBytes: number): Map<number, Regset> {
  const w = arch.wordBytes;
  const gpBytes = arch.regNames.length * w;
  const m = new Map<number, Regset>();
  m.set(NT.NT_PRSTATUS, {
    elemBytes: w,
    totalBytes: gpBytes,
    get: (c) => regsScratch(arch, c.regs), // copied out at once (regset)
    set: (_ctx, c, b) => {
      const padded = new Uint8Array(gpBytes);
      padded.set(b);
      const values = regsFromBytes(arch, padded).slice(0, b.length / w);
      const r = putRegs(arch, c.regs, values);
      c.regs = r.regs;
      return r.errno === 'EIO' ? 'EIO' : r.errno ? 'EINVAL' : null;
    },
  });
  if (arch.name === 'x86_64') {
    m.set(NT.NT_PRFPREG, {
      elemBytes: 8,
      totalBytes: 512,
      get: (c) => c.fpregs.slice(0, 512),
      set: (c2, c, b) => {
        // xfpregs_set() (6.x): "No funny business with partial or oversized writes is
        // permitted": count != sizeof(struct fxregs_state) → EINVAL (differential
        // conformance run; fixture setregset-fp-partial).
        if (b.length !== 512) return 'EINVAL';
        const next = new Uint8Array(c.fpregs);
        next.set(b);
        const err = checkFxsave(c2, next);
        if (err) return err;
        c.fpregs = next;
        return null;
      },
    });
    m.set(NT.NT_X86_XSTATE, {
      elemBytes: 8,
      totalBytes: xstateTotalBytes,
      get: xstateBytes,
      set: (c2, c, b) => {
        if (b.length !== 512 + c.xstateExtra.length) return 'EFAULT';
        if (CHECKED_IMAGES.has(b) && b === xstateBytes(c)) return null; // the task's own image, checked before: nothing changes
        const v = new DataView(b.buffer, b.byteOffset);
        // copy_uabi_to_xstate(): xcomp_bv (520) must be 0 and the header reserved bytes zero.
        if (v.getBigUint64(520, true) !== 0n) return 'EINVAL';
        for (let i = 528; i < 576; i++) if (b[i] !== 0) return 'EINVAL';
        const err = checkFxsave(c2, b);
        if (err) return err;
        xstateSet(c, b);
        CHECKED_IMAGES.add(b);
        return null;
      },
    });
    // REGSET64_IOPERM (n = IO_BITMAP_LONGS, size = sizeof(long)): ioperm_get() answers ENXIO
    // while the task has no I/O bitmap (never, in the model) and the regset has no .set, so
    // copy_regset_from_user() answers EOPNOTSUPP (found by the differential conformance run:
    // GETREGSET/SETREGSET NT_386_IOPERM gave ENXIO/EOPNOTSUPP on 6.18, not EINVAL).
    m.set(NT.NT_386_IOPERM, { elemBytes: 8, totalBytes: 8192, get: () => 'ENXIO', set: () => 'EOPNOTSUPP' });
  } else {
    m.set(NT.NT_PRFPREG, {
      elemBytes: 4,
      totalBytes: arch.fpregsBytes,
      get: (c) => c.fpregs.slice(),
      set: (_c2, c, b) => {
        const next = new Uint8Array(c.fpregs);
        next.set(b);
        c.fpregs = next;
        return null;
      },
    });
  }
  return m;
}

function sameAsUser(ctx: Ctx, tracer: Task, addr: bigint, bytes: Uint8Array): boolean {
  const mm = ctx.s.mms[tracer.mm];
  return mm !== undefined && bytesEqualAt(mm, addr, bytes, PROT_READ) === true;
}

export function regset(ctx: Ctx, tracer: Task, child: Task, addr: bigint, data: bigint, set: boolean): SysOutcome {
  const lenAddr = data + (ctx.arch.wordBytes === 8 ? 8n : 4n); // struct iovec's iov_len
  const base = getUserWord(ctx, tracer, data);
  const len = getUserWord(ctx, tracer, lenAddr);
  if (base === 'EFAULT' || len === 'EFAULT') return fail('EFAULT');
  const rs = regsets(ctx).get(addr >= 0n && addr <= 0xffffffffn ? Number(addr) : Number(addr & 0xffffffffn)); // the NT_* type is an unsigned int
  // iov_len in a double where it is exact (every length a tracer really passes); the bigint ops otherwise.
  const lenExact = len <= 0xffffffffn;
  if (!rs || (lenExact ? Number(len) % rs.elemBytes !== 0 : len % BigInt(rs.elemBytes) !== 0n)) return fail('EINVAL');
  const n = lenExact ? Math.min(Number(len), rs.totalBytes) : rs.totalBytes;
  const whole = rs.totalBytes === n && rs.get === xstateBytes; // the whole XSAVE image (XSTATE_OUT)
  if (set) {
    // The XSAVE image a tracer hands back unchanged (UML's SETREGSET after GETREGSET): the
    // same bytes, so set() runs its checks on the current image and nothing is copied.
    const same = whole && (xstateStillInBuffer(ctx, tracer, child, base) || sameAsUser(ctx, tracer, base, xstateBytes(child)));
    const b = same ? xstateBytes(child) : copyFromUser(ctx, tracer, base, n);
    if (b === 'EFAULT') return fail('EFAULT');
    const err = rs.set(ctx, child, b);
    if (err) return fail(err);
    if (whole) noteXstateOut(ctx, tracer, child, base, n); // the buffer holds the image just set
  } else {
    if (!(whole && xstateStillInBuffer(ctx, tracer, child, base))) {
      const b = rs.get(child);
      if (typeof b === 'string') return fail(b);
      if (copyToUser(ctx, tracer, base, n === b.length ? b : b.subarray(0, n))) return fail('EFAULT');
    }
    // Noted before the iov_len store, as after a SET: a store into the buffer itself then moves the watch.
    if (whole) noteXstateOut(ctx, tracer, child, base, n);
  }
  return putUserWord(ctx, tracer, lenAddr, lenExact && Number(len) === n ? len : BigInt(n)) ? fail('EFAULT') : ok(0);
}
