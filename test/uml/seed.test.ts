// What `--seed` does today: it seeds the host kernel's xorshift state (src/kernel/state.ts), and
// nothing draws from it (the scheduler is round-robin, run.ts), so every seed gives the same run.
// The CLI's help says so; when the model starts drawing, this fails and the help must change.
import { describe, expect, test } from 'vitest';
import { runUml } from '../../src/uml/machine.ts';
import { FULL_POLICY } from '../../src/uml/policy.ts';
import { PROFILES } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';

describe('the scheduler seed', () => {
  test.each(['random:5:40', 'fork:2+background:2+sleep:2'])('changes nothing in %s', (spec) => {
    const runs = [1, 2, 999].map((seed) => {
      const r = runUml({ profile: PROFILES['uml-6.1'], mode: 'multi', policy: FULL_POLICY, workload: parseWorkload(spec), boot: 'noumh', seed });
      return JSON.stringify({ r, ledger: r.kernel!.ledger.length, rng: r.kernel!.state.rng === (r.kernel!.state.config.seed >>> 0) });
    });
    expect(new Set(runs).size).toBe(1);
  });
});
