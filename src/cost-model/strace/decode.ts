// Decodes ptrace and wait4 as strace prints them (strace 6.x src/ptrace.c print_ptrace_*,
// src/wait.c printstatus) into ledger fields: request number, target, regset, resume signal,
// bytes moved, and wait4's status word re-encoded the way the kernel returns it
// (include/linux/wait.h, ptrace(2) "Syscall-stops"/"PTRACE_EVENT stops").
import { parseRequest, PTRACE, NT, requestName } from '../../ptrace/numbers.ts';
import { parseSignal } from '../../kernel/signals.ts';
import { parseNumber, structFields, SyntaxFault } from './tokenize.ts';

/** x86_64 struct user_regs_struct field order (arch/x86/include/asm/user_64.h), for `8*ORIG_RAX`. */
const USER_REGS = ['R15', 'R14', 'R13', 'R12', 'RBP', 'RBX', 'R11', 'R10', 'R9', 'R8', 'RAX', 'RCX', 'RDX', 'RSI', 'RDI', 'ORIG_RAX', 'RIP', 'CS', 'EFLAGS', 'RSP', 'SS', 'FS_BASE', 'GS_BASE', 'DS', 'ES', 'FS', 'GS'];

const PTRACE_EVENTS: Record<string, number> = {
  PTRACE_EVENT_FORK: 1, PTRACE_EVENT_VFORK: 2, PTRACE_EVENT_CLONE: 3, PTRACE_EVENT_EXEC: 4,
  PTRACE_EVENT_VFORK_DONE: 5, PTRACE_EVENT_EXIT: 6, PTRACE_EVENT_SECCOMP: 7, PTRACE_EVENT_STOP: 128,
};

/** A numeric argument: a number, NULL, a signal name, an NT_* name, `8*ORIG_RAX`; else undefined. */
export function argValue(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  const n = parseNumber(t);
  if (n !== undefined) return n;
  if (t === 'NULL') return 0n;
  const off = /^(\d+)\*([A-Z_0-9]+)$/.exec(t);
  if (off) {
    const idx = USER_REGS.indexOf(off[2]!);
    return idx >= 0 ? BigInt(Number(off[1]) * idx) : undefined;
  }
  if (t in NT) return BigInt((NT as Record<string, number>)[t]!);
  if (/^SIG[A-Z0-9]+$/.test(t)) {
    const s = parseSignal(t);
    return s === undefined ? undefined : BigInt(s);
  }
  return undefined;
}

export interface PtraceDecoded {
  readonly request: number;
  readonly requestName: string;
  readonly target: number;
  readonly addr: bigint;
  readonly data: bigint;
  readonly regset?: string;
  readonly signal?: number;
  /** Bytes the request moved between tracer and tracee (regsets: the length after `=>`). */
  readonly transferBytes?: number;
}

const RESUME_WITH_SIGNAL = new Set<number>([PTRACE.CONT, PTRACE.SYSCALL, PTRACE.SYSEMU, PTRACE.SYSEMU_SINGLESTEP, PTRACE.SINGLESTEP, PTRACE.SINGLEBLOCK, PTRACE.DETACH]);

/** `ptrace(PTRACE_GETREGSET, 20024, NT_X86_XSTATE, {iov_base=…, iov_len=2696 => 2432})` and the rest. */
export function decodePtrace(args: readonly string[]): PtraceDecoded {
  const reqText = args[0];
  if (reqText === undefined) throw new SyntaxFault('ptrace without a request');
  const request = parseRequest(reqText);
  if (request === undefined) throw new SyntaxFault(`ptrace: unknown request "${reqText}"`);
  const target = request === PTRACE.TRACEME ? 0 : Number(argValue(args[1]) ?? 0n);
  if (request !== PTRACE.TRACEME && argValue(args[1]) === undefined) throw new SyntaxFault(`ptrace: target pid "${args[1] ?? ''}" is not a number`);
  // GETREGS/SETREGS/GETFPREGS…: strace omits addr and prints 3 arguments.
  const three = args.length === 3;
  const addr = three ? 0n : argValue(args[2]) ?? 0n;
  const dataText = three ? args[2] : args[3];
  const data = argValue(dataText) ?? 0n;
  const base = { request, requestName: requestName(request), target, addr, data };
  if (request === PTRACE.GETREGSET || request === PTRACE.SETREGSET) {
    const iov = structFields(args[3] ?? '').get('iov_len');
    const len = iov === undefined ? undefined : Number(iov.split('=>').pop()!.trim());
    return { ...base, regset: args[2] ?? '', ...(len !== undefined && Number.isFinite(len) ? { transferBytes: len } : {}) };
  }
  if (RESUME_WITH_SIGNAL.has(request)) return { ...base, signal: Number(data) };
  return base;
}

/**
 * The status word from `[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP | 0x80}]`; null for NULL or
 * an address (strace prints the pointer when the call failed or was interrupted).
 */
export function decodeWaitStatus(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (!t.startsWith('[{') || !t.endsWith('}]')) return null;
  const expr = t.slice(2, -2);
  let m = /^WIFSTOPPED\(s\) && WSTOPSIG\(s\) == (SIG[A-Z0-9+]+|\d+)( \| 0x80)?(?: && s >> 16 == (\w+))?$/.exec(expr);
  if (m) {
    const sig = signalNumber(m[1]!);
    const event = m[3] === undefined ? 0 : PTRACE_EVENTS[m[3]] ?? Number(m[3]);
    if (!Number.isFinite(event)) throw new SyntaxFault(`wait4: unknown event "${m[3]}"`);
    return (event << 16) | ((sig | (m[2] ? 0x80 : 0)) << 8) | 0x7f;
  }
  m = /^WIFEXITED\(s\) && WEXITSTATUS\(s\) == (\d+)$/.exec(expr);
  if (m) return (Number(m[1]) & 0xff) << 8;
  m = /^WIFSIGNALED\(s\) && WTERMSIG\(s\) == (SIG[A-Z0-9+]+|\d+)( && WCOREDUMP\(s\))?$/.exec(expr);
  if (m) return signalNumber(m[1]!) | (m[2] ? 0x80 : 0);
  if (expr === 'WIFCONTINUED(s)') return 0xffff;
  throw new SyntaxFault(`wait4: cannot decode status "${t}"`);
}

function signalNumber(text: string): number {
  const s = /^SIGRTMIN\+(\d+)$/.exec(text) ? 34 + Number(text.slice(9)) : text === 'SIGRTMIN' ? 34 : parseSignal(text);
  if (s === undefined) throw new SyntaxFault(`unknown signal "${text}"`);
  return s;
}
