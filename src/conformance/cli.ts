// npm run conformance -- [--runs N] [--seed S] [--json] [--jobs J] [--replay FILE|SEED]
//
// Differential conformance: the ported table cases and N random scripts on the real kernel
// (the C harness) and on the simulator, compared field by field. Exit status: 0 no
// mismatch, 1 mismatches, 2 usage error or no real kernel to compare with.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ALLOW_LIST, DIFFERS_ON_PURPOSE, NOT_PORTED } from './cases.ts';
import { UNTRACKED_FIELDS } from './compare.ts';
import { runCase } from './differential.ts';
import { ensureHarness, realKernelUnavailable, REPO_ROOT } from './real-runner.ts';
import { describeFailure, runConformance, scriptForSeed, shrinkCase, type Failure, type Report } from './run.ts';
import { parseScript, ScriptError } from './script.ts';

const USAGE = `usage: npm run conformance -- [options]

Runs the ported table cases (test/fixtures/ported: LTP ptrace01-11, selftests/ptrace,
gVisor ptrace.cc) and N random scripts on the real kernel (build/ptsim-harness, built with
cc if missing) and on the simulator, and compares every output field. Mismatches are
shrunk by fast-check to a minimal script, printed with their seed and saved under
build/conformance/.

options:
  --runs N            random scripts (default 200)
  --seed S            seed of the run (default 1: the same command gives the same report;
                      pass other seeds to explore)
  --jobs J            scripts run in parallel (default: CPUs, at most 4)
  --json              the report as JSON: cases, mismatches, requestsCovered,
                      stopKindsCovered, seed, …
  --replay FILE|SEED  run one script file, or regenerate the random case with this
                      case seed (as printed on a mismatch) and shrink it
  --no-table          random scripts only
  --no-shrink         do not shrink mismatches
  --help              this text

exit status: 0 no mismatch, 1 mismatches, 2 usage error or no real kernel`;

class UsageError extends Error {}

function int(name: string, v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function saveScript(name: string, text: string): string {
  const dir = join(REPO_ROOT, 'build/conformance');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.script`);
  writeFileSync(file, text);
  return file;
}

function formatFailure(f: Failure): string {
  const out = [`MISMATCH ${f.kind === 'table' ? `table case ${f.name}` : `random case ${f.name}`}${f.flaky ? ' (FLAKY: the real kernel answered differently on a second run — a racy script, a generator bug)' : ''}`];
  for (const d of f.diffs.slice(0, 12)) out.push(`  ${d}`);
  if (f.diffs.length > 12) out.push(`  … ${f.diffs.length - 12} more`);
  const script = f.minimal ?? f.script;
  const saved = saveScript(f.caseSeed !== null ? `case-${f.caseSeed}${f.minimal ? '-min' : ''}` : `table-${f.name}`, script);
  out.push(`  ${f.minimal ? 'minimal script (shrunk by fast-check)' : 'script'}: ${saved}`);
  for (const d of f.minimalDiffs.slice(0, 6)) out.push(`    ${d}`);
  out.push(...script.trimEnd().split('\n').map((l) => `    | ${l}`));
  out.push(`  replay: npm run conformance -- --replay ${f.caseSeed ?? saved}`);
  return out.join('\n');
}

function formatReport(r: Report): string {
  const lines = [
    `conformance: ${r.cases} cases (${r.randomCases} random with seed ${r.seed}, ${r.tableCases} table), ${r.mismatches} mismatch${r.mismatches === 1 ? '' : 'es'}, ${(r.durationMs / 1000).toFixed(1)} s`,
    `requests covered (${r.requestsCovered.length}): ${r.requestsCovered.join(', ')}`,
  ];
  if (r.unknownRequestsTried.length) lines.push(`unknown request numbers tried (${r.unknownRequestsTried.length}): ${r.unknownRequestsTried.join(', ')}`);
  if (r.requestsNotCovered.length) lines.push(`modelled requests not covered: ${r.requestsNotCovered.join(', ')}`);
  lines.push(`stop kinds covered (${r.stopKindsCovered.length}): ${r.stopKindsCovered.join(', ')}`);
  if (r.allowed.length) {
    lines.push(`allow-listed differences (${r.allowed.length} fields, table cases only):`);
    const byCase = new Map<string, { lines: Set<number | null>; reason: string }>();
    for (const a of r.allowed) {
      const e = byCase.get(a.name) ?? { lines: new Set(), reason: a.reason };
      e.lines.add(a.line);
      byCase.set(a.name, e);
    }
    for (const [name, e] of byCase) lines.push(`  ${name} line${e.lines.size > 1 ? 's' : ''} ${[...e.lines].join(', ')}: ${e.reason}`);
  }
  if (r.untrackedFields.length) {
    lines.push('untracked fields (shown by some case, listed instead of compared):');
    for (const u of r.untrackedFields) lines.push(`  ${u.field} ×${u.uses}: ${u.reason}`);
  }
  for (const f of r.failures) lines.push(formatFailure(f));
  return lines.join('\n');
}

async function replay(target: string, json: boolean): Promise<number> {
  let script: string;
  let seed: number | null = null;
  if (existsSync(target)) {
    script = readFileSync(target, 'utf8');
    try {
      parseScript(script);
    } catch (e) {
      if (e instanceof ScriptError) throw new UsageError(`${target}: ${e.message}`);
      throw e;
    }
  } else if (/^\d+$/.test(target)) {
    seed = Number(target);
    script = scriptForSeed(seed);
  } else {
    throw new UsageError(`--replay: '${target}' is neither a file nor a case seed`);
  }
  const r = await runCase(script);
  const result: Record<string, unknown> = { script, ok: r.ok, diffs: describeFailure(r), real: r.real.lines, simulator: r.sim.lines };
  if (!r.ok && seed !== null) {
    const m = await shrinkCase(seed);
    if (m) Object.assign(result, { minimal: m.script, minimalDiffs: m.diffs, saved: saveScript(`case-${seed}-min`, m.script) });
  }
  if (json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(script.trimEnd());
    console.log(r.ok ? 'ok: the real kernel and the simulator agree' : `MISMATCH\n${describeFailure(r).map((d) => `  ${d}`).join('\n')}`);
    if (result.minimal) console.log(`minimal script (${String(result.saved)}):\n${String(result.minimal).trimEnd()}\n${(result.minimalDiffs as string[]).map((d) => `  ${d}`).join('\n')}`);
  }
  return r.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      runs: { type: 'string' }, seed: { type: 'string' }, jobs: { type: 'string' }, json: { type: 'boolean' },
      replay: { type: 'string' }, 'no-table': { type: 'boolean' }, 'no-shrink': { type: 'boolean' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const why = realKernelUnavailable();
  if (why) throw new UsageError(`cannot compare with the real kernel: ${why}`);
  ensureHarness();
  if (values.replay !== undefined) return replay(values.replay, values.json === true);
  const runs = int('runs', values.runs, 200, 0, 10_000_000);
  const seed = int('seed', values.seed, 1, 0, 2 ** 32 - 1);
  const jobs = int('jobs', values.jobs, Math.min(4, availableParallelism()), 1, 64);
  const tty = process.stderr.isTTY;
  let last = 0;
  const report = await runConformance({
    runs, seed, jobs, table: !values['no-table'], shrink: values['no-shrink'] ? 0 : 3,
    now: () => performance.now(), // wall clock for the report's duration: the CLI's, not the library's
    onProgress: tty ? (done, total, bad) => {
      const now = performance.now();
      if (now - last < 200 && done < total) return;
      last = now;
      process.stderr.write(`\r  ${done}/${total} cases, ${bad} mismatch${bad === 1 ? '' : 'es'}${done === total ? '\n' : ''}`);
    } : undefined,
  });
  if (values.json) {
    console.log(JSON.stringify({ ...report, allowList: ALLOW_LIST, notPorted: NOT_PORTED, differsOnPurpose: DIFFERS_ON_PURPOSE, untrackedFieldReasons: UNTRACKED_FIELDS }, null, 2));
  } else {
    console.log(formatReport(report));
  }
  return report.mismatches === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`conformance: ${msg.split('\n')[0]}${usage ? ' (see --help)' : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
