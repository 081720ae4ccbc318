// os_kill_ptraced_process (arch/um/os-Linux/process.c): kill(pid, SIGKILL), PTRACE_KILL,
// PTRACE_CONT (fails with ESRCH: the process is no longer stopped), then reap with
// waitpid(pid, NULL, __WALL). Observed on 6.1 for every dead mm (uml/README.md).
import { SIG } from '../kernel/signals.ts';
import { __WALL } from '../kernel/wait-status.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import type { HostTracer } from './host.ts';
import type { UmlProfile } from './profile.ts';

export function killPtracedProcess(host: HostTracer, _profile: UmlProfile, pid: number): void {
  host.kill(pid, SIG.SIGKILL);
  host.ptrace(PTRACE.KILL, pid, 0n, 0n);
  host.ptrace(PTRACE.CONT, pid, 0n, 0n);
  host.wait4(pid, __WALL);
}
