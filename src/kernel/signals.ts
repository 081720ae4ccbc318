// Signal numbers and default actions for x86 Linux (arch/x86/include/uapi/asm/signal.h,
// signal(7) "Standard signals").

export const SIG = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7,
  SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13,
  SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
  SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
  SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
} as const;

export type SignalName = keyof typeof SIG;

/** _NSIG on x86: valid signal numbers are 1..64 (kernel/signal.c valid_signal). */
export const NSIG = 64;

const NAMES = new Map<number, string>(Object.entries(SIG).map(([k, v]) => [v, k]));

export function signalName(sig: number): string {
  if (sig === 0) return '0';
  const base = NAMES.get(sig);
  if (base !== undefined) return base;
  if (sig >= 34 && sig <= NSIG) return sig === 34 ? 'SIGRTMIN' : `SIGRTMIN+${sig - 34}`;
  return String(sig);
}

export function parseSignal(text: string): number | undefined {
  const t = text.trim().toUpperCase();
  if (/^-?\d+$/.test(t)) return Number(t);
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  return (SIG as Record<string, number>)[name];
}

export function validSignal(sig: number): boolean {
  // kernel/signal.c valid_signal(): sig <= _NSIG (0 allowed where a signal is optional).
  return Number.isInteger(sig) && sig >= 0 && sig <= NSIG;
}

export type DefaultAction = 'term' | 'core' | 'ign' | 'stop' | 'cont';

/** signal(7), "Standard signals" table. Real-time signals terminate. */
export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIG.SIGCHLD: case SIG.SIGURG: case SIG.SIGWINCH: return 'ign';
    case SIG.SIGCONT: return 'cont';
    case SIG.SIGSTOP: case SIG.SIGTSTP: case SIG.SIGTTIN: case SIG.SIGTTOU: return 'stop';
    case SIG.SIGQUIT: case SIG.SIGILL: case SIG.SIGTRAP: case SIG.SIGABRT: case SIG.SIGBUS:
    case SIG.SIGFPE: case SIG.SIGSEGV: case SIG.SIGXCPU: case SIG.SIGXFSZ: case SIG.SIGSYS:
      return 'core';
    default: return 'term';
  }
}

/** siginfo si_code values (include/uapi/asm-generic/siginfo.h). */
export const SI = {
  SI_USER: 0,
  SI_KERNEL: 0x80,
  SI_TKILL: -6,
  SEGV_MAPERR: 1,
  SEGV_ACCERR: 2,
  TRAP_BRKPT: 1,
  TRAP_TRACE: 2,
  ILL_ILLOPC: 1,
  CLD_EXITED: 1,
  CLD_KILLED: 2,
  CLD_DUMPED: 3,
  CLD_TRAPPED: 4,
  CLD_STOPPED: 5,
  CLD_CONTINUED: 6,
} as const;

/** The fields of siginfo_t a tracer can observe with PTRACE_GETSIGINFO. */
export interface Siginfo {
  signo: number;
  errno: number;
  code: number;
  /** si_pid / si_uid for kill-like and SIGCHLD signals. */
  pid: number;
  uid: number;
  /** si_addr for SIGSEGV/SIGBUS/SIGILL/SIGTRAP faults. */
  addr: bigint;
  /** si_status for SIGCHLD. */
  status: number;
  /**
   * Queued on the thread group's shared_pending (kill(), SIGCHLD) rather than the thread's
   * own pending (tgkill, faults, ptrace-injected): dequeue_signal() takes private ones first.
   */
  shared?: boolean;
}

export function makeSiginfo(signo: number, code: number, extra?: Partial<Siginfo>): Siginfo {
  if (extra === undefined) return { signo, errno: 0, code, pid: 0, uid: 0, addr: 0n, status: 0 };
  return { signo, errno: 0, code, pid: 0, uid: 0, addr: 0n, status: 0, ...extra };
}
