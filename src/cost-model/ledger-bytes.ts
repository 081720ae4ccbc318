// Bytes a simulated host call moved between tracer and tracee, for price()'s transferNs.
// The simulator's ledger does not record the iovec length a regset call ended with, so a
// successful GET/SETREGSET is taken to move the whole regset of the modelled CPU (UML asks
// for more than that: iov 2696 ⇒ 2432 for NT_X86_XSTATE, uml/README.md). GETREGS/SETREGS
// carry their copy in their calibrated requestNs, PEEK/POKE in transferNsPerWord.
import type { KernelConfig } from '../kernel/config.ts';
import type { LedgerEntry } from '../kernel/ledger.ts';
import { NT, PTRACE } from '../ptrace/numbers.ts';

export function regsetBytes(nt: number, cfg: Pick<KernelConfig, 'arch' | 'xstateBytes'>): number {
  const x64 = cfg.arch === 'x86_64';
  switch (nt) {
    case NT.NT_PRSTATUS:
      return x64 ? 27 * 8 : 17 * 4; // user_regs_struct
    case NT.NT_PRFPREG:
      return x64 ? 512 : 108; // user_i387_struct
    case NT.NT_PRXFPREG:
      return 512;
    case NT.NT_X86_XSTATE:
      return cfg.xstateBytes;
    default:
      return 0;
  }
}

const REGSET = new Set<number>([PTRACE.GETREGSET, PTRACE.SETREGSET]);

/** One entry per request (a single call: [bytes]; a PTRACE_MULTI: one per sub-request). */
export function ledgerBytes(entry: LedgerEntry, cfg: Pick<KernelConfig, 'arch' | 'xstateBytes'>): (number | undefined)[] {
  const p = entry.ptrace;
  if (!p) return [];
  if (p.request === PTRACE.MULTI && p.sub) return p.sub.map((s) => (REGSET.has(s.request) && s.errno === null ? regsetBytes(Number(s.addr), cfg) : undefined));
  if (!REGSET.has(p.request) || entry.errno !== null) return [undefined];
  return [regsetBytes(Number(entry.args[2] ?? 0n), cfg)];
}
