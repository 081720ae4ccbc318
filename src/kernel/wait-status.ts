// The wait4 status word, bit by bit (ptrace.md §4; glibc bits/waitstatus.h;
// kernel/exit.c wait_task_zombie/wait_task_stopped, kernel/signal.c ptrace_stop).
import { SIG, signalName } from './signals.ts';
import { PTRACE_EVENT } from './task.ts';

export const WNOHANG = 0x1;
export const WUNTRACED = 0x2; // == WSTOPPED
export const WEXITED = 0x4;
export const WCONTINUED = 0x8;
export const WNOWAIT = 0x01000000;
export const __WNOTHREAD = 0x20000000;
export const __WALL = 0x40000000;
export const __WCLONE = 0x80000000;

/** wait4 accepts only these bits (kernel/exit.c kernel_wait4: else -EINVAL). */
export const WAIT4_VALID = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE;

export function exitedStatus(code: number): number {
  return (code & 0xff) << 8;
}

export function killedStatus(sig: number, core = false): number {
  return (sig & 0x7f) | (core ? 0x80 : 0);
}

export function stoppedStatus(sig: number, event = 0): number {
  return ((event & 0xffff) << 16) | ((sig & 0xff) << 8) | 0x7f;
}

export const CONTINUED_STATUS = 0xffff;

export const WIFEXITED = (s: number) => (s & 0x7f) === 0;
export const WEXITSTATUS = (s: number) => (s >> 8) & 0xff;
export const WIFSIGNALED = (s: number) => (s & 0x7f) !== 0 && (s & 0x7f) !== 0x7f;
export const WTERMSIG = (s: number) => s & 0x7f;
export const WIFSTOPPED = (s: number) => (s & 0xff) === 0x7f;
export const WSTOPSIG = (s: number) => (s >> 8) & 0xff;
export const WIFCONTINUED = (s: number) => s === CONTINUED_STATUS;

const EVENT_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(PTRACE_EVENT).map(([k, v]) => [v, `PTRACE_EVENT_${k}`]),
);

/** Decode like strace prints it: `exited(0)`, `killed(SIGKILL)`, `SIGTRAP|0x80`, `SIGTRAP|PTRACE_EVENT_FORK<<8`. */
export function describeStatus(s: number): string {
  if (WIFCONTINUED(s)) return 'continued';
  if (WIFEXITED(s)) return `exited(${WEXITSTATUS(s)})`;
  if (WIFSIGNALED(s)) return `killed(${signalName(WTERMSIG(s))}${s & 0x80 ? ',core' : ''})`;
  const sig = WSTOPSIG(s);
  const event = s >>> 16;
  let name = sig & 0x80 && sig !== 0x80 ? `${signalName(sig & 0x7f)}|0x80` : signalName(sig);
  if (sig === SIG.SIGTRAP + 0x80) name = 'SIGTRAP|0x80';
  if (event) return `${name}|${EVENT_NAMES[event] ?? `0x${event.toString(16)}`}<<8`;
  return name;
}

export function hexStatus(s: number): string {
  return `0x${(s >>> 0).toString(16)}`;
}
