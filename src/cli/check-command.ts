// `ptsim check --runs N`: N random workloads checked single ≡ multi with the shared law
// (src/uml/equivalence.ts), fanned out over worker threads; a failure is shrunk to a small
// counterexample. Verdicts depend only on the options, never on --workers; the clock is read
// for the progress line and the timing field only.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { randomProgram } from '../uml/workload.ts';
import { RANDOM_EVENTS_MAX, RANDOM_SEED_MAX } from '../uml/workload-random.ts';
import type { LawBreak, Reference } from '../uml/equivalence.ts';
import type { ProfileName } from '../uml/profile.ts';
import { CHECK_POLICIES, CHECK_PROFILES, checkCases, runCase, type CheckCase, type InjectedFault } from './check-cases.ts';
import { runCasesOnWorkers } from './check-pool.ts';
import { shrinkSpec } from './check-shrink.ts';
import { CliError } from './uml-commands.ts';

export const CHECK_HELP = `usage: ptsim check [--runs N] [--seed S] [--events E] [--workers K] [--profile P|both]
                   [--policy seed|full|both] [--shrink-budget T] [--json]

Checks N random guest programs (random:SEED_i:E, the seeds derived from S) single ≡ multi on
every chosen profile × policy, with the law of the law suite (src/uml/equivalence.ts): the
guest sees the same run (exit, console, guestDigest, ticks, guest events), the multi ledger is
the reference ledger with runs merged, saved = Σ(k−1). The reference is the stock single run,
or, for programs that write /proc/sysptmulti, UML on the PTRACE_MULTI host merging nothing.
Runs use the law suite's clock (10 µs per guest instruction, so spins see timer ticks).
Cases run on K worker threads; the verdicts do not depend on K. A failing case is shrunk
(fewer parts, smaller numbers) and printed with the first law clause it breaks. Exit status
1 when any case fails.

  --runs N           random programs (default 100); cases = N × profiles × policies
  --seed S           the seed every program and scheduler seed is derived from (default 1)
  --events E         parts per program, 1..${RANDOM_EVENTS_MAX} (default 100)
  --workers K        worker threads (default: ${availableParallelism()}, the number of cores)
  --profile P        uml-2.6.26 | uml-6.1 | both (default both)
  --policy P         seed | full | both (default both)
  --shrink-budget T  at most T law checks to shrink a failure (default 200)
  --json             { seed, runs, events, profiles, policies, cases, failures, results,
                       counterexample, timing: { wallMs, casesPerSecond, workers } }
                     results: [{ spec, profile, policy, seed, reference, broken }] in case order;
                     counterexample: null or { spec, parts, from, fromParts, trials, profile,
                     policy, seed, clause, detail }. Only timing depends on the machine.`;

export interface CheckOptions {
  runs: number;
  seed: number;
  events: number;
  workers: number;
  profiles: ProfileName[];
  policies: string[];
  shrinkBudget: number;
  /** Tests only (check-cases.ts InjectedFault). */
  inject?: InjectedFault;
  onProgress?: (done: number, total: number) => void;
}

export interface Counterexample {
  spec: string;
  parts: number;
  from: string;
  fromParts: number;
  trials: number;
  profile: ProfileName;
  policy: string;
  seed: number;
  clause: string;
  detail: string;
}

export interface CheckReport {
  seed: number;
  runs: number;
  events: number;
  profiles: ProfileName[];
  policies: string[];
  cases: number;
  failures: number;
  results: { spec: string; profile: ProfileName; policy: string; seed: number; reference: Reference | null; broken: LawBreak | null }[];
  counterexample: Counterexample | null;
  timing: { wallMs: number; casesPerSecond: number; workers: number };
}

export async function runCheck(o: CheckOptions): Promise<CheckReport> {
  const t0 = performance.now();
  const cases = checkCases(o);
  const verdicts = await runCasesOnWorkers(cases, o.workers, { inject: o.inject, onVerdict: (d) => o.onProgress?.(d, cases.length) });
  const wallMs = performance.now() - t0;
  const results = cases.map((c, i) => ({ spec: c.spec, profile: c.profile, policy: c.policy, seed: c.seed, reference: verdicts[i]!.reference, broken: verdicts[i]!.broken }));
  const firstBad = results.findIndex((r) => r.broken !== null);
  return {
    seed: o.seed, runs: o.runs, events: o.events, profiles: o.profiles, policies: o.policies,
    cases: cases.length,
    failures: results.filter((r) => r.broken !== null).length,
    results,
    counterexample: firstBad < 0 ? null : counterexample(cases[firstBad]!, results[firstBad]!.broken!, o),
    timing: { wallMs: Math.round(wallMs), casesPerSecond: Math.round((cases.length / wallMs) * 1e5) / 100, workers: Math.min(o.workers, cases.length) },
  };
}

/** Shrink a failing case, keeping the clause it breaks (a different failure is a different bug). */
function counterexample(c: CheckCase, broken: LawBreak, o: CheckOptions): Counterexample {
  const breaks = (spec: string) => runCase({ ...c, spec }, o.inject).broken;
  const s = shrinkSpec(c.spec, (spec) => breaks(spec)?.clause === broken.clause, o.shrinkBudget);
  const last = breaks(s.spec) ?? broken;
  const m = /^random:(\d+):(\d+)$/.exec(c.spec);
  const fromParts = m ? randomProgram(Number(m[1]), Number(m[2])).split('+').length : c.spec.split('+').length;
  return { spec: s.spec, parts: s.parts, from: c.spec, fromParts, trials: s.trials, profile: c.profile, policy: c.policy, seed: c.seed, clause: last.clause, detail: last.detail };
}

function wholeNumber(v: string | undefined, what: string, dflt: number, lo: number, hi: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi) throw new CliError(`${what}: expected a whole number ${lo}..${hi}, got '${v}'`);
  return Number(v);
}

export function checkOptionsFrom(argv: string[]): CheckOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean' }, json: { type: 'boolean' }, runs: { type: 'string' }, seed: { type: 'string' }, events: { type: 'string' },
      workers: { type: 'string' }, profile: { type: 'string' }, policy: { type: 'string' }, 'shrink-budget': { type: 'string' },
    },
  });
  if (values.help) return null;
  const profile = values.profile ?? 'both';
  if (profile !== 'both' && !CHECK_PROFILES.includes(profile as ProfileName)) throw new CliError(`--profile: expected uml-2.6.26, uml-6.1 or both, got '${profile}'`);
  const policy = values.policy ?? 'both';
  if (policy !== 'both' && !(policy in CHECK_POLICIES)) throw new CliError(`--policy: expected seed, full or both, got '${policy}'`);
  return {
    runs: wholeNumber(values.runs, '--runs', 100, 1, 1_000_000),
    seed: wholeNumber(values.seed, '--seed', 1, 0, RANDOM_SEED_MAX),
    events: wholeNumber(values.events, '--events', 100, 1, RANDOM_EVENTS_MAX),
    workers: wholeNumber(values.workers, '--workers', availableParallelism(), 1, 256),
    profiles: profile === 'both' ? [...CHECK_PROFILES] : [profile as ProfileName],
    policies: policy === 'both' ? Object.keys(CHECK_POLICIES) : [policy],
    shrinkBudget: wholeNumber(values['shrink-budget'], '--shrink-budget', 200, 0, 100_000),
  };
}

/** Progress on stderr once a run has taken 2 s, at most once a second (CLI display only). */
function progressPrinter(): (done: number, total: number) => void {
  const t0 = performance.now();
  let shown = 0;
  const tty = process.stderr.isTTY === true;
  return (done, total) => {
    const s = (performance.now() - t0) / 1000;
    if (s < 2 || (s - shown < 1 && done < total)) return;
    shown = s;
    const line = `check: ${done}/${total} cases, ${(done / s).toFixed(1)} cases/s`;
    process.stderr.write(tty ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatCheck(r: CheckReport): string {
  const out = [`check: ${plural(r.cases, 'case')} (${plural(r.runs, 'random program')} of ${r.events} events × ${r.profiles.join(', ')} × policy ${r.policies.join(', ')}), seed ${r.seed}`];
  for (const x of r.results.filter((x) => x.broken).slice(0, 10)) out.push(`  FAIL ${x.spec} on ${x.profile}, policy ${x.policy}, scheduler seed ${x.seed}: ${x.broken!.clause}: ${x.broken!.detail}`);
  out.push(`checked ${plural(r.cases, 'case')}, ${plural(r.failures, 'failure')}, ${r.timing.casesPerSecond} cases/s (${plural(r.timing.workers, 'worker')}, ${(r.timing.wallMs / 1000).toFixed(1)} s), seed ${r.seed}`);
  const c = r.counterexample;
  if (c) {
    out.push(`counterexample (shrunk from ${c.fromParts} parts of ${c.from} to ${c.parts} in ${c.trials} checks), on ${c.profile}, policy ${c.policy}, scheduler seed ${c.seed}:`);
    out.push(`  ${c.spec}`);
    out.push(`  breaks ${c.clause}: ${c.detail}`);
  }
  return out.join('\n');
}

/** The command: exit status 0 when every case holds, 1 when one fails. */
export async function commandCheck(argv: string[]): Promise<number> {
  const o = checkOptionsFrom(argv);
  if (!o) {
    console.log(CHECK_HELP);
    return 0;
  }
  const json = argv.includes('--json');
  const r = await runCheck({ ...o, onProgress: progressPrinter() });
  console.log(json ? JSON.stringify(r, null, 2) : formatCheck(r));
  return r.failures ? 1 : 0;
}
