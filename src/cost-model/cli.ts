// `npm run whatif -- FILE [options]` (ptsim whatif): what would PTRACE_MULTI have saved on a
// real strace log? Errors are one line `FILE:LINE: message` (or `whatif: message`) on stderr
// with exit status 2 for bad input; never a stack trace.
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LogError } from './ledger-from-strace.ts';
import { BUILTIN_POLICIES, PolicyError, validatePolicy, type Policy } from './policy.ts';
import { builtinProfiles, forTracer, loadProfile, ProfileError, type Tracer } from './profile.ts';
import { reportJson, reportText } from './report.ts';
import { whatIfFile } from './whatif-file.ts';
import type { ReadProgress } from './strace/reader.ts';

export const HELP = `usage: ptsim whatif FILE [--policy seed|full|POLICY.json] [--cost PROFILE|PROFILE.json] [--tracer uml|other] [--json] [--lenient]
       (npm run whatif -- FILE …)

Reads a real strace log (plain or gzip; with or without pid prefixes, -t/-tt/-ttt, -T,
unfinished/resumed pairs, signal and exit lines), rebuilds its host-syscall ledger, merges
the ptrace calls a batching policy allows into PTRACE_MULTI calls where that is legal, and
reports host syscalls and estimated time before and after, strace -c style.

  --policy P   seed (default): the 2008 patch's SETREGS+resume pairs; full: every legal
               maximal run; or a JSON file of the same shape (see src/cost-model/policy.ts)
  --cost C     cost profile: ${builtinProfiles().join(', ')} (default calibrated-local), or a JSON file
  --tracer T   uml (default): the log is UML's, so UML's own time around a syscall stop and a
               stub run (a PTRACE_CONT with no signal) and its stub's host calls are charged
               (docs/cost-model.md "Host terms"); other: any other tracer (a debugger, strace,
               gVisor's ptrace platform, a sandbox): those three terms are 0, and an
               unpinned profile's cross-CPU rates (measured on UML's host processes) are
               dropped: every round trip has its two wake-ups
  --json       JSON report: before/after/saved, per process rows, batches
  --lenient    count and skip malformed lines instead of stopping at the first one
  --help       this text

Legality: one caller, one tracee, no other syscall of the caller in between (wait4 included),
a resume ends a batch, a write or resume after a read starts a new one, a failed request
ends one, a signal to the caller ends one. Round trips are never removed.`;

class InputError extends Error {}

function loadPolicy(spec: string): Policy {
  const builtin = BUILTIN_POLICIES[spec];
  if (builtin) return validatePolicy(builtin);
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (e) {
    throw new InputError(`--policy: "${spec}" is neither seed, full nor a readable file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${spec}: not JSON (${(e as Error).message})`);
  }
  try {
    return validatePolicy(json);
  } catch (e) {
    if (e instanceof PolicyError) throw new InputError(e.problems.map((p) => `${spec}: ${p}`).join('\n'));
    throw e;
  }
}

function progressLine(p: ReadProgress): void {
  const mb = (n: number): string => (n / 1048576).toFixed(1);
  const pct = p.bytesTotal ? ((p.bytesRead / p.bytesTotal) * 100).toFixed(0) : '?';
  process.stderr.write(`\rwhatif: ${mb(p.bytesRead)} / ${mb(p.bytesTotal)} MB (${pct} %), ${p.lines} lines`);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true,
      options: { help: { type: 'boolean' }, json: { type: 'boolean' }, lenient: { type: 'boolean' }, policy: { type: 'string' }, cost: { type: 'string' }, tracer: { type: 'string' } },
    });
  } catch (e) {
    process.stderr.write(`whatif: ${(e as Error).message}\n${HELP.split('\n')[0]}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const file = positionals[0];
  try {
    if (!file || positionals.length > 1) throw new InputError('expected exactly one FILE (see --help)');
    try {
      if (!statSync(file).isFile()) throw new InputError(`${file}: not a file`);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const policy = loadPolicy(values.policy ?? 'seed');
    const tracer = values.tracer ?? 'uml';
    if (tracer !== 'uml' && tracer !== 'other') throw new InputError(`--tracer: expected uml or other, not "${tracer}"`);
    const profile = forTracer(loadProfile(values.cost ?? 'calibrated-local'), tracer as Tracer);
    const tty = process.stderr.isTTY === true;
    const run = await whatIfFile(file, policy, profile, { lenient: values.lenient ?? false, ...(tty ? { onProgress: progressLine } : {}) });
    const res = run.result;
    if (tty) process.stderr.write('\r\x1b[K');
    const meta = { file, lines: run.lines, skippedLines: run.skippedLines, skipped: run.skipped, policy, profile };
    console.log(values.json ? JSON.stringify(reportJson(res, meta), null, 2) : reportText(res, meta));
    return 0;
  } catch (e) {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (e instanceof LogError) process.stderr.write(`${file}:${e.line}: ${e.message}${values.lenient ? '' : ' (use --lenient to skip malformed lines)'}\n`);
    else if (e instanceof InputError || e instanceof ProfileError) process.stderr.write(`whatif: ${e.message}\n`);
    else if ((e as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' || (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') process.stderr.write(`${file}: corrupt gzip data (${(e as Error).message})\n`);
    else {
      process.stderr.write(`whatif: internal error: ${(e as Error).message ?? String(e)}\n`);
      return 1;
    }
    return 2;
  }
}

if (process.argv[1] && /cost-model[/\\]cli\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
