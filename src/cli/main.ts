// The ptsim command line. Every command has --help; errors are one line on stderr with
// exit status 2 (bad usage/input) or 1 (failure), never a stack trace.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatDemo, runDemo } from './demo.ts';
import { parseScript, ScriptError } from '../conformance/script.ts';
import { runScriptOnSimulator } from '../conformance/sim-runner.ts';
import { REQUEST_TABLE } from '../ptrace/request-table.ts';
import { checkBatchEquivalence } from '../batch/check.ts';
import { makeScenario } from '../batch/scenario.ts';
import { InputError, parseBatchCheckInput } from '../batch/scenario-json.ts';
import { CliError, commandCompare, commandProbe, commandRun, commandTrace } from './uml-commands.ts';
import { main as whatifMain } from '../cost-model/cli.ts';
import { commandReport } from './report-command.ts';
import { commandCheck } from './check-command.ts';
import { commandTeach } from './teach-command.ts';
import './node-sha256.ts'; // native SHA-256 for guest digests (same bytes as the TS one)

const USAGE = `ptsim — a deterministic simulator of Linux ptrace, PTRACE_MULTI and UML's host side

usage: ptsim <command> [options]

commands:
  demo                 trace a child through its syscall stops, annotated (npm run demo)
  script FILE          run a conformance script on the simulator, one JSON line per operation
  requests             the ptrace request table: number, name, support, note, source
  batch-check [FILE]   is a PTRACE_MULTI batch equivalent to its sub-requests one by one? JSON in, JSON out
  run                  run a guest workload on UML's host side (single or multi mode)
  compare              single vs multi side by side, with the equivalence verdict
  check --runs N       N random programs checked single ≡ multi on worker threads, failures shrunk
  trace                UML's host syscalls as an annotated strace-like transcript
  probe                UML's start-up probe output against a stock or patched kernel
  whatif FILE          what PTRACE_MULTI would save on a real strace log (plain or gzip)
  report --html FILE   single vs multi as one self-contained HTML page with charts
  teach --out DIR      the browser teaching view: step through ptrace and UML (npm run teach serves it)

options for every command: --help, --json (where output is a table)`;

class UsageError extends Error {}

function commandDemo(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) return void console.log('usage: ptsim demo [--json]\n\nA tracer follows a child through SIGSTOP, TRACESYSGOOD syscall stops and exit, on the simulated 6.18 kernel.');
  const lines = runDemo();
  console.log(values.json ? JSON.stringify(lines, null, 2) : formatDemo(lines));
}

function commandScript(argv: string[]): void {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean' } } });
  if (values.help) return void console.log('usage: ptsim script FILE\n\nRuns a conformance script (docs/script-format.md) on the simulator and prints what the C harness prints on the real kernel.');
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('script: expected exactly one FILE');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`script: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  try {
    for (const line of runScriptOnSimulator(parseScript(text))) console.log(JSON.stringify(line));
  } catch (e) {
    if (e instanceof ScriptError) throw new UsageError(`${file}:${e.line}: ${e.message.replace(/^line \d+: /, '')}`);
    throw e;
  }
}

function commandRequests(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) return void console.log('usage: ptsim requests [--json]\n\nEvery ptrace request the model knows, with its support status (complete / partial / not-modelled).');
  const rows = REQUEST_TABLE.map((r) => ({ nr: `0x${r.nr.toString(16)}`, name: r.name, support: r.support, since: r.generations.join(','), note: r.note, source: r.source }));
  if (values.json) return void console.log(JSON.stringify(rows, null, 2));
  for (const r of rows) console.log(`${r.nr.padEnd(7)} ${r.name.padEnd(36)} ${r.support.padEnd(13)} ${r.note}`);
  console.log('other numbers: EIO (ptrace_request default case), after the ESRCH check');
}

const BATCH_CHECK_HELP = `usage: ptsim batch-check [FILE]   (JSON from FILE, or stdin when FILE is absent or -)

Runs the batch as one PTRACE_MULTI call and as sequential ptrace calls from the same traced
state, compares result, state, the tracee's future and the ledger, and prints the verdict.

input:  { "kernel": { "ptraceMulti": "2008", "generation": "6.18" },
          "stop": "syscall-enter",
          "batch": [ { "request": "SETREGS", "localaddr": "@regs" }, { "request": "CONT" } ] }
        stop: signal-delivery, group-stop, syscall-enter, syscall-exit, sysemu, event, running
        symbols: @regs, @buf+N (tracer buffer), @data+N (tracee data page), @unmapped
output: { "equivalent", "multi", "sequential", "saved", "differences", "divergences",
          "executed", "counterexample"? }  (see docs/batch-check.md)`;

function commandBatchCheck(argv: string[]): void {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean' } } });
  if (values.help) return void console.log(BATCH_CHECK_HELP);
  if (positionals.length > 1) throw new UsageError('batch-check: at most one FILE');
  const file = positionals[0] ?? '-';
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`batch-check: cannot read ${file === '-' ? 'stdin' : file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  let input;
  try {
    input = parseBatchCheckInput(text);
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(`batch-check: ${e.message}`);
    throw e;
  }
  const sc = makeScenario({ ptraceMulti: input.kernel.ptraceMulti, generation: input.kernel.generation, arch: 'x86_64' }, input.stop);
  const verdict = checkBatchEquivalence(sc.kernel.state, sc.tracer, sc.tracee, input.batch);
  console.log(canonicalPretty(verdict));
}

function canonicalPretty(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? (x >= 0n ? `0x${x.toString(16)}` : x.toString()) : x), 2);
}

const COMMANDS: Record<string, (argv: string[]) => void | Promise<void>> = {
  demo: commandDemo,
  script: commandScript,
  requests: commandRequests,
  'batch-check': commandBatchCheck,
  run: commandRun,
  compare: commandCompare,
  trace: commandTrace,
  probe: commandProbe,
  report: commandReport,
  check: async (argv) => {
    const code = await commandCheck(argv);
    if (code !== 0) throw new ExitCode(code);
  },
  teach: commandTeach,
  whatif: async (argv) => {
    const code = await whatifMain(argv);
    if (code !== 0) throw new ExitCode(code);
  },
};

/** A subcommand that already reported its own error and wants this exit status. */
class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    console.error(`ptsim: unknown command '${cmd}' (try ptsim --help)`);
    return 2;
  }
  try {
    await run(rest);
    return 0;
  } catch (e) {
    if (e instanceof ExitCode) return e.code;
    if (e instanceof UsageError || e instanceof CliError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`ptsim: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}`); // always one line
      return 2;
    }
    console.error(`ptsim: internal error (a simulator bug, please report): ${(e as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
