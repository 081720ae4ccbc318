// The whole host: tasks, address spaces, loadable programs, the simulated clock and the
// scheduler's seeded state. Plain data, changed only inside one immer `produce` per
// host syscall (kernel.ts), so every state a test holds is an immutable snapshot.
import { archByName, type Arch } from './arch.ts';
import type { KernelConfig } from './config.ts';
import { AddressSpace, emptyAddressSpace, mapImage, mmap, MAP_FIXED, MAP_PRIVATE, MMAP_BASE_I386, MMAP_BASE_X86_64, PROT_READ, PROT_WRITE } from './memory.ts';
import { encodeText, type Insn } from './isa.ts';
import { initialRegs } from './regs.ts';
import { SIG } from './signals.ts';
import type { Task } from './task.ts';
import type { MemFile } from './memfile.ts';
import { LastKeyWeakMap } from './last-key-map.ts';

/** An executable a task can execve: its text and where it is loaded. */
export interface Program {
  readonly path: string;
  readonly insns: readonly Insn[];
  readonly base: bigint;
}

export interface KernelState {
  readonly config: KernelConfig;
  tasks: Record<number, Task>;
  mms: Record<number, AddressSpace>;
  programs: Record<string, Program>;
  nextPid: number;
  nextMm: number;
  clockNs: number;
  /** xorshift32 state, seeded from config.seed: the only source of scheduling choices. */
  rng: number;
  /** tid that ran last (round-robin cursor). */
  lastRun: number;
  /** Shared memory files by (global) descriptor (memfile.ts); absent until one is created. */
  files?: Record<number, MemFile>;
}

export const TEXT_BASE_X86_64 = 0x400000n;
export const TEXT_BASE_I386 = 0x8048000n;
export const STACK_TOP_X86_64 = 0x7ffffffff000n;
export const STACK_TOP_I386 = 0xc0000000n;
export const STACK_PAGES = 8;

export function archOf(s: { config: KernelConfig }): Arch {
  return archByName(s.config.arch);
}

export function textBase(arch: Arch): bigint {
  return arch.name === 'x86_64' ? TEXT_BASE_X86_64 : TEXT_BASE_I386;
}

export function stackTop(arch: Arch): bigint {
  return arch.name === 'x86_64' ? STACK_TOP_X86_64 : STACK_TOP_I386;
}

/** A fresh address space holding a program's text and a stack (fs/exec.c load_elf_binary, simplified). */
export function loadProgram(arch: Arch, program: Program): AddressSpace {
  return loadProgramOnto(arch, emptyAddressSpace(arch.name === 'x86_64' ? MMAP_BASE_X86_64 : MMAP_BASE_I386), program);
}

/** Map a program's text and a fresh stack over an existing address space (a forked child's own code path). */
export function loadProgramOnto(arch: Arch, base: AddressSpace, program: Program): AddressSpace {
  let mm = base;
  const withText = mapImage(mm, { name: program.path, base: program.base, insns: program.insns }, encodeText);
  if (typeof withText === 'string') throw new Error(`simulator bug: cannot map ${program.path}`);
  mm = withText;
  const size = BigInt(STACK_PAGES * 4096);
  const stack = mmap(mm, stackTop(arch) - size, size, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE);
  if (typeof stack === 'string') throw new Error('simulator bug: cannot map stack');
  return stack.mm;
}

export function freshTask(
  s: KernelState,
  fields: { tid: number; tgid?: number; parent: number; mm: number; name: string; external: boolean; ip: bigint; sp: bigint },
): Task {
  const arch = archOf(s);
  const xstateExtra = arch.name === 'x86_64' ? Math.max(0, s.config.xstateBytes - 512) : 0;
  return {
    tid: fields.tid,
    tgid: fields.tgid ?? fields.tid,
    parent: fields.parent,
    exitSignal: SIG.SIGCHLD,
    pgid: fields.tgid ?? fields.tid,
    external: fields.external,
    name: fields.name,
    run: { kind: 'running' },
    phase: 'user',
    syscallEmulated: false,
    suppressExitStop: false,
    vmSkip: 0,
    pendingRet: null,
    exitStatus: 0,
    deliverSig: null,
    deliverInfo: null,
    exitEventDone: false,
    exitKilled: false,
    restartUntilNs: null,
    vforkParent: null,
    tracer: null,
    seized: false,
    options: 0,
    traceSyscall: false,
    sysemu: false,
    singleStep: false,
    blockStep: false,
    eventMsg: 0n,
    interruptPending: false,
    listening: false,
    pending: [],
    blocked: 0n,
    actions: {},
    groupStopPending: false,
    groupStopSig: 0,
    continued: false,
    sigFrames: [],
    regs: initialRegs(arch, fields.ip, fields.sp),
    debugRegs: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
    fpregs: initialFpregs(arch),
    xstateExtra: new Uint8Array(xstateExtra),
    mm: fields.mm,
    insnCount: 0,
  };
}

/** FXSAVE image of a fresh task: FCW 0x37f, MXCSR 0x1f80 (fpu__init_cpu, fpstate_init_fxstate). */
export function initialFpregs(arch: Arch): Uint8Array {
  if (arch.name === 'i386') {
    const b = new Uint8Array(108);
    new DataView(b.buffer).setUint32(0, 0xffff037f, true); // cwd with reserved high bits
    return b;
  }
  const b = new Uint8Array(512);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0x37f, true); // cwd
  v.setUint32(24, 0x1f80, true); // mxcsr
  v.setUint32(28, 0xffff, true); // mxcsr_mask
  return b;
}

/**
 * Every KernelState from this one object literal (initialState, cloneState): one hidden class,
 * so code that reads a cloned state (a forked simulation, boot-cache.ts) stays monomorphic.
 */
function stateRecord(config: KernelConfig, tasks: Record<number, Task>, mms: Record<number, AddressSpace>, programs: Record<string, Program>, nextPid: number, nextMm: number, clockNs: number, rng: number, lastRun: number): KernelState {
  return { config, tasks, mms, programs, nextPid, nextMm, clockNs, rng, lastRun };
}

export function initialState(config: KernelConfig): KernelState {
  const s = stateRecord(config, {}, {}, {}, config.firstPid, 1, 0, seededRng(config.seed), 0);
  // pid 1: init, external, reaps orphans (kernel/exit.c forget_original_parent → reaper).
  const arch = archOf(s);
  s.mms[0] = emptyAddressSpace(arch.name === 'x86_64' ? MMAP_BASE_X86_64 : MMAP_BASE_I386);
  addTask(s, freshTask(s, { tid: 1, parent: 0, mm: 0, name: 'init', external: true, ip: 0n, sp: 0n }));
  return s;
}

/** The xorshift32 state a seed starts from (0 would stay 0). */
export function seededRng(seed: number): number {
  return (seed >>> 0) || 0x9e3779b9;
}

/** xorshift32: deterministic, seeded, the only randomness in the kernel. */
export function nextRandom(s: KernelState): number {
  let x = s.rng;
  x ^= x << 13; x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5; x >>>= 0;
  s.rng = x;
  return x;
}

export function allocPid(s: KernelState): number {
  return s.nextPid++;
}

export function allocMm(s: KernelState, mm: AddressSpace): number {
  const id = s.nextMm++;
  s.mms[id] = mm;
  return id;
}

/**
 * Every task in pid order (integer keys enumerate ascending), built once per table and then
 * kept up to date by addTask/removeTask (a new array each time: callers may be iterating the
 * old one): Object.values over the sparse pid table walks every slot up to the highest pid.
 * Tasks enter and leave the table only through addTask/removeTask. Never mutate the list.
 */
const TASK_LISTS = new LastKeyWeakMap<Record<number, Task>, readonly Task[]>();

export function allTasks(s: KernelState): readonly Task[] {
  let list = TASK_LISTS.get(s.tasks);
  if (!list) TASK_LISTS.set(s.tasks, (list = Object.values(s.tasks)));
  return list;
}

/** The table's list after `change` (if it has one yet). */
function updateTaskList(s: KernelState, change: (list: readonly Task[]) => readonly Task[]): void {
  const list = TASK_LISTS.get(s.tasks);
  if (list) TASK_LISTS.set(s.tasks, change(list));
}

export function addTask(s: KernelState, t: Task): void {
  s.tasks[t.tid] = t;
  updateTaskList(s, (list) => {
    let i = list.length;
    while (i > 0 && list[i - 1]!.tid >= t.tid) i--; // pid order (a new pid is nearly always the highest)
    const replaces = list[i]?.tid === t.tid;
    return [...list.slice(0, i), t, ...list.slice(replaces ? i + 1 : i)];
  });
}

export function removeTask(s: KernelState, tid: number): void {
  delete s.tasks[tid];
  updateTaskList(s, (list) => list.filter((o) => o.tid !== tid));
}

export function threadGroup(s: KernelState, tgid: number): Task[] {
  return allTasks(s).filter((t) => t.tgid === tgid);
}

/**
 * A deep copy of the whole host (the mutable core's snapshot): tasks and their arrays are
 * copied; what is never changed in place is shared — the config, programs, byte arrays (task
 * FPU/XSAVE images and memory-file pages are replaced on write, never written through) and
 * AddressSpace values (memory.ts copies a page before writing it unless it owns it). Used by
 * Kernel.clone()/snapshot() and `new Kernel(state)`: everything that must not see later steps.
 */
export function cloneState(s: KernelState): KernelState {
  const tasks: Record<number, Task> = {};
  for (const k in s.tasks) tasks[k] = cloneTask(s, s.tasks[k]!);
  const mms: Record<number, AddressSpace> = {};
  for (const k in s.mms) mms[k] = s.mms[k]!.fork();
  const out = stateRecord(s.config, tasks, mms, { ...s.programs }, s.nextPid, s.nextMm, s.clockNs, s.rng, s.lastRun);
  if (s.files) out.files = { ...s.files };
  return out;
}

/**
 * A copy of t with the hidden class of a task made by freshTask (the object freshTask makes,
 * given t's fields in t's order): a spread copy would have another one, and every task read
 * of a forked simulation would then see two.
 */
function cloneTask(s: KernelState, t: Task): Task {
  const c = Object.assign(freshTask(s, { ...t, ip: 0n, sp: 0n }), t);
  c.regs = t.regs.slice();
  c.debugRegs = t.debugRegs.slice();
  c.pending = t.pending.slice();
  c.actions = { ...t.actions };
  c.sigFrames = t.sigFrames.map((f) => ({ ...f, regs: f.regs.slice() }));
  if (t.itimers) {
    c.itimers = {};
    for (const w of ['real', 'virtual', 'prof'] as const) {
      const slot = t.itimers[w];
      if (slot) c.itimers[w] = { ...slot };
    }
  }
  return c;
}
