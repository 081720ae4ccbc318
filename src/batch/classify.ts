// The documented ways a PTRACE_MULTI batch differs from issuing its sub-requests one by one
// (ptrace-multi.md §7 "Cases where batch and sequential DIFFER"). `explain` names every
// divergence rule that applies to a batch, judged from what the batch call actually
// executed (its ledger entry's sub-requests); the enumeration test checks that a batch is
// equivalent exactly when no rule applies.
import type { PtraceSub } from '../kernel/ledger.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import type { BatchEntry } from './batch.ts';

export const DIVERGENCES = {
  'D0-empty-batch-checks': 'an empty batch still runs the attach/stopped check (ESRCH on a running tracee, 0 on a stopped one — UML\'s feature probe); issuing nothing checks nothing',
  'D1-resume-not-last': 'a resume request (CONT, SYSCALL, SYSEMU, SINGLESTEP…) ran and later entries still ran: the batch checks "stopped" once, so they act on a running tracee; sequentially they get ESRCH',
  'D3-kill-running': 'KILL on a running tracee: the batch check is not KILL-exempt (ESRCH), a standalone KILL is (0, the tracee dies)',
  'D4-detach-then-more': 'DETACH ran and later entries still ran on the now untraced task; sequentially they get ESRCH',
  'D5-chardata-ends-batch': 'a byte copy (PEEKCHARDATA/POKECHARDATA/PEEKSTRINGDATA) returned its positive byte count, which ends the batch; sequentially the later calls run',
  'D6-poke-writes-address': '2008 POKE* writes localaddr + j·W (the buffer address), not the word stored there',
} as const;

export type DivergenceId = keyof typeof DIVERGENCES;

const RESUMES = new Set<number>([PTRACE.CONT, PTRACE.SYSCALL, PTRACE.SYSEMU, PTRACE.SYSEMU_SINGLESTEP, PTRACE.SINGLESTEP, PTRACE.SINGLEBLOCK, PTRACE.KILL]);
const BYTE_COPIES = new Set<number>([PTRACE.PEEKCHARDATA, PTRACE.POKECHARDATA, PTRACE.PEEKSTRINGDATA]);
const POKES = new Set<number>([PTRACE.POKETEXT, PTRACE.POKEDATA, PTRACE.POKEUSER]);

export function explain(batch: readonly BatchEntry[], subs: readonly PtraceSub[], multiErrno: string | null, version: '2006' | '2008', traceeStopped: boolean): DivergenceId[] {
  const ids = new Set<DivergenceId>();
  if (batch.length === 0 && multiErrno !== null) ids.add('D0-empty-batch-checks');
  if (!traceeStopped && multiErrno === 'ESRCH' && batch.some((e) => e.request === PTRACE.KILL)) ids.add('D3-kill-running');
  const owner = ownerEntries(batch, subs);
  subs.forEach((s, i) => {
    const entriesAfter = owner[i]! < batch.length - 1;
    const okRet = s.errno === null;
    if (okRet && s.request === PTRACE.DETACH && entriesAfter) ids.add('D4-detach-then-more');
    if (okRet && RESUMES.has(s.request) && entriesAfter) ids.add('D1-resume-not-last');
    if (okRet && BYTE_COPIES.has(s.request) && s.ret > 0n && entriesAfter) ids.add('D5-chardata-ends-batch');
    if (okRet && version === '2008' && POKES.has(s.request)) ids.add('D6-poke-writes-address');
  });
  return [...ids].sort();
}

const WORDS = new Set<number>([PTRACE.PEEKTEXT, PTRACE.PEEKDATA, PTRACE.PEEKUSER, PTRACE.POKETEXT, PTRACE.POKEDATA, PTRACE.POKEUSER]);

/** For each executed sub-request, the index of the batch entry it came from (a word entry of length n gives up to n). */
export function ownerEntries(batch: readonly BatchEntry[], subs: readonly PtraceSub[]): number[] {
  const owner: number[] = [];
  let si = 0;
  for (let ei = 0; ei < batch.length && si < subs.length; ei++) {
    const e = batch[ei]!;
    if (!WORDS.has(e.request)) {
      owner[si++] = ei;
      continue;
    }
    const n = e.length === 0n ? 1n : BigInt.asUintN(64, e.length);
    for (let j = 0n; j < n && si < subs.length; j++) {
      const failed = subs[si]!.errno !== null || subs[si]!.ret !== 0n;
      owner[si++] = ei;
      if (failed) break;
    }
  }
  return owner;
}
