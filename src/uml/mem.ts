// Batched address-space operations run by the stub inside a guest host process
// (arch/um/os-Linux/skas/mem.c: run_syscall_stub, do_syscall_stub, map, unmap; protect is never
// reached, guest-mm.ts fixRange;
// arch/um/os-Linux/skas/process.c: wait_stub_done; uml-skas.md §5).
//
// UML writes the records into STUB_DATA and reads the results back with no host syscall: the
// page is MAP_SHARED from UML's physmem file, which UML itself has mapped. The model does
// this with kernel.readMemory/writeMemory on the tracee's STUB_DATA page — the model's
// stand-in for UML's own mapping of that physmem page (mem files install snapshots, so the
// tracee's page is the live copy).
import type { Arch } from '../kernel/arch.ts';
import { initialRegs, regsToBytes } from '../kernel/regs.ts';
import { SIG } from '../kernel/signals.ts';
import { syscallNr } from '../kernel/syscall-table.ts';
import { MAP_FIXED, MAP_SHARED } from '../kernel/memory.ts';
import { WIFSTOPPED, WSTOPSIG, WUNTRACED, __WALL } from '../kernel/wait-status.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { UML_SCRATCH, type HostTracer } from './host.ts';
import type { UmlProfile } from './profile.ts';
import { BATCH, RECORD_WORDS, STUB_PAGE, stubLayout, type StubLayout } from './stub.ts';
import { UmlFatal } from './errors.ts';

/** UML memory for the stub and fault paths (after host.ts's scratch area). */
export const UML_STUB_SCRATCH = UML_SCRATCH + 0x10000n;
export const UML_STUB_SCRATCH_BYTES = 0x1000n;
export const UML_STUB_REGS = UML_STUB_SCRATCH;
export const UML_AUX_IOV = UML_STUB_SCRATCH + 0x100n;
export const UML_FAULT_SIGINFO = UML_STUB_SCRATCH + 0x200n;
export const UML_SA_SEGV = UML_STUB_SCRATCH + 0x300n;
export const UML_SA_IGN = UML_STUB_SCRATCH + 0x340n;
export const UML_SIGSTACK = UML_STUB_SCRATCH + 0x380n;
export const UML_AUX_FP = UML_STUB_SCRATCH + 0x400n;

/** A batch being queued in one mm's STUB_DATA (the `void **addr` cursor UML threads through). */
export interface StubBatch {
  readonly pid: number;
  /** Where the next record's length word goes; null = nothing queued. */
  next: bigint | null;
}

export interface StubContext {
  readonly host: HostTracer;
  readonly profile: UmlProfile;
}

function layoutOf(c: StubContext): StubLayout {
  return stubLayout(c.host.kernel.arch);
}

/**
 * wait_stub_done(): wait until the stub's int3 (SIGTRAP); timer and SIGWINCH stops
 * (STUB_SIG_MASK: 6.1 SIGALRM, 2.6.26 SIGVTALRM) are continued and waited for again.
 */
export function waitStubDone(c: StubContext, pid: number): void {
  const tick = SIG[c.profile.tickSignal];
  for (let n = 0; n < 64; n++) {
    const w = c.host.wait4(pid, WUNTRACED | __WALL);
    const status = w.status ?? null;
    if (status !== null && WIFSTOPPED(status) && (WSTOPSIG(status) === tick || WSTOPSIG(status) === SIG.SIGWINCH)) {
      const r = c.host.ptrace(PTRACE.CONT, pid, 0n, 0n);
      if (r.errno) break;
      continue;
    }
    if (status !== null && WIFSTOPPED(status) && WSTOPSIG(status) === SIG.SIGTRAP) return;
    throw new UmlFatal(`wait_stub_done : failed to wait for SIGTRAP, pid = ${pid}, n = ${w.ret}, errno = ${w.errno ?? 0}, status = 0x${(status ?? 0).toString(16)}`);
  }
  throw new UmlFatal(`wait_stub_done : gave up waiting for SIGTRAP, pid = ${pid}`);
}

/** syscall_regs: exec_regs with ip = batch_syscall_stub, sp = top of STUB_DATA (6.1: 0x7fc0001000). */
export function syscallRegs(c: StubContext): bigint[] {
  const arch = c.host.kernel.arch;
  const L = layoutOf(c);
  const regs = initialRegs(arch, L.code + L.batchOffset, L.data + STUB_PAGE);
  regs[arch.origAx] = arch.mask;
  return regs;
}

/** syscall_regs as the SETREGS image: the same bytes at every stub run, made once per arch (never written through). */
const SYSCALL_REGS_BYTES = new WeakMap<object, Uint8Array>();

function syscallRegsBytes(c: StubContext): Uint8Array {
  const arch = c.host.kernel.arch;
  let b = SYSCALL_REGS_BYTES.get(arch);
  if (!b) SYSCALL_REGS_BYTES.set(arch, (b = regsToBytes(arch, syscallRegs(c))));
  return b;
}

/** do_syscall_stub's SETREGS + CONT: one frozen array, so multi mode's plan cache (host.ts, keyed by the array) finds it again. */
const STUB_RUN_CALLS = Object.freeze([
  Object.freeze({ request: PTRACE.SETREGS, addr: 0n, data: UML_STUB_REGS }),
  Object.freeze({ request: PTRACE.CONT, addr: 0n, data: 0n }),
]);

/**
 * do_syscall_stub(): SETREGS(syscall_regs) + CONT (one call site: the seed merges the pair),
 * wait_stub_done, then read the result and the failing record's address from STUB_DATA.
 * A failing record → UML kills the process (fix_range_common) — here a UmlFatal.
 */
export function doSyscallStub(c: StubContext, b: StubBatch): bigint {
  const k = c.host.kernel;
  const w = BigInt(k.arch.wordBytes);
  const A = batchAddrs(k.arch);
  k.writeMemory(c.host.uml, UML_STUB_REGS, syscallRegsBytes(c));
  const r = c.host.run('do_syscall_stub', b.pid, STUB_RUN_CALLS);
  if (r.errno) throw new UmlFatal(`do_syscall_stub : ptrace failed, errno = ${r.errno}`);
  waitStubDone(c, b.pid);
  const ret = k.readWord(b.pid, A.ret) ?? 0n;
  const offset = k.readWord(b.pid, A.offset) ?? 0n;
  b.next = null;
  if (offset !== 0n) {
    const nr = k.readWord(b.pid, offset + w);
    throw new UmlFatal(`do_syscall_stub : ret = ${BigInt.asIntN(k.arch.wordBytes * 8, ret)}, offset = 0x${offset.toString(16)}: syscall ${nr} failed — fix_range_common: failed, killing current process`);
  }
  return ret;
}

/** STUB_DATA's batch addresses for an arch (words of its size), computed once. */
interface BatchAddrs {
  readonly ret: bigint;
  readonly offset: bigint;
  readonly records: bigint;
  readonly recordBytes: bigint;
  /** The cursor at or past which the page (less 10 words) is full: run_syscall_stub runs the batch. */
  readonly full: bigint;
}

const BATCH_ADDRS = new WeakMap<Arch, BatchAddrs>();

function batchAddrs(arch: Arch): BatchAddrs {
  let a = BATCH_ADDRS.get(arch);
  if (!a) {
    const w = BigInt(arch.wordBytes);
    const data = stubLayout(arch).data;
    a = { ret: data + BigInt(BATCH.ret) * w, offset: data + BigInt(BATCH.offset) * w, records: data + BigInt(BATCH.records) * w, recordBytes: BigInt(RECORD_WORDS) * w, full: data + STUB_PAGE - 10n * w };
    BATCH_ADDRS.set(arch, a);
  }
  return a;
}

/** One record's bytes, in one scratch (consumed at once by writeMemory). */
const RECORD_SCRATCH = new Uint8Array((RECORD_WORDS + 1) * 8);
const RECORD_VIEW = new DataView(RECORD_SCRATCH.buffer);
/** The record's bytes for 8- and 4-byte words (views made once). */
const RECORD_BYTES = { 8: RECORD_SCRATCH, 4: RECORD_SCRATCH.subarray(0, (RECORD_WORDS + 1) * 4) } as const;

/**
 * A record as bytes: [len = W][nr][a1..a6][expected], then a 0 len ending the list (the next
 * record overwrites it); little-endian words stored modulo 2^width, as a word store truncates them.
 */
function recordBytes(wordBytes: number, nr: number, args: readonly bigint[], expected: bigint): Uint8Array {
  putRecordWord(wordBytes, 0, BigInt(wordBytes));
  putRecordWord(wordBytes, 1, BigInt(nr));
  for (let i = 0; i < 6; i++) putRecordWord(wordBytes, 2 + i, args[i] ?? 0n);
  putRecordWord(wordBytes, 8, expected);
  putRecordWord(wordBytes, 9, 0n);
  return RECORD_BYTES[wordBytes === 8 ? 8 : 4];
}

/** Word i of the record scratch (no closure per record). */
function putRecordWord(wordBytes: number, i: number, v: bigint): void {
  if (wordBytes === 8) RECORD_VIEW.setBigUint64(i * 8, v, true);
  else RECORD_VIEW.setUint32(i * 4, Number(v & 0xffffffffn), true);
}

/**
 * run_syscall_stub(): append one record to STUB_DATA; run the batch when `done` or when the
 * page (less 10 words) is full.
 */
export function runSyscallStub(c: StubContext, b: StubBatch, nr: number, args: readonly bigint[], expected: bigint, done: boolean): bigint {
  const k = c.host.kernel;
  const A = batchAddrs(k.arch);
  const at = b.next ?? A.records;
  k.writeMemory(b.pid, at, recordBytes(k.arch.wordBytes, nr, args, expected));
  b.next = at + A.recordBytes;
  if (!done && b.next < A.full) return 0n;
  return doSyscallStub(c, b);
}

function nr(arch: Arch, name: string): number {
  const n = syscallNr(arch.name, name);
  if (n === undefined) throw new Error(`simulator bug: no syscall ${name}`);
  return n;
}

/** The stub's mmap (i386: mmap2) and munmap numbers for an arch, looked up once. */
const STUB_NRS = new WeakMap<Arch, { readonly mmap: number; readonly munmap: number }>();

function stubNrs(arch: Arch): { readonly mmap: number; readonly munmap: number } {
  let n = STUB_NRS.get(arch);
  if (!n) STUB_NRS.set(arch, (n = { mmap: nr(arch, arch.name === 'i386' ? 'mmap2' : 'mmap'), munmap: nr(arch, 'munmap') }));
  return n;
}

const MAP_SHARED_FIXED = BigInt(MAP_SHARED | MAP_FIXED);

/** map(): mmap(virt, len, prot, MAP_SHARED|MAP_FIXED, phys_fd, offset) — i386 mmap2 with offset in pages. */
export function map(c: StubContext, b: StubBatch, virt: bigint, len: bigint, prot: number, fd: number, offset: bigint, done: boolean): bigint {
  const arch = c.host.kernel.arch;
  const i386 = arch.name === 'i386';
  const args = [virt, len, BigInt(prot), MAP_SHARED_FIXED, BigInt(fd), i386 ? offset >> 12n : offset];
  return runSyscallStub(c, b, stubNrs(arch).mmap, args, virt, done);
}

export function unmap(c: StubContext, b: StubBatch, addr: bigint, len: bigint, done: boolean): bigint {
  return runSyscallStub(c, b, stubNrs(c.host.kernel.arch).munmap, [addr, len], 0n, done);
}
