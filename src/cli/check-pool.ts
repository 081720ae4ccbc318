// Fans `ptsim check` cases out over worker_threads. Each case goes to whichever worker is
// free; verdicts are stored by case index, so the result is the same for any number of
// workers. Workers start through tsx-worker.js (TypeScript entries need tsx's loader).
import { Worker } from 'node:worker_threads';
import type { CaseVerdict, CheckCase, InjectedFault } from './check-cases.ts';

const BOOT = new URL('./tsx-worker.js', import.meta.url);
const ENTRY = new URL('./check-worker.ts', import.meta.url).href;

export async function runCasesOnWorkers(cases: readonly CheckCase[], workers: number, opts: { inject?: InjectedFault; onVerdict?: (done: number) => void } = {}): Promise<CaseVerdict[]> {
  const verdicts: CaseVerdict[] = new Array(cases.length);
  if (cases.length === 0) return verdicts;
  const k = Math.max(1, Math.min(workers, cases.length));
  let next = 0;
  let done = 0;
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      for (let w = 0; w < k; w++) {
        const worker = new Worker(BOOT, { workerData: { entry: ENTRY, inject: opts.inject } });
        pool.push(worker);
        const feed = (): void => {
          if (next < cases.length) worker.postMessage(cases[next++]);
        };
        worker.on('message', (m: { index: number; verdict: CaseVerdict }) => {
          verdicts[m.index] = m.verdict;
          done++;
          opts.onVerdict?.(done);
          if (done === cases.length) resolve();
          else feed();
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (done < cases.length) reject(new Error(`check worker exited with code ${code} before the run ended`));
        });
        feed();
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return verdicts;
}
