// Host terms: time the host spends because of a UML host call's event, outside any priced
// host call of the tracer (docs/cost-model.md "Host terms"). Each term is one number of the
// profile with a physical meaning, charged per event kind the ledger shows, the same way for
// every operation and in every pricing path (price.ts for run/compare/report/teach and the
// reference whatif, whatif-tally.ts for whatif's fast path):
//   crossCpuWakeupNs     ×2 per successful resume that has a round trip: the tracee is woken on
//                        the other CPU and, at its stop, wakes the tracer back (ptrace_resume →
//                        wake_up_state; ptrace_stop → do_notify_parent_cldstop). 0 when pinned.
//   hostPageFaultNs      per wait4 reporting a SIGSEGV stop (a guest page fault, uml/README.md):
//                        the page allocation and zeroing behind UML's physmem file, the stub's
//                        host mmap and the tracee's retried access (a minor fault).
//   hostProcessCreateNs  per successful (OLD)SETOPTIONS: UML sets TRACESYSGOOD once on every new
//                        host process (uml/README.md "fork", "execve"), which the stub's clone made.
//   hostProcessExitNs    per wait4 that reaps a child (exited, killed, or a NULL status with a
//                        pid: UML's `wait4(P, NULL, __WALL)` after kill + PTRACE_KILL): exit,
//                        mm teardown and the reap.
import { PTRACE } from '../ptrace/numbers.ts';
import type { CostProfile } from './profile.ts';

const SIGSEGV = 11;

/** wait4's host term: `status` as the kernel encodes it (null: none reported), `pid` its return. */
export function waitHostNs(status: number | null, ret: number, profile: CostProfile): number {
  if (ret <= 0) return 0;
  const c = profile.costs;
  if (status === null) return c.hostProcessExitNs.ns; // a reap with a NULL status pointer
  const low = status & 0x7f;
  if (low === 0x7f) return ((status >> 8) & 0xff) === SIGSEGV ? c.hostPageFaultNs.ns : 0; // stopped (WIFSTOPPED)
  return c.hostProcessExitNs.ns; // WIFEXITED (low 0) or WIFSIGNALED
}

/** A successful ptrace request's host term: a new host process for (OLD)SETOPTIONS. */
export function requestHostNs(request: number, profile: CostProfile): number {
  return request === PTRACE.OLDSETOPTIONS || request === PTRACE.SETOPTIONS ? profile.costs.hostProcessCreateNs.ns : 0;
}

/** The wake-ups of a round trip (`roundTripNs` > 0: a successful resume). */
export function wakeupNs(roundTripNs: number, profile: CostProfile): number {
  return roundTripNs > 0 ? 2 * profile.costs.crossCpuWakeupNs.ns : 0;
}
