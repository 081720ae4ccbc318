// `npm run bench [-- --quick] [--getpid N]`: wall-clock throughput of the simulator, as JSON on
// stdout. Speed is measured here, never asserted in tests. Wall-clock reads are allowed in
// bench/ only. Sizes: full by default (sized for the fast core), --quick for a run well under
// a minute on the slow one; the JSON fields are the same (BENCH_FIELDS, checked by
// test/bench/bench.test.ts on tiny sizes).
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { runUml } from '../src/uml/machine.ts';
import { freshBoots } from '../src/uml/boot-cache.ts';
import { FULL_POLICY, SEED_POLICY } from '../src/uml/policy.ts';
import { PROFILES, type ProfileName } from '../src/uml/profile.ts';
import { parseWorkload } from '../src/uml/workload.ts';
import { runCheck } from '../src/cli/check-command.ts';
import { whatIfFile } from '../src/cost-model/whatif-file.ts';
import { validatePolicy, FULL } from '../src/cost-model/policy.ts';
import { loadProfile } from '../src/cost-model/profile.ts';
import { scanLogFile } from '../src/cost-model/strace/scan.ts';
import { loadTimedRuns, measured as measuredTiming, TIMED_DIR } from '../src/cost-model/timed-fixtures.ts';
import { PROFILE_SESSION } from '../src/cost-model/validation.ts';
import { X86_64 } from '../src/kernel/arch.ts';
import { Asm } from '../src/kernel/asm.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import { PROT_READ, PROT_WRITE } from '../src/kernel/memory.ts';
import { SIG } from '../src/kernel/signals.ts';
import { PTRACE } from '../src/ptrace/numbers.ts';
import { parseScript } from '../src/conformance/script.ts';
import { runScriptOnSimulator } from '../src/conformance/sim-runner.ts';
import { checkBatchEquivalence } from '../src/batch/check.ts';
import { makeScenario, TRACER_BUF } from '../src/batch/scenario.ts';
import '../src/cli/node-sha256.ts'; // native SHA-256 for guest digests, as the CLI uses

interface Result { name: string; unit: string; count: number; wallMs: number; perSecond: number }

function measure(name: string, unit: string, fn: () => number): Result {
  fn(); // warm-up
  const t0 = performance.now();
  const count = fn();
  const wallMs = performance.now() - t0;
  return { name, unit, count, wallMs: Math.round(wallMs * 10) / 10, perSecond: Math.round((count / wallMs) * 1000) };
}

/** UML-like loop: SETREGS, SYSEMU, wait4, GETREGS per emulated getpid. */
function sysemuLoop(n: number): number {
  const k = new Kernel();
  const tracer = k.spawnExternal('tracer');
  k.mapMemory(tracer, TRACER_BUF, 0x1000n, PROT_READ | PROT_WRITE);
  const a = new Asm(X86_64).sys('ptrace', 0, 0, 0, 0).sys('tgkill', k.state.nextPid, k.state.nextPid, SIG.SIGSTOP);
  a.mov('r12', n);
  const top = a.here;
  a.sys('getpid').emit({ op: 'add', dst: 'r12', imm: -1n }, { op: 'jnz', reg: 'r12', target: top }).exit(0);
  const child = Number(k.forkChild(tracer, a.build('/bench/child')).ret);
  k.wait4(tracer, child, 0);
  k.ptrace(tracer, PTRACE.GETREGS, child, 0n, TRACER_BUF);
  const before = k.ledger.length;
  for (;;) {
    k.ptrace(tracer, PTRACE.SETREGS, child, 0n, TRACER_BUF);
    k.ptrace(tracer, PTRACE.SYSEMU, child, 0n, 0n);
    const w = k.wait4(tracer, child, 0x40000000);
    if (w.status === null || w.status === undefined || (w.status & 0x7f) !== 0x7f) break;
    k.ptrace(tracer, PTRACE.GETREGS, child, 0n, TRACER_BUF);
    if (k.readWord(tracer, TRACER_BUF + 120n) === 231n) {
      // exit_group is emulated too: end the child like UML does (KILL, reap).
      k.ptrace(tracer, PTRACE.KILL, child, 0n, 0n);
      k.wait4(tracer, child, 0x40000000);
      break;
    }
    k.writeWord(tracer, TRACER_BUF + 80n, BigInt(child));
  }
  return k.ledger.length - before;
}

function fixtures(): number {
  const dir = new URL('../test/fixtures/kernel/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.script'));
  for (const f of files) runScriptOnSimulator(parseScript(readFileSync(new URL(f, dir), 'utf8')));
  return files.length;
}

function batchChecks(n: number): number {
  const sc = makeScenario({}, 'syscall-enter');
  const batch = [{ request: PTRACE.SETREGS, addr: 0n, localaddr: TRACER_BUF, length: 0n }, { request: PTRACE.SYSEMU, addr: 0n, localaddr: 0n, length: 0n }];
  for (let i = 0; i < n; i++) checkBatchEquivalence(sc.kernel.state, sc.tracer, sc.tracee, batch, { shrink: false });
  return n;
}

export interface BenchSizes {
  /** getpid:N for usPerGuestSyscall, host syscalls/s and bytes per ledger entry. */
  getpid: number;
  /** touch:BYTES for µs per first-touch fault (BYTES / 4096 pages). */
  touchBytes: number;
  /** fork:N for µs per fork + _exit + wait. */
  forks: number;
  /** ptsim check: random programs (× 2 profiles × 2 policies) of checkEvents events. */
  checkRuns: number;
  checkEvents: number;
  /** Size of the generated whatif log. */
  whatifMb: number;
  /** Scale of the older micro-benchmarks (sysemu loop iterations, batch checks). */
  sysemuLoop: number;
  batchChecks: number;
}

export const FULL_SIZES: BenchSizes = { getpid: 100_000, touchBytes: 1_000_000, forks: 50, checkRuns: 100, checkEvents: 100, whatifMb: 200, sysemuLoop: 2000, batchChecks: 300 };
export const QUICK_SIZES: BenchSizes = { getpid: 5000, touchBytes: 64 << 10, forks: 2, checkRuns: 1, checkEvents: 100, whatifMb: 10, sysemuLoop: 500, batchChecks: 30 };

/** Every top-level field of the JSON (the shape test/bench/bench.test.ts checks). */
export const BENCH_FIELDS = [
  'node', 'sizes', 'results', 'usPerGuestSyscall', 'startupUs', 'forkedStartupUs', 'usPerFirstTouchFault', 'usPerFork', 'coldUsPerOp', 'hostSyscallsPerSecond',
  'equivalenceCasesPerSecond', 'bytesPerLedgerEntry', 'runFlatMemory', 'whatif', 'speedupVsRealUml',
] as const;

/**
 * Real UML 6.1 on this machine, no strace: the in-guest getpid, net of one clock read, median of
 * the runs of the session the cost profiles come from (validation.ts PROFILE_SESSION; since
 * 2026-12-03 16:40 `late`, idle), pinned to one CPU and unpinned (cross-CPU runs, as UML
 * normally runs).
 */
function realUmlGetpidUs(): { pinned: number; unpinned: number; source: string } {
  const runs = loadTimedRuns(fileURLToPath(new URL('..', import.meta.url)));
  const us = (mode: 'pinned' | 'unpinned') => round(measuredTiming(runs, 'getpid', PROFILE_SESSION, mode).netNs / 1000, 3);
  return { pinned: us('pinned'), unpinned: us('unpinned'), source: `${TIMED_DIR}/${PROFILE_SESSION}-*.json` };
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Wall time of one runUml, and its ledger length. */
function timeUml(profile: ProfileName, mode: 'single' | 'multi', spec: string, boot?: string): { us: number; ledger: number } {
  const t0 = performance.now();
  const r = runUml({ profile: PROFILES[profile], mode, policy: mode === 'multi' ? FULL_POLICY : SEED_POLICY, workload: parseWorkload(spec), ...(boot === undefined ? {} : { boot }) });
  return { us: (performance.now() - t0) * 1000, ledger: r.kernel!.ledger.length };
}

/** Heap + ArrayBuffer growth over a getpid run ÷ its ledger entries, after global.gc (node --expose-gc, as npm run bench runs); null without gc. */
async function bytesPerLedgerEntry(n: number): Promise<{ bytes: number | null; columnBytes: number; entries: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  // V8 frees ArrayBuffer backing stores on a concurrent sweeper after a GC: let it finish
  // before reading arrayBuffers, or the columns' pre-growth copies are counted too.
  const settle = async () => {
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
    gc?.();
  };
  await settle();
  const m0 = process.memoryUsage();
  const heap0 = m0.heapUsed + m0.arrayBuffers; // the compact ledger's columns live in ArrayBuffers
  const r = runUml({ profile: PROFILES['uml-6.1'], mode: 'single', policy: SEED_POLICY, workload: parseWorkload(`getpid:${n}`) });
  await settle();
  const m1 = process.memoryUsage();
  const heap1 = m1.heapUsed + m1.arrayBuffers;
  const entries = r.kernel!.ledger.length; // keeps the run (and its ledger) alive until here
  // columnBytes: what the compact ledger's columns hold (capacity, growth slack included) per row.
  return { bytes: gc ? Math.round((heap1 - heap0) / entries) : null, columnBytes: Math.round(r.kernel!.ledger.bytesHeld() / entries), entries };
}

/**
 * A plain log of about `mb` MB: the real UML 6.1 run's lines repeated. That log has no pid or
 * time column (strace without -f/-t), so the copies stay verbatim: a series of identical runs
 * whose tracee pids repeat, as after pid reuse; its final `+++ exited +++` line is dropped.
 */
async function writeLog(path: string, mb: number): Promise<void> {
  const unit = gunzipSync(readFileSync(new URL('../test/fixtures/uml/uml-6.1-run.strace.gz', import.meta.url))).toString('utf8').split('\n').filter((l) => l && !l.startsWith('+++')).join('\n') + '\n';
  const copies = Math.max(1, Math.round((mb * 1e6) / Buffer.byteLength(unit)));
  const out = createWriteStream(path);
  for (let i = 0; i < copies; i++) if (!out.write(unit)) await new Promise((r) => out.once('drain', r));
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

async function whatifBench(mb: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ptsim-bench-'));
  try {
    const path = join(dir, 'run.strace');
    await writeLog(path, mb);
    const bytes = statSync(path).size;
    let t0 = performance.now();
    const wc = spawnSync('wc', ['-l', path], { encoding: 'utf8' });
    const wcMs = performance.now() - t0;
    const lines = Number(wc.stdout.trim().split(/\s+/)[0]);
    t0 = performance.now();
    let scanned = 0;
    for await (const n of scanLogFile(path, () => {})) scanned = n;
    const scanMs = performance.now() - t0;
    t0 = performance.now();
    const run = await whatIfFile(path, validatePolicy(FULL), loadProfile('calibrated-local'));
    const whatifMs = performance.now() - t0;
    if (run.lines !== lines || scanned !== lines) throw new Error(`bench: whatif read ${run.lines} lines, the scanner ${scanned}, wc -l ${lines}`);
    const calls = [...run.result.processes.values()].reduce((n, p) => n + p.before.hostSyscalls, 0);
    // Peak RSS of a whole `ptsim whatif FILE --json` process (Node and tsx included).
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./whatif-rss.ts', import.meta.url)), path], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench: whatif-rss.ts failed: ${child.stderr}`);
    const peakRssMb = round(Number(child.stdout.trim()) / 1024, 1);
    return {
      bytes, lines, hostSyscalls: calls,
      linesPerSecond: Math.round(lines / (whatifMs / 1000)),
      wcLinesPerSecond: Math.round(lines / (wcMs / 1000)),
      /** whatif time ÷ wc -l time (the target: ≤ 5). */
      ratioToWc: round(whatifMs / wcMs, 1),
      /** The byte-level line scanner alone (no parsing): where the time goes. */
      scanLinesPerSecond: Math.round(lines / (scanMs / 1000)),
      wallMs: round(whatifMs, 1), wcWallMs: round(wcMs, 1),
      /** Peak resident set of a `ptsim whatif FILE --json` process, MB: flat in the log's size. */
      peakRssMb,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak RSS of `ptsim run --workload getpid:N --json` processes for N and 4N (streaming ledger: flat). */
function runFlatMemory(n: number): { getpid: number[]; hostSyscalls: number[]; peakRssMb: number[] } {
  const out = { getpid: [n, 4 * n], hostSyscalls: [] as number[], peakRssMb: [] as number[] };
  for (const size of out.getpid) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./run-rss.ts', import.meta.url)), String(size)], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench: run-rss.ts failed: ${child.stderr}`);
    const [rssKb, calls] = child.stdout.trim().split(' ').map(Number);
    out.peakRssMb.push(round(rssKb! / 1024, 1));
    out.hostSyscalls.push(calls!);
  }
  return out;
}

export async function runBench(sizes: BenchSizes, workers = availableParallelism()) {
  const results = [
    measure('sysemu-loop', 'host syscalls', () => sysemuLoop(sizes.sysemuLoop)),
    measure('fixture-replay', 'scripts', fixtures),
    measure('batch-check', 'checks', () => batchChecks(sizes.batchChecks)),
  ];
  const usPerGuestSyscall: Record<string, { single: number; multi: number }> = {};
  const startupUs: Record<string, { single: number; multi: number }> = {};
  const forkedStartupUs: Record<string, { single: number; multi: number }> = {};
  let hostSyscallsPerSecond = 0;
  for (const profile of ['uml-2.6.26', 'uml-6.1'] as const) {
    timeUml(profile, 'single', 'getpid:1'); // warm-up
    const row = { single: 0, multi: 0 };
    const start = { single: 0, multi: 0 };
    const forked = { single: 0, multi: 0 };
    for (const mode of ['single', 'multi'] as const) {
      // Start-up booted fresh (the fastest of three), and forked from the booted snapshot of the run before (boot-cache.ts).
      start[mode] = round(Math.min(...[0, 1, 2].map(() => freshBoots(() => timeUml(profile, mode, 'getpid:1')).us)), 0);
      timeUml(profile, mode, 'getpid:1'); // keeps the snapshot
      forked[mode] = round(Math.min(...[0, 1, 2].map(() => timeUml(profile, mode, 'getpid:1').us)), 0);
      // Per getpid: a difference of two runs booted without usermode helpers (uml-6.1's 556
      // vary by more than a quick run's getpids take), each the fastest of its runs.
      const base = Math.min(...[0, 1, 2].map(() => timeUml(profile, mode, 'getpid:1', 'noumh').us));
      const runs = [0, 1].map(() => timeUml(profile, mode, `getpid:${sizes.getpid}`, 'noumh'));
      const t = runs.reduce((a, b) => (b.us < a.us ? b : a));
      row[mode] = round((t.us - base) / sizes.getpid);
      if (profile === 'uml-6.1' && mode === 'single') hostSyscallsPerSecond = Math.round(t.ledger / (t.us / 1e6));
    }
    usPerGuestSyscall[profile] = row;
    startupUs[profile] = start;
    forkedStartupUs[profile] = forked;
  }
  // Per-op figures are differences of two runs: booted without usermode helpers (their ~100 ms
  // boot varies by more than 245 faults take), the base the fastest of three. The first run of
  // the fault and fork paths in a process is mostly V8 compiling them (4–8× a warm run on
  // 2026-12-03), so each is measured warm (the fastest of five runs after that first one and three more) and,
  // apart, cold (that first run).
  const base = Math.min(...[0, 1, 2].map(() => timeUml('uml-6.1', 'single', 'getpid:1', 'noumh').us));
  const pages = Math.ceil(sizes.touchBytes / 4096);
  const perOp = (spec: string, n: number) => {
    const cold = timeUml('uml-6.1', 'single', spec, 'noumh').us;
    for (let i = 0; i < 3; i++) timeUml('uml-6.1', 'single', spec, 'noumh'); // V8 needs ~6 runs of fork:50 to settle (2026-12-03)
    const warm = Math.min(...[0, 1, 2, 3, 4].map(() => timeUml('uml-6.1', 'single', spec, 'noumh').us));
    return { warm: round((warm - base) / n), cold: round((cold - base) / n) };
  };
  const fault = perOp(`touch:${sizes.touchBytes}`, pages);
  const fork = perOp(`fork:${sizes.forks}`, sizes.forks);
  const usPerFirstTouchFault = fault.warm;
  const usPerFork = fork.warm;
  const check = await runCheck({ runs: sizes.checkRuns, seed: 1, events: sizes.checkEvents, workers, profiles: ['uml-2.6.26', 'uml-6.1'], policies: ['seed', 'full'], shrinkBudget: 0 });
  if (check.failures) throw new Error(`bench: ptsim check found ${check.failures} failing cases (run ptsim check --runs ${sizes.checkRuns} --events ${sizes.checkEvents})`);
  const mem = await bytesPerLedgerEntry(sizes.getpid);
  const realUs = realUmlGetpidUs();
  return {
    node: process.version,
    sizes,
    results,
    /** µs of wall time per guest getpid: (runUml(getpid:N) − runUml(getpid:1)) ÷ N, both --boot noumh, each the fastest of its runs (2 and 3); multi uses the full policy. */
    usPerGuestSyscall,
    /** µs of one runUml(getpid:1) booted fresh: boot, probes, start_userspace, teardown. */
    startupUs,
    /** The same run forked from the booted state of an earlier one (src/uml/boot-cache.ts): start_userspace and teardown. */
    forkedStartupUs,
    /** uml-6.1 single, --boot noumh: (runUml(touch:BYTES) − runUml(getpid:1)) ÷ pages, warm (the fastest of 5 runs after 4 others). */
    usPerFirstTouchFault,
    /** uml-6.1 single, --boot noumh: (runUml(fork:N) − runUml(getpid:1)) ÷ N, one fork + _exit + wait each, warm. */
    usPerFork,
    /** The same two figures from the first run of each workload in this process (V8 still compiling the fault and fork paths). */
    coldUsPerOp: { firstTouchFault: fault.cold, fork: fork.cold },
    /** Ledger entries per wall second over the uml-6.1 single getpid run. */
    hostSyscallsPerSecond,
    /** ptsim check machinery: random programs of checkEvents events, both profiles × both policies, all cores. */
    equivalenceCasesPerSecond: { casesPerSecond: check.timing.casesPerSecond, cases: check.cases, events: sizes.checkEvents, workers: check.timing.workers },
    /** Heap growth over a uml-6.1 getpid run ÷ its ledger entries (null without --expose-gc). */
    bytesPerLedgerEntry: mem,
    /** `ptsim run --json` on getpid:N and getpid:4N: peak RSS per process, MB (the ledger streams: flat). */
    runFlatMemory: runFlatMemory(sizes.getpid),
    whatif: await whatifBench(sizes.whatifMb),
    /**
     * Real µs per getpid ÷ simulated µs per getpid (uml-6.1 single): real = the median in-guest
     * getpid of UML 6.1 on this machine with no strace, net of one clock read (realUmlGetpidUs),
     * pinned (`speedup`) and unpinned as UML runs (`speedupUnpinned`). Above 1: faster than real.
     */
    speedupVsRealUml: {
      realUs: realUs.pinned, realUnpinnedUs: realUs.unpinned, realSource: realUs.source, simulatedUs: usPerGuestSyscall['uml-6.1']!.single,
      speedup: round(realUs.pinned / usPerGuestSyscall['uml-6.1']!.single, 4), speedupUnpinned: round(realUs.unpinned / usPerGuestSyscall['uml-6.1']!.single, 4),
    },
  };
}

const HELP = `usage: npm run bench [-- --quick] [--getpid N] [--whatif-mb M] [--workers K]

Simulator throughput as JSON on stdout (wall clock; never asserted in tests). Full sizes by
default (getpid:${FULL_SIZES.getpid}, touch:${FULL_SIZES.touchBytes}, fork:${FULL_SIZES.forks}, ${FULL_SIZES.checkRuns} check programs of ${FULL_SIZES.checkEvents} events,
a ${FULL_SIZES.whatifMb} MB whatif log in the temp directory, removed after); --quick: small sizes.

fields: ${BENCH_FIELDS.join(', ')}`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { help: { type: 'boolean' }, quick: { type: 'boolean' }, getpid: { type: 'string' }, 'whatif-mb': { type: 'string' }, workers: { type: 'string' } } }));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const sizes = { ...(values.quick ? QUICK_SIZES : FULL_SIZES) };
  for (const [opt, key] of [['getpid', 'getpid'], ['whatif-mb', 'whatifMb']] as const) {
    const v = values[opt];
    if (v === undefined) continue;
    if (!/^\d+$/.test(v) || Number(v) < 1) {
      process.stderr.write(`bench: --${opt}: expected a whole number ≥ 1, got '${v}'\n`);
      return 2;
    }
    sizes[key] = Number(v);
  }
  const workers = values.workers !== undefined && /^\d+$/.test(values.workers) && Number(values.workers) > 0 ? Number(values.workers) : availableParallelism();
  console.log(JSON.stringify(await runBench(sizes, workers), null, 2));
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
