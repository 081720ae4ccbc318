// The pure-TS SHA-256 behind the guest digest hashes exactly what node:crypto hashes, so a
// run's guestDigest is the same in the browser (TS) and in Node (native, src/cli/node-sha256.ts).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Sha256, sha256Hex, useSha256 } from '../../src/uml/sha256.ts';
import { nodeSha256 } from '../../src/cli/node-sha256.ts';
import { runUml } from '../../src/uml/machine.ts';
import { PROFILES } from '../../src/uml/profile.ts';
import { FULL_POLICY } from '../../src/uml/policy.ts';
import { parseWorkload } from '../../src/uml/workload.ts';

afterAll(() => useSha256(nodeSha256)); // what test/setup.ts installed

describe('sha256', () => {
  it('known vectors', () => {
    expect(new Sha256().update('').hex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new Sha256().update('abc').hex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('equals node:crypto on random strings and byte chunks, streamed in any split', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 150 }), fc.uint8Array({ maxLength: 300 })), { maxLength: 8 }), (parts) => {
      const ours = new Sha256();
      const node = createHash('sha256');
      for (const p of parts) { ours.update(p); node.update(p); }
      expect(ours.hex()).toBe(node.digest('hex'));
    }), { numRuns: 300 });
  });
  it('a UML run has the same guestDigest with the TypeScript and the native hash', () => {
    const run = () => runUml({ profile: PROFILES['uml-6.1'], mode: 'multi', policy: FULL_POLICY, workload: parseWorkload('random:3:30') }).guestDigest;
    const withNative = run();
    useSha256(() => new Sha256());
    const withTs = run();
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    useSha256(nodeSha256);
    expect(withTs).toBe(withNative);
  });
});
