// VersionedMap (src/uml/versioned-map.ts): sortedKeys() is the keys in ascending order after any
// sequence of sets, deletes and clears (a few keys added or removed are replayed on the last array, more or
// a clear rebuild it), every array it handed out stays as it was, and the versions move.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { VersionedMap } from '../../src/uml/versioned-map.ts';

const op = fc.oneof(
  { arbitrary: fc.tuple(fc.constant('set' as const), fc.integer({ min: 0, max: 60 })), weight: 6 },
  { arbitrary: fc.tuple(fc.constant('delete' as const), fc.integer({ min: 0, max: 60 })), weight: 2 },
  { arbitrary: fc.tuple(fc.constant('sorted' as const), fc.constant(0)), weight: 3 },
  { arbitrary: fc.tuple(fc.constant('clear' as const), fc.constant(0)), weight: 1 },
);

describe('VersionedMap.sortedKeys', () => {
  test('is the keys in ascending order, and the arrays handed out do not change', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const m = new VersionedMap<number, number>();
      const handed: [readonly number[], number[]][] = [];
      for (const [kind, k] of ops) {
        const v0 = m.version;
        if (kind === 'set') m.set(k, k);
        else if (kind === 'delete') m.delete(k);
        else if (kind === 'clear') m.clear();
        else {
          const got = m.sortedKeys();
          expect(got).toEqual([...m.keys()].sort((a, b) => a - b));
          handed.push([got, got.slice()]);
        }
        if (kind !== 'sorted') expect(m.version).toBeGreaterThan(v0);
      }
      for (const [arr, copy] of handed) expect(arr).toEqual(copy);
    }), { numRuns: 500 });
  });
});
