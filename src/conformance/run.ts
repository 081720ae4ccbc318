// A differential conformance run: the ported table cases and N random scripts, each run on
// the real kernel and the simulator; mismatches shrunk by fast-check; coverage of requests
// and stop kinds. Every random case has its own seed derived from the run's seed, so one
// case can be regenerated (and shrunk) from that number alone (`--replay SEED`).
import fc from 'fast-check';
import { allowedBy, loadTableCases, type TableCase } from './cases.ts';
import { formatDiff, UNTRACKED_FIELDS, type FieldDiff } from './compare.ts';
import { runCase, type CaseResult } from './differential.ts';
import { buildScript, genInputArb, type GenInput } from './generator.ts';
import { REQUEST_TABLE } from '../ptrace/request-table.ts';

export interface Failure {
  readonly kind: 'random' | 'table';
  /** Table case name, or `seed N` for a random case. */
  readonly name: string;
  readonly caseSeed: number | null;
  readonly script: string;
  readonly diffs: string[];
  readonly failure: string | null;
  /** Did a second real-kernel run give a different output (a racy script)? */
  readonly flaky: boolean;
  /** The shrunk script, if shrinking ran. */
  minimal: string | null;
  minimalDiffs: string[];
}

export interface AllowedDiff {
  readonly name: string;
  readonly line: number | null;
  readonly field: string;
  readonly reason: string;
}

export interface Report {
  readonly seed: number;
  readonly cases: number;
  readonly randomCases: number;
  readonly tableCases: number;
  readonly mismatches: number;
  /** Requests with a name (Linux's, or Davoli's never-merged ones) some case exercised. */
  readonly requestsCovered: string[];
  /** Request numbers no kernel defines that some case tried (expected: EIO / ESRCH). */
  readonly unknownRequestsTried: string[];
  /** Modelled requests (6.18, x86_64) no case exercised. */
  readonly requestsNotCovered: string[];
  readonly stopKindsCovered: string[];
  readonly allowed: AllowedDiff[];
  readonly untrackedFields: { field: string; uses: number; reason: string }[];
  readonly failures: Failure[];
  readonly durationMs: number;
}

export interface RunOptions {
  readonly runs: number;
  readonly seed: number;
  readonly jobs: number;
  readonly table: boolean;
  /** Shrink at most this many mismatching random cases (0: none). */
  readonly shrink: number;
  readonly onProgress?: (done: number, total: number, mismatches: number) => void;
  /** Wall clock for the report's durationMs, injected by the CLI (library code reads no clock; default: none → 0). */
  readonly now?: () => number;
}

/** The seed of random case i of a run (splitmix32 of the pair). */
export function caseSeed(seed: number, i: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b9) + Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** The generator input a case seed stands for (the first value fast-check draws with it). */
export function inputForSeed(seed: number): GenInput {
  return fc.sample(genInputArb, { seed, numRuns: 1 })[0]!;
}

export function scriptForSeed(seed: number): string {
  return buildScript(inputForSeed(seed));
}

class Tally {
  readonly requests = new Set<string>();
  readonly stopKinds = new Set<string>();
  readonly untracked = new Map<string, number>();
  readonly allowed: AllowedDiff[] = [];
  readonly failures: Failure[] = [];
  cases = 0;

  add(r: CaseResult): void {
    this.cases++;
    for (const q of r.requests) this.requests.add(q);
    if (/^setup traceme/m.test(r.script) || /^child syscall 101\b/m.test(r.script)) this.requests.add('TRACEME');
    for (const k of r.sim.stopKinds) this.stopKinds.add(k);
    for (const u of r.comparison.untracked) this.untracked.set(u.field, (this.untracked.get(u.field) ?? 0) + 1);
  }
}

/** Split a table case's diffs into allowed (allow-listed lines) and real mismatches. */
export function judgeTableCase(c: TableCase, r: CaseResult): { allowed: AllowedDiff[]; diffs: FieldDiff[] } {
  const allowed: AllowedDiff[] = [];
  const diffs: FieldDiff[] = [];
  for (const d of r.comparison.diffs) {
    const a = allowedBy(c.name, d.line);
    if (a) allowed.push({ name: c.name, line: d.line, field: d.field, reason: a.reason });
    else diffs.push(d);
  }
  return { allowed, diffs };
}

async function pool<T>(items: number, jobs: number, work: (i: number) => Promise<T>, done: (i: number, v: T) => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items) {
      const i = next++;
      done(i, await work(i));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items)) }, worker));
}

async function confirm(r: CaseResult): Promise<boolean> {
  const again = await runCase(r.script);
  return JSON.stringify(again.real.lines) !== JSON.stringify(r.real.lines) || again.real.status !== r.real.status;
}

/** Shrink a mismatching random case with fast-check (real kernel in the loop). */
export async function shrinkCase(seed: number): Promise<{ script: string; diffs: string[] } | null> {
  const out = await fc.check(
    fc.asyncProperty(genInputArb, async (input) => (await runCase(buildScript(input))).ok),
    { seed, numRuns: 1, interruptAfterTimeLimit: 120_000, markInterruptAsFailure: false },
  );
  if (!out.failed || !out.counterexample) return null;
  const script = buildScript(out.counterexample[0]);
  const r = await runCase(script);
  return { script, diffs: describeFailure(r) };
}

export function describeFailure(r: CaseResult): string[] {
  return [...(r.failure ? [r.failure] : []), ...r.comparison.diffs.map(formatDiff)];
}

export async function runConformance(opts: RunOptions): Promise<Report> {
  const now = opts.now ?? (() => 0);
  const t0 = now();
  const tally = new Tally();
  const table = opts.table ? loadTableCases() : [];
  const total = table.length + opts.runs;
  let done = 0;
  const progress = () => opts.onProgress?.(done, total, tally.failures.length);

  await pool(table.length, opts.jobs, (i) => runCase(table[i]!.script), (i, r) => {
    const c = table[i]!;
    tally.add(r);
    const { allowed, diffs } = judgeTableCase(c, r);
    tally.allowed.push(...allowed);
    if (r.failure || diffs.length > 0) {
      tally.failures.push({ kind: 'table', name: c.name, caseSeed: null, script: c.script, diffs: [...(r.failure ? [r.failure] : []), ...diffs.map(formatDiff)], failure: r.failure, flaky: false, minimal: null, minimalDiffs: [] });
    }
    done++;
    progress();
  });

  const bad: { i: number; r: CaseResult }[] = [];
  await pool(opts.runs, opts.jobs, (i) => runCase(scriptForSeed(caseSeed(opts.seed, i))), (i, r) => {
    tally.add(r);
    if (!r.ok) bad.push({ i, r });
    done++;
    progress();
  });

  bad.sort((a, b) => a.i - b.i);
  let shrunk = 0;
  for (const { i, r } of bad) {
    const s = caseSeed(opts.seed, i);
    const flaky = await confirm(r);
    const f: Failure = { kind: 'random', name: `seed ${s}`, caseSeed: s, script: r.script, diffs: describeFailure(r), failure: r.failure, flaky, minimal: null, minimalDiffs: [] };
    if (!flaky && shrunk < opts.shrink) {
      shrunk++;
      const m = await shrinkCase(s);
      if (m) {
        f.minimal = m.script;
        f.minimalDiffs = m.diffs;
      }
    }
    tally.failures.push(f);
  }

  const modelled = REQUEST_TABLE.filter((e) => e.support !== 'not-modelled' && e.generations.includes('6.18') && e.arches.includes('x86_64')).map((e) => e.name.replace(/^PTRACE_/, ''));
  return {
    seed: opts.seed,
    cases: tally.cases,
    randomCases: opts.runs,
    tableCases: table.length,
    mismatches: tally.failures.length,
    requestsCovered: [...tally.requests].filter((q) => !q.startsWith('0x')).sort(),
    unknownRequestsTried: [...tally.requests].filter((q) => q.startsWith('0x')).sort(),
    requestsNotCovered: modelled.filter((m) => !tally.requests.has(m)).sort(),
    stopKindsCovered: [...tally.stopKinds].sort(),
    allowed: tally.allowed,
    untrackedFields: [...tally.untracked].map(([field, uses]) => ({ field, uses, reason: UNTRACKED_FIELDS[field]! })).sort((a, b) => a.field.localeCompare(b.field)),
    failures: tally.failures,
    durationMs: Math.round(now() - t0),
  };
}
