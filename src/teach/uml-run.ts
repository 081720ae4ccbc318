// A UML run recorded for the teaching view (src/uml/machine.ts runUml): every host syscall of
// the UML process and of its start-up probes, each step labelled with the guest event it
// serves (machine.ts umlLedgerView: the `guestEvent` of `ptsim trace --json`).
import { runUml, umlLedgerView, type RunResult } from '../uml/machine.ts';
import { FULL_POLICY } from '../uml/policy.ts';
import { PROFILES } from '../uml/profile.ts';
import type { Mode } from '../uml/host.ts';
import { parseWorkload } from '../uml/workload.ts';
import { annotateSteps, recordRun } from './record.ts';
import { TEACH_COST_PROFILE } from './cost-profile.ts';
import type { Step } from './types.ts';

/** The settings of the UML scenarios: UML 6.1 on a 6.18 host, the full batching policy (README "compare"). */
export const UML_PROFILE = 'uml-6.1';
export const UML_POLICY = 'full';

/**
 * The scenarios' boot: 2 usermode helpers (src/uml/usermode-helper.ts) instead of the default
 * 556, so the step list shows their shape without 5,560 boot steps before the guest runs.
 */
export const UML_BOOT = 'umh=2';

export function umlRunOptions(workload: string, mode: Mode) {
  return { profile: PROFILES[UML_PROFILE], mode, policy: FULL_POLICY, workload: parseWorkload(workload), boot: UML_BOOT };
}

export function recordUml(workload: string, mode: Mode): { steps: readonly Step[]; result: RunResult } {
  const rec = recordRun(() => runUml(umlRunOptions(workload, mode)), TEACH_COST_PROFILE);
  const result = rec.value;
  const events = new Map(umlLedgerView(result).map(({ entry, event }) => [entry.seq, event]));
  return { steps: annotateSteps(rec.steps, (s) => ({ event: events.get(s.call.seq) ?? null })), result };
}
