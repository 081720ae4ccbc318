// A guest page fault seen as a host SIGSEGV stop (uml-skas.md §4 "Faults", uml/README.md):
// userspace() → (6.1: GETSIGINFO) → get_skas_faultinfo(): save the FP state, CONT(SIGSEGV) so
// the stub's SIGSEGV handler copies {error_code, cr2, trap_no} into STUB_DATA and traps,
// wait_stub_done, restore the FP state → segv() → handle_page_fault → flush_tlb_page (one
// stub run). The guest registers are restored by the loop's next SETREGS.
//   6.1:    GETSIGINFO, GETREGSET(NT_X86_XSTATE, aux buffer), CONT(SIGSEGV), wait4 → SIGTRAP, SETREGSET(aux)
//   2.6.26: GETFPXREGS, CONT(SIGSEGV), wait4 → SIGTRAP, SETFPXREGS (no GETSIGINFO)
import { NT, PTRACE } from '../ptrace/numbers.ts';
import { SIG } from '../kernel/signals.ts';
import type { GuestKernel, GuestProcess } from './guest.ts';
import type { GuestMm, UmlMemory } from './guest-mm.ts';
import { UML_AUX_FP, UML_AUX_IOV, UML_FAULT_SIGINFO, waitStubDone, type StubContext } from './mem.ts';
import type { Call } from './host.ts';
import type { ProfileName } from './profile.ts';
import { FAULTINFO, stubLayout } from './stub.ts';
import { UmlFatal } from './errors.ts';
import { fatalSigsegv } from './panic.ts';

/** What the fault path fetches, per profile. */
const FAULT_PATH: Record<ProfileName, { siginfo: boolean; fp: 'xstate' | 'fpx' }> = {
  'uml-6.1': { siginfo: true, fp: 'xstate' },
  'uml-2.6.26': { siginfo: false, fp: 'fpx' },
};

export interface FaultInfo {
  readonly cr2: bigint;
  readonly err: bigint;
  readonly trapno: bigint;
}

/**
 * The fault path's two runs, per profile: [GETSIGINFO,] GET{REGSET,FPXREGS}, CONT(SIGSEGV); then
 * the FP restore. Frozen arrays made once, so multi mode's plan cache (host.ts, keyed by the
 * array) finds them again.
 */
const FAULT_CALLS = new Map<ProfileName, { readonly fetch: readonly Call[]; readonly restore: readonly Call[] }>();

function faultCalls(name: ProfileName): { readonly fetch: readonly Call[]; readonly restore: readonly Call[] } {
  let f = FAULT_CALLS.get(name);
  if (!f) {
    const path = FAULT_PATH[name];
    const fetch: Call[] = [];
    if (path.siginfo) fetch.push({ request: PTRACE.GETSIGINFO, addr: 0n, data: UML_FAULT_SIGINFO });
    if (path.fp === 'xstate') fetch.push({ request: PTRACE.GETREGSET, addr: BigInt(NT.NT_X86_XSTATE), data: UML_AUX_IOV });
    else fetch.push({ request: PTRACE.GETFPXREGS, addr: 0n, data: UML_AUX_FP });
    fetch.push({ request: PTRACE.CONT, addr: 0n, data: BigInt(SIG.SIGSEGV) });
    const restore: Call = path.fp === 'xstate' ? { request: PTRACE.SETREGSET, addr: BigInt(NT.NT_X86_XSTATE), data: UML_AUX_IOV } : { request: PTRACE.SETFPXREGS, addr: 0n, data: UML_AUX_FP };
    f = Object.freeze({ fetch: Object.freeze(fetch.map((x) => Object.freeze(x))), restore: Object.freeze([Object.freeze(restore)]) });
    FAULT_CALLS.set(name, f);
  }
  return f;
}

/** get_skas_faultinfo(pid, fi, aux_fp_regs), preceded on 6.1 by userspace()'s GETSIGINFO. */
export function getSkasFaultinfo(c: StubContext, pid: number): FaultInfo {
  const k = c.host.kernel;
  const path = FAULT_PATH[c.profile.name];
  const calls = faultCalls(c.profile.name);
  if (path.fp === 'xstate') {
    k.writeWord(c.host.uml, UML_AUX_IOV, UML_AUX_FP);
    k.writeWord(c.host.uml, UML_AUX_IOV + BigInt(k.arch.wordBytes), c.profile.xstateIovLen);
  }
  const r = c.host.run('fault', pid, calls.fetch);
  if (r.errno) throw new UmlFatal(`get_skas_faultinfo - failed, errno = ${r.errno}`);
  waitStubDone(c, pid);
  const w = BigInt(k.arch.wordBytes);
  const data = stubLayout(k.arch).data;
  const word = (i: number) => k.readWord(pid, data + BigInt(i) * w) ?? 0n;
  const fi = { err: word(FAULTINFO.err), cr2: word(FAULTINFO.cr2), trapno: word(FAULTINFO.trapno) };
  const p = c.host.run('fault', pid, calls.restore);
  if (p.errno) throw new UmlFatal(`get_skas_faultinfo - failed to restore FP registers, errno = ${p.errno}`);
  return fi;
}

/**
 * The SIGSEGV case of userspace(): fetch the fault info through the stub, then segv():
 * handle_page_fault and flush_tlb_page. A bad access kills the guest process (SIGSEGV).
 */
export function handleSegv(mem: UmlMemory, guest: GuestKernel, p: GuestProcess, mm: GuestMm): void {
  const fi = getSkasFaultinfo(mem.c, p.hostPid);
  const access = fi.err & 16n ? 'exec' : fi.err & 2n ? 'write' : 'read';
  guest.events.push('fault:SIGSEGV');
  guest.trace.push(`${p.gpid} fault addr=${fi.cr2.toString(16)} ${access} ip=${p.regs[mem.kernel.arch.ip]!.toString(16)}`);
  if (!mem.handlePageFault(mm, fi.cr2, access)) {
    guest.trace.push(`${p.gpid} segfault addr=${fi.cr2.toString(16)} ${access}`);
    fatalSigsegv(mem.c.host, p, [`segfault at 0x${fi.cr2.toString(16)} ip 0x${p.regs[mem.kernel.arch.ip]!.toString(16)} (${access})`]);
  }
  mem.flushTlbPage(mm, fi.cr2);
}
