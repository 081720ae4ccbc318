// Register moves on arches without GETREGS/SETREGS (ppc32 in 2006–2008: ptrace-multi.md §8,
// "every register needed a PEEKUSER/POKEUSER"). A log recorded on x86 is re-expressed as
// such a tracer would issue it: GETREGS → getWords × PEEKUSER, SETREGS → setWords ×
// POKEUSER, a regset/FP-register move → regsetWords words. Everything else is unchanged.
import type { LedgerEntry } from '../kernel/ledger.ts';
import { PTRACE, requestName } from '../ptrace/numbers.ts';
import type { LoggedCall } from './ledger-from-strace.ts';
import type { CostProfile } from './profile.ts';

const GETS = new Set<number>([PTRACE.GETREGS, PTRACE.GETFPREGS, PTRACE.GETFPXREGS, PTRACE.GETREGSET]);
const SETS = new Set<number>([PTRACE.SETREGS, PTRACE.SETFPREGS, PTRACE.SETFPXREGS, PTRACE.SETREGSET]);

/** The calls the profile's arch would make for `call` (the call itself when registers move as a block). */
export function expandForArch(call: LoggedCall, profile: CostProfile): LoggedCall[] {
  const rm = profile.registerMoves;
  const p = call.entry.ptrace;
  if (!rm || !p || (!GETS.has(p.request) && !SETS.has(p.request))) return [call];
  const get = GETS.has(p.request);
  const gp = p.request === PTRACE.GETREGS || p.request === PTRACE.SETREGS;
  const words = gp ? (get ? rm.getWords : rm.setWords) : rm.regsetWords;
  const request = get ? PTRACE.PEEKUSER : PTRACE.POKEUSER;
  // A failed block move fails at its first word; the words after it are never issued.
  const n = call.entry.errno !== null ? 1 : words;
  const out: LoggedCall[] = [];
  for (let i = 0; i < n; i++) {
    const entry: LedgerEntry = {
      ...call.entry,
      args: [BigInt(request), BigInt(p.target), BigInt(i * profile.wordBytes), 0n],
      ptrace: { request, requestName: requestName(request), target: p.target },
    };
    out.push({ entry, line: call.line, startLine: call.startLine });
  }
  return out;
}
