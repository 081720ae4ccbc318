// Every ptrace request number the model knows, with its support status, a note, the kernel
// source it follows, and where it exists. sys-ptrace.ts dispatches through this table; a
// number not in it (or absent from the configured kernel) answers EIO, like Linux's
// ptrace_request() default case. The gVisor-style table is also printed in the docs.
import { RequestKeyed } from '../kernel/request-keyed.ts';
import type { ArchName } from '../kernel/arch.ts';
import type { Generation } from '../kernel/config.ts';
import { archPrctlRequest } from './arch-prctl.ts';
import { detach } from './detach.ts';
import { getEventMsg } from './event-msg.ts';
import { interrupt, listen } from './interrupt-listen.ts';
import { PTRACE } from './numbers.ts';
import { setOptions } from './options.ts';
import { peekData, pokeData } from './peek-poke.ts';
import { getFpRegs, getFpxRegs, getRegs, setFpRegs, setFpxRegs, setRegs } from './regs.ts';
import { regset } from './regset.ts';
import { kill, resume } from './resume.ts';
import { getSigmask, setSigmask } from './sigmask.ts';
import { getSiginfo, setSiginfo } from './siginfo.ts';
import { getSyscallInfo } from './syscall-info.ts';
import type { RequestHandler } from './types.ts';
import { peekUser, pokeUser } from './user-area.ts';

export type Support = 'complete' | 'partial' | 'not-modelled';

export interface RequestEntry {
  readonly nr: number;
  readonly name: string;
  readonly support: Support;
  readonly note: string;
  readonly source: string;
  /** Generations where the request exists (others answer EIO). */
  readonly generations: readonly Generation[];
  readonly arches: readonly ArchName[];
  /** Handled in sys_ptrace before ptrace_check_attach (TRACEME, ATTACH, SEIZE). */
  readonly early?: boolean;
  readonly handler?: RequestHandler;
}

const BOTH: readonly Generation[] = ['6.18', '2.6.26'];
const MODERN: readonly Generation[] = ['6.18'];
const X86: readonly ArchName[] = ['x86_64', 'i386'];

function e(nr: number, support: Support, note: string, source: string, handler?: RequestHandler, opts: Partial<RequestEntry> = {}): RequestEntry {
  const name = Object.entries(PTRACE).find(([, v]) => v === nr)![0];
  return { nr, name: `PTRACE_${name}`, support, note, source, generations: BOTH, arches: X86, handler, ...opts };
}

export const REQUEST_TABLE: readonly RequestEntry[] = [
  e(PTRACE.TRACEME, 'complete', 'second call → EPERM', 'kernel/ptrace.c ptrace_traceme', undefined, { early: true }),
  e(PTRACE.PEEKTEXT, 'complete', 'one word via access_process_vm(FOLL_FORCE); EIO unmapped, EFAULT bad data pointer', 'kernel/ptrace.c generic_ptrace_peekdata', peekData),
  e(PTRACE.PEEKDATA, 'complete', 'same as PEEKTEXT', 'kernel/ptrace.c generic_ptrace_peekdata', peekData),
  e(PTRACE.PEEKUSER, 'complete', 'registers, u_debugreg, 0 elsewhere; EIO unaligned or ≥ sizeof(struct user)', 'arch/x86/kernel/ptrace.c arch_ptrace', peekUser),
  e(PTRACE.POKETEXT, 'complete', 'writes through read-only text (FOLL_FORCE)', 'kernel/ptrace.c generic_ptrace_pokedata', pokeData),
  e(PTRACE.POKEDATA, 'complete', 'same as POKETEXT', 'kernel/ptrace.c generic_ptrace_pokedata', pokeData),
  e(PTRACE.POKEUSER, 'complete', 'putreg checks (segments, fs_base, eflags mask); debug registers; EIO elsewhere', 'arch/x86/kernel/ptrace.c putreg, ptrace_set_debugreg', pokeUser),
  e(PTRACE.CONT, 'complete', 'signal injection per stop kind', 'kernel/ptrace.c ptrace_resume', resume),
  e(PTRACE.KILL, 'complete', '6.x: SIGKILL even to a running tracee; 2.6.26: resume with SIGKILL, no effect when running', 'kernel/ptrace.c ptrace_request', kill),
  e(PTRACE.SINGLESTEP, 'complete', 'SIGTRAP TRAP_TRACE after each instruction; TRAP_BRKPT after a syscall', 'arch/x86/kernel/step.c', resume),
  e(PTRACE.GETREGS, 'complete', 'user_regs_struct (216 bytes x86_64, 68 i386)', 'arch/x86/kernel/ptrace.c genregs_get', getRegs),
  e(PTRACE.SETREGS, 'complete', 'putreg per field in order; stops at the first invalid one without rollback', 'arch/x86/kernel/ptrace.c genregs_set', setRegs),
  e(PTRACE.GETFPREGS, 'complete', 'FXSAVE image (512) / user_fpregs_struct (108, i386)', 'arch/x86/kernel/fpu/regset.c xfpregs_get', getFpRegs),
  e(PTRACE.SETFPREGS, 'partial', 'bytes stored; only the MXCSR reserved-bit check is modelled', 'arch/x86/kernel/fpu/regset.c xfpregs_set', setFpRegs),
  e(PTRACE.ATTACH, 'complete', 'SIGSTOP (SI_KERNEL); EPERM self/traced/zombie/pid 1 (the model\'s init stands in for a protected task)', 'kernel/ptrace.c ptrace_attach', undefined, { early: true }),
  e(PTRACE.DETACH, 'complete', 'data treated like a resume signal', 'kernel/ptrace.c ptrace_detach', detach),
  e(PTRACE.GETFPXREGS, 'partial', 'i386 only; EIO for native x86_64 tracees', 'arch/x86/kernel/ptrace.c', getFpxRegs),
  e(PTRACE.SETFPXREGS, 'partial', 'i386 only; contents not stored separately from FP state', 'arch/x86/kernel/ptrace.c', setFpxRegs),
  e(PTRACE.OLDSETOPTIONS, 'complete', 'x86 request 21, identical to SETOPTIONS (UML 6.1 still uses it)', 'kernel/ptrace.c ptrace_request', setOptions),
  e(PTRACE.SYSCALL, 'complete', 'enter and exit stops; addr ignored on stock kernels', 'kernel/ptrace.c ptrace_resume', resume),
  e(PTRACE.GET_THREAD_AREA, 'not-modelled', 'no GDT TLS entries in the model → EIO', 'arch/x86/kernel/ptrace.c'),
  e(PTRACE.SET_THREAD_AREA, 'not-modelled', 'no GDT TLS entries in the model → EIO', 'arch/x86/kernel/ptrace.c'),
  e(PTRACE.ARCH_PRCTL, 'complete', 'x86_64 only; data = code, addr = value; GET writes tracer memory', 'arch/x86/kernel/process_64.c do_arch_prctl_64', archPrctlRequest, { arches: ['x86_64'] }),
  e(PTRACE.SYSEMU, 'complete', 'stop at entry, call skipped, no exit stop (x86_64 since 2.6.27, i386 since 2.6.14)', 'kernel/entry/common.c syscall_trace_enter', resume),
  e(PTRACE.SYSEMU_SINGLESTEP, 'complete', 'single-step traps until a syscall, which is emulated', 'kernel/entry/common.c', resume),
  e(PTRACE.SINGLEBLOCK, 'partial', 'traps after the next taken branch (BTF); request 33 = Davoli\'s old PTRACE_SYSVM', 'arch/x86/kernel/step.c', resume),
  e(PTRACE.SETOPTIONS, 'complete', 'unknown bit → EINVAL (2.6.26: known bits applied first)', 'kernel/ptrace.c ptrace_setoptions', setOptions),
  e(PTRACE.GETEVENTMSG, 'complete', 'event message; 1/2 at syscall entry/exit stops on 6.x', 'kernel/ptrace.c', getEventMsg),
  e(PTRACE.GETSIGINFO, 'complete', 'EINVAL at a non-seized group-stop', 'kernel/ptrace.c ptrace_getsiginfo', getSiginfo),
  e(PTRACE.SETSIGINFO, 'complete', 'replaces the stop\'s siginfo; the resume signal still wins', 'kernel/ptrace.c ptrace_setsiginfo', setSiginfo),
  e(PTRACE.GETREGSET, 'partial', 'NT_PRSTATUS, NT_PRFPREG, NT_X86_XSTATE; others EINVAL', 'kernel/ptrace.c ptrace_regset', (c, t, ch, a, d) => regset(c, t, ch, a, d, false), { generations: MODERN }),
  e(PTRACE.SETREGSET, 'partial', 'as GETREGSET; XSTATE needs the whole buffer and a valid header', 'kernel/ptrace.c ptrace_regset', (c, t, ch, a, d) => regset(c, t, ch, a, d, true), { generations: MODERN }),
  e(PTRACE.SEIZE, 'complete', 'no SIGSTOP; addr must be 0, data only PTRACE_O_* bits (else EIO)', 'kernel/ptrace.c ptrace_attach', undefined, { early: true, generations: MODERN }),
  e(PTRACE.INTERRUPT, 'complete', 'seized only; exempt from the stopped check; trap 0x80057f', 'kernel/ptrace.c ptrace_request', interrupt, { generations: MODERN }),
  e(PTRACE.LISTEN, 'partial', 'seized only, at a PTRACE_EVENT_STOP; SIGCONT wake-up not modelled', 'kernel/ptrace.c ptrace_request', listen, { generations: MODERN }),
  e(PTRACE.PEEKSIGINFO, 'not-modelled', 'answers EIO in the model (the real kernel reads queued siginfo)', 'kernel/ptrace.c ptrace_peek_siginfo', undefined, { generations: MODERN }),
  e(PTRACE.GETSIGMASK, 'complete', 'addr must be 8', 'kernel/ptrace.c', getSigmask, { generations: MODERN }),
  e(PTRACE.SETSIGMASK, 'complete', 'addr must be 8; SIGKILL/SIGSTOP never blocked', 'kernel/ptrace.c', setSigmask, { generations: MODERN }),
  e(PTRACE.SECCOMP_GET_FILTER, 'not-modelled', 'no seccomp in the model → EIO', 'kernel/seccomp.c', undefined, { generations: MODERN }),
  e(PTRACE.SECCOMP_GET_METADATA, 'not-modelled', 'no seccomp in the model → EIO', 'kernel/seccomp.c', undefined, { generations: MODERN }),
  e(PTRACE.GET_SYSCALL_INFO, 'complete', 'op from si_code SIGTRAP|0x80 and ptrace_message; returns 24/80/33', 'kernel/ptrace.c ptrace_get_syscall_info', getSyscallInfo, { generations: MODERN }),
  e(PTRACE.GET_RSEQ_CONFIGURATION, 'not-modelled', 'no rseq in the model → EIO', 'kernel/ptrace.c', undefined, { generations: MODERN }),
  e(PTRACE.SET_SYSCALL_USER_DISPATCH_CONFIG, 'partial', 'syscall user dispatch is not modelled: every configuration is refused with EINVAL (what an empty/zero config gets on 6.18)', 'kernel/entry/syscall_user_dispatch.c', () => ({ errno: 'EINVAL' }), { generations: MODERN }),
  e(PTRACE.GET_SYSCALL_USER_DISPATCH_CONFIG, 'not-modelled', 'no syscall user dispatch → EIO', 'kernel/entry/syscall_user_dispatch.c', undefined, { generations: MODERN }),
];

const BY_NR = new RequestKeyed<RequestEntry>();
for (const r of REQUEST_TABLE) BY_NR.set(r.nr, r);

export function lookupRequest(nr: number): RequestEntry | undefined {
  return BY_NR.get(nr);
}
