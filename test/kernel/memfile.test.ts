// memfile.ts: a mem file is a persistent value (a write returns a new file; snapshots keep
// the old one) whose pages live in chunks. Law: after any sequence of writes, every page reads
// as a flat byte array written the same way would, and every earlier version still reads as
// it did.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_CHUNKS, memFileBytes, memFilePage, writeMemFile, type MemFile } from '../../src/kernel/memfile.ts';
import { PAGE_SIZE } from '../../src/kernel/memory.ts';

const PAGES = 200; // > 3 chunks of 64 pages

const write = fc.record({
  offset: fc.integer({ min: 0, max: PAGES * PAGE_SIZE - 1 }),
  length: fc.integer({ min: 1, max: 3 * PAGE_SIZE }),
  byte: fc.integer({ min: 1, max: 255 }),
});

describe('mem file', () => {
  it('reads back like a flat array after random writes, and old versions stay as they were', () => {
    fc.assert(
      fc.property(fc.array(write, { maxLength: 25 }), (writes) => {
        let f: MemFile = { name: 'physmem', chunks: EMPTY_CHUNKS, images: [] };
        const flat = new Uint8Array((PAGES + 3) * PAGE_SIZE);
        const versions: { f: MemFile; flat: Uint8Array }[] = [{ f, flat: flat.slice() }];
        for (const w of writes) {
          const len = Math.min(w.length, flat.length - w.offset);
          f = writeMemFile(f, BigInt(w.offset), new Uint8Array(len).fill(w.byte));
          flat.fill(w.byte, w.offset, w.offset + len);
          versions.push({ f, flat: flat.slice() });
        }
        for (const [i, v] of versions.entries()) {
          // Buffer.equals: vitest's toEqual is too slow for 800 KB arrays.
          expect(Buffer.from(memFileBytes(v.f, 0n, v.flat.length)).equals(Buffer.from(v.flat)), `version ${i}`).toBe(true);
          for (let pn = 0; pn < PAGES + 3; pn++) {
            const page = memFilePage(v.f, pn);
            const want = Buffer.from(v.flat.subarray(pn * PAGE_SIZE, (pn + 1) * PAGE_SIZE));
            expect(page ? Buffer.from(page).equals(want) : want.every((b) => b === 0), `version ${i} page ${pn}`).toBe(true);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
