// UML's fatal paths on the host side (6.1, fixture sysemu0-panic.strace + .console):
//  * ptrace_dump_regs (arch/um/os-Linux/skas/process.c): GETREGS, then "Stub registers -"
//    and one line per register;
//  * fatal_sigsegv(): force SIGSEGV on the current guest task; for init that is
//    "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b";
//  * panic → os_dump_core (arch/um/os-Linux/util.c): kill(0, SIGTERM), kill(0, SIGCONT),
//    then `while ((pid = waitpid(-1, NULL, WNOHANG | __WALL)) > 0) os_kill_ptraced_process(pid, 0)`
//    (kill(pid, SIGKILL), PTRACE_KILL, PTRACE_CONT), then abort() (not modelled: UML is an
//    external task; the run ends with exit "panic: …").
import { SIG } from '../kernel/signals.ts';
import { WNOHANG, __WALL } from '../kernel/wait-status.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { regsFromBytes } from '../kernel/regs.ts';
import type { GuestProcess } from './guest.ts';
import { UML_REGS, type HostTracer } from './host.ts';
import { UmlFatal } from './errors.ts';

/** The run ended in a UML panic; `log` is what UML printed (printk) on the way. */
export class UmlPanic extends UmlFatal {
  constructor(message: string, readonly log: readonly string[]) {
    super(message);
  }
}

/** x86_64 names ptrace_dump_regs prints (blank where 6.1 prints none), by user_regs_struct index. */
const X86_64_DUMP_NAMES = ['R15', 'R14', 'R13', 'R12', 'BP', 'BX', 'R11', 'R10', 'R9', 'R8', 'AX', 'CX', 'DX', 'SI', 'DI', 'ORIG_AX', '', 'CS', 'EFLAGS', '', 'SS', '', '', '', '', '', ''];

/** ptrace_dump_regs(pid): one GETREGS and the dump lines. */
export function dumpRegs(host: HostTracer, pid: number): string[] {
  const arch = host.kernel.arch;
  const r = host.ptrace(PTRACE.GETREGS, pid, 0n, UML_REGS);
  if (r.errno) return [`Failed to get registers from process, errno = ${r.errno}`];
  const regs = regsFromBytes(arch, host.kernel.readMemory(host.uml, UML_REGS, arch.regNames.length * arch.wordBytes)!);
  const names = arch.name === 'x86_64' ? X86_64_DUMP_NAMES : arch.regNames.map((n) => n.toUpperCase());
  return ['Stub registers -', ...regs.map((v, i) => `\t${names[i] ?? ''}\t(${String(i).padStart(2)}): ${v.toString(16)}`)];
}

/** fatal_sigsegv() on guest process p, after UML printed `log`. Never returns. */
export function fatalSigsegv(host: HostTracer, p: GuestProcess, log: string[]): never {
  host.markEvent('fatal_sigsegv');
  p.state = 'zombie';
  p.exitCode = 128 + SIG.SIGSEGV;
  if (p.gpid !== 1) throw new UmlFatal(`guest process ${p.gpid} killed by SIGSEGV: ${log.at(-1) ?? ''}`);
  const msg = `Kernel panic - not syncing: Attempted to kill init! exitcode=0x${SIG.SIGSEGV.toString(16).padStart(8, '0')}`;
  osDumpCore(host);
  throw new UmlPanic(msg, [...log, msg]);
}

function osDumpCore(host: HostTracer): void {
  host.event = 'panic';
  host.timer = null; // signals are blocked from here on; no more ticks
  host.kill(0, SIG.SIGTERM);
  host.kill(0, SIG.SIGCONT);
  for (let i = 0; i < 1000; i++) {
    const r = host.wait4(-1, WNOHANG | __WALL);
    if (r.errno || r.ret <= 0n) break;
    const pid = Number(r.ret);
    host.kill(pid, SIG.SIGKILL);
    host.ptrace(PTRACE.KILL, pid, 0n, 0n);
    host.ptrace(PTRACE.CONT, pid, 0n, 0n);
  }
}
