// Syscall numbers of the host syscalls the model implements
// (arch/x86/entry/syscalls/syscall_64.tbl, syscall_32.tbl).
import type { ArchName } from './arch.ts';

export const SYSCALLS_X86_64 = {
  read: 0, write: 1, open: 2, close: 3, pipe: 22, brk: 12, mmap: 9, mprotect: 10, munmap: 11, rt_sigaction: 13,
  rt_sigprocmask: 14, rt_sigreturn: 15, sched_yield: 24, pause: 34, nanosleep: 35,
  getitimer: 36, setitimer: 38, getpid: 39, clone: 56, fork: 57, vfork: 58, execve: 59,
  exit: 60, wait4: 61, kill: 62, getuid: 102, ptrace: 101, getppid: 110, arch_prctl: 158,
  gettid: 186, tkill: 200, sigaltstack: 131, set_tid_address: 218, restart_syscall: 219, exit_group: 231, tgkill: 234,
  set_robust_list: 273,
} as const;

export const SYSCALLS_I386 = {
  restart_syscall: 0, exit: 1, fork: 2, read: 3, write: 4, open: 5, close: 6, waitpid: 7, execve: 11,
  getpid: 20, ptrace: 26, pause: 29, kill: 37, pipe: 42, brk: 45, getppid: 64, munmap: 91,
  setitimer: 104, getitimer: 105, wait4: 114, clone: 120, mprotect: 125, sched_yield: 158,
  nanosleep: 162, rt_sigreturn: 173, rt_sigaction: 174, rt_sigprocmask: 175, vfork: 190,
  mmap2: 192, getuid: 199, gettid: 224, sigaltstack: 186, tkill: 238, exit_group: 252, tgkill: 270,
} as const;

export type SyscallName = keyof typeof SYSCALLS_X86_64 | keyof typeof SYSCALLS_I386;

const TABLES: Record<ArchName, Record<string, number>> = { x86_64: SYSCALLS_X86_64, i386: SYSCALLS_I386 };
const REVERSE: Record<ArchName, Map<number, string>> = {
  x86_64: new Map(Object.entries(SYSCALLS_X86_64).map(([k, v]) => [v, k])),
  i386: new Map(Object.entries(SYSCALLS_I386).map(([k, v]) => [v, k])),
};

export function syscallNr(arch: ArchName, name: string): number | undefined {
  return TABLES[arch][name];
}

export function syscallName(arch: ArchName, nr: number): string {
  return REVERSE[arch].get(nr) ?? `syscall_${nr}`;
}
