// The sequential reading of a batch: each sub-request issued as its own ptrace call, the
// way a tracer without PTRACE_MULTI would. PEEK*/POKE* with length n are n single-word
// calls (law L4; length 0 means 1) and a POKE passes the word stored at localaddr + j·W
// (the intended meaning); the byte-copy requests have no stock equivalent and are issued
// as one-entry PTRACE_MULTI calls (as umview does). A call's success is 0 (or a byte
// count ≥ 0 for the byte copies); the sequence stops at the first failure.
import type { Kernel } from '../kernel/kernel.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { runMulti, type BatchEntry } from './batch.ts';

const WORD_PEEKS = new Set<number>([PTRACE.PEEKTEXT, PTRACE.PEEKDATA, PTRACE.PEEKUSER]);
const WORD_POKES = new Set<number>([PTRACE.POKETEXT, PTRACE.POKEDATA, PTRACE.POKEUSER]);
const BYTE_COPIES = new Set<number>([PTRACE.PEEKCHARDATA, PTRACE.POKECHARDATA, PTRACE.PEEKSTRINGDATA]);

export interface SequentialResult {
  /** The first non-zero result (0 if every call returned 0), like PTRACE_MULTI's return. */
  ret: bigint;
  errno: string | null;
  calls: number;
}

/** Word count of a PEEK/POKE entry; the caller bounds huge (negative) lengths. */
export function wordCount(e: BatchEntry, wordBytes: number, maxWords = 64): number {
  const len = BigInt.asUintN(wordBytes * 8, e.length);
  return Number(len === 0n ? 1n : len > BigInt(maxWords) ? BigInt(maxWords) : len);
}

export function runSequential(k: Kernel, tracer: number, tracee: number, batch: readonly BatchEntry[]): SequentialResult {
  const w = BigInt(k.arch.wordBytes);
  let calls = 0;
  let first: { ret: bigint; errno: string | null } | null = null;
  const note = (ret: bigint, errno: string | null) => {
    calls++;
    if (first === null && (errno !== null || ret !== 0n)) first = { ret, errno };
    return errno === null;
  };
  for (const e of batch) {
    if (WORD_PEEKS.has(e.request) || WORD_POKES.has(e.request)) {
      const n = wordCount(e, k.arch.wordBytes);
      for (let j = 0; j < n; j++) {
        const a = e.addr + BigInt(j) * w;
        const buf = e.localaddr + BigInt(j) * w;
        const data = WORD_POKES.has(e.request) ? k.readWord(tracer, buf) ?? 0n : buf;
        const r = k.ptrace(tracer, e.request, tracee, a, data);
        if (!note(r.ret, r.errno)) return { ...first!, calls };
      }
      continue;
    }
    const r = BYTE_COPIES.has(e.request) ? runMulti(k, tracer, tracee, [e]) : k.ptrace(tracer, e.request, tracee, e.addr, e.localaddr);
    if (!note(r.ret, r.errno)) return { ...first!, calls };
  }
  return { ...(first ?? { ret: 0n, errno: null }), calls };
}
