// arch_prctl(ARCH_SET_FS) on a guest mm's host process (arch/x86/um/syscalls_64.c arch_prctl,
// x86_64 only): setting %fs must happen on the host, so UML restores the task's registers into
// the host process (restore_pid_registers: SETREGS; a stub may have run last), runs
// os_arch_prctl (PTRACE_ARCH_PRCTL(pid, value, ARCH_SET_FS)) and reads them back
// (save_registers: GETREGS). Used by the guest's own arch_prctl syscall and by
// arch_switch_to() when a task with a TLS base is switched in (sched.ts). 6.1 observed:
// SETREGS(P), ARCH_PRCTL(P, 0x4b1380, 0x1002), GETREGS(P) — 3 calls, one call site.
import { regsFromBytes, regsToBytes } from '../kernel/regs.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { UmlFatal } from './errors.ts';
import { UML_REGS, type Call, type HostTracer } from './host.ts';

export const ARCH_SET_FS = 0x1002;

/**
 * The run's calls for a TLS base, one frozen array per value: host.run plans multi mode's
 * groups once per array (host.ts), and processes of one binary share their base. At most
 * SWITCH_CALLS_MAX values are kept (then the table starts afresh).
 */
const SWITCH_CALLS = new Map<bigint, readonly Call[]>();
const SWITCH_CALLS_MAX = 64;

function switchCalls(fs: bigint): readonly Call[] {
  let calls = SWITCH_CALLS.get(fs);
  if (calls === undefined) {
    if (SWITCH_CALLS.size >= SWITCH_CALLS_MAX) SWITCH_CALLS.clear();
    calls = Object.freeze([
      { request: PTRACE.SETREGS, addr: 0n, data: UML_REGS },
      { request: PTRACE.ARCH_PRCTL, addr: fs, data: BigInt(ARCH_SET_FS) },
      { request: PTRACE.GETREGS, addr: 0n, data: UML_REGS },
    ]);
    SWITCH_CALLS.set(fs, calls);
  }
  return calls;
}

/** SETREGS(regs), ARCH_PRCTL(fs, ARCH_SET_FS), GETREGS: returns the registers read back. */
export function hostArchPrctlSetFs(host: HostTracer, pid: number, regs: readonly bigint[], fs: bigint): bigint[] {
  const arch = host.kernel.arch;
  host.kernel.writeMemory(host.uml, UML_REGS, regsToBytes(arch, [...regs]));
  const r = host.run('switch', pid, switchCalls(fs));
  if (r.errno) throw new UmlFatal(`arch_prctl - ptrace failed, errno = ${r.errno}`);
  return regsFromBytes(arch, host.kernel.readMemory(host.uml, UML_REGS, arch.regNames.length * arch.wordBytes)!);
}
