// guest-digest.ts caches the memory hash three ways (nothing changed; the longest unchanged
// prefix of this mm or its fork parent; the run's prefix trie shared by every mm). With
// DIGEST_CHECK.verify every cached hash of a run is compared with the definition
// (memoryHashUncached: every page hashed from scratch), so a stale cache throws. Workloads
// with forks, execs, faults, copy-on-write, sysptmulti toggles and random mixes, both profiles.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DIGEST_CHECK } from '../../src/uml/guest-digest.ts';
import { runUml } from '../../src/uml/machine.ts';
import { FULL_POLICY, SEED_POLICY } from '../../src/uml/policy.ts';
import { PROFILES, type ProfileName } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';

const WORKLOADS = ['fork:6', 'exec:4', 'touch:40000+fork:3+touch:9000', 'getpid:5+fork:2+exec:2+write:3x40', 'random:3:60', 'random:11:60', 'random:29:60'];

describe('guest digest caches agree with the uncached hash at every boundary', () => {
  beforeAll(() => { DIGEST_CHECK.verify = true; });
  afterAll(() => { DIGEST_CHECK.verify = false; DIGEST_CHECK.nodesMax = 20_000; });
  for (const profile of ['uml-6.1', 'uml-2.6.26'] as ProfileName[]) {
    for (const spec of WORKLOADS) {
      test(`${profile} ${spec}`, () => {
        for (const mode of ['single', 'multi'] as const) {
          const r = runUml({ profile: PROFILES[profile], mode, policy: mode === 'multi' ? FULL_POLICY : SEED_POLICY, workload: parseWorkload(spec), boot: 'noumh', insnNs: 10_000, seed: 7 });
          expect(r.guestDigest).toMatch(/^[0-9a-f]+$/);
        }
      });
    }
  }
  test('with every node finalized at its hex (each extension hashes its path again)', () => {
    DIGEST_CHECK.finalizeAll = true;
    DIGEST_CHECK.rehashed = 0;
    try {
      for (const spec of ['fork:5+getpid:100+exec:2', 'random:5:80', 'touch:40000+fork:3+touch:9000']) runUml({ profile: PROFILES['uml-6.1'], mode: 'single', policy: SEED_POLICY, workload: parseWorkload(spec), boot: 'noumh', insnNs: 10_000, seed: 3 });
      expect(DIGEST_CHECK.rehashed).toBeGreaterThan(0);
    } finally {
      DIGEST_CHECK.finalizeAll = false;
    }
  });
  test('with a trie replaced every 40 nodes', () => {
    DIGEST_CHECK.nodesMax = 40;
    try {
      for (const spec of ['fork:5+getpid:100+exec:2', 'random:5:80']) runUml({ profile: PROFILES['uml-6.1'], mode: 'single', policy: SEED_POLICY, workload: parseWorkload(spec), boot: 'noumh', insnNs: 10_000, seed: 3 });
    } finally {
      DIGEST_CHECK.nodesMax = 20_000;
    }
  });
});
