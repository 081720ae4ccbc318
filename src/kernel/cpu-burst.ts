// User instructions retired back to back with the registers they touch held as doubles: a
// bigint per add or sub (and per compare of a jnz) was most of an interpreted instruction's
// cost. Values are exact integers in [0, 2^53) (and within the arch's mask); any result outside
// that range is computed in bigints exactly as execute() does (x86 modular arithmetic, isa.ts).
// Loads and stores run here too, through the same memory calls as execute() with the address
// and stored value as bigints. Registers are written back to Task.regs, with rip, the
// instruction count and the clock, before anything else can look: every instruction that
// enters the kernel or faults (syscall, int3, ud2, a faulting load or store: stepUser/execute
// run it), every fetch the window does not serve, and the end of the burst. A pure speed-up:
// the same instructions retire with the same effects (test/kernel/cpu-burst.test.ts).
import type { Ctx } from './ledger.ts';
import { INSN_BYTES, INT3_BYTE } from './isa.ts';
import { PAGE_SIZE, PROT_READ, readWordAt, writeWordAt } from './memory.ts';
import { ipAt, noteNext, OP, stepUser, win } from './cpu.ts';
import type { Task } from './task.ts';

/** A register's form: only the bigint in Task.regs; the double equals it too; the double is newer. */
const BIG = 0, CLEAN = 1, DIRTY = 2;
const REGS_MAX = 64;
const NUM = new Float64Array(REGS_MAX);
const FORM = new Uint8Array(REGS_MAX);
const SAFE_BIG = 2n ** 53n - 1n;
const INSN_SHIFT = Math.log2(INSN_BYTES); // a power of two (cpu.ts)

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

/** FORM four registers a word: flush() skips the words of registers no instruction touched. */
const FORM_WORDS = new Uint32Array(FORM.buffer);

/** Every newer double back into Task.regs; afterwards Task.regs alone holds the registers. */
function flush(regs: bigint[]): void {
  const words = (regs.length + 3) >> 2;
  for (let w = 0; w < words; w++) {
    if (FORM_WORDS[w] === 0) continue;
    for (let r = w << 2; r < (w << 2) + 4; r++) if (FORM[r] === DIRTY) regs[r] = BigInt(NUM[r]!);
    FORM_WORDS[w] = 0; // BIG
  }
}

/**
 * Run task t's user instructions, at most `budget`, while it stays in user mode: what runTask's
 * loop does one stepUser at a time (each instruction counts one insnCount and insnNs of clock),
 * for a task with no deliverable signal, no single- or block-step and no ITIMER_VIRTUAL/PROF
 * (none of which an instruction that neither enters the kernel nor faults can change).
 * Returns instructions retired.
 */
export function runBurst(ctx: Ctx, t: Task, budget: number): number {
  if (t.regs.length > REGS_MAX) throw new Error('simulator bug: more registers than cpu-burst.ts holds');
  let used = 0;
  while (used < budget) {
    used += runInWindow(ctx, t, budget - used);
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
 * Register-only instructions, loads and stores (Decoded.plain) from the window's image while
 * the fetch window serves them (stepUser's checks: same address space layout and images, the
 * page's range, no int3 byte, within the image). Returns how many retired; Task.regs, rip and
 * the counters are current after.
 */
function runInWindow(ctx: Ctx, t: Task, budget: number): number {
  const mm = ctx.s.mms[t.mm]!;
  const { arch } = ctx;
  const regs = t.regs;
  const d = win.decoded;
  const image = win.image;
  if (d === null || image === null || mm !== win.mm || mm.layout !== win.layout || mm.images !== win.images || !win.exec || regs[arch.ip] !== win.nextIp) return 0;
  const layout = win.layout, bytes = win.bytes, start = win.start, ips = win.ips;
  const op = d.op, plain = d.plain, regA = d.a, regB = d.b, imm = d.imm, immNum = d.immNum, target = d.target;
  const length = op.length;
  const limit = arch.mask < SAFE_BIG ? Number(arch.mask) : Number(SAFE_BIG);
  const insnNs = ctx.s.config.insnNs;
  // Small integers from here on (int32 arithmetic): the image's first byte relative to the
  // window's page (both hold the last instruction fetched) and the instruction index.
  const byteBase = start - win.pageLo;
  const first = (win.nextAt - start) / INSN_BYTES;
  if (!Number.isInteger(first) || !(first >= 0 && first < length) || !(byteBase > -(2 ** 30) && byteBase < 2 ** 30)) return 0; // a window refilled since (another image): the full path
  let n = first | 0;
  let clock = ctx.s.clockNs;
  let used = 0;
  // Opcodes (case labels) as literals and module constants and imports as locals: each is a
  // context load (imports live bindings, OP's values property loads) in every instruction,
  // together about half of the loop's time (spin: 13.6 -> 8.6 ns an instruction).
  const nums = NUM, forms = FORM, big0 = BIG, dirty = DIRTY, pageSize = PAGE_SIZE, int3 = INT3_BYTE, shift = INSN_SHIFT;
  run: while (used < budget) {
    // No instruction of this loop maps or calls out: mm's images stand, and its layout until a store moves it.
    if (n >>> 0 >= length) break run;
    const off = byteBase + (n << shift);
    if (off >>> 0 >= pageSize || bytes[off] === int3 || plain[n] === 0) break run;
    const a = regA[n]!;
    switch (op[n]) {
      case 0 satisfies typeof OP.nop:
        n++;
        break;
      case 1 satisfies typeof OP.mov: {
        const v = immNum[n]!;
        if (v === v) (nums[a] = v), (forms[a] = dirty);
        else (regs[a] = imm[n]!), (forms[a] = big0); // masked when decoded
        n++;
        break;
      }
      case 2 satisfies typeof OP.movr: {
        const b = regB[n]!;
        if (forms[b] !== big0) (nums[a] = nums[b]!), (forms[a] = dirty);
        else (regs[a] = regs[b]!), (forms[a] = big0);
        n++;
        break;
      }
      case 3 satisfies typeof OP.add: {
        const v = (forms[a] !== big0 ? nums[a]! : num(regs, a)) + immNum[n]!;
        if (v >= 0 && v <= limit) (nums[a] = v), (forms[a] = dirty);
        else (regs[a] = wrapBig(arch.mask, big(regs, a) + imm[n]!)), (forms[a] = big0);
        n++;
        break;
      }
      case 4 satisfies typeof OP.addr:
      case 5 satisfies typeof OP.subr: {
        const b = regB[n]!;
        const add = op[n] === (4 satisfies typeof OP.addr);
        const x = forms[a] !== big0 ? nums[a]! : num(regs, a);
        const y = forms[b] !== big0 ? nums[b]! : num(regs, b);
        const v = add ? x + y : x - y;
        if (v >= 0 && v <= limit) (nums[a] = v), (forms[a] = dirty);
        else (regs[a] = wrapBig(arch.mask, add ? big(regs, a) + big(regs, b) : big(regs, a) - big(regs, b))), (forms[a] = big0);
        n++;
        break;
      }
      case 11 satisfies typeof OP.jmp:
        n = target[n]!;
        break;
      case 6 satisfies typeof OP.load: {
        // A fault reads nothing and changes nothing: leave it to stepUser (the SIGSEGV path).
        const v = readWordAt(mm, address(arch.mask, regs, regB[n]!, imm[n]!), arch.wordBytes, PROT_READ);
        if (typeof v !== 'bigint') break run;
        (regs[a] = v), (forms[a] = big0);
        n++;
        break;
      }
      case 7 satisfies typeof OP.store: {
        // A fault leaves memory unchanged (memory.ts): stepUser redoes it. A store that copied
        // a page (copy-on-write) moved the layout: the fetch window is stale, so the run ends.
        const f = writeWordAt(mm, address(arch.mask, regs, regB[n]!, imm[n]!), arch.wordBytes, big(regs, a), false);
        if (f) break run;
        n++;
        if (mm.layout !== layout) {
          used++;
          clock += insnNs;
          break run;
        }
        break;
      }
      case 12 satisfies typeof OP.jnz:
        n = (forms[a] !== big0 ? nums[a] !== 0 : regs[a] !== 0n) ? target[n]! : n + 1;
        break;
    }
    used++;
    clock += insnNs;
  }
  if (used === 0) return 0; // nothing ran: every register is still in Task.regs alone
  flush(regs);
  const ip = ipAt(image.base, n, ips, length);
  regs[arch.ip] = ip;
  noteNext(ips, n, ip);
  t.insnCount += used;
  ctx.s.clockNs = clock;
  return used;
}

/** (base + disp) mod 2^width of a load or store (cpu.ts effectiveAddress); base NONE (-1): disp alone. */
function address(mask: bigint, regs: bigint[], base: number, disp: bigint): bigint {
  const addr = base >= 0 ? big(regs, base) + disp : disp;
  return addr < 0n || addr > mask ? addr & mask : addr;
}

/** v mod 2^width (cpu.ts wrap). */
function wrapBig(mask: bigint, v: bigint): bigint {
  return v < 0n || v > mask ? v & mask : v;
}
