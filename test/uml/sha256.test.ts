// The pure-TS SHA-256 behind the guest digest hashes exactly what node:crypto hashes.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256Hex } from '../../src/uml/sha256.ts';

describe('sha256', () => {
  it('known vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('equals node:crypto on random strings and byte chunks, streamed in any split', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 150 }), fc.uint8Array({ maxLength: 300 })), { maxLength: 8 }), (parts) => {
      const ours = new Sha256();
      const node = createHash('sha256');
      for (const p of parts) { ours.update(p); node.update(p); }
      expect(ours.hex()).toBe(node.digest('hex'));
    }), { numRuns: 300 });
  });
});
