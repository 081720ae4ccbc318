// Request numbers (include/uapi/linux/ptrace.h, arch/x86/include/uapi/asm/ptrace-abi.h;
// ptrace.md §1) and Davoli's never-merged PTRACE_MULTI range (ptrace-multi.md §1).
import { RequestKeyed } from '../kernel/request-keyed.ts';

export const PTRACE = {
  TRACEME: 0,
  PEEKTEXT: 1,
  PEEKDATA: 2,
  PEEKUSER: 3,
  POKETEXT: 4,
  POKEDATA: 5,
  POKEUSER: 6,
  CONT: 7,
  KILL: 8,
  SINGLESTEP: 9,
  GETREGS: 12,
  SETREGS: 13,
  GETFPREGS: 14,
  SETFPREGS: 15,
  ATTACH: 16,
  DETACH: 17,
  GETFPXREGS: 18,
  SETFPXREGS: 19,
  OLDSETOPTIONS: 21,
  SYSCALL: 24,
  GET_THREAD_AREA: 25,
  SET_THREAD_AREA: 26,
  ARCH_PRCTL: 30,
  SYSEMU: 31,
  SYSEMU_SINGLESTEP: 32,
  SINGLEBLOCK: 33,
  SETOPTIONS: 0x4200,
  GETEVENTMSG: 0x4201,
  GETSIGINFO: 0x4202,
  SETSIGINFO: 0x4203,
  GETREGSET: 0x4204,
  SETREGSET: 0x4205,
  SEIZE: 0x4206,
  INTERRUPT: 0x4207,
  LISTEN: 0x4208,
  PEEKSIGINFO: 0x4209,
  GETSIGMASK: 0x420a,
  SETSIGMASK: 0x420b,
  SECCOMP_GET_FILTER: 0x420c,
  SECCOMP_GET_METADATA: 0x420d,
  GET_SYSCALL_INFO: 0x420e,
  GET_RSEQ_CONFIGURATION: 0x420f,
  SET_SYSCALL_USER_DISPATCH_CONFIG: 0x4210,
  GET_SYSCALL_USER_DISPATCH_CONFIG: 0x4211,
  MULTI: 0x4300,
  PEEKCHARDATA: 0x4301,
  POKECHARDATA: 0x4302,
  PEEKSTRINGDATA: 0x4303,
} as const;

export type RequestName = keyof typeof PTRACE;

const NAMES = new RequestKeyed<string>();
for (const [k, v] of Object.entries(PTRACE)) NAMES.set(v, `PTRACE_${k}`); // a later alias wins, as in a Map built from the entries

/** `PTRACE_GETREGS`, or the number in hex for requests Linux never had. */
export function requestName(nr: number): string {
  return NAMES.get(nr) ?? `0x${(nr >>> 0).toString(16)}`;
}

/** Parse `GETREGS`, `PTRACE_GETREGS`, `12`, `0x4300`. */
export function parseRequest(text: string): number | undefined {
  const t = text.trim().toUpperCase();
  if (/^(0X[0-9A-F]+|\d+)$/.test(t)) return Number(t);
  const name = t.startsWith('PTRACE_') ? t.slice(7) : t;
  if (name === 'PEEKUSR') return PTRACE.PEEKUSER;
  if (name === 'POKEUSR') return PTRACE.POKEUSER;
  return (PTRACE as Record<string, number>)[name];
}

/** NT_* note types for GETREGSET/SETREGSET (include/uapi/linux/elf.h). */
export const NT = {
  NT_PRSTATUS: 1,
  NT_PRFPREG: 2,
  NT_PRXFPREG: 0x46e62b7f,
  NT_386_TLS: 0x200,
  NT_386_IOPERM: 0x201,
  NT_X86_XSTATE: 0x202,
  NT_X86_SHSTK: 0x204,
} as const;

const NT_NAMES = new Map<number, string>(Object.entries(NT).map(([k, v]) => [v, k]));

export function regsetName(nt: number): string {
  return NT_NAMES.get(nt) ?? `0x${nt.toString(16)}`;
}
