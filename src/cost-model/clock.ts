// The simulated kernel's own clock over a UML run's run phase: state.clockNs advances insnNs
// per instruction a tracee executes (guest and stub code) and jumps over sleeps; host calls do
// not advance it. Reported next to the cost model's host-call time (docs/cost-model.md).
import type { RunResult } from '../uml/machine.ts';

/** The kernel's clock from the first run-phase UML host call to the end of the run. */
export function kernelClockNs(r: RunResult): number {
  const start = r.runStartClockNs;
  return start === null || start === undefined ? 0 : r.kernel!.state.clockNs - start;
}
