// User instructions retired back to back with the registers they touch held as doubles: a
// bigint per add or sub (and per compare of a jnz) was most of an interpreted instruction's
// cost. Values are exact integers in [0, 2^53) (and within the arch's mask); any result outside
// that range is computed in bigints exactly as execute() does (x86 modular arithmetic, isa.ts).
// Registers are written back to Task.regs, with rip, the instruction count and the clock,
// before anything else can look: every instruction that is not register-only (load, store,
// syscall, int3, ud2: they run through stepUser/execute), every fetch the window does not serve,
// and the end of the burst. A pure speed-up: the same instructions retire with the same effects.
import type { Ctx } from './ledger.ts';
import { INSN_BYTES, INT3_BYTE } from './isa.ts';
import { PAGE_SIZE } from './memory.ts';
import { ipAt, noteNext, OP, stepUser, win } from './cpu.ts';
import type { Task } from './task.ts';

/** A register's form: only the bigint in Task.regs; the double equals it too; the double is newer. */
const BIG = 0, CLEAN = 1, DIRTY = 2;
const REGS_MAX = 64;
const NUM = new Float64Array(REGS_MAX);
const FORM = new Uint8Array(REGS_MAX);
const SAFE_BIG = 2n ** 53n - 1n;

/** Register r as a double, or NaN where its value is 2^53 or more. */
function num(regs: bigint[], r: number): number {
  if (FORM[r] !== BIG) return NUM[r]!;
  const b = regs[r]!;
  if (b < 0n || b > SAFE_BIG) return NaN;
  FORM[r] = CLEAN;
  return (NUM[r] = Number(b));
}

/** Register r as a bigint (its double written back first if newer). */
function big(regs: bigint[], r: number): bigint {
  if (FORM[r] === DIRTY) {
    regs[r] = BigInt(NUM[r]!);
    FORM[r] = CLEAN;
  }
  return regs[r]!;
}

/** Every newer double back into Task.regs; afterwards Task.regs alone holds the registers. */
function flush(regs: bigint[]): void {
  const n = regs.length;
  for (let r = 0; r < n; r++) {
    if (FORM[r] === DIRTY) regs[r] = BigInt(NUM[r]!);
    FORM[r] = BIG;
  }
}

/**
 * Run task t's user instructions, at most `budget`, while it stays in user mode: what runTask's
 * loop does one stepUser at a time (each instruction counts one insnCount and insnNs of clock),
 * for a task with no deliverable signal, no single- or block-step and no ITIMER_VIRTUAL/PROF
 * (none of which a register-only instruction can change). Returns instructions retired.
 */
export function runBurst(ctx: Ctx, t: Task, budget: number): number {
  if (t.regs.length > REGS_MAX) throw new Error('simulator bug: more registers than cpu-burst.ts holds');
  let used = 0;
  while (used < budget) {
    used += registerRun(ctx, t, budget - used);
    if (used >= budget) break;
    // The instruction the run stopped at, through the full path (regs are written back).
    stepUser(ctx, t);
    used++;
    t.insnCount++;
    ctx.s.clockNs += ctx.s.config.insnNs;
    if (t.phase !== 'user') break;
  }
  return used;
}

/**
 * Register-only instructions from the window's image while the fetch window serves them
 * (stepUser's checks: same address space layout and images, the page's range, no int3 byte,
 * within the image). Returns how many retired; Task.regs, rip and the counters are current after.
 */
function registerRun(ctx: Ctx, t: Task, budget: number): number {
  const mm = ctx.s.mms[t.mm]!;
  const { arch } = ctx;
  const regs = t.regs;
  const d = win.decoded;
  const image = win.image;
  if (d === null || image === null || mm !== win.mm || mm.layout !== win.layout || mm.images !== win.images || !win.exec || regs[arch.ip] !== win.nextIp) return 0;
  const layout = win.layout, images = win.images, bytes = win.bytes, pageLo = win.pageLo, start = win.start, ips = win.ips;
  const length = d.op.length;
  const limit = arch.mask < SAFE_BIG ? Number(arch.mask) : Number(SAFE_BIG);
  const insnNs = ctx.s.config.insnNs;
  let clock = ctx.s.clockNs;
  let n = (win.nextAt - start) / INSN_BYTES;
  if (!Number.isInteger(n)) return 0; // a window refilled since (another image): the full path
  let used = 0;
  while (used < budget) {
    const at = start + n * INSN_BYTES;
    if (!(n >= 0 && n < length) || !(at >= pageLo && at < pageLo + PAGE_SIZE) || mm.layout !== layout || mm.images !== images) break;
    if (bytes[at - pageLo] === INT3_BYTE || d.plain[n] === 0) break;
    const a = d.a[n]!;
    switch (d.op[n]) {
      case OP.nop:
        n++;
        break;
      case OP.mov: {
        const v = d.immNum[n]!;
        if (v === v) (NUM[a] = v), (FORM[a] = DIRTY);
        else (regs[a] = d.imm[n]!), (FORM[a] = BIG); // masked when decoded
        n++;
        break;
      }
      case OP.movr: {
        const b = d.b[n]!;
        if (FORM[b] !== BIG) (NUM[a] = NUM[b]!), (FORM[a] = DIRTY);
        else (regs[a] = regs[b]!), (FORM[a] = BIG);
        n++;
        break;
      }
      case OP.add: {
        const v = num(regs, a) + d.immNum[n]!;
        if (v >= 0 && v <= limit) (NUM[a] = v), (FORM[a] = DIRTY);
        else (regs[a] = wrapBig(arch.mask, big(regs, a) + d.imm[n]!)), (FORM[a] = BIG);
        n++;
        break;
      }
      case OP.addr:
      case OP.subr: {
        const b = d.b[n]!;
        const add = d.op[n] === OP.addr;
        const v = add ? num(regs, a) + num(regs, b) : num(regs, a) - num(regs, b);
        if (v >= 0 && v <= limit) (NUM[a] = v), (FORM[a] = DIRTY);
        else (regs[a] = wrapBig(arch.mask, add ? big(regs, a) + big(regs, b) : big(regs, a) - big(regs, b))), (FORM[a] = BIG);
        n++;
        break;
      }
      case OP.jmp:
        n = d.target[n]!;
        break;
      case OP.jnz:
        n = (FORM[a] !== BIG ? NUM[a] !== 0 : regs[a] !== 0n) ? d.target[n]! : n + 1;
        break;
    }
    used++;
    clock += insnNs;
  }
  flush(regs);
  const ip = ipAt(image.base, n, ips, length);
  regs[arch.ip] = ip;
  noteNext(ips, n, ip);
  t.insnCount += used;
  ctx.s.clockNs = clock;
  return used;
}

/** v mod 2^width (cpu.ts wrap). */
function wrapBig(mask: bigint, v: bigint): bigint {
  return v < 0n || v > mask ? v & mask : v;
}
