// Davoli's PTRACE_VM (never merged; ptrace.md §11). Two published forms:
//  * 2006 "[PATCH] 3-ptrace_vm": a new resume request PTRACE_SYSVM = 33 (which became
//    PTRACE_SINGLEBLOCK in 2.6.25). addr & PTRACE_VM_TEST (0x80000000) → returns
//    PTRACE_VM_MASK (3) without resuming; otherwise it resumes like PTRACE_SYSCALL and
//    stores the skip bits addr & 3 (1 = SKIPCALL, 2 = SKIPEXIT).
//  * 2008 patch-linux-2.6.26-rc6-ptrace_vm: no new request; ptrace_resume stores
//    (addr & 6) << 28 for every resume request. The skip-exit test uses mask 0x60000000
//    (addr 2, 4 or 6 skip the exit stop), skip-call 0x40000000 (addr 4 or 6).
// Every resume clears the bits first. Bits given when resuming FROM a syscall-enter stop
// apply to that syscall.
import type { KernelConfig } from '../kernel/config.ts';

export const PTRACE_VM_TEST = 0x80000000n;
export const PTRACE_VM_MASK = 3n;
export const VM_SKIPCALL = 1;
export const VM_SKIPEXIT = 2;
/** 2008 addr flags (ptrace.md §11.2). */
export const PTRACE_SYSCALL_SKIPEXIT = 0x2n;
export const PTRACE_SYSCALL_SKIPCALL = 0x6n;

/** The skip bits (VM_SKIPCALL | VM_SKIPEXIT) a resume request with this addr stores. */
export function vmSkipBits(config: KernelConfig, request: 'sysvm' | 'resume', addr: bigint): number {
  if (config.ptraceVm === '2006') {
    return request === 'sysvm' ? Number(addr & PTRACE_VM_MASK) : 0;
  }
  if (config.ptraceVm === '2008') {
    const stored = Number((addr & 6n) << 28n);
    return (stored & 0x40000000 ? VM_SKIPCALL : 0) | (stored & 0x60000000 ? VM_SKIPEXIT : 0);
  }
  return 0;
}
