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

  test('long keys (compared a word at a time) at every alignment of the buffer looked in', () => {
    const long = fc.tuple(fc.string({ unit: fc.constantFrom('a', 'b'), minLength: 0, maxLength: 30 }), fc.constantFrom('[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}]', 'PTRACE_GETREGSET', 'SAME_SUFFIX_12')).map(([p, k]) => `${p}${k}`);
    fc.assert(
      fc.property(fc.array(long, { minLength: 1, maxLength: 20 }), fc.array(long, { maxLength: 20 }), fc.nat({ max: 7 }), fc.nat({ max: 7 }), (keys, probes, setAt, getAt) => {
        const m = new ByteMap<number>(64);
        const ref = new Map<string, number>();
        keys.forEach((k, i) => {
          const b = Buffer.alloc(setAt + k.length + 3, 0x7c);
          b.write(k, setAt, 'latin1');
          m.set(b, setAt, setAt + k.length, i);
          if (!ref.has(k)) ref.set(k, i);
        });
        // One buffer holding every probe at shifting offsets (one view, as a chunk is).
        const all = [...keys, ...probes];
        const b = Buffer.alloc(getAt + all.reduce((n, k) => n + k.length + 1, 0), 0x7c);
        let at = getAt;
        for (const k of all) {
          b.write(k, at, 'latin1');
          expect(m.get(b, at, at + k.length)).toBe(ref.get(k));
          expect(m.get(b, at, at + k.length - 1)).toBe(ref.get(k.slice(0, -1)));
          // Each byte changed in turn: a key differing there alone (head, word or tail) is not found.
          for (let q = 0; q < k.length; q++) {
            const was = b[at + q]!;
            b[at + q] = was ^ 0x20;
            expect(m.get(b, at, at + k.length)).toBe(ref.get(b.toString('latin1', at, at + k.length)));
            b[at + q] = was;
          }
          at += k.length + 1;
        }
      }),
      { numRuns: 300 },
    );
  });
});
