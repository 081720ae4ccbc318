// The cases of `ptsim check`: N random workloads `random:SEED_i:E`, each on every chosen
// profile × policy, with seeds derived from one seed S (mulberry32, workload-random.ts): the
// same S gives the same cases, whatever the number of workers. Pure: no clock, no I/O, so the
// worker threads and the main thread compute identical verdicts.
import { checkEquivalence, CLAUSES, LAW_BOOT, LAW_INSN_NS, type Clause, type LawBreak, type Reference } from '../uml/equivalence.ts';
import { FULL_POLICY, SEED_POLICY, type Policy } from '../uml/policy.ts';
import { PROFILES, type ProfileName } from '../uml/profile.ts';
import { parseWorkload } from '../uml/workload.ts';
import { Rng } from '../uml/workload-random.ts';

export const CHECK_PROFILES: readonly ProfileName[] = ['uml-2.6.26', 'uml-6.1'];
export const CHECK_POLICIES: Readonly<Record<string, Policy>> = { seed: SEED_POLICY, full: FULL_POLICY };

export interface CheckCase {
  readonly index: number;
  readonly spec: string;
  readonly profile: ProfileName;
  readonly policy: string;
  /** The scheduler seed. */
  readonly seed: number;
}

export interface CaseVerdict {
  readonly reference: Reference | null;
  readonly broken: LawBreak | null;
}

/**
 * Test-only fault injection (never set by the CLI): 'odd-console' adds a clause that every
 * run whose console has an odd number of bytes breaks, so the failure path and the shrinker
 * can be tested on a law the simulator really "breaks".
 */
export type InjectedFault = 'odd-console';

export function clausesFor(inject: InjectedFault | undefined): readonly Clause[] {
  if (inject === undefined) return CLAUSES;
  return [...CLAUSES, { name: 'injected: console length is even', broken: (_ref, m) => (m.console.length % 2 ? `console has ${m.console.length} bytes` : null) }];
}

export interface CaseOptions {
  readonly runs: number;
  readonly seed: number;
  readonly events: number;
  readonly profiles: readonly ProfileName[];
  readonly policies: readonly string[];
}

/** N workloads × profiles × policies, in a fixed order. */
export function checkCases(o: CaseOptions): CheckCase[] {
  const r = new Rng(o.seed);
  const out: CheckCase[] = [];
  for (let i = 0; i < o.runs; i++) {
    const spec = `random:${Math.floor(r.next() * 2 ** 32)}:${o.events}`;
    const seed = r.int(1, 1000);
    for (const profile of o.profiles) for (const policy of o.policies) out.push({ index: out.length, spec, profile, policy, seed });
  }
  return out;
}

/** One case, every clause of the law (src/uml/equivalence.ts), as the law suite checks it. */
export function runCase(c: Omit<CheckCase, 'index'>, inject?: InjectedFault): CaseVerdict {
  try {
    const v = checkEquivalence({ workload: parseWorkload(c.spec), profile: PROFILES[c.profile], policy: CHECK_POLICIES[c.policy]!, seed: c.seed, insnNs: LAW_INSN_NS, boot: LAW_BOOT }, clausesFor(inject));
    return { reference: v.reference, broken: v.broken };
  } catch (e) {
    // A thrown exception is a simulator bug: a failing case too.
    return { reference: null, broken: { clause: 'internal error', detail: (e as Error).message } };
  }
}
