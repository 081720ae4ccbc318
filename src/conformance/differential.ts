// One differential case: the same script on the real kernel (C harness) and on the
// simulator, compared field by field, plus what it covered (requests, stop kinds).
import { compareOutputs, type Comparison } from './compare.ts';
import { realXstateBytes, runScriptOnKernel, type RealResult } from './real-runner.ts';
import type { KernelConfig } from '../kernel/config.ts';
import { parseScript } from './script.ts';
import { startSimulation, type OutputLine } from './sim-runner.ts';
import { requestName, parseRequest } from '../ptrace/numbers.ts';

export interface SimResult {
  readonly lines: OutputLine[];
  /** The simulator refused the script (e.g. a wait that would block forever), with why. */
  readonly error: string | null;
  readonly stopKinds: string[];
}

export interface CaseResult {
  readonly script: string;
  readonly real: RealResult;
  readonly sim: SimResult;
  readonly comparison: Comparison;
  /** The harness failed (timeout, run-time error) or the simulator threw. */
  readonly failure: string | null;
  readonly ok: boolean;
  readonly requests: string[];
}

/** The script on the simulator; `cfg`: the simulated host's settings that differ from the default (runCase: the real host's XSTATE size). */
export function runOnSimulator(text: string, cfg: Partial<KernelConfig> = {}): SimResult {
  const script = parseScript(text);
  const lines: OutputLine[] = [];
  let error: string | null = null;
  const run = startSimulation(script, cfg);
  try {
    for (const op of script.ops) {
      const l = run.exec(op);
      if (l) lines.push(l);
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  return { lines: lines.map((l) => JSON.parse(JSON.stringify(l)) as OutputLine), error, stopKinds: run.events.map((e) => e.kind) };
}

/**
 * The requests a script's output lines exercised: names without PTRACE_ for requests Linux
 * or Davoli's patches define, `0x…` for numbers nothing defines.
 */
export function requestsOf(lines: readonly OutputLine[]): string[] {
  const out = new Set<string>();
  for (const l of lines) {
    if (l.op !== 'ptrace' || typeof l.req !== 'string') continue;
    const nr = parseRequest(l.req);
    if (nr !== undefined) out.add(requestName(nr).replace(/^PTRACE_/, ''));
  }
  return [...out];
}

export async function runCase(text: string): Promise<CaseResult> {
  // The simulated host has the real one's XSAVE size: it is the CPU's, not the kernel's.
  const sim = runOnSimulator(text, { xstateBytes: await realXstateBytes() });
  const real = await runScriptOnKernel(text);
  const comparison = compareOutputs(real.lines, sim.lines);
  let failure: string | null = null;
  if (real.status !== 0) failure = `harness exited with status ${real.status}${real.status === 3 ? ' (10 s alarm: a wait blocked)' : ''}: ${real.stderr.split('\n')[0] ?? ''}`;
  else if (sim.error) failure = `simulator: ${sim.error}`;
  return { script: text, real, sim, comparison, failure, ok: failure === null && comparison.ok, requests: requestsOf(real.lines) };
}
