// siginfo_t as bytes (128 on every arch; include/uapi/asm-generic/siginfo.h): si_signo,
// si_errno, si_code, then a union at offset 16 (x86_64; 12 on i386) whose member depends on
// the signal: kill-like {pid, uid}, SIGCHLD {pid, uid, status}, faults {addr}.
import type { Arch } from './arch.ts';
import { SI, SIG, type Siginfo } from './signals.ts';

export const SIGINFO_BYTES = 128;

const FAULT_SIGNALS = new Set<number>([SIG.SIGSEGV, SIG.SIGBUS, SIG.SIGILL, SIG.SIGFPE, SIG.SIGTRAP]);

/** Does this siginfo use the _sigfault member (si_addr)? Kernel-generated faults do (si_code > 0). */
export function isFaultInfo(info: Siginfo): boolean {
  return FAULT_SIGNALS.has(info.signo) && info.code > 0 && info.code < SI.SI_KERNEL;
}

export function siginfoToBytes(arch: Arch, info: Siginfo): Uint8Array {
  const b = new Uint8Array(SIGINFO_BYTES);
  writeSiginfo(arch, info, new DataView(b.buffer), 0);
  return b;
}

/** One reused siginfo image and its view (siginfoScratch). */
const SCRATCH = new Uint8Array(SIGINFO_BYTES);
const SCRATCH_VIEW = new DataView(SCRATCH.buffer);

/**
 * siginfoToBytes into one buffer reused by every call (no allocation): valid until the next
 * call, for callers that copy it at once (GETSIGINFO's copy_to_user; UML asks at every stub
 * stop and fault).
 */
export function siginfoScratch(arch: Arch, info: Siginfo): Uint8Array {
  SCRATCH.fill(0); // writeSiginfo writes into zeroed bytes
  writeSiginfo(arch, info, SCRATCH_VIEW, 0);
  return SCRATCH;
}

/** siginfoToBytes into `v` at byte offset `at`, whose SIGINFO_BYTES bytes are zero (a signal frame's info). */
export function writeSiginfo(arch: Arch, info: Siginfo, v: DataView, at: number): void {
  const u = at + (arch.wordBytes === 8 ? 16 : 12);
  v.setInt32(at, info.signo, true);
  v.setInt32(at + 4, info.errno, true);
  v.setInt32(at + 8, info.code, true);
  // ptrace_do_notify() fills si_pid/si_uid even where si_code would select the fault layout
  // (a syscall stop without TRACESYSGOOD has SIGTRAP, si_code 5): a siginfo that carries a
  // pid is laid out as kill-like (differential conformance run; fixture syscall-stop-siginfo-pid).
  if (isFaultInfo(info) && info.pid === 0) {
    if (arch.wordBytes === 8) v.setBigUint64(u, BigInt.asUintN(64, info.addr), true);
    else v.setUint32(u, Number(BigInt.asUintN(32, info.addr)), true);
  } else {
    v.setInt32(u, info.pid, true);
    v.setUint32(u + 4, info.uid, true);
    if (info.signo === SIG.SIGCHLD) v.setInt32(u + 8, info.status, true);
  }
}

export function siginfoFromBytes(arch: Arch, b: Uint8Array): Siginfo {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u = arch.wordBytes === 8 ? 16 : 12;
  const info: Siginfo = { signo: v.getInt32(0, true), errno: v.getInt32(4, true), code: v.getInt32(8, true), pid: 0, uid: 0, addr: 0n, status: 0 };
  if (isFaultInfo(info)) {
    info.addr = arch.wordBytes === 8 ? v.getBigUint64(u, true) : BigInt(v.getUint32(u, true));
  } else {
    info.pid = v.getInt32(u, true);
    info.uid = v.getUint32(u + 4, true);
    if (info.signo === SIG.SIGCHLD) info.status = v.getInt32(u + 8, true);
  }
  return info;
}
