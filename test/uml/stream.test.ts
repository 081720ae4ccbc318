// A streaming run (RunOptions.ledger 'stream': rows counted, priced and dropped as they are
// made, `ptsim run`) reports exactly what a run that keeps its ledger reports: the same
// `run --json` bytes, on every kind of workload, with drains at awkward row counts.
import { describe, expect, test } from 'vitest';
import { runFrom } from '../../src/cli/uml-commands.ts';

const WORKLOADS = ['getpid:30+write:3x64', 'touch:20000+fork:1', 'exec:1+sleep:1', 'sysemu:0+getpid:2+sysptmulti:0+getpid:2', 'random:7:40'];

describe('streaming ledger', () => {
  for (const profile of ['uml-2.6.26', 'uml-6.1']) {
    for (const [mode, policy] of [['single', 'seed'], ['multi', 'full']] as const) {
      for (const clock of ['instructions', 'priced']) {
        test(`${profile} ${mode}/${policy}, ${clock} clock: stream ≡ keep`, () => {
          for (const workload of WORKLOADS) {
            const values = { profile, policy, workload, clock };
            const kept = JSON.stringify(runFrom(values, mode));
            for (const streamRowsMax of [1, 7, 64]) {
              const streamed = runFrom(values, mode, undefined, { ledger: 'stream', streamRowsMax });
              expect(JSON.stringify(streamed), `${workload} rows ${streamRowsMax}`).toBe(kept);
              expect(streamed.kernel!.ledger.length - streamed.kernel!.ledger.first).toBeLessThanOrEqual(streamRowsMax + 64);
            }
          }
        });
      }
    }
  }
});
