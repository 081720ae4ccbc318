// PTRACE_MULTI batches and their divergences (ptrace-multi.md §7; docs/batch-check.md,
// src/batch/classify.ts D0–D6): one tracee from src/batch/scenario.ts, brought to a
// syscall-enter-stop, then a batch per lesson. Each batch's verdict comes from
// checkBatchEquivalence on a separate replay of the tour up to that batch, so the recorded
// kernel is never touched by the checker.
import { PTRACE } from '../ptrace/numbers.ts';
import { describeEntry, runMulti, type BatchEntry } from '../batch/batch.ts';
import { checkBatchEquivalence } from '../batch/check.ts';
import { makeScenario, TRACEE_DATA, TRACER_BUF } from '../batch/scenario.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { BatchVerdictView } from './types.ts';

const E = (request: number, addr = 0n, localaddr = 0n, length = 0n): BatchEntry => ({ request, addr, localaddr, length });

interface Lesson {
  readonly batch: readonly BatchEntry[];
  /** A wait4 for the tracee after the batch (it resumed it). */
  readonly wait: boolean;
}

/** In order; the tracee starts at getpid's syscall-enter-stop with TRACESYSGOOD|TRACEFORK. */
export const LESSONS: readonly Lesson[] = [
  // UML's own pattern: registers out and in, the resume last (law L3: equivalent, 2 calls saved).
  { batch: [E(PTRACE.GETREGS, 0n, TRACER_BUF), E(PTRACE.SETREGS, 0n, TRACER_BUF), E(PTRACE.SYSCALL)], wait: true },
  // D6: the 2008 POKEDATA writes localaddr (the buffer's address), not the word stored there.
  { batch: [E(PTRACE.POKEDATA, TRACEE_DATA + 0x40n, TRACER_BUF + 0x300n, 1n)], wait: false },
  // D5: PEEKCHARDATA returns its byte count, which ends the batch; the GETREGS after it never runs.
  { batch: [E(PTRACE.PEEKCHARDATA, TRACEE_DATA, TRACER_BUF + 0x400n, 8n), E(PTRACE.GETREGS, 0n, TRACER_BUF)], wait: false },
  // D1: a resume that is not last: GETREGS then acts on a running tracee.
  { batch: [E(PTRACE.CONT), E(PTRACE.GETREGS, 0n, TRACER_BUF)], wait: false },
  // D3: KILL on a running tracee: the batch's stopped check says ESRCH; a lone KILL would kill it.
  { batch: [E(PTRACE.KILL)], wait: false },
  // D0: an empty batch still checks "stopped" (UML's probe relies on it): ESRCH while running.
  { batch: [], wait: true },
  // D4: DETACH then more entries: they run on an untraced task.
  { batch: [E(PTRACE.DETACH), E(PTRACE.GETREGS, 0n, TRACER_BUF)], wait: true },
];

/** Run the tour; `before(i, kernel, tracer, tracee)` is called before batch i (return false to stop). */
export function runBatchTour(before: (i: number, k: Kernel, tracer: number, tracee: number) => boolean = () => true): void {
  const { kernel: k, tracer, tracee } = makeScenario({}, 'syscall-enter');
  for (let i = 0; i < LESSONS.length; i++) {
    if (!before(i, k, tracer, tracee)) return;
    const lesson = LESSONS[i]!;
    runMulti(k, tracer, tracee, lesson.batch);
    if (lesson.wait) k.wait4(tracer, tracee, 0x40000000);
  }
}

/** The batch-check verdict of lesson i, judged on its own replay of the tour. */
export function lessonVerdict(i: number): BatchVerdictView {
  let view: BatchVerdictView | null = null;
  runBatchTour((j, k, tracer, tracee) => {
    if (j < i) return true;
    const batch = LESSONS[i]!.batch;
    const v = checkBatchEquivalence(k.state, tracer, tracee, batch, { shrink: false });
    view = { batch: `{${batch.map(describeEntry).join(', ')}}`, equivalent: v.equivalent, divergences: v.divergences, saved: v.saved };
    return false;
  });
  return view!;
}
