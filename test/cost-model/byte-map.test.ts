// strace/byte-map.ts: lookups by byte range agree with a Map of strings, also when keys share
// their length and last bytes (the hashed part), and the capacity bounds what it keeps.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ByteMap } from '../../src/cost-model/strace/byte-map.ts';

describe('ByteMap', () => {
  test('the same answers as a Map of strings (keys that collide on the hashed suffix included)', () => {
    const key = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', '_'), maxLength: 20 }), fc.string({ unit: fc.constantFrom('x', 'y'), maxLength: 4 }).map((p) => `${p}_SAME_SUFFIX_12`));
    fc.assert(
      fc.property(fc.array(key, { maxLength: 60 }), fc.array(key, { maxLength: 30 }), (keys, probes) => {
        const m = new ByteMap<number>(64);
        const ref = new Map<string, number>();
        keys.forEach((k, i) => {
          const b = Buffer.from(`>${k}<`, 'latin1');
          m.set(b, 1, b.length - 1, i);
          if (!ref.has(k) && ref.size < 64) ref.set(k, i);
        });
        for (const k of [...keys, ...probes]) {
          const b = Buffer.from(`..${k}`, 'latin1');
          expect(m.get(b, 2, b.length)).toBe(ref.get(k));
        }
        expect(m.size).toBe(ref.size);
      }),
      { numRuns: 300 },
    );
  });
});
