// UML's combined start-up feature test for Davoli's PTRACE_VM skip flags and PTRACE_MULTI:
// test_ptrace_sysptvm (patch-linux-2.6.26-rc6-ptrace_vm, arch/um/os-Linux/start_up.c) as the
// seed renames and extends it (test_ptrace_sysptvm_and_ptmulti). Steps (ptrace.md §11.2):
//   child (clone SIGCHLD|CLONE_VM): TRACEME; kill(self, SIGSTOP); *feature = 0; getpid();
//     *feature = SKIPEXIT (2); pipe(p) with p = {-1,-1}; if p[0] == -1: *feature = SKIPCALL (6); exit.
//   parent: wait (SIGSTOP); SYSCALL(addr 0); wait (getpid entry); SYSCALL(addr SKIPEXIT);
//     wait; if feature < 2 → out; SYSCALL(addr SKIPCALL); wait;
//   out: if ptrace(PTRACE_MULTI, pid, stack, 0) >= 0: feature |= 0x80000000; KILL; wait (reap).
// Returns 0 (stock kernel: addr ignored), 2 (skip-exit only) or 6 (full), maybe with bit 31.
import { archByName } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { SIG } from '../kernel/signals.ts';
import { WUNTRACED } from '../kernel/wait-status.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { PTRACE_SYSCALL_SKIPCALL, PTRACE_SYSCALL_SKIPEXIT } from '../ptrace/ptrace-vm.ts';

export const PTRACE_SUPPORTS_PTMULTI = 0x80000000;

/** Where the probe keeps `feature`, `p[2]` and the 1 KiB `stack` in UML's (shared) memory. */
const PROBE_DATA = 0x30000000n;
const FEATURE = PROBE_DATA;
const PIPE_FDS = PROBE_DATA + 0x10n;
const STACK = PROBE_DATA + 0x100n;

function probeChild(k: Kernel, pid: number) {
  const arch = archByName(k.state.config.arch);
  const a = new Asm(arch);
  const w = BigInt(arch.wordBytes);
  a.sys('ptrace', PTRACE.TRACEME, 0, 0, 0)
    .sys('kill', pid, SIG.SIGSTOP)
    .store(FEATURE, 0n)
    .sys('getpid')
    .store(FEATURE, 2n)
    .store(PIPE_FDS, -1n)
    .sys('pipe', PIPE_FDS);
  // if (p[0] == -1) feature = 6: load p[0] (low 32 bits of the word), compare by adding 1.
  const r = arch.regNames[arch.argRegs[0]!]!;
  a.emit({ op: 'load', dst: r, disp: PIPE_FDS });
  if (w === 8n) a.emit({ op: 'add', dst: r, imm: -0xffffffffffffffffn }); // p = {-1,-1}: word is all ones
  else a.emit({ op: 'add', dst: r, imm: 1n });
  const skip = a.here + 3;
  a.emit({ op: 'jnz', reg: r, target: skip }).store(FEATURE, 6n);
  a.exit(0);
  return a.build('/uml/probe-sysptvm-child');
}

export interface ProbeResult {
  /** The feature word as UML's unsigned view of the int. */
  feature: number;
  sysptvm: boolean;
  ptmulti: boolean;
}

/** Run the probe as task `uml` (external) on kernel `k`. */
export function testPtraceSysptvmAndPtmulti(k: Kernel, uml: number): ProbeResult {
  k.mapMemory(uml, PROBE_DATA, 0x1000n, PROT_READ | PROT_WRITE);
  const pid = Number(k.forkChild(uml, probeChild(k, k.state.nextPid), { shareVm: true }).ret);
  const feature = () => Number(k.readWord(uml, FEATURE) ?? 0n) >>> 0;
  let result = 0;
  const wait = () => k.wait4(uml, pid, WUNTRACED);
  let st = wait();
  if (st.errno === null) {
    k.ptrace(uml, PTRACE.SYSCALL, pid, 0n, 0n);
    st = wait();
    k.ptrace(uml, PTRACE.SYSCALL, pid, PTRACE_SYSCALL_SKIPEXIT, 0n);
    st = wait();
    if (feature() >= 2) {
      k.ptrace(uml, PTRACE.SYSCALL, pid, PTRACE_SYSCALL_SKIPCALL, 0n);
      st = wait();
    }
    result = feature();
  }
  // out:
  if (k.ptrace(uml, PTRACE.MULTI, pid, STACK, 0n).errno === null) result = (result | PTRACE_SUPPORTS_PTMULTI) >>> 0;
  k.ptrace(uml, PTRACE.KILL, pid, 0n, 0n);
  wait();
  const base = (result & ~PTRACE_SUPPORTS_PTMULTI) >>> 0;
  return { feature: result, sysptvm: base === 6, ptmulti: (result & PTRACE_SUPPORTS_PTMULTI) !== 0 };
}
