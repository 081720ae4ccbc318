// Guest workloads: named specs (`getpid:N`, `write:NxBYTES`, sums like `getpid:1000+write:10x64`)
// compiled to a guest init program in the guest ABI (the host arch's syscall numbers).
// Parts the UML model cannot run yet are refused with an error naming the part.
//  * random:SEED:EVENTS  a generated program of EVENTS parts (workload-random.ts).
//  * spin:N        N iterations of a pure register loop (2 instructions each): ticks land in user mode.
//  * background:N  fork N children that spin forever (guest-background-program.ts): ticks reschedule.
//  * sleep:N       N × nanosleep({0, 1/HZ s}) (the timespec is stored on the guest's stack).
//  * sysemu:V      open("/proc/sysemu", O_WRONLY), write(fd, "V", 1), close(fd); like libc,
//  * sysptmulti:V  a write that does not return 1 stores errno (to GUEST_ERRNO, a page the
//                  guest's host process never mapped: a host SIGSEGV, as libc's errno store
//                  to a not-yet-faulted TLS page in the real sysemu0-panic run).
import type { Arch } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import type { Insn } from '../kernel/isa.ts';
import { syscallNr } from '../kernel/syscall-table.ts';
import { guestScratch, HZ_DEFAULT } from './time.ts';
import { touchInsns } from './touch.ts';
import { forkInsns } from './guest-fork-program.ts';
import { BACKGROUND_MAX, backgroundInsns } from './guest-background-program.ts';
import { glibcInitImage, INIT_MESSAGE } from './guest-libc.ts';
import type { GuestImage } from './start-userspace.ts';
import { RANDOM_EVENTS_MAX, RANDOM_SEED_MAX, randomSpecs } from './workload-random.ts';

export type WorkloadPart =
  | { kind: 'getpid'; count: number }
  | { kind: 'write'; count: number; bytes: number }
  | { kind: 'spin'; count: number }
  | { kind: 'sleep'; count: number }
  | { kind: 'proc'; path: '/proc/sysemu' | '/proc/sysptmulti'; value: number }
  | { kind: 'touch'; bytes: number }
  | { kind: 'fork'; count: number }
  | { kind: 'background'; count: number }
  | { kind: 'exec'; count: number };

export interface Workload {
  readonly spec: string;
  readonly parts: readonly WorkloadPart[];
  /** A workload file's "name" (workload-file.ts). */
  readonly name?: string;
}

export class WorkloadError extends Error {}

const NOT_YET = new Set<string>();
const SUPPORTED = 'getpid, write, spin, sleep, sysemu, sysptmulti, touch, random, fork, exec, background';
export const COUNT_MAX = 1_000_000;

export function parseWorkload(spec: string): Workload {
  const text = spec.trim();
  if (!text) throw new WorkloadError('workload: empty spec (try getpid:1000)');
  const parts = text.split('+').map((raw, i): WorkloadPart | WorkloadPart[] => {
    const part = raw.trim();
    const m = /^([a-z]+):(.*)$/.exec(part);
    if (!m) throw new WorkloadError(`workload part ${i + 1} '${part}': expected NAME:ARGS, e.g. getpid:1000`);
    const [, name, args] = m as unknown as [string, string, string];
    const int = (s: string, what: string) => {
      if (!/^\d+$/.test(s)) throw new WorkloadError(`workload part ${i + 1} '${part}': ${what} must be a whole number`);
      const n = Number(s);
      if (n < 1 || n > COUNT_MAX) throw new WorkloadError(`workload part ${i + 1} '${part}': ${what} must be 1..${COUNT_MAX}`);
      return n;
    };
    switch (name) {
      case 'getpid':
        return { kind: 'getpid', count: int(args, 'N') };
      case 'write': {
        const w = /^(\d+)x(\d+)$/.exec(args);
        if (!w) throw new WorkloadError(`workload part ${i + 1} '${part}': expected write:NxBYTES, e.g. write:10x64`);
        const bytes = int(w[2]!, 'BYTES');
        if (bytes > 4096) throw new WorkloadError(`workload part ${i + 1} '${part}': BYTES must be ≤ 4096`);
        return { kind: 'write', count: int(w[1]!, 'N'), bytes };
      }
      case 'touch': // touch:BYTES — mmap fresh memory, write one word per page, munmap (touch.ts)
        return { kind: 'touch', bytes: int(args, 'BYTES') };
      case 'spin':
        return { kind: 'spin', count: int(args, 'N') };
      case 'fork': // fork:N / exec:N — guest-fork-program.ts
      case 'exec':
        return name === 'fork' ? { kind: 'fork', count: int(args, 'N') } : { kind: 'exec', count: int(args, 'N') };
      case 'sleep':
        return { kind: 'sleep', count: int(args, 'N') };
      case 'background': { // background:N — N always-runnable children (guest-background-program.ts)
        const n = int(args, 'N');
        if (n > BACKGROUND_MAX) throw new WorkloadError(`workload part ${i + 1} '${part}': N must be 1..${BACKGROUND_MAX}`);
        return { kind: 'background', count: n };
      }
      case 'random': { // random:SEED:EVENTS — a generated program (workload-random.ts)
        const r = /^(\d+):(\d+)$/.exec(args);
        if (!r) throw new WorkloadError(`workload part ${i + 1} '${part}': expected random:SEED:EVENTS, e.g. random:7:20`);
        const seed = Number(r[1]);
        if (seed > RANDOM_SEED_MAX) throw new WorkloadError(`workload part ${i + 1} '${part}': SEED must be 0..${RANDOM_SEED_MAX}`);
        const events = Number(r[2]);
        if (events < 1 || events > RANDOM_EVENTS_MAX) throw new WorkloadError(`workload part ${i + 1} '${part}': EVENTS must be 1..${RANDOM_EVENTS_MAX}`);
        return randomSpecs(seed, events, parsesAloneNotRandom).flatMap((s) => parseWorkload(s).parts);
      }
      case 'sysemu':
      case 'sysptmulti':
        if (!/^\d$/.test(args)) throw new WorkloadError(`workload part ${i + 1} '${part}': expected ${name}:V with one digit V, e.g. ${name}:0`);
        return { kind: 'proc', path: `/proc/${name}` as '/proc/sysemu' | '/proc/sysptmulti', value: Number(args) };
      default:
        if (NOT_YET.has(name)) throw new WorkloadError(`workload part ${i + 1} '${part}': '${name}' is not modelled yet by the UML model (supported: ${SUPPORTED})`);
        throw new WorkloadError(`workload part ${i + 1} '${part}': unknown workload '${name}' (supported: ${SUPPORTED})`);
    }
  }).flat();
  return { spec: text, parts };
}

/** `random:SEED:EVENTS` written out as the named parts it generates (for docs and failure reports). */
export function randomProgram(seed: number, events: number): string {
  return randomSpecs(seed, events, parsesAloneNotRandom).join('+');
}

/** Does `spec` parse on its own (and is it not itself random)? For random's kind check. */
function parsesAloneNotRandom(spec: string): boolean {
  return !spec.startsWith('random:') && workloadParses(spec);
}

/** Does this build's UML model run `spec`? */
export function workloadParses(spec: string): boolean {
  try {
    parseWorkload(spec);
    return true;
  } catch (e) {
    if (e instanceof WorkloadError) return false;
    throw e;
  }
}

/** Where the guest's message buffer lives in its address space (mapped at start-up). */
export const GUEST_DATA = 0x00600000n;
export const GUEST_DATA_BYTES = 0x1000n;

/**
 * The guest init: each part as a counted loop of syscalls, then exit_group(0). `prelude`
 * (start_userspace's own code) comes first in the same image, so branch targets count it.
 */
export function guestProgram(arch: Arch, w: Workload, prelude: readonly Insn[] = [], opts: { hz?: number } = {}): Insn[] {
  const a = new Asm(arch).emit(...prelude);
  const counter = arch.name === 'x86_64' ? 'r12' : 'ebp';
  for (const p of w.parts) {
    if (p.kind === 'fork' || p.kind === 'exec') forkInsns(a, p.kind, p.count, counter);
    else emitPart(a, p, counter, GUEST_DATA, opts);
  }
  a.exit(0);
  return a.insns;
}

/** Does `w` get the static-glibc-shaped init (guest-libc.ts)? Every x86_64 (uml-6.1) program. */
export function usesGlibcInit(arch: Arch, _w: Workload): boolean {
  return arch.name === 'x86_64';
}

/** The guest init's image: glibc-shaped (guest-libc.ts) or the minimal one (text, data, stack). */
export function guestImage(arch: Arch, w: Workload, opts: { hz?: number } = {}): GuestImage {
  if (usesGlibcInit(arch, w)) return glibcInitImage(arch, w.parts, (a, p) => emitPart(a, p as Exclude<WorkloadPart, { kind: 'fork' | 'exec' }>, 'r12', INIT_MESSAGE, opts), guestMessage());
  return { insns: guestProgram(arch, w, [], opts), data: { start: GUEST_DATA, bytes: guestMessage() } };
}

/** One part other than fork/exec; `message` is where write parts' bytes are. */
function emitPart(a: Asm, p: Exclude<WorkloadPart, { kind: 'fork' | 'exec' }>, counter: string, message: bigint, opts: { hz?: number }): void {
  const { arch } = a;
  if (p.kind === 'background') return backgroundInsns(a, p.count);
  if (p.kind === 'touch') return touchInsns(a, p.bytes);
  if (p.kind === 'spin') return void a.spin(p.count, counter);
  if (p.kind === 'proc') return procWrite(a, p.path, p.value);
  if (p.kind === 'sleep') {
    const ts = guestScratch(arch, 1);
    a.store(ts, 0n).store(ts + BigInt(arch.wordBytes), BigInt(Math.round(1e9 / (opts.hz ?? HZ_DEFAULT))));
  }
  a.mov(counter, p.count);
  const top = a.here;
  if (p.kind === 'getpid') a.sys('getpid');
  else if (p.kind === 'sleep') a.sys('nanosleep', guestScratch(arch, 1), 0);
  else a.sys('write', 1, message, p.bytes);
  a.emit({ op: 'add', dst: counter, imm: -1n }, { op: 'jnz', reg: counter, target: top });
}

/** Where a failed /proc write stores errno: never mapped in the guest's host process. */
export const GUEST_ERRNO = 0x10000n;

/** open(path, O_WRONLY); write(fd, "V", 1); if (ret != 1) *GUEST_ERRNO = ret; close(fd). */
function procWrite(a: Asm, path: string, value: number): void {
  const { arch } = a;
  const name = (i: number) => arch.regNames[i]!;
  const ax = name(arch.ax);
  const [fdReg, bufReg, lenReg, tmp] = [name(arch.argRegs[0]!), name(arch.argRegs[1]!), name(arch.argRegs[2]!), name(arch.argRegs[3]!)];
  const pathAt = guestScratch(arch, 2);
  const charAt = guestScratch(arch, 3);
  const bytes = new TextEncoder().encode(`${path}\0`);
  for (let off = 0; off < bytes.length; off += arch.wordBytes) {
    let word = 0n;
    for (let j = arch.wordBytes - 1; j >= 0; j--) word = (word << 8n) | BigInt(bytes[off + j] ?? 0);
    a.store(pathAt + BigInt(off), word);
  }
  a.store(charAt, BigInt(0x30 + value));
  a.sys('open', pathAt, 1);
  a.emit({ op: 'movr', dst: fdReg, src: ax });
  a.mov(ax, syscallNr(arch.name, 'write')!).mov(bufReg, charAt).mov(lenReg, 1).emit({ op: 'syscall' });
  a.emit({ op: 'movr', dst: tmp, src: ax }, { op: 'add', dst: tmp, imm: -1n });
  const skip = a.here + 3; // jnz, jmp, store → the close
  a.emit({ op: 'jnz', reg: tmp, target: a.here + 2 }, { op: 'jmp', target: skip }, { op: 'store', src: ax, disp: GUEST_ERRNO });
  a.mov(ax, syscallNr(arch.name, 'close')!).emit({ op: 'syscall' });
}

/** The bytes a `write` part prints: a recognisable line, repeated. */
export function guestMessage(): Uint8Array {
  const line = new TextEncoder().encode('ptsim guest says hello\n');
  const out = new Uint8Array(Number(GUEST_DATA_BYTES));
  for (let i = 0; i < out.length; i++) out[i] = line[i % line.length]!;
  return out;
}
