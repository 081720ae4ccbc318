// Host terms: time the host spends because of a UML host call's event, outside any priced
// host call of the tracer (docs/cost-model.md "Host terms"). Each term is one number of the
// profile with a physical meaning, charged per event kind the ledger shows, the same way for
// every operation and in every pricing path (price.ts for run/compare/report/teach and the
// reference whatif, whatif-tally.ts for whatif's fast path):
//   crossCpuWakeupNs     × 2 × P(cross | class) per successful resume that has a round trip: the
//                        tracee is woken on the other CPU and, at its stop, wakes the tracer back
//                        (ptrace_resume → wake_up_state; ptrace_stop → do_notify_parent_cldstop);
//                        the class is that of the host process resumed (cross-cpu.ts, the
//                        profile's crossCpuRates; no rates or no history: P = 1). 0 when pinned.
//   hostPageFaultNs      per wait4 reporting a SIGSEGV stop (a guest page fault, uml/README.md):
//                        the page allocation and zeroing behind UML's physmem file and the
//                        tracee's retried access (a minor fault); the stub's host mmap of the
//                        page is its stub run's (stubRunHostCallsNs).
//   hostProcessCreateNs  per successful (OLD)SETOPTIONS: UML sets TRACESYSGOOD once on every new
//                        host process (uml/README.md "fork", "execve"), which the stub's clone made.
//   hostProcessExitNs    per wait4 that reaps a child (exited, killed, or a NULL status with a
//                        pid: UML's `wait4(P, NULL, __WALL)` after kill + PTRACE_KILL): exit,
//                        mm teardown and the reap.
//   umlSyscallStopUserNs per wait4 reporting a syscall stop (SIGTRAP | 0x80): UML's own user time
//                        for a guest syscall trap (its guest kernel reads the registers, runs the
//                        guest's syscall, writes them back: arch/um/kernel/skas/syscall.c), which
//                        no host call shows. Measured: scripts/uml-cpu-split.sh --phase getpid.
//   umlStubRunUserNs     per successful PTRACE_CONT with no signal: a stub run (UML 6.1 resumes a
//                        tracee with a plain CONT only into its stub, uml/README.md "stub"). UML's
//                        own user time around it: the guest kernel's page-table walk that queues
//                        the stub's mmap/munmap/mprotect calls (arch/um/kernel/tlb.c fix_range,
//                        force_flush_all) and the check of their results (skas/mmu.c
//                        syscall_stub_flush). Derived from scripts/uml-cpu-split.sh --phase fork.
//   stubRunHostCallsNs   per successful PTRACE_CONT with no signal: the host syscalls the stub
//                        makes in that run (mmap(MAP_SHARED|MAP_FIXED) of physmem pages, munmap),
//                        which run in the tracee, so UML's own ledger rows never show them: the
//                        real count per stub run (scripts/uml-host-syscalls.sh, perf tracepoints)
//                        × each call's calibrated price.
//   stubRemapFaultNs     per successful PTRACE_CONT with no signal: the host minor faults the tracee
//                        takes later on pages its stub re-mapped (an mmap leaves no page-table
//                        entries; the guest's next access faults them in, with no SIGSEGV stop, so
//                        UML never sees them): the real count per stub run (scripts/uml-host-process-
//                        times.sh, exceptions:page_fault_user, minus the 2 host faults of each SIGSEGV
//                        stop) × a first read of a re-mapped page (calibrate/ptrace-calibrate.c umlProcTouch).
import { PTRACE } from '../ptrace/numbers.ts';
import type { CostProfile } from './profile.ts';
import { wakeupsPerRoundTrip, type CrossClassIndex } from './cross-cpu.ts';

const SIGSEGV = 11;
const SYSCALL_STOP_SIG = 5 | 0x80; // SIGTRAP | 0x80: PTRACE_O_TRACESYSGOOD (ptrace(2))

/** wait4's host term: `status` as the kernel encodes it (null: none reported), `pid` its return. */
export function waitHostNs(status: number | null, ret: number, profile: CostProfile): number {
  if (ret <= 0) return 0;
  const c = profile.costs;
  if (status === null) return c.hostProcessExitNs.ns; // a reap with a NULL status pointer
  const low = status & 0x7f;
  if (low === 0x7f) {
    // stopped (WIFSTOPPED): a guest page fault, a guest syscall trap, or (0) a stub's int3
    const sig = (status >> 8) & 0xff;
    return sig === SIGSEGV ? c.hostPageFaultNs.ns : sig === SYSCALL_STOP_SIG ? c.umlSyscallStopUserNs.ns : 0;
  }
  return c.hostProcessExitNs.ns; // WIFEXITED (low 0) or WIFSIGNALED
}

/**
 * A successful ptrace request's host term: a new host process for (OLD)SETOPTIONS; a stub run
 * (UML's user time and the stub's host calls) for a CONT with no signal (`signal` 0 or absent).
 */
export function requestHostNs(request: number, profile: CostProfile, signal = 0): number {
  const c = profile.costs;
  if (request === PTRACE.OLDSETOPTIONS || request === PTRACE.SETOPTIONS) return c.hostProcessCreateNs.ns;
  if (request === PTRACE.CONT && signal === 0) return stubRunNs(profile);
  return 0;
}

/** One stub run's host term (requestHostNs of a CONT with no signal): UML's user time, the stub's calls, their faults. */
export function stubRunNs(profile: CostProfile): number {
  return profile.costs.umlStubRunUserNs.ns + profile.costs.stubRunHostCallsNs.ns + profile.costs.stubRemapFaultNs.ns;
}

/**
 * The wake-ups of a round trip (`roundTripNs` > 0: a successful resume) whose host process is of
 * class `cls` (cross-cpu.ts; null: no history, every round trip crosses).
 */
export function wakeupNs(roundTripNs: number, profile: CostProfile, cls: CrossClassIndex | null = null): number {
  return roundTripNs > 0 ? wakeupsPerRoundTrip(profile.crossCpuRates, cls) * profile.costs.crossCpuWakeupNs.ns : 0;
}
