// Real UML 6.1 in-guest timings with no strace attached (uml/guest/init.c -DTIMED, captured by
// scripts/uml-capture.sh --variant timed [--cpus 0] --json), as the validation uses them.
// test/fixtures/uml/timed-6.1-2026-12-03/ (README.md there): `idle-*` taken on an idle machine
// (09:36-09:38 UTC, before other work started), `busy-*` later with other agents running (load
// average in busy-runs.tsv), the first runs with the console write, `noon-*` on an idle
// machine again (11:44 UTC), and `afternoon-*` on an idle machine (13:11 and 13:16 UTC, load
// 0.5–0.8, afternoon-runs.tsv), with the calibrator runs the committed profiles come from, and
// `evening-*` (15:03 UTC, load 0.45–1.15, evening-runs.tsv), a held-out session.
//
// Each per-operation sample holds one clock_gettime, itself a trapped guest syscall; "net" is a
// run's median minus the same run's clock_pair median (uml/README.md "Timed"). A set of runs
// gives the median of the runs' net values.
//
// Unpinned runs are bimodal (uml/README.md): UML and its host child on one CPU, or on two, where
// the round trips wake a task on the other CPU (before the first fork nearly all of them; after
// it, by the class of the host process: cross-cpu.ts). The unpinned profile prices the second
// placement, which every idle unpinned run showed; so an unpinned run counts as "cross-CPU"
// when its clock pair (one guest syscall) takes more than CROSS_CPU_CLOCK_RATIO × the pinned
// runs' median clock pair of the same session. The rule is about the run's placement, read
// from the one operation that is not validated; the runs it leaves out are listed in the doc.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TIMED_DIR = 'test/fixtures/uml/timed-6.1-2026-12-03';
export const CROSS_CPU_CLOCK_RATIO = 2;

/** The sessions of the fixture directory, by file-name prefix (its README says when and how each was taken). */
export const SESSIONS = ['idle', 'busy', 'noon', 'afternoon', 'evening', 'late'] as const;
export type Session = (typeof SESSIONS)[number];
const RUN_FILE = new RegExp(`^(${SESSIONS.join('|')})-(pinned|unpinned)-\\d+\\.json$`);
export type PinMode = 'pinned' | 'unpinned';

export interface TimedRun {
  file: string;
  session: Session;
  mode: PinMode;
  captured: string;
  /** Per-operation medians (ns), by the guest's JSON keys (getpid, write_console_64, …). */
  medianNs: Record<string, number>;
}

export function loadTimedRuns(repoRoot: string): TimedRun[] {
  const dir = join(repoRoot, TIMED_DIR);
  return readdirSync(dir)
    .filter((f) => RUN_FILE.test(f))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((file) => {
      const j = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { captured: string; pinned_cpus: string; guest: Record<string, unknown> };
      const [session, mode] = file.split('-') as [Session, PinMode];
      if ((mode === 'pinned') !== (j.pinned_cpus === '0')) throw new Error(`${file}: pinned_cpus ${j.pinned_cpus} does not match its name`);
      const medianNs: Record<string, number> = {};
      for (const [k, v] of Object.entries(j.guest)) {
        const m = (v as { median_ns?: unknown } | null)?.median_ns;
        if (typeof m === 'number') medianNs[k] = m;
      }
      return { file, session, mode, captured: j.captured, medianNs };
    });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** A run's median of `key`, net of its clock pair. */
export function netNs(run: TimedRun, key: string): number {
  return run.medianNs[key]! - run.medianNs.clock_pair!;
}

/** Is this unpinned run in the cross-CPU placement (see the header)? Pinned runs: false. */
export function crossCpu(run: TimedRun, all: readonly TimedRun[]): boolean {
  if (run.mode === 'pinned') return false;
  const pinnedClock = median(all.filter((r) => r.session === run.session && r.mode === 'pinned').map((r) => r.medianNs.clock_pair!));
  return run.medianNs.clock_pair! > CROSS_CPU_CLOCK_RATIO * pinnedClock;
}

export interface Measured {
  /** Median over the runs used of their net medians. */
  netNs: number;
  /** The runs used, and their net values. */
  runs: { file: string; netNs: number }[];
  /** Unpinned runs of the session left out because they ran on one CPU. */
  sameCpuRuns: string[];
}

/** The measured net time of `key` in `session` and `mode` (unpinned: cross-CPU runs only). */
export function measured(all: readonly TimedRun[], key: string, session: Session, mode: PinMode): Measured {
  const set = all.filter((r) => r.session === session && r.mode === mode && key in r.medianNs);
  const used = mode === 'pinned' ? set : set.filter((r) => crossCpu(r, all));
  const runs = used.map((r) => ({ file: r.file, netNs: netNs(r, key) }));
  return { netNs: median(runs.map((r) => r.netNs)), runs, sameCpuRuns: set.filter((r) => !used.includes(r)).map((r) => r.file) };
}
