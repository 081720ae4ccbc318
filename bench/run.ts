// `npm run bench`: wall-clock throughput of the simulator, as JSON on stdout. Speed is
// measured here, never asserted in tests. Wall-clock reads are allowed in bench/ only.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
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

const results = [
  measure('sysemu-loop', 'host syscalls', () => sysemuLoop(2000)),
  measure('fixture-replay', 'scripts', fixtures),
  measure('batch-check', 'checks', () => batchChecks(300)),
];
console.log(JSON.stringify({ node: process.version, results }, null, 2));
