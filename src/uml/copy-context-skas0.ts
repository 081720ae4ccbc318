// copy_context_skas0(stack, pid) (arch/um/kernel/skas/mmu.c init_new_context →
// arch/um/os-Linux/skas/process.c; uml-skas.md §6, uml/README.md "fork" and "execve"): a new
// guest mm's host process, cloned by the stub of an existing mm's host process `parent`.
//   1. the parent's stub data: offset and fd of the new stub data page (2.6.26: + the timer);
//   2. SETREGS(parent, thread_regs: ip = stub_clone_handler = STUB_CODE, sp = top of STUB_DATA
//      less a word), 6.1: SETREGSET(parent, NT_X86_XSTATE, thread_fp_regs), CONT(parent) —
//      one call site: the seed merges SETREGS + CONT (on 6.1 SETREGSET sits between);
//   3. the new page's child_err = 12345678 (a sentinel the child overwrites);
//   4. wait_stub_done(parent) → SIGTRAP; new pid = parent_err (< 0: "stub-parent reports error");
//   5. wait_stub_done(child) → SIGTRAP; child_err must be STUB_DATA (the mmap result), else
//      "stub-child reports error" and the child is killed;
//   6. OLDSETOPTIONS(child, TRACESYSGOOD).
// 6.1 observed: SETREGS, SETREGSET, CONT, wait4(P1) → SIGTRAP, wait4(P2) → SIGTRAP, OLDSETOPTIONS.
import { initialRegs, regsToBytes } from '../kernel/regs.ts';
import { PTRACE_O } from '../kernel/task.ts';
import { NT, PTRACE } from '../ptrace/numbers.ts';
import { UmlFatal } from './errors.ts';
import type { UmlMemory } from './guest-mm.ts';
import type { Call } from './host.ts';
import { UML_XSTATE_IOV } from './host.ts';
import { UML_STUB_REGS, waitStubDone } from './mem.ts';
import { CLONE_DATA, CLONE_SENTINEL } from './stub-clone.ts';
import { STUB_PAGE } from './stub.ts';
import { killPtracedProcess } from './teardown.ts';
import { setXstateIov } from './userspace.ts';

/** thread_regs: exec_regs with ip = stub_clone_handler (STUB_CODE), sp = STUB_DATA + PAGE - word. */
function threadRegs(mem: UmlMemory): bigint[] {
  const arch = mem.kernel.arch;
  const L = mem.stub;
  const regs = initialRegs(arch, L.code, L.data + STUB_PAGE - BigInt(arch.wordBytes));
  regs[arch.origAx] = arch.mask;
  return regs;
}

/** thread_regs as the SETREGS image: the same bytes at every fork, made once per arch (never written through). */
const THREAD_REGS_BYTES = new WeakMap<object, Uint8Array>();

function threadRegsBytes(mem: UmlMemory): Uint8Array {
  const arch = mem.kernel.arch;
  let b = THREAD_REGS_BYTES.get(arch);
  if (!b) THREAD_REGS_BYTES.set(arch, (b = regsToBytes(arch, threadRegs(mem))));
  return b;
}

/** The stub-clone run: SETREGS(thread_regs), [SETREGSET(NT_X86_XSTATE),] CONT. Frozen arrays, so multi mode's plan cache (host.ts, keyed by the array) finds them again. */
const CLONE_CALLS: readonly Call[] = Object.freeze([
  Object.freeze({ request: PTRACE.SETREGS, addr: 0n, data: UML_STUB_REGS }),
  Object.freeze({ request: PTRACE.CONT, addr: 0n, data: 0n }),
]);
const CLONE_CALLS_XSTATE: readonly Call[] = Object.freeze([
  Object.freeze({ request: PTRACE.SETREGS, addr: 0n, data: UML_STUB_REGS }),
  Object.freeze({ request: PTRACE.SETREGSET, addr: BigInt(NT.NT_X86_XSTATE), data: UML_XSTATE_IOV }),
  Object.freeze({ request: PTRACE.CONT, addr: 0n, data: 0n }),
]);

/** Returns the new host process's pid and the physmem frame of its stub data page. */
export function copyContextSkas0(mem: UmlMemory, parent: number, hz: number): { pid: number; stubDataFrame: number } {
  const k = mem.kernel;
  const host = mem.c.host;
  const profile = mem.c.profile;
  const arch = k.arch;
  const w = BigInt(arch.wordBytes);
  const L = mem.stub;
  const field = (f: keyof typeof CLONE_DATA) => L.data + BigInt(CLONE_DATA[f]) * w;
  // The new mm's stub data page (a zeroed physmem page: init_new_context's __get_free_page).
  // A fresh frame has never been written: it reads as zeros without writing 4 KiB of them.
  const frame = mem.allocFrames(1);
  const offset = mem.frameOffset(frame);
  k.writeWord(parent, field('offset'), arch.name === 'i386' ? offset >> 12n : offset);
  k.writeWord(parent, field('fd'), BigInt(mem.fd));
  if (arch.name === 'i386') {
    // struct itimerval { interval, value } = { 1/HZ, 1/HZ } (2.6.26).
    const usec = BigInt(Math.floor(1_000_000 / hz));
    [0n, usec, 0n, usec].forEach((v, i) => k.writeWord(parent, field('timer') + BigInt(i) * w, v));
  }
  const sentinel = new Uint8Array(Number(w));
  new DataView(sentinel.buffer).setUint32(0, Number(CLONE_SENTINEL), true);
  k.writeMemFile(mem.fd, offset + BigInt(CLONE_DATA.childErr) * w, sentinel);

  k.writeMemory(host.uml, UML_STUB_REGS, threadRegsBytes(mem));
  if (profile.xstateRegset) setXstateIov(host, profile);
  const r = host.run('copy_context_skas0', parent, profile.xstateRegset ? CLONE_CALLS_XSTATE : CLONE_CALLS);
  if (r.errno) throw new UmlFatal(`copy_context_skas0 : PTRACE_CONT failed, errno = ${r.errno}`);
  waitStubDone(mem.c, parent);
  const pid = Number(BigInt.asIntN(arch.wordBytes * 8, k.readWord(parent, field('parentErr')) ?? -1n));
  if (pid < 0) throw new UmlFatal(`copy_context_skas0 - stub-parent reports error ${pid}`);
  waitStubDone(mem.c, pid);
  const childErr = k.readWord(pid, field('childErr')) ?? 0n;
  if (childErr !== L.data) {
    killPtracedProcess(host, profile, pid);
    throw new UmlFatal(`copy_context_skas0 - stub-child reports error ${BigInt.asIntN(arch.wordBytes * 8, childErr)}`);
  }
  host.ptrace(PTRACE.OLDSETOPTIONS, pid, 0n, BigInt(PTRACE_O.TRACESYSGOOD));
  return { pid, stubDataFrame: frame };
}
